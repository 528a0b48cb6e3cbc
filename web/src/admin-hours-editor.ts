// An editor for a BusinessHours object (the model's hours.rs): the IANA
// time zone, weekly opening windows (weekday, open, close) and holidays;
// used by the Business hours page (a queue's `business_hours`) and by IVR
// business-hours nodes; its weekdays and time inputs also serve an agent's
// shifts (admin-shifts.ts). Times are written as chrono does (`09:00:00`).

import { cell, field, type Issue, type Json, list, obj, RowList, selectBox, str, tag, textBox } from "./admin-form";
import { h } from "./dom";

/** chrono's weekday names (what the JSON holds) and their labels. */
export const DAYS: Array<[string, string]> = [
  ["Mon", "Monday"],
  ["Tue", "Tuesday"],
  ["Wed", "Wednesday"],
  ["Thu", "Thursday"],
  ["Fri", "Friday"],
  ["Sat", "Saturday"],
  ["Sun", "Sunday"],
];

/** A time for an `<input type="time">`: `09:00:00` → `09:00`; other seconds are kept. */
export function timeForInput(value: unknown): string {
  const s = str(value);
  return /^\d\d:\d\d:00$/.test(s) ? s.slice(0, 5) : s;
}

/** A time input's value as chrono writes a NaiveTime: `09:00` → `09:00:00`. */
export function timeValue(value: string): string {
  const s = value.trim();
  return /^\d\d:\d\d$/.test(s) ? `${s}:00` : s;
}

/** A time input showing `value` (`09:00:00` as `09:00`). */
export function timeBox(id: string, value: unknown): HTMLInputElement {
  const el = h("input", { type: "time", id });
  el.value = timeForInput(value);
  // Seconds other than :00 (e.g. 23:59:59) need a step of a second to be shown.
  if (/:\d\d:\d\d/.test(el.value)) el.step = "1";
  return el;
}

/** The id of the page's one list of time zone names (made on first use). */
function zoneListId(): string {
  const id = "tz-names";
  if (!document.getElementById(id)) {
    let names: string[] = [];
    try {
      const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
      names = intl.supportedValuesOf?.("timeZone") ?? [];
    } catch {
      names = [];
    }
    if (!names.includes("UTC")) names = ["UTC", ...names];
    document.body.append(h("datalist", { id }, ...names.map((n) => h("option", { value: n }))));
  }
  return id;
}

/** The zone for new hours: the first queue's, else the browser's, else UTC. */
export function defaultZone(queues: Json[]): string {
  for (const q of queues) {
    const zone = str(obj(q.business_hours).time_zone);
    if (zone) return zone;
  }
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Monday to Friday, 09:00–17:00, in `zone`, no holidays. */
export function defaultHours(zone: string): Json {
  return {
    time_zone: zone,
    weekly: DAYS.slice(0, 5).map(([day]) => ({ day, open: "09:00:00", close: "17:00:00" })),
    holidays: [],
  };
}

/** The opening times in short: `Mon–Fri 08:00–18:00; Sat 09:00–13:00`. */
export function hoursSummary(value: unknown): string {
  const weekly = list(obj(value).weekly).map(obj);
  const byDay = DAYS.map(([day]) =>
    weekly
      .filter((w) => w.day === day)
      .map((w) => `${timeForInput(w.open)}–${timeForInput(w.close)}`)
      .join(", "),
  );
  const parts: string[] = [];
  for (let i = 0; i < 7; ) {
    let j = i;
    while (j + 1 < 7 && byDay[j + 1] === byDay[i]) j++;
    if (byDay[i]) parts.push(`${DAYS[i][0]}${j > i ? `–${DAYS[j][0]}` : ""} ${byDay[i]}`);
    i = j + 1;
  }
  return parts.length ? parts.join("; ") : "closed";
}

export interface HoursEditor {
  element: HTMLElement;
  /** The BusinessHours JSON; controls are tagged under `path` (e.g. `business_hours`). */
  read(path: string, issues: Issue[]): Json;
}

/** The editor of `value`; control ids start with `idPrefix` (e.g. `f-business_hours-time_zone`). */
export function hoursEditor(idPrefix: string, value: unknown, legend = "Business hours"): HoursEditor {
  const v = obj(value);
  const zone = textBox(
    "time_zone",
    v.time_zone,
    { list: zoneListId(), autocomplete: "off", spellcheck: "false" },
    `${idPrefix}-time_zone`,
  );
  const weekly = new RowList<Json>({
    id: `${idPrefix}-weekly`,
    legend: "Opening times",
    noun: "opening time",
    empty: "No opening times: closed every day.",
    items: list(v.weekly).map(obj),
    make: (w, key) => {
      const base = `${idPrefix}-weekly-${key}`;
      const day = selectBox("day", DAYS, w ? str(w.day) : "Mon", `${base}-day`);
      const open = timeBox(`${base}-open`, w ? w.open : "09:00:00");
      const close = timeBox(`${base}-close`, w ? w.close : "17:00:00");
      return {
        el: h("div", { class: "row-fields" }, cell("Day", day), cell("Opens", open), cell("Closes (not included)", close)),
        read: (p) => {
          tag(day, `${p}.day`);
          tag(open, `${p}.open`);
          tag(close, `${p}.close`);
          return { day: day.value, open: timeValue(open.value), close: timeValue(close.value) };
        },
      };
    },
  });
  const holidays = new RowList<Json>({
    id: `${idPrefix}-holidays`,
    legend: "Holidays (closed all day)",
    noun: "holiday",
    empty: "No holidays.",
    items: list(v.holidays).map(obj),
    make: (x, key) => {
      const base = `${idPrefix}-holidays-${key}`;
      const date = h("input", { type: "date", id: `${base}-date` });
      date.value = str(x?.date);
      const name = textBox("name", x?.name, {}, `${base}-name`);
      return {
        el: h("div", { class: "row-fields" }, cell("Date", date), cell("Name", name)),
        read: (p) => {
          tag(date, `${p}.date`);
          tag(name, `${p}.name`);
          return { date: date.value, name: name.value };
        },
      };
    },
  });
  const element = h(
    "fieldset",
    { class: "group-box hours", id: `${idPrefix}` },
    h("legend", {}, legend),
    field("Time zone (IANA)", zone, "e.g. Europe/London; times are local to it"),
    weekly.element,
    holidays.element,
  );
  return {
    element,
    read: (path, issues) => {
      tag(element, path);
      tag(zone, `${path}.time_zone`);
      return {
        time_zone: zone.value.trim(),
        weekly: weekly.read(`${path}.weekly`, issues),
        holidays: holidays.read(`${path}.holidays`, issues),
      };
    },
  };
}
