// The reports page's data, with no DOM: the date range and query strings
// the API wants, the report answers read defensively (a missing figure is
// null), and how figures are written ("—" when missing).

import { isObject, type Json } from "./agent-state";

export type Grouping = "15m" | "30m" | "60m" | "day" | "week" | "month";

export const GROUPINGS: Array<[Grouping, string]> = [
  ["15m", "15 minutes"],
  ["30m", "30 minutes"],
  ["60m", "Hour"],
  ["day", "Day"],
  ["week", "Week"],
  ["month", "Month"],
];

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** What the page asks for: instants of local midnight (RFC 3339, UTC), `to` excluded. */
export interface ReportQuery {
  from: string;
  to: string;
  group: Grouping;
  queueId: string | null;
}

// --- dates ---

/** A local date as an `<input type="date">` value (YYYY-MM-DD). */
export function dateValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The last 7 full days in the browser's time: from = today − 7, to = today (excluded). */
export function defaultRange(now = new Date()): { from: string; to: string } {
  const y = now.getFullYear();
  const m = now.getMonth();
  const d = now.getDate();
  return { from: dateValue(new Date(y, m, d - 7)), to: dateValue(new Date(y, m, d)) };
}

/** A YYYY-MM-DD value as the UTC instant of its local midnight; null when not a date. */
export function localMidnight(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const date = new Date(y, m, d);
  if (date.getFullYear() !== y || date.getMonth() !== m || date.getDate() !== d) return null;
  return date.toISOString();
}

// --- requests ---

type Report = "service-level" | "volume" | "heatmap" | "agents";

/** The report's path: the heatmap and agent reports take no `group`; `csv` adds `format=csv`. */
export function reportPath(report: Report, q: ReportQuery, csv = false): string {
  const params = new URLSearchParams({ from: q.from, to: q.to });
  if (report === "service-level" || report === "volume") params.set("group", q.group);
  if (q.queueId) params.set("queue_ids", q.queueId);
  if (csv) params.set("format", "csv");
  return `/api/v1/reports/${report}?${params.toString()}`;
}

// --- answers ---

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A ratio; `percent` is computed from the counts when the server left it out. */
export interface Ratio {
  numerator: number | null;
  denominator: number | null;
  percent: number | null;
}

export function parseRatio(raw: unknown, percentKey = "percent"): Ratio {
  const r = obj(raw);
  const numerator = num(r.numerator);
  const denominator = num(r.denominator);
  let percent = num(r[percentKey]);
  if (percent === null && r[percentKey] === undefined && numerator !== null && denominator) {
    percent = (100 * numerator) / denominator;
  }
  return { numerator, denominator, percent };
}

export interface ServiceLevel extends Ratio {
  thresholdSecs: number | null;
  targetPct: number | null;
  formula: string | null;
}

function parseServiceLevel(raw: unknown): ServiceLevel {
  const r = obj(raw);
  return {
    ...parseRatio(r),
    thresholdSecs: num(r.threshold_secs),
    targetPct: num(r.target_pct),
    formula: typeof r.formula === "string" ? r.formula : null,
  };
}

/** A group of a grouped report: its start as sent (with the report zone's offset) and as epoch seconds. */
export interface Group<T> {
  start: string;
  secs: number;
  value: T;
}

function parseGroups<T>(raw: unknown, parse: (v: unknown) => T): Array<Group<T>> {
  return list(raw)
    .flatMap((g) => {
      const o = obj(g);
      const ms = typeof o.start === "string" ? Date.parse(o.start) : NaN;
      return Number.isNaN(ms) ? [] : [{ start: o.start as string, secs: ms / 1000, value: parse(o.value) }];
    })
    .sort((a, b) => a.secs - b.secs);
}

export interface ServiceLevelReport {
  timeZone: string | null;
  total: ServiceLevel;
  groups: Array<Group<ServiceLevel>>;
}

export function parseServiceLevelReport(raw: unknown): ServiceLevelReport {
  const r = obj(raw);
  return {
    timeZone: typeof r.time_zone === "string" && r.time_zone !== "" ? r.time_zone : null,
    total: parseServiceLevel(r.total),
    groups: parseGroups(r.groups, parseServiceLevel),
  };
}

export interface Volume {
  offered: number | null;
  answered: number | null;
  unanswered: number | null;
  abandonedIvr: Ratio;
  abandonedQueue: Ratio;
  abandonedRinging: Ratio;
  abandonedTotal: Ratio;
}

/** The volume report's total (the page shows no per-group volume). */
export function parseVolumeTotal(raw: unknown): Volume {
  const t = obj(obj(raw).total);
  return {
    offered: num(t.offered),
    answered: num(t.answered),
    unanswered: num(t.unanswered),
    abandonedIvr: parseRatio(t.abandoned_ivr),
    abandonedQueue: parseRatio(t.abandoned_queue),
    abandonedRinging: parseRatio(t.abandoned_ringing),
    abandonedTotal: parseRatio(t.abandoned_total),
  };
}

export interface HeatCell {
  offered: number | null;
  sl: Ratio;
}

/** The heatmap's cells by `Mon-9` (weekday and local hour). */
export function parseHeatmap(raw: unknown): Map<string, HeatCell> {
  const cells = new Map<string, HeatCell>();
  for (const c of list(obj(raw).cells)) {
    const o = obj(c);
    const hour = num(o.hour);
    if (typeof o.weekday !== "string" || hour === null) continue;
    const day = o.weekday.slice(0, 3);
    const weekday = day.charAt(0).toUpperCase() + day.slice(1).toLowerCase();
    const percentKey = o.sl_percent !== undefined ? "sl_percent" : "service_level_pct";
    const sl = parseRatio({ numerator: o.sl_numerator, denominator: o.sl_denominator, [percentKey]: o[percentKey] }, percentKey);
    cells.set(`${weekday}-${hour}`, { offered: num(o.offered), sl });
  }
  return cells;
}

export interface AgentFigures {
  agentId: string;
  offered: number | null;
  answered: number | null;
  missed: number | null;
  avgHandleSecs: number | null;
  occupancyPct: number | null;
  surveyAvg: number | null;
}

export function parseAgentsReport(raw: unknown): AgentFigures[] {
  return list(obj(raw).agents).flatMap((a) => {
    const kpi = obj(obj(a).kpi);
    const states = obj(obj(a).states);
    if (typeof kpi.agent_id !== "string") return [];
    return [
      {
        agentId: kpi.agent_id,
        offered: num(kpi.offered),
        answered: num(kpi.answered),
        missed: num(kpi.missed),
        avgHandleSecs: num(kpi.avg_handle_secs),
        occupancyPct: num(states.occupancy_pct),
        surveyAvg: num(kpi.survey_avg),
      },
    ];
  });
}

// --- text ---

export const NONE = "—";

export function countText(value: number | null): string {
  return value === null ? NONE : String(value);
}

export function percentText(value: number | null, digits = 1): string {
  return value === null ? NONE : `${value.toFixed(digits)}%`;
}

/** Seconds as mm:ss (minutes keep counting past 59), rounded to the second. */
export function mmss(secs: number | null): string {
  if (secs === null || secs < 0) return NONE;
  const total = Math.round(secs);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

/** A group's start as the server wrote it (its zone's local time), cut to the grouping. */
export function groupLabel(start: string, group: Grouping): string {
  const date = start.slice(0, 10);
  if (group === "month") return start.slice(0, 7);
  if (group === "day" || group === "week") return date;
  return `${date} ${start.slice(11, 16)}`;
}

/** Whether the browser knows the IANA zone `name`. */
export function knownZone(name: string | null): name is string {
  if (!name) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
