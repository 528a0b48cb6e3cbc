// Click-to-call: the "Call a contact" card, a number and a Call button,
// and the contact finder under it (contact-search.ts). The view places the
// call (POST /api/v1/agent/call); the server rings this browser first and
// the phone answers that INVITE by itself.

import { e164 } from "./call-card";
import { contactSearch } from "./contact-search";
import { h } from "./dom";

export function dialCard(dial: (number: string) => void, problem: (message: string) => void, signedOut: () => void) {
  const finder = contactSearch(dial, problem, signedOut);
  const input = h("input", {
    id: "dial-number",
    type: "tel",
    inputmode: "tel",
    autocomplete: "off",
    placeholder: "+44…",
  });
  const button = h("button", { type: "submit", id: "btn-dial", class: "primary" }, "Call");
  const status = h("p", { id: "dial-status", class: "note", role: "status" }, "");
  const form = h(
    "form",
    { id: "dial-form", class: "dial", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "dial-number" }, "Number to call"), h("div", { class: "row" }, input, button)),
  );
  const card = h(
    "section",
    { id: "dial", class: "card", "aria-labelledby": "dial-heading" },
    h("h2", { id: "dial-heading" }, "Call a contact"),
    form,
    finder.box,
    status,
  );

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const n = e164(input.value.trim());
    if (!n) {
      problem("Enter the number in international format, e.g. +442079460101.");
      input.focus();
      return;
    }
    dial(n);
  });

  return {
    card,
    /** Off while a call is up or a call is being placed. */
    setEnabled(on: boolean): void {
      button.disabled = !on;
      finder.setEnabled(on);
    },
    setStatus(text: string): void {
      status.textContent = text;
    },
    clear(): void {
      input.value = "";
      finder.clear();
    },
  };
}
