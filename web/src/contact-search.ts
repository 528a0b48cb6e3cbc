// Click-to-call from a contact: a search box over the tenant's contacts
// (name, company or number, GET /api/v1/contacts?q=…) under the dial card,
// each match listed with a Call button per number. The view places the
// call exactly as for a typed number.

import { ApiError, searchContacts, type ContactCard } from "./api";
import { h } from "./dom";

/** Wait after the last key before asking the server. */
const DEBOUNCE_MS = 250;
/** Matches shown. */
const LIMIT = 8;

export function contactSearch(dial: (number: string) => void, problem: (message: string) => void, signedOut: () => void) {
  const input = h("input", { id: "contact-search", type: "search", autocomplete: "off", placeholder: "Name, company or number" });
  const results = h("ul", { id: "contact-results", class: "contact-results", "aria-live": "polite" });
  const field = h("div", { class: "field" }, h("label", { for: "contact-search" }, "Find a contact"), input);
  const box = h("div", { id: "contact-finder" }, field, results);
  let enabled = true;
  let timer: number | undefined;
  let asked = 0;

  function render(query: string, found: ContactCard[]): void {
    results.replaceChildren();
    if (query === "") return;
    if (found.length === 0) {
      results.append(h("li", { class: "note" }, `No contact matches “${query}”.`));
      return;
    }
    for (const c of found) {
      const calls = c.phoneNumbers.map((n) =>
        h(
          "button",
          { type: "button", "data-action": "call-contact", "data-number": n, "aria-label": `Call ${c.name} on ${n}`, disabled: !enabled },
          `Call ${n}`,
        ),
      );
      const who = c.company ? `${c.name} · ${c.company}` : c.name;
      results.append(h("li", { "data-contact-id": c.id }, h("span", { class: "contact-name" }, who), ...calls));
    }
  }

  async function look(query: string): Promise<void> {
    const mine = ++asked;
    try {
      const found = query === "" ? [] : await searchContacts(query, LIMIT);
      if (mine === asked) render(query, found);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) signedOut();
      else if (mine === asked) problem(err instanceof Error ? err.message : String(err));
    }
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    const query = input.value.trim();
    timer = window.setTimeout(() => void look(query), DEBOUNCE_MS);
  });
  results.addEventListener("click", (ev) => {
    const button = (ev.target as HTMLElement).closest("button[data-action='call-contact']");
    const number = button?.getAttribute("data-number");
    if (number && enabled) dial(number);
  });

  return {
    box,
    /** Off while a call is up or being placed (as the dial card's button). */
    setEnabled(on: boolean): void {
      enabled = on;
      for (const b of results.querySelectorAll("button")) b.disabled = !on;
    },
    clear(): void {
      input.value = "";
      results.replaceChildren();
    },
  };
}
