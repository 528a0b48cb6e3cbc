// The supervisor's reports page: a date range, grouping and queue; then
// the service level (cards, chart and table), abandonment by stage, the
// weekday × hour heatmap and the agents' figures, each downloadable as CSV;
// and a queue's forecast and staffing (reports-forecast.ts).
// Reads the reports when asked (and once on opening); it never polls.

import { ApiError, fetchAgents, fetchQueues, getJson, getText, type Me, type NamedItem } from "./api";
import { h, setAlert } from "./dom";
import { roleOf, topbar, userNameOf } from "./topbar";
import { ServiceLevelChart } from "./reports-chart";
import { forecastSection } from "./reports-forecast";
import {
  type AgentFigures,
  countText,
  dateValue,
  defaultRange,
  GROUPINGS,
  type Grouping,
  groupLabel,
  type HeatCell,
  localMidnight,
  mmss,
  NONE,
  parseAgentsReport,
  parseHeatmap,
  parseServiceLevelReport,
  parseVolumeTotal,
  percentText,
  type Ratio,
  type ReportQuery,
  reportPath,
  type ServiceLevelReport,
  type Volume,
  WEEKDAYS,
} from "./reports-model";

type Report = "service-level" | "volume" | "heatmap" | "agents";

const REPORT_NAMES: Record<Report, string> = {
  "service-level": "service level",
  volume: "volume",
  heatmap: "heatmap",
  agents: "agents",
};

function headRow(...labels: Array<[string, string?]>): HTMLTableRowElement {
  return h("tr", {}, ...labels.map(([label, cls]) => h("th", { scope: "col", class: cls }, label)));
}

function emptyRow(columns: number, text: string): HTMLTableRowElement {
  return h("tr", { class: "empty" }, h("td", { colspan: String(columns) }, text));
}

function numCell(text: string): HTMLTableCellElement {
  return h("td", { class: "num" }, text);
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

/** A labelled control in the form's row. */
function field(id: string, label: string, control: HTMLElement, hint?: HTMLElement): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ?? null);
}

