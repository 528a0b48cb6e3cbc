// Shared plumbing of the admin pages: inputs tagged with the JSON path they
// fill (`data-path`), add/remove row lists, the server's field errors shown
// beside those inputs (the rest in the page's alert), and a collection
// page: the list table with New, Edit and Delete (after a confirm step) and
// the edit form with Save and Cancel.

import { isObject, type Json } from "./agent-state";
import { ApiError, type FieldError, getJson, sendJson } from "./api";
import { h, setAlert } from "./dom";

export type { Json };

/** An object of a collection as listed: its fields beside its `id`. */
export type Item = Json & { id: string };

/** The `items` of a list answer that have a string `id`. */
export function parseItems(data: unknown): Item[] {
  const items = isObject(data) ? data.items : undefined;
  if (!Array.isArray(items)) return [];
  return items.filter((i): i is Item => isObject(i) && typeof i.id === "string");
}

function asItem(data: unknown): Item | null {
  return isObject(data) && typeof data.id === "string" ? (data as Item) : null;
}

// --- reading values defensively ---

export const str = (v: unknown): string => (typeof v === "string" ? v : "");
export const numText = (v: unknown): string => (typeof v === "number" && Number.isFinite(v) ? String(v) : "");
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const obj = (v: unknown): Json => (isObject(v) ? v : {});

