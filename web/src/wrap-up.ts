// After-call work: when an answered call ends, the form `#wrap-up` asks for
// a disposition and notes while a countdown shows the queue's wrap-up time
// left; submitting it posts them (POST /api/v1/agent/wrap-up). The form
// stays when the time runs out: the server may still take it.

import { h } from "./dom";

export const DISPOSITIONS: Array<[string, string]> = [
  ["resolved", "Resolved"],
  ["follow_up", "Follow-up needed"],
  ["escalated", "Escalated"],
  ["no_solution", "No solution"],
  ["wrong_number", "Wrong number"],
];

/** Seconds left of `secs` counted from `since` (epoch ms), never below 0. */
export function secondsLeft(since: number, secs: number, now = Date.now()): number {
  return Math.max(0, Math.ceil(secs - (now - since) / 1000));
}

/** The wrap-up card; `submit` posts the form and throws to keep it open. */
export function wrapUpCard(submit: (disposition: string, notes: string) => Promise<void>) {
  const disposition = h(
    "select",
    { id: "disposition", name: "disposition", required: true },
    ...DISPOSITIONS.map(([code, label]) => h("option", { value: code }, label)),
  );
  const notes = h("textarea", { id: "wrap-up-notes", name: "notes", rows: "3", maxlength: "10000" });
  const countdown = h("span", { id: "wrap-up-countdown", class: "countdown", role: "timer", "aria-live": "off" }, "");
  const button = h("button", { type: "submit", id: "btn-wrap-up", class: "primary" }, "Save disposition");
  const form = h(
    "form",
    { id: "wrap-up", class: "wrap-up", "aria-labelledby": "wrap-up-heading", hidden: true },
    h("p", { class: "wrap-up-head" }, h("span", { id: "wrap-up-heading", class: "label" }, "Wrap-up"), countdown),
    h("div", { class: "field" }, h("label", { for: "disposition" }, "Disposition"), disposition),
    h("div", { class: "field" }, h("label", { for: "wrap-up-notes" }, "Notes"), notes),
    h("div", { class: "row" }, button),
  );
  const done = h("p", { id: "wrap-up-done", class: "done", role: "status", hidden: true }, "Disposition saved");
  const card = h(
    "section",
    { id: "wrap-up-card", class: "card", "aria-label": "After-call work", hidden: true },
    h("h2", {}, "After the call"),
    form,
    done,
  );

  let since = 0;
  let secs = 30;
  let ticker: number | undefined;
  let sending = false;

  function tick(): void {
    const left = secondsLeft(since, secs);
    countdown.dataset.seconds = String(left);
    countdown.textContent = left > 0 ? `${left} s left` : "0 s left — time is up, you can still save";
    countdown.classList.toggle("over", left === 0);
    if (left === 0) window.clearInterval(ticker);
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (sending) return;
    sending = true;
    button.disabled = true;
    try {
      await submit(disposition.value, notes.value);
      window.clearInterval(ticker);
      form.hidden = true;
      done.hidden = false;
    } catch {
      // the view showed why; the form stays for another try
    } finally {
      sending = false;
      button.disabled = false;
    }
  });

  return {
    card,
    /** The wrap-up began `at` (epoch ms) and lasts `seconds`. */
    begin(seconds: number, at = Date.now()): void {
      since = at;
      secs = seconds;
      disposition.selectedIndex = 0;
      notes.value = "";
      done.hidden = true;
      form.hidden = false;
      card.hidden = false;
      window.clearInterval(ticker);
      tick();
      ticker = window.setInterval(tick, 1000);
      disposition.focus();
    },
    /** Whether the form is waiting for the agent. */
    get open(): boolean {
      return !form.hidden;
    },
    /** Hides the saved line (a new call rang), keeping an unsaved form. */
    clearDone(): void {
      done.hidden = true;
      if (form.hidden) card.hidden = true;
    },
    stop(): void {
      window.clearInterval(ticker);
    },
  };
}

export type WrapUpCard = ReturnType<typeof wrapUpCard>;