/** Shows the reports page (with `nav` in its header) until the returned function stops it. */
export function renderReports(root: HTMLElement, me: Me, nav: HTMLElement, signOut: (notice?: string) => void): () => void {
  const userName = userNameOf(me, "Supervisor");
  const role = roleOf(me);

  // --- controls ---
  const range = defaultRange();
  const fromInput = h("input", { type: "date", id: "report-from", value: range.from, required: true });
  const toInput = h("input", { type: "date", id: "report-to", value: range.to, required: true, "aria-describedby": "report-to-hint" });
  const groupSelect = h(
    "select",
    { id: "report-group" },
    ...GROUPINGS.map(([value, label]) => h("option", { value, selected: value === "day" }, label)),
  );
  const queueSelect = h("select", { id: "report-queue" }, h("option", { value: "" }, "All queues"));
  const showButton = h("button", { type: "submit", id: "report-show", class: "primary" }, "Show");
  const status = h("span", { id: "report-status", class: "muted", role: "status" });
  const form = h(
    "form",
    { id: "report-form", class: "card report-form", "aria-label": "Report settings" },
    field("report-from", "From", fromInput),
    field("report-to", "To", toInput, h("span", { id: "report-to-hint", class: "hint" }, "not included")),
    field("report-group", "Grouping", groupSelect),
    field("report-queue", "Queue", queueSelect),
    h("div", { class: "field submit" }, showButton),
    status,
  );
  const signOutLink = h("a", { href: "#", id: "sign-out" }, "Sign out");
  const error = h("p", { id: "reports-error", class: "alert", role: "alert" });
  setAlert(error, "");

  // --- output ---
  const stat = (id: string, label: string, ...detail: Array<Node | string>) =>
    h(
      "section",
      { class: "card stat", "aria-labelledby": `${id}-label` },
      h("h2", { id: `${id}-label`, class: "stat-label" }, label),
      h("p", { id: `${id}-value`, class: "stat-value" }, NONE),
      h("p", { class: "stat-detail muted" }, ...detail),
    );
  const slNumerator = h("span", { id: "sl-numerator" }, NONE);
  const slDenominator = h("span", { id: "sl-denominator" }, NONE);
  const slThreshold = h("span", { id: "sl-threshold" }, NONE);
  const slTarget = h("span", { id: "sl-target" }, NONE);
  const answeredShare = h("span", { id: "answered-share" }, NONE);
  const abandonedCount = h("span", { id: "abandoned-count" }, NONE);
  const cards = h(
    "div",
    { class: "stat-grid" },
    stat("sl", "Service level", slNumerator, " of ", slDenominator, " within ", slThreshold, " · target ", slTarget),
    stat("offered", "Offered", "calls in the range"),
    stat("answered", "Answered", answeredShare, " of offered"),
    stat("abandoned", "Abandoned", abandonedCount, " calls, all stages"),
  );

  const csvButtons = new Map<Report, HTMLButtonElement>();
  const csvButton = (report: Report) => {
    const button = h(
      "button",
      { type: "button", id: `csv-${report}`, class: "csv", disabled: true },
      "Download CSV",
      h("span", { class: "visually-hidden" }, ` (${REPORT_NAMES[report]})`),
    );
    button.addEventListener("click", () => void download(report, button));
    csvButtons.set(report, button);
    return button;
  };
  const panelHead = (id: string, title: string, report: Report) =>
    h("div", { class: "panel-head" }, h("h2", { id }, title), csvButton(report));

  const chartBox = h("div", {
    class: "chart-box",
    role: "img",
    "aria-label": "Line chart of the service level per interval and the target; the figures are in the table below it",
  });
  const chartCaption = h("figcaption", { class: "muted" }, "Percent of the counted calls answered within the threshold; dashed: the target.");
  const slBody = h("tbody", {}, emptyRow(4, "Not shown yet"));
  const slTable = h(
    "table",
    { id: "sl-table", class: "board compact" },
    h("caption", { class: "visually-hidden" }, "Service level per interval"),
    h("thead", {}, headRow(["Interval start"], ["Within threshold", "num"], ["Counted", "num"], ["Service level", "num"])),
    slBody,
  );
  const slSection = h(
    "section",
    { class: "card report-panel", "aria-labelledby": "sl-heading" },
    panelHead("sl-heading", "Service level per interval", "service-level"),
    h("figure", { id: "sl-chart" }, chartBox, chartCaption),
    h("details", { class: "figures" }, h("summary", {}, "Figures as a table"), h("div", { class: "table-wrap short", tabindex: "0", role: "region", "aria-label": "Service level per interval, table" }, slTable)),
  );

  const abandonBody = h("tbody", {}, emptyRow(4, "Not shown yet"));
  const abandonSection = h(
    "section",
    { class: "card report-panel", "aria-labelledby": "abandon-heading" },
    panelHead("abandon-heading", "Abandonment by stage", "volume"),
    h(
      "table",
      { id: "abandon-table", class: "board" },
      h("caption", { class: "visually-hidden" }, "Abandoned calls by stage"),
      h("thead", {}, headRow(["Stage"], ["Abandoned", "num"], ["Out of", "num"], ["Percent", "num"])),
      abandonBody,
    ),
  );

  const heatBody = h("tbody");
  const heatTable = h(
    "table",
    { id: "heatmap", class: "heatmap" },
    h("caption", { class: "muted" }, "Offered calls by weekday and hour (hover a cell for its service level); darker means more calls."),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("td", {}),
        ...Array.from({ length: 24 }, (_, hour) => h("th", { scope: "col", title: `${hour}:00–${hour + 1}:00` }, String(hour))),
      ),
    ),
    heatBody,
  );
  const heatSection = h(
    "section",
    { class: "card report-panel", "aria-labelledby": "heatmap-heading" },
    panelHead("heatmap-heading", "Heatmap", "heatmap"),
    h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "heatmap-heading" }, heatTable),
  );

  const agentsBody = h("tbody", {}, emptyRow(7, "Not shown yet"));
  const agentsNote = h("p", { class: "muted note", hidden: true }, "Calls are the chosen queue's; occupancy covers all logged-in time.");
  const agentsSection = h(
    "section",
    { class: "card report-panel", "aria-labelledby": "agents-heading" },
    panelHead("agents-heading", "Agents", "agents"),
    agentsNote,
    h(
      "div",
      { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "agents-heading" },
      h(
        "table",
        { id: "agent-table", class: "board" },
        h("caption", { class: "visually-hidden" }, "Agents' figures"),
        h(
          "thead",
          {},
          headRow(["Agent"], ["Offered", "num"], ["Answered", "num"], ["Missed", "num"], ["Avg handle (mm:ss)", "num"], ["Occupancy", "num"], ["Survey avg", "num"]),
        ),
        agentsBody,
      ),
    ),
  );

  const forecast = forecastSection(() => sessionEnded());

  const results = h(
    "div",
    { id: "reports-results", "aria-busy": "false" },
    cards,
    h("div", { class: "report-grid" }, slSection, abandonSection),
    heatSection,
    agentsSection,
  );

  root.replaceChildren(
    h(
      "div",
      { class: "shell reports" },
      topbar(userName, role, nav, signOutLink),
      h("h1", { class: "visually-hidden" }, "Reports"),
      form,
      error,
      results,
      forecast.element,
    ),
  );

  // --- state ---
  const chart = new ServiceLevelChart(chartBox);
  let stopped = false;
  let runs = 0;
  let shown: ReportQuery | null = null;
  const problems = new Map<string, string>();

  function showProblems(): void {
    setAlert(error, [...problems.values()].join(" "));
  }

  function stop(): void {
    if (stopped) return;
    stopped = true;
    chart.destroy();
    forecast.stop();
  }

  function sessionEnded(): void {
    stop();
    signOut("Your session has ended. Please sign in again.");
  }

  const is401 = (err: unknown) => err instanceof ApiError && err.status === 401;

  // --- rendering ---
  function renderServiceLevel(report: ServiceLevelReport | null, q: ReportQuery): void {
    const t = report?.total;
    setText("sl-value", percentText(t?.percent ?? null));
    slNumerator.textContent = countText(t?.numerator ?? null);
    slDenominator.textContent = countText(t?.denominator ?? null);
    slThreshold.textContent = t?.thresholdSecs != null ? `${t.thresholdSecs} s` : NONE;
    slTarget.textContent = percentText(t?.targetPct ?? null, 0);
    const groups = report?.groups ?? [];
    chart.show({
      from: Date.parse(q.from) / 1000,
      to: Date.parse(q.to) / 1000,
      xs: groups.map((g) => g.secs),
      percents: groups.map((g) => g.value.percent),
      target: t?.targetPct ?? null,
      timeZone: report?.timeZone ?? null,
    });
    chartCaption.textContent =
      `Percent of the counted calls answered within ${t?.thresholdSecs != null ? `${t.thresholdSecs} s` : "the threshold"}` +
      `, per ${GROUPINGS.find(([g]) => g === q.group)?.[1].toLowerCase() ?? "interval"}` +
      `${report?.timeZone ? ` (${report.timeZone} time)` : ""}; dashed: the target.`;
    slBody.replaceChildren(
      ...(!report
        ? [emptyRow(4, NONE)]
        : groups.length
          ? groups.map((g) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, groupLabel(g.start, q.group)),
                numCell(countText(g.value.numerator)),
                numCell(countText(g.value.denominator)),
                numCell(percentText(g.value.percent)),
              ),
            )
          : [emptyRow(4, "No calls in this range")]),
    );
  }

  function renderVolume(v: Volume | null): void {
    setText("offered-value", countText(v?.offered ?? null));
    setText("answered-value", countText(v?.answered ?? null));
    const offered = v?.offered ?? null;
    answeredShare.textContent = v && v.answered !== null && offered ? percentText((100 * v.answered) / offered) : NONE;
    setText("abandoned-value", percentText(v?.abandonedTotal.percent ?? null));
    abandonedCount.textContent = countText(v?.abandonedTotal.numerator ?? null);
    const row = (label: string, r: Ratio | undefined) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, label),
        numCell(countText(r?.numerator ?? null)),
        numCell(countText(r?.denominator ?? null)),
        numCell(percentText(r?.percent ?? null)),
      );
    abandonBody.replaceChildren(
      row("IVR", v?.abandonedIvr),
      row("Queue", v?.abandonedQueue),
      row("Ringing", v?.abandonedRinging),
      h("tr", { class: "total" }, ...row("Total", v?.abandonedTotal).children),
    );
  }

  function renderHeatmap(cells: Map<string, HeatCell> | null): void {
    const max = Math.max(1, ...[...(cells?.values() ?? [])].map((c) => c.offered ?? 0));
    heatBody.replaceChildren(
      ...WEEKDAYS.map((day) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, day),
          ...Array.from({ length: 24 }, (_, hour) => {
            const cell = cells?.get(`${day}-${hour}`);
            const offered = cell?.offered ?? null;
            const share = offered ? offered / max : 0;
            const sl = cell
              ? `service level ${percentText(cell.sl.percent)} (${countText(cell.sl.numerator)} of ${countText(cell.sl.denominator)})`
              : "no figures";
            const td = h(
              "td",
              { class: share > 0.55 ? "num hot" : "num", title: `${day} ${hour}:00–${hour + 1}:00: ${countText(offered)} offered, ${sl}` },
              countText(offered),
            );
            if (share > 0) td.style.backgroundColor = `rgba(26, 95, 180, ${(0.08 + 0.82 * share).toFixed(3)})`;
            return td;
          }),
        ),
      ),
    );
  }

  function renderAgents(rows: AgentFigures[] | null, names: Map<string, string>, q: ReportQuery): void {
    agentsNote.hidden = q.queueId === null;
    const name = (id: string) => names.get(id) || id.slice(0, 8);
    const sorted = [...(rows ?? [])].sort((a, b) => name(a.agentId).localeCompare(name(b.agentId)));
    agentsBody.replaceChildren(
      ...(!rows
        ? [emptyRow(7, NONE)]
        : sorted.length
          ? sorted.map((a) =>
              h(
                "tr",
                { "data-agent-id": a.agentId },
                h("th", { scope: "row", class: "name" }, name(a.agentId)),
                numCell(countText(a.offered)),
                numCell(countText(a.answered)),
                numCell(countText(a.missed)),
                numCell(mmss(a.avgHandleSecs)),
                numCell(percentText(a.occupancyPct)),
                numCell(a.surveyAvg === null ? NONE : a.surveyAvg.toFixed(2)),
              ),
            )
          : [emptyRow(7, "No agents")]),
    );
  }

  function setText(id: string, text: string): void {
    const el = root.querySelector<HTMLElement>(`#${id}`);
    if (el) el.textContent = text;
  }

  // --- loading ---
  function readQuery(): ReportQuery | string {
    const from = localMidnight(fromInput.value);
    const to = localMidnight(toInput.value);
    if (!from) return "Choose a From date.";
    if (!to) return "Choose a To date.";
    if (Date.parse(to) <= Date.parse(from)) return "The To date must be after the From date (To is not included).";
    return { from, to, group: groupSelect.value as Grouping, queueId: queueSelect.value || null };
  }

  async function show(): Promise<void> {
    const query = readQuery();
    if (typeof query === "string") {
      problems.set("form", query);
      showProblems();
      return;
    }
    problems.delete("form");
    const run = ++runs;
    results.setAttribute("aria-busy", "true");
    status.textContent = "Loading…";
    const [sl, volume, heat, agents, names] = await Promise.allSettled([
      getJson(reportPath("service-level", query)),
      getJson(reportPath("volume", query)),
      getJson(reportPath("heatmap", query)),
      getJson(reportPath("agents", query)),
      fetchAgents(),
    ]);
    if (stopped || run !== runs) return;
    const all = [sl, volume, heat, agents, names];
    if (all.some((r) => r.status === "rejected" && is401(r.reason))) {
      sessionEnded();
      return;
    }
    const value = <T>(key: string, label: string, r: PromiseSettledResult<unknown>, parse: (raw: unknown) => T): T | null => {
      if (r.status === "fulfilled") {
        problems.delete(key);
        return parse(r.value);
      }
      problems.set(key, `${label}: ${errorText(r.reason)}.`);
      return null;
    };
    renderServiceLevel(value("sl", "Service level", sl, parseServiceLevelReport), query);
    renderVolume(value("volume", "Volume", volume, parseVolumeTotal));
    renderHeatmap(value("heatmap", "Heatmap", heat, parseHeatmap));
    const nameMap = value("names", "Agent names", names, (items) => new Map((items as NamedItem[]).map((a) => [a.id, a.name])));
    renderAgents(value("agents", "Agents", agents, parseAgentsReport), nameMap ?? new Map(), query);
    showProblems();
    shown = query;
    for (const button of csvButtons.values()) button.disabled = false;
    const groupName = GROUPINGS.find(([g]) => g === query.group)?.[1].toLowerCase() ?? query.group;
    status.textContent = `Showing ${dateValue(new Date(query.from))} up to ${dateValue(new Date(query.to))}, by ${groupName}.`;
    results.setAttribute("aria-busy", "false");
  }

  async function download(report: Report, button: HTMLButtonElement): Promise<void> {
    if (!shown) return;
    button.disabled = true;
    try {
      const text = await getText(reportPath(report, shown, true));
      if (stopped) return;
      const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
      const a = h("a", { href: url, download: `${report}.csv`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      problems.delete(`csv-${report}`);
    } catch (err) {
      if (stopped) return;
      if (is401(err)) {
        sessionEnded();
        return;
      }
      problems.set(`csv-${report}`, `Download of the ${REPORT_NAMES[report]} CSV: ${errorText(err)}.`);
    } finally {
      button.disabled = false;
      showProblems();
    }
  }

  async function loadQueues(): Promise<void> {
    try {
      const queues = await fetchQueues();
      if (stopped) return;
      const chosen = queueSelect.value;
      queueSelect.replaceChildren(
        h("option", { value: "" }, "All queues"),
        ...[...queues]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((q) => h("option", { value: q.id, selected: q.id === chosen }, q.name || q.id.slice(0, 8))),
      );
      problems.delete("queues");
    } catch (err) {
      if (stopped) return;
      if (is401(err)) {
        sessionEnded();
        return;
      }
      problems.set("queues", `Could not read the queues: ${errorText(err)}.`);
    }
    showProblems();
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void show();
  });
  signOutLink.addEventListener("click", (ev) => {
    ev.preventDefault();
    stop();
    signOut();
  });

  renderHeatmap(null);
  renderVolume(null);
  void loadQueues();
  void show();
  return stop;
}