/** A number input's value; empty (or not a number) is null, which the server names when the field is required. */
export function readNumber(input: HTMLInputElement): number | null {
  const text = input.value.trim();
  if (text === "") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** A problem found before sending: shown beside `el` like a server's field error. */
export interface Issue {
  el: HTMLElement;
  reason: string;
}

// --- controls ---

/** `f-` and the path with `.`, `[` and `]` as `-`: `service_level.percent` → `f-service_level-percent`. */
export function pathId(path: string): string {
  return `f-${path.replace(/\[(\d+)\]/g, "-$1").replace(/\./g, "-")}`;
}

/** Marks `el` as the control of JSON `path` (for placing the server's errors). */
export function tag<T extends HTMLElement>(el: T, path: string): T {
  el.dataset.path = path;
  return el;
}

type Attrs = Record<string, string | boolean | undefined>;

/** A labelled control, with an optional hint under it. */
export function field(label: string, control: HTMLElement, hint?: string, cls = "field"): HTMLElement {
  const hintId = hint && control.id ? `${control.id}-hint` : undefined;
  if (hintId) addToken(control, "aria-describedby", hintId);
  return h(
    "div",
    { class: cls },
    h("label", { for: control.id }, label),
    control,
    hint ? h("span", { id: hintId, class: "field-hint" }, hint) : null,
  );
}

/** A text input for `path` (id from the path unless given). */
export function textBox(path: string, value: unknown, attrs: Attrs = {}, id = pathId(path)): HTMLInputElement {
  const el = tag(h("input", { type: "text", id, name: path, ...attrs }), path);
  el.value = str(value);
  return el;
}

/** A number input for `path`. */
export function numberBox(path: string, value: unknown, attrs: Attrs = {}, id = pathId(path)): HTMLInputElement {
  const el = tag(h("input", { type: "number", id, name: path, inputmode: "numeric", step: "1", ...attrs }), path);
  el.value = numText(value);
  return el;
}

export function checkBox(path: string, checked: unknown, id = pathId(path)): HTMLInputElement {
  const el = tag(h("input", { type: "checkbox", id, name: path }), path);
  el.checked = checked === true;
  return el;
}

export function areaBox(path: string, value: unknown, attrs: Attrs = {}, id = pathId(path)): HTMLTextAreaElement {
  const el = tag(h("textarea", { id, name: path, rows: "3", ...attrs }), path);
  el.value = str(value);
  return el;
}

/**
 * A select of `options` ([value, label]) for `path`; a current value the
 * options lack (e.g. an id this page cannot name) is kept as its own option.
 */
export function selectBox(
  path: string,
  options: Array<[string, string]>,
  value: unknown,
  id = pathId(path),
): HTMLSelectElement {
  const el = tag(h("select", { id, name: path }), path);
  setOptions(el, options, str(value));
  return el;
}

/** Replaces a select's options, keeping `value` selected (added when missing). */
export function setOptions(el: HTMLSelectElement, options: Array<[string, string]>, value = el.value): void {
  const all = [...options];
  if (value !== "" && !all.some(([v]) => v === value)) all.push([value, `${value.slice(0, 8)}… (unknown)`]);
  el.replaceChildren(...all.map(([v, label]) => h("option", { value: v }, label)));
  el.value = all.some(([v]) => v === value) ? value : (all[0]?.[0] ?? "");
}

/** A "choose one" first option for a select that must be set. */
export const CHOOSE: [string, string] = ["", "— choose —"];

function addToken(el: Element, attr: string, token: string): void {
  const tokens = (el.getAttribute(attr) ?? "").split(/\s+/).filter((t) => t && t !== token);
  el.setAttribute(attr, [...tokens, token].join(" "));
}

function removeToken(el: Element, attr: string, token: string): void {
  const tokens = (el.getAttribute(attr) ?? "").split(/\s+/).filter((t) => t && t !== token);
  if (tokens.length) el.setAttribute(attr, tokens.join(" "));
  else el.removeAttribute(attr);
}

// --- row lists ---

/** One row of a RowList: its controls; the list adds the Remove button. */
export interface Row {
  el: HTMLElement;
  /** Tags the row's controls with paths under `path` and answers its JSON value. */
  read(path: string, issues: Issue[]): unknown;
}

export interface RowListOptions<T> {
  /** The fieldset's id, e.g. `f-skills`; the Add button is `btn-add-skills`. */
  id: string;
  legend: string;
  /** What a row is, for "Add skill" and "Remove skill 2". */
  noun: string;
  items: T[];
  /** Builds a row for `item` (null: a new row); `key` is unique in the list (row ids use it). */
  make(item: T | null, key: number): Row;
  empty?: string;
}

interface RowEntry {
  key: number;
  row: Row;
  wrap: HTMLElement;
  remove: HTMLButtonElement;
}

/** A list of rows with Add and Remove buttons; rows keep their key (and ids) when others go. */
export class RowList<T> {
  readonly element: HTMLFieldSetElement;
  private readonly body: HTMLElement;
  private readonly addButton: HTMLButtonElement;
  private readonly emptyNote: HTMLElement;
  private readonly rows: RowEntry[] = [];
  private next = 0;

  constructor(private readonly o: RowListOptions<T>) {
    this.body = h("div", { class: "row-list-body" });
    this.emptyNote = h("p", { class: "row-list-empty" }, o.empty ?? `No ${o.noun}s.`);
    this.addButton = h("button", { type: "button", id: `btn-add-${o.id.replace(/^f-/, "")}`, class: "add" }, `Add ${o.noun}`);
    this.addButton.addEventListener("click", () => this.add(null, true));
    this.element = h(
      "fieldset",
      { id: o.id, class: "row-list" },
      h("legend", {}, o.legend),
      this.emptyNote,
      this.body,
      this.addButton,
    );
    for (const item of o.items) this.add(item, false);
    this.relabel();
  }

  /** Adds a row (focusing its first control when asked). */
  add(item: T | null, focus: boolean): void {
    const key = this.next++;
    const row = this.o.make(item, key);
    const remove = h("button", { type: "button", class: "remove", "data-action": "remove-row" }, "Remove");
    const wrap = h("div", { class: "row-item", "data-row": String(key) }, row.el, remove);
    const entry: RowEntry = { key, row, wrap, remove };
    remove.addEventListener("click", () => this.remove(entry));
    this.rows.push(entry);
    this.body.append(wrap);
    this.relabel();
    if (focus) wrap.querySelector<HTMLElement>("input, select, textarea")?.focus();
  }

  private remove(entry: RowEntry): void {
    const at = this.rows.indexOf(entry);
    if (at < 0) return;
    this.rows.splice(at, 1);
    entry.wrap.remove();
    this.relabel();
    const next = this.rows[at] ?? this.rows[at - 1];
    (next?.wrap.querySelector<HTMLElement>("input, select, textarea") ?? this.addButton).focus();
  }

  private relabel(): void {
    this.rows.forEach((r, i) => r.remove.setAttribute("aria-label", `Remove ${this.o.noun} ${i + 1}`));
    this.emptyNote.hidden = this.rows.length > 0;
  }

  get size(): number {
    return this.rows.length;
  }

  /** The rows' values in order, each tagged `path[i]`. */
  read(path: string, issues: Issue[]): unknown[] {
    tag(this.element, path);
    return this.rows.map((r, i) => {
      const at = `${path}[${i}]`;
      tag(r.wrap, at);
      return r.row.read(at, issues);
    });
  }
}

/** A labelled control inside a row (compact: the label above, small). */
export function cell(label: string, control: HTMLElement): HTMLElement {
  return field(label, control, undefined, "field cell");
}

// --- errors ---

const ERROR_CLASS = "field-error";
let errorSeq = 0;

function isControl(el: Element): el is HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  return el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement;
}

