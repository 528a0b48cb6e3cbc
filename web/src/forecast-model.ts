// The forecast section's data, with no DOM: the request's path and the
// answer of `GET /api/v1/reports/forecast` read defensively (calls forecast
// per local half-hour, the agents Erlang C needs for the queue's service
// level, the agents to schedule after shrinkage, and the queue's agents
// rostered by their weekly shifts), the peak and the half-hours short.

import { isObject, type Json } from "./agent-state";

/**
 * The history the forecast is fitted on, in complete local days before
 * today: the API takes 28–400 (default 56). Days without calls count as
 * zero, so a short history fits best on the fewest days the API takes.
 */
export const HISTORY_DAYS = 28;
export const MAX_HISTORY_DAYS = 400;
/** The API forecasts 1–14 days. */
export const MAX_DAYS = 14;
export const DEFAULT_DAYS = 7;

export interface ForecastQuery {
  queueId: string;
  days: number;
  historyDays: number;
  /** The queue's business-hours zone (the forecast's local half-hours); the tenant's when null. */
  timeZone: string | null;
}

/** `/api/v1/reports/forecast?queue_id=…&days=…&history_days=…&time_zone=…` (`format=csv` for the CSV). */
export function forecastPath(q: ForecastQuery, csv = false): string {
  const params = new URLSearchParams({ queue_id: q.queueId, days: String(q.days), history_days: String(q.historyDays) });
  if (q.timeZone) params.set("time_zone", q.timeZone);
  if (csv) params.set("format", "csv");
  return `/api/v1/reports/forecast?${params.toString()}`;
}

export interface ForecastInterval {
  /** The local date (YYYY-MM-DD) and wall-clock start (`YYYY-MM-DDTHH:MM:SS`), as sent. */
  date: string;
  startLocal: string;
  /** Epoch seconds; null for a half-hour a clock change skips. */
  start: number | null;
  calls: number | null;
  /** Agents on the phones (Erlang C). */
  agents: number | null;
  serviceLevelPct: number | null;
  /** Agents to schedule: agents / (1 − shrinkage), rounded up. */
  scheduled: number | null;
  /** The queue's member agents whose shift covers the local start. */
  rostered: number | null;
}

export interface ForecastReport {
  timeZone: string | null;
  historyFirstDay: string | null;
  historyDays: number | null;
  weeklyLevel: number | null;
  targetPct: number | null;
  thresholdSecs: number | null;
  ahtSecs: number | null;
  shrinkagePct: number | null;
  intervals: ForecastInterval[];
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

const text = (v: unknown) => (typeof v === "string" ? v : "");

export function parseForecast(raw: unknown): ForecastReport {
  const r = obj(raw);
  const staffing = obj(r.staffing);
  const spec = obj(staffing.spec);
  const intervals = (Array.isArray(staffing.intervals) ? staffing.intervals : []).map((i): ForecastInterval => {
    const o = obj(i);
    const ms = typeof o.start === "string" ? Date.parse(o.start) : NaN;
    return {
      date: text(o.date),
      startLocal: text(o.start_local),
      start: Number.isNaN(ms) ? null : ms / 1000,
      calls: num(o.calls),
      agents: num(o.agents),
      serviceLevelPct: num(o.service_level_pct),
      scheduled: num(o.scheduled),
      rostered: num(o.rostered),
    };
  });
  return {
    timeZone: text(r.time_zone) || null,
    historyFirstDay: text(r.history_first_day) || null,
    historyDays: num(r.history_days),
    weeklyLevel: num(r.weekly_level),
    targetPct: num(spec.target_pct),
    thresholdSecs: num(spec.threshold_secs),
    ahtSecs: num(spec.aht_secs),
    shrinkagePct: num(spec.shrinkage_pct),
    intervals,
  };
}

/** The half-hour needing the most agents (the first such), or null without figures. */
export function peakInterval(intervals: ForecastInterval[]): ForecastInterval | null {
  let best: ForecastInterval | null = null;
  for (const i of intervals) {
    if (i.agents !== null && (best === null || i.agents > (best.agents ?? -1))) best = i;
  }
  return best;
}

/** The half-hour with the most calls forecast, or null. */
export function busiestInterval(intervals: ForecastInterval[]): ForecastInterval | null {
  let best: ForecastInterval | null = null;
  for (const i of intervals) {
    if (i.calls !== null && (best === null || i.calls > (best.calls ?? -1))) best = i;
  }
  return best;
}

/** How many agents the half-hour is short: to schedule − rostered when positive, else 0 (also without figures). */
export function shortBy(i: ForecastInterval): number {
  return i.rostered !== null && i.scheduled !== null && i.rostered < i.scheduled ? i.scheduled - i.rostered : 0;
}

/** Whether any half-hour has a rostered figure (a server without rosters sends none). */
export function hasRoster(intervals: ForecastInterval[]): boolean {
  return intervals.some((i) => i.rostered !== null);
}

/** The half-hours with fewer agents rostered than to schedule, in order. */
export function shortIntervals(intervals: ForecastInterval[]): ForecastInterval[] {
  return intervals.filter((i) => shortBy(i) > 0);
}

/** The forecast's local dates, in order. */
export function forecastDates(intervals: ForecastInterval[]): string[] {
  return [...new Set(intervals.map((i) => i.date).filter((d) => d !== ""))];
}

/** `2026-12-04T09:30:00` → `09:30`. */
export function localTime(startLocal: string): string {
  return startLocal.slice(11, 16);
}

/** `2026-12-04` → `Fri 4 Dec 2026` (the date's own weekday, not the browser's zone). */
export function dateLabel(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}
