// The agent's own figures today beside the team's: calls answered,
// average handle time and survey score, from the agent report (the
// agent's own row) and the team ranking (the agents sharing a queue with
// them), for local midnight up to the next quarter hour.

import { getJson } from "./api";
import { h, setAlert } from "./dom";

/** One agent's figures as the reports give them. */
interface Kpi {
  answered: number;
  avgHandle: number | null;
  surveyAvg: number | null;
  surveyed: number;
}

function kpiOf(raw: unknown): Kpi | null {
  if (!raw || typeof raw !== "object") return null;
  const k = raw as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return { answered: num(k.answered) ?? 0, avgHandle: num(k.avg_handle_secs), surveyAvg: num(k.survey_avg), surveyed: num(k.surveyed) ?? 0 };
}

/** Today's range as the API wants it: local midnight to the next quarter hour (UTC, RFC 3339). */
export function todayRange(now = new Date()): { from: string; to: string } {
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const quarter = 15 * 60 * 1000;
  const to = new Date(Math.ceil((now.getTime() + 1) / quarter) * quarter);
  return { from: from.toISOString(), to: to.toISOString() };
}

const secs = (v: number | null) => (v === null ? "—" : `${Math.floor(v / 60)}:${String(Math.round(v % 60)).padStart(2, "0")}`);
const score = (v: number | null) => (v === null ? "—" : v.toFixed(1));

/** The team's figures per agent: mean calls answered, handle time weighted by calls, survey weighted by answers. */
function teamOf(rows: Kpi[]): Kpi & { agents: number } {
  const answered = rows.reduce((n, r) => n + r.answered, 0);
  const handled = rows.filter((r) => r.avgHandle !== null);
  const handleCalls = handled.reduce((n, r) => n + r.answered, 0);
  const surveyed = rows.reduce((n, r) => n + r.surveyed, 0);
  return {
    agents: rows.length,
    answered: rows.length ? answered / rows.length : 0,
    avgHandle: handleCalls ? handled.reduce((n, r) => n + (r.avgHandle ?? 0) * r.answered, 0) / handleCalls : null,
    surveyAvg: surveyed ? rows.reduce((n, r) => n + (r.surveyAvg ?? 0) * r.surveyed, 0) / surveyed : null,
    surveyed,
  };
}

/** The "My day" card; `refresh()` reads the figures again. */
export function myDayCard(): { card: HTMLElement; refresh: () => Promise<void> } {
  const cell = (id: string) => h("td", { id, class: "num" }, "—");
  const mine = { answered: cell("my-answered"), handle: cell("my-handle"), survey: cell("my-survey") };
  const team = { answered: cell("team-answered"), handle: cell("team-handle"), survey: cell("team-survey") };
  const teamSize = h("span", { id: "team-size" }, "");
  const error = h("p", { class: "alert", role: "alert" });
  setAlert(error, "");
  const button = h("button", { type: "button", id: "btn-my-day" }, "Refresh");
  const table = h(
    "table",
    { id: "my-day", class: "board compact" },
    h("caption", {}, "Today so far, against the team ", teamSize),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), h("th", { scope: "col" }, "Me"), h("th", { scope: "col" }, "Team, per agent"))),
    h(
      "tbody",
      {},
      h("tr", {}, h("th", { scope: "row" }, "Calls answered"), mine.answered, team.answered),
      h("tr", {}, h("th", { scope: "row" }, "Average handle time"), mine.handle, team.handle),
      h("tr", {}, h("th", { scope: "row" }, "Survey score"), mine.survey, team.survey),
    ),
  );
  const card = h(
    "section",
    { class: "card", "aria-labelledby": "my-day-heading" },
    h("h2", { id: "my-day-heading" }, "My day"),
    table,
    h("div", { class: "row" }, button),
    error,
  );

  async function refresh(): Promise<void> {
    button.disabled = true;
    card.setAttribute("aria-busy", "true");
    try {
      const { from, to } = todayRange();
      // The range read, for whoever checks the figures against the API.
      table.dataset.from = from;
      table.dataset.to = to;
      const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
      const [own, ranking] = await Promise.all([getJson(`/api/v1/reports/agents?${q}`), getJson(`/api/v1/reports/agents/ranking?${q}`)]);
      const me = kpiOf((own as { agents?: Array<{ kpi?: unknown }> })?.agents?.[0]?.kpi) ?? kpiOf({});
      const rows = ((ranking as { agents?: Array<{ agent?: unknown }> })?.agents ?? []).map((r) => kpiOf(r.agent)).filter((k): k is Kpi => k !== null);
      const t = teamOf(rows);
      if (me) {
        mine.answered.textContent = String(me.answered);
        mine.handle.textContent = secs(me.avgHandle);
        mine.survey.textContent = score(me.surveyAvg);
      }
      team.answered.textContent = t.agents ? t.answered.toFixed(1) : "—";
      team.handle.textContent = secs(t.avgHandle);
      team.survey.textContent = score(t.surveyAvg);
      teamSize.textContent = `(${t.agents} agent${t.agents === 1 ? "" : "s"})`;
      setAlert(error, "");
    } catch (err) {
      setAlert(error, err instanceof Error ? err.message : String(err));
    } finally {
      button.disabled = false;
      card.removeAttribute("aria-busy");
    }
  }
  button.addEventListener("click", () => void refresh());
  return { card, refresh };
}