/** Removes every field error shown inside `scope`. */
export function clearErrors(scope: HTMLElement): void {
  for (const e of scope.querySelectorAll(`.${ERROR_CLASS}`)) e.remove();
  for (const el of scope.querySelectorAll<HTMLElement>("[data-error-id]")) {
    removeToken(el, "aria-describedby", el.dataset.errorId ?? "");
    el.removeAttribute("aria-invalid");
    delete el.dataset.errorId;
  }
}

/** The path without its last segment: `a.b[0].c` → `a.b[0]` → `a.b` → `a` → "". */
export function parentPath(path: string): string {
  const m = /^(.*?)(\.[^.[\]]*|\[\d+\])$/.exec(path);
  return m ? m[1] : "";
}

/** The element tagged with `path`, or failing that with its nearest ancestor path. */
export function findByPath(scope: HTMLElement, path: string): HTMLElement | null {
  const tagged = [...scope.querySelectorAll<HTMLElement>("[data-path]")];
  for (let p = path; p !== ""; p = parentPath(p)) {
    const el = tagged.find((e) => e.dataset.path === p);
    if (el) return el;
  }
  return null;
}

/** Shows `reason` beside `el` (a control, or a row or fieldset: then inside it); answers the control marked. */
export function markError(el: HTMLElement, reason: string): HTMLElement {
  const control = isControl(el) ? el : (el.querySelector<HTMLElement>("input, select, textarea") ?? el);
  const errorId = control.dataset.errorId ?? `${control.id || `err-${++errorSeq}`}-error`;
  let box = document.getElementById(errorId);
  if (box) {
    box.textContent = `${box.textContent}; ${reason}`;
  } else {
    box = h("span", { id: errorId, class: ERROR_CLASS }, reason);
    if (isControl(el)) {
      const wrap = el.closest(".field");
      if (wrap) wrap.append(box);
      else el.after(box);
    } else {
      el.append(box);
    }
  }
  control.dataset.errorId = errorId;
  control.setAttribute("aria-invalid", "true");
  addToken(control, "aria-describedby", errorId);
  for (let d = el.closest("details"); d; d = d.parentElement?.closest("details") ?? null) d.open = true;
  return control;
}

/**
 * Shows a failed request: each field error beside the control tagged with
 * its path (or its nearest tagged ancestor), the message and the fields
 * nothing matched in `alert`. A 409 names its field only in the message
 * (`name is already taken in this tenant`): that is matched too.
 */
export function showError(scope: HTMLElement | null, alert: HTMLElement, err: unknown): void {
  if (!(err instanceof ApiError)) {
    setAlert(alert, err instanceof Error ? err.message : String(err));
    return;
  }
  let fields: FieldError[] = err.fields;
  if (fields.length === 0 && err.status === 409 && scope) {
    const m = /^(\S+) (.+)$/.exec(err.message);
    if (m && findByPath(scope, m[1])?.dataset.path === m[1]) fields = [{ field: m[1], reason: m[2] }];
  }
  const unmatched: string[] = [];
  let first: HTMLElement | null = null;
  for (const f of fields) {
    const el = scope && f.field ? findByPath(scope, f.field) : null;
    if (!el) {
      unmatched.push(f.field ? `${f.field}: ${f.reason}` : f.reason);
      continue;
    }
    const control = markError(el, el.dataset.path === f.field ? f.reason : `${f.field}: ${f.reason}`);
    first ??= control;
  }
  let text = err.message.charAt(0).toUpperCase() + err.message.slice(1);
  if (unmatched.length) text += ` (${unmatched.join("; ")})`;
  if (first) text += ". Check the marked fields.";
  setAlert(alert, text);
  first?.focus();
}

