// A table body whose rows are kept by key across renders: each row is made
// once with a controls cell that is never rebuilt (so a focused button, a
// half-made choice in a select or a typed number survive the live feed's
// updates); the other cells are replaced in place, and a row is moved only
// when the order changes.

import { h } from "./dom";

/** One row as the view wants it now. */
export interface RowSpec {
  key: string;
  /** Attributes of the `<tr>` (e.g. `data-call-id`). */
  attrs: Record<string, string>;
  /** The cells before the controls cell, rebuilt on every render. */
  cells: HTMLTableCellElement[];
}

interface Kept {
  tr: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
  controls: HTMLTableCellElement;
}

export class KeyedRows {
  private rows = new Map<string, Kept>();
  private placeholder: HTMLTableRowElement | null = null;

  /**
   * `controls(key)` makes a row's controls cell (once per key); `dropped(key)`
   * is told when a row goes, so its controls can be forgotten.
   */
  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly controls: (key: string) => HTMLTableCellElement,
    private readonly dropped: (key: string) => void = () => {},
  ) {}

  /** Shows `specs` in this order; with none, a one-cell row saying `emptyText`. */
  show(specs: RowSpec[], columns: number, emptyText: string): void {
    const wanted = new Set(specs.map((s) => s.key));
    for (const [key, kept] of this.rows) {
      if (wanted.has(key)) continue;
      kept.tr.remove();
      this.rows.delete(key);
      this.dropped(key);
    }
    if (specs.length === 0) {
      const row = h("tr", { class: "empty" }, h("td", { colspan: String(columns) }, emptyText));
      if (this.placeholder) this.placeholder.replaceWith(row);
      else this.body.append(row);
      this.placeholder = row;
      return;
    }
    this.placeholder?.remove();
    this.placeholder = null;

    let next: Element | null = this.body.firstElementChild;
    for (const spec of specs) {
      let kept = this.rows.get(spec.key);
      if (!kept) {
        const controls = this.controls(spec.key);
        kept = { tr: h("tr", {}, ...spec.cells, controls), cells: spec.cells, controls };
        this.rows.set(spec.key, kept);
      } else if (kept.cells.length === spec.cells.length) {
        kept.cells.forEach((cell, i) => cell.replaceWith(spec.cells[i]));
        kept.cells = spec.cells;
      } else {
        for (const cell of kept.cells) cell.remove();
        kept.controls.before(...spec.cells);
        kept.cells = spec.cells;
      }
      for (const [name, value] of Object.entries(spec.attrs)) {
        if (kept.tr.getAttribute(name) !== value) kept.tr.setAttribute(name, value);
      }
      if (kept.tr === next) next = next.nextElementSibling;
      else this.body.insertBefore(kept.tr, next);
    }
  }

  /** The controls cell of the row `key`, if it is shown. */
  controlsOf(key: string): HTMLTableCellElement | undefined {
    return this.rows.get(key)?.controls;
  }
}
