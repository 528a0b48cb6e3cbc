// The reports page's forecast section: a queue, the days to forecast (1–14)
// and the history to fit on; then the chart of calls per half-hour with the
// agents required (Erlang C), to schedule (after shrinkage) and rostered
// (the queue's agents on shift), the peak, the half-hours with fewer agents
// rostered than to schedule, one day's half-hours as a table (short ones
// marked), and the API's CSV. Reads when asked; a refused forecast (e.g.
// too little history) shows the server's words.

import "./forecast.css";
import { isObject } from "./agent-state";
import { ApiError, getJson, getText } from "./api";
import { h, setAlert } from "./dom";
import { ForecastChart } from "./forecast-chart";
import {
  busiestInterval,
  dateLabel,
  DEFAULT_DAYS,
  type ForecastQuery,
  type ForecastReport,
  forecastDates,
  type ForecastInterval,
  forecastPath,
  hasRoster,
  HISTORY_DAYS,
  localTime,
  MAX_DAYS,
  MAX_HISTORY_DAYS,
  parseForecast,
  peakInterval,
  shortBy,
  shortIntervals,
} from "./forecast-model";

const NONE = "—";
/** The staffing table's columns. */
const COLUMNS = "6";

function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

interface QueueZone {
  id: string;
  name: string;
  timeZone: string | null;
}

/** The queues with their business-hours zone (the forecast's local half-hours). */
function parseQueues(data: unknown): QueueZone[] {
  const items = isObject(data) && Array.isArray(data.items) ? data.items : [];
  return items.flatMap((q) => {
    if (!isObject(q) || typeof q.id !== "string") return [];
    const hours = isObject(q.business_hours) ? q.business_hours : {};
    return [
      {
        id: q.id,
        name: typeof q.name === "string" && q.name ? q.name : q.id.slice(0, 8),
        timeZone: typeof hours.time_zone === "string" && hours.time_zone ? hours.time_zone : null,
      },
    ];
  });
}

export interface ForecastSection {
  element: HTMLElement;
  stop(): void;
}