// --- the collection page ---

/** What a page needs from the admin frame. */
export interface PageContext {
  /** The server refused the session: stop and sign out. */
  ended(): void;
  stopped(): boolean;
}

export interface Column {
  label: string;
  cell(item: Item): string;
  num?: boolean;
}

/** An open edit form: its controls and how to read the body to send. */
export interface EditForm {
  body: Node[];
  /** The JSON to send; problems found before sending go into `issues` (nothing is sent then). */
  read(issues: Issue[]): unknown;
  /** After a successful save (e.g. a second request); throws like a save. */
  after?(saved: Item): Promise<void>;
}

export interface CollectionSpec {
  /** The path segment: `/api/v1/<collection>`. */
  collection: string;
  title: string;
  /** "queue": "New queue", "Delete the queue …". */
  noun: string;
  intro?: string;
  /** The first column is the row's header. */
  columns: Column[];
  name(item: Item): string;
  /** Reads what the forms refer to; runs before each list load. */
  prepare?(): Promise<void>;
  /** The form of `item` (null: a new one); `ctx` for a form that reads or saves on its own (e.g. an agent's shifts). */
  form(item: Item | null, ctx: PageContext): EditForm;
  creatable?: boolean;
  deletable?: boolean;
  /** A select to choose the object to edit, above the list (e.g. the queue whose hours to edit). */
  picker?: { id: string; label: string };
  /** A search box: its text becomes `?q=` of the list. */
  search?: boolean;
}

function emptyRow(columns: number, text: string): HTMLTableRowElement {
  return h("tr", { class: "empty" }, h("td", { colspan: String(columns) }, text));
}

