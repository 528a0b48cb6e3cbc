// An agent's weekly shifts (the roster), in the agent's edit form: read
// with `GET /api/v1/agents/{id}/shifts` when the form opens, edited as a
// table (day, start, end; an end before the start runs overnight into the
// next day) and saved on their own, as a whole, with
// `PUT /api/v1/agents/{id}/shifts`; the server's field errors
// (`shifts[1].end`, `shifts[2]`, `shifts`) show beside the row's inputs.

import { clearErrors, type Issue, list, markError, obj, type PageContext, showError, str, tag } from "./admin-form";
import { DAYS, timeBox, timeForInput, timeValue } from "./admin-hours-editor";
import { ApiError, getJson, sendJson } from "./api";
import { h, setAlert } from "./dom";

/** The most shifts the API takes for one agent. */
const MAX_SHIFTS = 28;

interface ShiftValue {
  day: string;
  start: string;
  end: string;
}

interface ShiftRow {
  key: number;
  tr: HTMLTableRowElement;
  dayCell: HTMLTableCellElement;
  day: HTMLSelectElement;
  start: HTMLInputElement;
  end: HTMLInputElement;
  labels: HTMLLabelElement[];
  length: HTMLTableCellElement;
  remove: HTMLButtonElement;
}

/** The `shifts` of the API's answer, read defensively. */
function parseShifts(data: unknown): ShiftValue[] {
  return list(obj(data).shifts)
    .map(obj)
    .map((s) => ({ day: str(s.day), start: str(s.start), end: str(s.end) }));
}