export function forecastSection(sessionEnded: () => void): ForecastSection {
  const queueSelect = h("select", { id: "forecast-queue" }, h("option", { value: "" }, "Choose a queue"));
  const daysInput = h("input", { type: "number", id: "forecast-days", min: "1", max: String(MAX_DAYS), step: "1", value: String(DEFAULT_DAYS), inputmode: "numeric" });
  const historyInput = h("input", {
    type: "number",
    id: "forecast-history",
    min: String(HISTORY_DAYS),
    max: String(MAX_HISTORY_DAYS),
    step: "1",
    value: String(HISTORY_DAYS),
    inputmode: "numeric",
    "aria-describedby": "forecast-history-hint",
  });
  const showButton = h("button", { type: "submit", id: "forecast-show" }, "Forecast");
  const status = h("span", { id: "forecast-status", class: "muted", role: "status" });
  const field = (id: string, label: string, control: HTMLElement, hint?: HTMLElement) =>
    h("div", { class: "field" }, h("label", { for: id }, label), control, hint ?? null);
  const form = h(
    "form",
    { id: "forecast-form", class: "report-form inner", "aria-label": "Forecast settings", novalidate: true },
    field("forecast-queue", "Queue", queueSelect),
    field("forecast-days", "Days ahead (1–14)", daysInput),
    field(
      "forecast-history",
      "Fitted on (days)",
      historyInput,
      h("span", { id: "forecast-history-hint", class: "hint" }, `past days, ${HISTORY_DAYS}–${MAX_HISTORY_DAYS}`),
    ),
    h("div", { class: "field submit" }, showButton),
    status,
  );
  const csvButton = h(
    "button",
    { type: "button", id: "forecast-csv", class: "csv", disabled: true },
    "Download CSV",
    h("span", { class: "visually-hidden" }, " (forecast)"),
  );
  const error = h("p", { id: "forecast-error", class: "alert", role: "alert" });
  setAlert(error, "");

  const peak = h("strong", { id: "forecast-peak" }, NONE);
  const peakDetail = h("span", { id: "forecast-peak-detail" });
  const busiest = h("span", { id: "forecast-busiest" }, NONE);
  const short = h("strong", { id: "forecast-short" }, NONE);
  const shortDetail = h("span", { id: "forecast-short-detail" });
  const basis = h("span", { id: "forecast-basis" });
  const summary = h(
    "ul",
    { class: "forecast-summary" },
    h("li", {}, "Peak agents required: ", peak, peakDetail),
    h("li", {}, "Busiest half-hour: ", busiest),
    h("li", {}, "Too few rostered: ", short, shortDetail),
    h("li", { class: "muted" }, basis),
  );

  const chartBox = h("div", {
    class: "chart-box",
    role: "img",
    // No "to" or "from" in labels here: the page's other tests find its date fields by those words.
    "aria-label":
      "Chart: calls forecast per half-hour, agents required, agents scheduled after shrinkage and agents rostered; figures in the table below",
  });
  const caption = h("figcaption", { class: "muted" }, "Choose a queue to forecast its calls and staffing.");

  const daySelect = h("select", { id: "forecast-day" });
  const tableBody = h("tbody", {}, h("tr", { class: "empty" }, h("td", { colspan: COLUMNS }, "Not shown yet")));
  const table = h(
    "table",
    { id: "forecast-table", class: "board compact" },
    h("caption", { class: "visually-hidden" }, "Forecast per half-hour of the chosen day; half-hours with too few agents rostered say short by how many"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Half-hour"),
        h("th", { scope: "col", class: "num" }, "Calls"),
        h("th", { scope: "col", class: "num" }, "Agents required"),
        h("th", { scope: "col", class: "num" }, "Service level"),
        h("th", { scope: "col", class: "num" }, "To schedule"),
        h("th", { scope: "col", class: "num" }, "Rostered"),
      ),
    ),
    tableBody,
  );

  const element = h(
    "section",
    { id: "forecast", class: "card report-panel", "aria-labelledby": "forecast-heading", "aria-busy": "false" },
    h("div", { class: "panel-head" }, h("h2", { id: "forecast-heading" }, "Forecast and staffing"), csvButton),
    form,
    error,
    summary,
    h("figure", { id: "forecast-chart" }, chartBox, caption),
    h(
      "details",
      { class: "figures" },
      h("summary", {}, "Half-hours of one day as a table"),
      h("div", { class: "field inline" }, h("label", { for: "forecast-day" }, "Day"), daySelect),
      h("div", { class: "table-wrap short", tabindex: "0", role: "region", "aria-label": "Forecast of the chosen day, table" }, table),
    ),
  );

  const chart = new ForecastChart(chartBox);
  let stopped = false;
  let runs = 0;
  let queues: QueueZone[] = [];
  let shown: { query: ForecastQuery; report: ForecastReport } | null = null;

  const is401 = (err: unknown) => err instanceof ApiError && err.status === 401;

  function ended(): void {
    stop();
    sessionEnded();
  }

  function readQuery(): ForecastQuery | string {
    const queue = queues.find((q) => q.id === queueSelect.value);
    if (!queue) return "Choose a queue to forecast.";
    const days = Number(daysInput.value);
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) return `Days ahead must be a whole number from 1 to ${MAX_DAYS}.`;
    const historyDays = Number(historyInput.value);
    if (!Number.isInteger(historyDays) || historyDays < HISTORY_DAYS || historyDays > MAX_HISTORY_DAYS) {
      return `History must be a whole number of days from ${HISTORY_DAYS} to ${MAX_HISTORY_DAYS}.`;
    }
    return { queueId: queue.id, days, historyDays, timeZone: queue.timeZone };
  }

  function clearFigures(text: string): void {
    shown = null;
    csvButton.disabled = true;
    chart.clear();
    peak.textContent = NONE;
    peakDetail.textContent = "";
    busiest.textContent = NONE;
    showShort(null);
    basis.textContent = "";
    caption.textContent = text;
    daySelect.replaceChildren();
    tableBody.replaceChildren(h("tr", { class: "empty" }, h("td", { colspan: COLUMNS }, text)));
  }

  /** The count of half-hours short (`data-count`), and the worst one; "—" without rostered figures. */
  function showShort(report: ForecastReport | null): void {
    if (!report || !hasRoster(report.intervals)) {
      short.textContent = NONE;
      short.removeAttribute("data-count");
      shortDetail.textContent = "";
      return;
    }
    const rows = shortIntervals(report.intervals);
    short.dataset.count = String(rows.length);
    short.textContent = `${rows.length} half-hour${rows.length === 1 ? "" : "s"} short`;
    const worst = rows.reduce<ForecastInterval | null>((w, i) => (w === null || shortBy(i) > shortBy(w) ? i : w), null);
    shortDetail.textContent = worst ? ` (most: short by ${shortBy(worst)} at ${dateLabel(worst.date)} ${localTime(worst.startLocal)})` : "";
  }

  function renderDay(): void {
    const rows = (shown?.report.intervals ?? []).filter((i) => i.date === daySelect.value);
    const pk = peakInterval(rows);
    tableBody.replaceChildren(
      ...(rows.length
        ? rows.map((i) => {
            const by = shortBy(i);
            const cls = [pk && i === pk ? "total" : "", by > 0 ? "short" : ""].filter((c) => c !== "").join(" ");
            return h(
              "tr",
              { class: cls || undefined },
              h("th", { scope: "row" }, localTime(i.startLocal)),
              h("td", { class: "num" }, i.calls === null ? NONE : i.calls.toFixed(1)),
              h("td", { class: "num" }, i.agents === null ? NONE : String(i.agents)),
              h("td", { class: "num" }, i.serviceLevelPct === null || i.agents === 0 ? NONE : `${i.serviceLevelPct.toFixed(1)}%`),
              h("td", { class: "num" }, i.scheduled === null ? NONE : String(i.scheduled)),
              h(
                "td",
                { class: "num" },
                i.rostered === null ? NONE : String(i.rostered),
                by > 0 ? " " : null,
                by > 0 ? h("span", { class: "short-by" }, `short by ${by}`) : null,
              ),
            );
          })
        : [h("tr", { class: "empty" }, h("td", { colspan: COLUMNS }, "No half-hours"))]),
    );
  }

  function render(query: ForecastQuery, report: ForecastReport): void {
    shown = { query, report };
    csvButton.disabled = false;
    const zone = report.timeZone ?? query.timeZone;
    const points = report.intervals.filter((i) => i.start !== null);
    chart.show({
      xs: points.map((i) => i.start as number),
      calls: points.map((i) => i.calls),
      agents: points.map((i) => i.agents),
      scheduled: points.map((i) => i.scheduled),
      rostered: points.map((i) => i.rostered),
      timeZone: zone,
    });
    const queueName = queues.find((q) => q.id === query.queueId)?.name ?? "";
    caption.textContent =
      `Calls forecast per half-hour for ${queueName} (left axis) and agents (right axis): required by Erlang C ` +
      `(solid steps), to schedule after shrinkage (dashed) and rostered by the agents' shifts (dotted)${zone ? `, ${zone} time` : ""}.`;
    const pk = peakInterval(report.intervals);
    peak.textContent = pk ? String(pk.agents) : NONE;
    peakDetail.textContent = pk
      ? ` at ${dateLabel(pk.date)} ${localTime(pk.startLocal)} (${pk.scheduled ?? NONE} to schedule, ${pk.rostered ?? NONE} rostered, ${pk.calls?.toFixed(1) ?? NONE} calls)`
      : "";
    const busy = busiestInterval(report.intervals);
    busiest.textContent = busy ? `${busy.calls?.toFixed(1) ?? NONE} calls at ${dateLabel(busy.date)} ${localTime(busy.startLocal)}` : NONE;
    showShort(report);
    const total = report.intervals.reduce((sum, i) => sum + (i.calls ?? 0), 0);
    const parts = [
      `${total.toFixed(0)} calls in ${query.days} day${query.days === 1 ? "" : "s"}`,
      report.thresholdSecs !== null && report.targetPct !== null ? `target ${report.targetPct}% in ${report.thresholdSecs} s` : "",
      report.ahtSecs !== null ? `handle time ${Math.round(report.ahtSecs)} s` : "",
      report.shrinkagePct !== null ? `shrinkage ${report.shrinkagePct}%` : "",
      report.historyFirstDay ? `fitted on ${report.historyDays ?? query.historyDays} days from ${report.historyFirstDay}` : "",
    ].filter((p) => p !== "");
    basis.textContent = `${parts.join(" · ")}.`;
    const dates = forecastDates(report.intervals);
    const chosen = pk?.date ?? dates[0] ?? "";
    daySelect.replaceChildren(...dates.map((d) => h("option", { value: d, selected: d === chosen }, dateLabel(d))));
    daySelect.value = chosen;
    renderDay();
  }

  async function show(): Promise<void> {
    const query = readQuery();
    if (typeof query === "string") {
      setAlert(error, query);
      return;
    }
    setAlert(error, "");
    const run = ++runs;
    element.setAttribute("aria-busy", "true");
    status.textContent = "Loading…";
    try {
      const report = parseForecast(await getJson(forecastPath(query)));
      if (stopped || run !== runs) return;
      render(query, report);
      status.textContent = `Forecast from ${dateLabel(report.intervals[0]?.date ?? "")}, ${query.days} day${query.days === 1 ? "" : "s"}.`;
    } catch (err) {
      if (stopped || run !== runs) return;
      if (is401(err)) return ended();
      status.textContent = "";
      clearFigures("No forecast.");
      setAlert(error, `The forecast could not be made: ${errorText(err)}.`);
    } finally {
      if (run === runs) element.setAttribute("aria-busy", "false");
    }
  }

  async function download(): Promise<void> {
    if (!shown) return;
    csvButton.disabled = true;
    try {
      const text = await getText(forecastPath(shown.query, true));
      if (stopped) return;
      const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
      const a = h("a", { href: url, download: "forecast.csv", hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      if (stopped) return;
      if (is401(err)) return ended();
      setAlert(error, `Download of the forecast CSV: ${errorText(err)}.`);
    } finally {
      csvButton.disabled = shown === null;
    }
  }

  async function loadQueues(): Promise<void> {
    try {
      queues = parseQueues(await getJson("/api/v1/queues")).sort((a, b) => a.name.localeCompare(b.name));
      if (stopped) return;
      const chosen = queueSelect.value;
      queueSelect.replaceChildren(
        h("option", { value: "" }, "Choose a queue"),
        ...queues.map((q) => h("option", { value: q.id, selected: q.id === chosen }, q.name)),
      );
    } catch (err) {
      if (stopped) return;
      if (is401(err)) return ended();
      setAlert(error, `Could not read the queues: ${errorText(err)}.`);
    }
  }

  function stop(): void {
    if (stopped) return;
    stopped = true;
    chart.destroy();
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void show();
  });
  queueSelect.addEventListener("change", () => {
    if (queueSelect.value) void show();
    else clearFigures("Choose a queue to forecast its calls and staffing.");
  });
  daysInput.addEventListener("change", () => {
    if (queueSelect.value) void show();
  });
  historyInput.addEventListener("change", () => {
    if (queueSelect.value) void show();
  });
  daySelect.addEventListener("change", renderDay);
  csvButton.addEventListener("click", () => void download());

  void loadQueues();
  return { element, stop };
}