function problemText(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

/** The page of one collection: heading, status, alert, list table and (when open) the edit form. */
export function collectionPage(spec: CollectionSpec, ctx: PageContext): HTMLElement {
  const creatable = spec.creatable !== false;
  const deletable = spec.deletable !== false;
  const status = h("p", { id: "admin-status", class: "admin-status", role: "status" });
  const error = h("p", { id: "admin-error", class: "alert", role: "alert" });
  setAlert(error, "");
  const newButton = creatable ? h("button", { type: "button", id: "btn-new", class: "primary" }, `New ${spec.noun}`) : null;

  const picker = spec.picker ? h("select", { id: spec.picker.id }) : null;
  const searchBox = spec.search ? h("input", { type: "search", id: "admin-search", name: "q", autocomplete: "off" }) : null;
  const searchField = searchBox
    ? h("div", { class: "field" }, h("label", { for: "admin-search" }, `Search ${spec.title.toLowerCase()}`), searchBox)
    : null;
  const tools = h(
    "div",
    { class: "admin-tools" },
    picker && spec.picker ? h("div", { class: "field" }, h("label", { for: spec.picker.id }, spec.picker.label), picker) : null,
    searchField,
  );

  const colCount = spec.columns.length + 1;
  const tbody = h("tbody", {}, emptyRow(colCount, "Loading…"));
  const table = h(
    "table",
    { id: "admin-list", class: "board" },
    h("caption", { class: "visually-hidden" }, spec.title),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...spec.columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : undefined }, c.label)),
        h("th", { scope: "col", class: "actions" }, h("span", { class: "visually-hidden" }, "Actions")),
      ),
    ),
    tbody,
  );
  const listBox = h("div", { class: "table-wrap admin-list-wrap", tabindex: "0", role: "region", "aria-label": `${spec.title}, list` }, table);
  const form = h("form", { id: "admin-form", class: "admin-form", novalidate: true, "aria-labelledby": "admin-form-heading" });
  form.hidden = true;

  const confirmText = h("p", { id: "admin-confirm-text" });
  const confirmYes = h("button", { type: "button", id: "btn-confirm-delete", class: "danger" }, "Delete");
  const confirmNo = h("button", { type: "button", id: "btn-cancel-delete" }, "Keep it");
  const dialog = h(
    "dialog",
    { id: "admin-confirm", class: "admin-confirm", "aria-labelledby": "admin-confirm-text" },
    confirmText,
    h("div", { class: "form-actions" }, confirmYes, confirmNo),
  );

  const section = h(
    "section",
    { class: "card admin-page", "aria-labelledby": "admin-heading", "data-collection": spec.collection },
    h("div", { class: "panel-head" }, h("h2", { id: "admin-heading" }, spec.title), newButton),
    spec.intro ? h("p", { class: "muted note" }, spec.intro) : null,
    tools.childElementCount ? tools : null,
    status,
    error,
    listBox,
    form,
    dialog,
  );

  let items: Item[] = [];
  let editing: { item: Item | null; edit: EditForm } | null = null;
  let pendingDelete: Item | null = null;
  let loads = 0;

  const is401 = (err: unknown) => err instanceof ApiError && err.status === 401;
  const byId = (id: string | undefined) => items.find((i) => i.id === id) ?? null;
  const rowButton = (id: string | undefined, action: string) =>
    [...tbody.querySelectorAll<HTMLButtonElement>(`button[data-action="${action}"]`)].find((b) => b.dataset.id === id) ?? null;

  function renderRows(): void {
    if (items.length === 0) {
      tbody.replaceChildren(emptyRow(colCount, `No ${spec.noun}s yet.`));
      return;
    }
    tbody.replaceChildren(
      ...items.map((item) => {
        const name = spec.name(item);
        const action = (kind: string, label: string) =>
          h("button", { type: "button", class: "row-action", "data-action": kind, "data-id": item.id }, label, h("span", { class: "visually-hidden" }, ` ${name}`));
        return h(
          "tr",
          { "data-id": item.id },
          ...spec.columns.map((c, i) =>
            i === 0 ? h("th", { scope: "row" }, c.cell(item)) : h("td", { class: c.num ? "num" : undefined }, c.cell(item)),
          ),
          h("td", { class: "actions" }, action("edit", "Edit"), deletable ? action("delete", "Delete") : null),
        );
      }),
    );
  }

  function renderPicker(): void {
    if (!picker) return;
    const chosen = editing?.item?.id ?? "";
    setOptions(picker, [["", "— choose —"], ...items.map((i): [string, string] => [i.id, spec.name(i)])], chosen);
  }

  async function load(): Promise<void> {
    const run = ++loads;
    table.setAttribute("aria-busy", "true");
    try {
      await spec.prepare?.();
      const q = searchBox?.value.trim();
      const data = await getJson(`/api/v1/${spec.collection}${q ? `?q=${encodeURIComponent(q)}` : ""}`);
      if (ctx.stopped() || run !== loads) return;
      items = parseItems(data).sort((a, b) => spec.name(a).localeCompare(spec.name(b)));
      renderRows();
      renderPicker();
    } catch (err) {
      if (ctx.stopped() || run !== loads) return;
      if (is401(err)) return ctx.ended();
      tbody.replaceChildren(emptyRow(colCount, "Could not be read."));
      setAlert(error, `Could not read the ${spec.title.toLowerCase()}: ${problemText(err)}.`);
    } finally {
      if (run === loads) table.setAttribute("aria-busy", "false");
    }
  }

  function open(item: Item | null): void {
    setAlert(error, "");
    status.textContent = "";
    let edit: EditForm;
    try {
      edit = spec.form(item, ctx);
    } catch (err) {
      setAlert(error, `Cannot edit this ${spec.noun}: ${problemText(err)}`);
      return;
    }
    editing = { item, edit };
    const save = h("button", { type: "submit", id: "btn-save", class: "primary" }, "Save");
    const cancel = h("button", { type: "button", id: "btn-cancel" }, "Cancel");
    cancel.addEventListener("click", () => close(item?.id ?? null, "edit"));
    form.replaceChildren(
      h("h3", { id: "admin-form-heading" }, item ? `Edit ${spec.noun} “${spec.name(item)}”` : `New ${spec.noun}`),
      ...edit.body,
      h("div", { class: "form-actions" }, save, cancel),
    );
    form.hidden = false;
    listBox.hidden = true;
    if (newButton) newButton.hidden = true;
    if (searchField) searchField.hidden = true;
    if (picker) picker.value = item?.id ?? "";
    form.querySelector<HTMLElement>("input, select, textarea")?.focus();
  }

  /** Closes the form; the keyboard goes back to the row's button (or New). */
  function close(focusId: string | null, action: string): void {
    editing = null;
    form.hidden = true;
    form.replaceChildren();
    listBox.hidden = false;
    if (newButton) newButton.hidden = false;
    if (searchField) searchField.hidden = false;
    if (picker) picker.value = "";
    (rowButton(focusId ?? undefined, action) ?? newButton ?? picker)?.focus();
  }

  async function save(): Promise<void> {
    if (!editing) return;
    const current = editing;
    clearErrors(form);
    setAlert(error, "");
    const issues: Issue[] = [];
    const body = current.edit.read(issues);
    if (issues.length) {
      let first: HTMLElement | null = null;
      for (const i of issues) first ??= markError(i.el, i.reason);
      setAlert(error, "The form has problems. Check the marked fields.");
      first?.focus();
      return;
    }
    const saveButton = form.querySelector<HTMLButtonElement>("#btn-save");
    if (saveButton) saveButton.disabled = true;
    status.textContent = "Saving…";
    try {
      const answer = current.item
        ? await sendJson("PUT", `/api/v1/${spec.collection}/${encodeURIComponent(current.item.id)}`, body)
        : await sendJson("POST", `/api/v1/${spec.collection}`, body);
      if (ctx.stopped()) return;
      const saved = asItem(answer) ?? (current.item ? { ...current.item } : null);
      // From here on the object exists: a retry after a failed `after` updates it.
      if (saved && editing === current) current.item = saved;
      if (saved && current.edit.after) await current.edit.after(saved);
      if (ctx.stopped() || editing !== current) return;
      const name = saved ? spec.name(saved) : spec.noun;
      close(null, "edit");
      await load();
      if (ctx.stopped()) return;
      status.textContent = `Saved “${name}”.`;
      rowButton(saved?.id, "edit")?.focus();
    } catch (err) {
      if (ctx.stopped()) return;
      if (is401(err)) return ctx.ended();
      status.textContent = "";
      showError(form, error, err);
    } finally {
      if (saveButton) saveButton.disabled = false;
    }
  }

  function askDelete(item: Item): void {
    pendingDelete = item;
    setAlert(error, "");
    confirmText.textContent = `Delete the ${spec.noun} “${spec.name(item)}”? This cannot be undone.`;
    dialog.showModal();
    confirmNo.focus();
  }

  async function confirmDelete(): Promise<void> {
    const item = pendingDelete;
    pendingDelete = null;
    dialog.close();
    if (!item) return;
    status.textContent = "Deleting…";
    try {
      await sendJson("DELETE", `/api/v1/${spec.collection}/${encodeURIComponent(item.id)}`);
      if (ctx.stopped()) return;
      await load();
      if (ctx.stopped()) return;
      status.textContent = `Deleted “${spec.name(item)}”.`;
      (newButton ?? listBox).focus();
    } catch (err) {
      if (ctx.stopped()) return;
      if (is401(err)) return ctx.ended();
      status.textContent = "";
      setAlert(error, `Could not delete “${spec.name(item)}”: ${problemText(err)}.`);
      rowButton(item.id, "delete")?.focus();
    }
  }

  newButton?.addEventListener("click", () => open(null));
  tbody.addEventListener("click", (ev) => {
    const button = (ev.target as Element).closest<HTMLButtonElement>("button[data-action]");
    const item = byId(button?.dataset.id);
    if (!button || !item) return;
    if (button.dataset.action === "edit") open(item);
    else if (button.dataset.action === "delete") askDelete(item);
  });
  picker?.addEventListener("change", () => {
    const item = byId(picker.value);
    if (item) open(item);
    else if (editing) close(null, "edit");
  });
  let searchTimer = 0;
  searchBox?.addEventListener("input", () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => void load(), 250);
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void save();
  });
  confirmYes.addEventListener("click", () => void confirmDelete());
  confirmNo.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (pendingDelete) {
      const id = pendingDelete.id;
      pendingDelete = null;
      rowButton(id, "delete")?.focus();
    }
  });

  void load();
  return section;
}