/** Minutes after midnight of `HH:MM[:SS]`, or null. */
function minutes(time: string): number | null {
  const m = /^(\d\d):(\d\d)/.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** The shift's length in minutes (through midnight when the end comes first), or null (no times, or end = start). */
function lengthOf(start: string, end: string): number | null {
  const [from, to] = [minutes(start), minutes(end)];
  if (from === null || to === null || from === to) return null;
  return to > from ? to - from : to + 24 * 60 - from;
}

function hoursText(mins: number): string {
  const [hrs, rest] = [Math.floor(mins / 60), mins % 60];
  return rest ? `${hrs} h ${rest} min` : `${hrs} h`;
}

/** The weekday after `day` (`Sun` → `Monday`), as a label. */
function nextDayLabel(day: string): string {
  const at = DAYS.findIndex(([d]) => d === day);
  return at < 0 ? "the next day" : DAYS[(at + 1) % 7][1];
}

/** `Mon 08:00–16:00, Tue 22:00–06:00 (overnight); 16 h a week`, or "no shifts". */
function summaryText(shifts: ShiftValue[]): string {
  if (shifts.length === 0) return "no shifts";
  const total = shifts.reduce((sum, s) => sum + (lengthOf(s.start, s.end) ?? 0), 0);
  const parts = shifts.map((s) => {
    const overnight = (minutes(s.end) ?? 0) < (minutes(s.start) ?? 0);
    return `${s.day} ${timeForInput(s.start)}–${timeForInput(s.end)}${overnight ? " (overnight)" : ""}`;
  });
  return `${parts.join(", ")}; ${hoursText(total)} a week`;
}

export interface ShiftsEditor {
  element: HTMLElement;
}

/** The shifts editor of the agent `agentId` (named `agentName`); reads the agent's shifts at once. */
export function shiftsEditor(agentId: string, agentName: string, ctx: PageContext): ShiftsEditor {
  const path = `/api/v1/agents/${encodeURIComponent(agentId)}/shifts`;
  const tbody = h("tbody");
  const emptyNote = h("p", { class: "row-list-empty" }, "No shifts.");
  const table = h(
    "table",
    { class: "board compact shift-table" },
    h("caption", { class: "visually-hidden" }, `Weekly shifts of ${agentName}`),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Day"),
        h("th", { scope: "col" }, "Starts"),
        h("th", { scope: "col" }, "Ends"),
        h("th", { scope: "col" }, "Length"),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")),
      ),
    ),
    tbody,
  );
  const addButton = h("button", { type: "button", id: "btn-add-shift", class: "add" }, "Add shift");
  const saveButton = h("button", { type: "button", id: "btn-save-shifts", class: "primary" }, "Save shifts");
  const reloadButton = h("button", { type: "button", id: "btn-reload-shifts", hidden: true }, "Read the shifts again");
  const status = h("p", { id: "shifts-status", class: "admin-status", role: "status" });
  const error = h("p", { id: "shifts-error", class: "alert", role: "alert" });
  setAlert(error, "");
  const stored = h("p", { id: "shifts-summary", class: "muted note" });
  const element = h(
    "fieldset",
    { id: "agent-shifts", class: "group-box shifts", "aria-busy": "true" },
    h("legend", {}, "Weekly shifts"),
    h(
      "p",
      { class: "muted note", id: "agent-shifts-hint" },
      "Local times in the tenant's time zone; a shift whose end comes before its start runs overnight into the next day. " +
        "Saved on their own with Save shifts, apart from the agent's other fields.",
    ),
    stored,
    emptyNote,
    table,
    h("div", { class: "shift-actions" }, addButton, saveButton, reloadButton),
    status,
    error,
  );
  tag(element, "shifts");

  const rows: ShiftRow[] = [];
  let nextKey = 0;
  let loaded = false;
  let saving = false;

  /** Row indexes, paths (`shifts[i].end`) and labels follow the rows' order; buttons follow the state. */
  function renumber(): void {
    rows.forEach((r, i) => {
      const n = i + 1;
      r.tr.dataset.shiftIndex = String(i);
      tag(r.dayCell, `shifts[${i}]`);
      tag(r.day, `shifts[${i}].day`);
      tag(r.start, `shifts[${i}].start`);
      tag(r.end, `shifts[${i}].end`);
      const [dayLabel, startLabel, endLabel] = r.labels;
      dayLabel.textContent = `Day of shift ${n}`;
      startLabel.textContent = `Start of shift ${n}`;
      endLabel.textContent = `End of shift ${n}`;
      r.remove.setAttribute("aria-label", `Remove shift ${n}`);
    });
    emptyNote.hidden = !loaded || rows.length > 0;
    table.hidden = rows.length === 0;
    addButton.disabled = !loaded || saving || rows.length >= MAX_SHIFTS;
    addButton.title = rows.length >= MAX_SHIFTS ? `At most ${MAX_SHIFTS} shifts a week` : "";
    saveButton.disabled = !loaded || saving;
  }

  function showLength(r: ShiftRow): void {
    const mins = lengthOf(r.start.value, r.end.value);
    const overnight = (minutes(r.end.value) ?? 0) < (minutes(r.start.value) ?? 0);
    r.length.textContent = mins === null ? "—" : `${hoursText(mins)}${overnight ? `, until ${nextDayLabel(r.day.value)}` : ""}`;
  }

  function addRow(s: ShiftValue | null, focus: boolean): void {
    const key = nextKey++;
    const base = `shift-${key}`;
    const cellOf = (control: HTMLElement, label: HTMLLabelElement) => h("div", { class: "field cell" }, label, control);
    const labelFor = (id: string) => h("label", { for: id, class: "visually-hidden" });
    const day = h("select", { id: `${base}-day`, name: "day" }, ...DAYS.map(([v, label]) => h("option", { value: v }, label)));
    day.value = DAYS.some(([d]) => d === s?.day) ? (s?.day ?? "Mon") : "Mon";
    const start = timeBox(`${base}-start`, s ? s.start : "09:00:00");
    start.name = "start";
    const end = timeBox(`${base}-end`, s ? s.end : "17:00:00");
    end.name = "end";
    const labels = [labelFor(day.id), labelFor(start.id), labelFor(end.id)];
    const remove = h("button", { type: "button", class: "remove", "data-action": "remove-shift" }, "Remove");
    const dayCell = h("td", {}, cellOf(day, labels[0]));
    const length = h("td", { class: "shift-length" });
    const tr = h(
      "tr",
      {},
      dayCell,
      h("td", {}, cellOf(start, labels[1])),
      h("td", {}, cellOf(end, labels[2])),
      length,
      h("td", { class: "actions" }, remove),
    );
    const row: ShiftRow = { key, tr, dayCell, day, start, end, labels, length, remove };
    for (const control of [day, start, end]) control.addEventListener("input", () => showLength(row));
    day.addEventListener("change", () => showLength(row));
    remove.addEventListener("click", () => removeRow(row));
    rows.push(row);
    tbody.append(tr);
    showLength(row);
    renumber();
    if (focus) day.focus();
  }

  function removeRow(row: ShiftRow): void {
    const at = rows.indexOf(row);
    if (at < 0) return;
    rows.splice(at, 1);
    row.tr.remove();
    renumber();
    const next = rows[at] ?? rows[at - 1];
    (next?.day ?? addButton).focus();
  }

  /** Shows `shifts` as the rows and as what is stored. */
  function showStored(shifts: ShiftValue[]): void {
    clearErrors(element);
    rows.splice(0).forEach((r) => r.tr.remove());
    for (const s of shifts) addRow(s, false);
    stored.textContent = `Stored: ${summaryText(shifts)}.`;
    renumber();
  }

  /** The rows as the PUT's body; empty or incomplete times go into `issues`. */
  function readRows(issues: Issue[]): ShiftValue[] {
    renumber();
    return rows.map((r) => {
      for (const [input, what] of [
        [r.start, "start"],
        [r.end, "end"],
      ] as const) {
        if (input.value === "") issues.push({ el: input, reason: `enter the ${what} time (HH:MM)` });
      }
      return { day: r.day.value, start: timeValue(r.start.value), end: timeValue(r.end.value) };
    });
  }

  const is401 = (err: unknown) => err instanceof ApiError && err.status === 401;
  const problem = (err: unknown) => (err instanceof ApiError ? err.detail : err instanceof Error ? err.message : String(err));

  async function load(): Promise<void> {
    loaded = false;
    renumber();
    element.setAttribute("aria-busy", "true");
    reloadButton.hidden = true;
    setAlert(error, "");
    status.textContent = "Reading the shifts…";
    try {
      const shifts = parseShifts(await getJson(path));
      if (ctx.stopped()) return;
      loaded = true;
      showStored(shifts);
      status.textContent = "";
    } catch (err) {
      if (ctx.stopped()) return;
      if (is401(err)) return ctx.ended();
      status.textContent = "";
      stored.textContent = "";
      // Saving now would replace shifts this page has not seen: only a new read enables Save.
      setAlert(error, `Could not read the shifts: ${problem(err)}.`);
      reloadButton.hidden = false;
    } finally {
      element.setAttribute("aria-busy", "false");
      renumber();
    }
  }

  async function save(): Promise<void> {
    if (!loaded || saving) return;
    clearErrors(element);
    setAlert(error, "");
    status.textContent = "";
    const issues: Issue[] = [];
    const shifts = readRows(issues);
    if (issues.length) {
      let first: HTMLElement | null = null;
      for (const i of issues) first ??= markError(i.el, i.reason);
      setAlert(error, "The shifts have problems. Check the marked fields.");
      first?.focus();
      return;
    }
    saving = true;
    renumber();
    element.setAttribute("aria-busy", "true");
    status.textContent = "Saving the shifts…";
    try {
      const answer = await sendJson("PUT", path, { shifts });
      if (ctx.stopped()) return;
      showStored(parseShifts(answer));
      status.textContent = "Shifts saved.";
    } catch (err) {
      if (ctx.stopped()) return;
      if (is401(err)) return ctx.ended();
      status.textContent = "";
      showError(element, error, err);
    } finally {
      saving = false;
      element.setAttribute("aria-busy", "false");
      renumber();
    }
  }

  addButton.addEventListener("click", () => {
    const last = rows[rows.length - 1];
    // A new row starts on the day after the last one, at the same times.
    const next = last ? DAYS[(DAYS.findIndex(([d]) => d === last.day.value) + 1) % 7][0] : "Mon";
    addRow(last ? { day: next, start: timeValue(last.start.value), end: timeValue(last.end.value) } : null, true);
  });
  saveButton.addEventListener("click", () => void save());
  reloadButton.addEventListener("click", () => void load());
  // Enter in a time saves the shifts (not the agent form around them).
  element.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.target instanceof HTMLInputElement) {
      ev.preventDefault();
      void save();
    }
  });

  renumber();
  void load();
  return { element };
}
