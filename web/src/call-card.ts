// The call controls card (`#call`): answer or reject while ringing; in a
// call the status and its timer, hold/resume, mute, hang up, the DTMF
// keypad, blind and warm transfer (to a queue, an agent or a number), and
// the audio line read from WebRTC statistics.

import type { NamedItem, TransferTarget } from "./api";
import { elapsedText } from "./agent-state";
import { h } from "./dom";
import type { AudioStats, PhoneCall } from "./phone";

/** What the card's buttons ask for; the view carries it out. */
export interface CallCardActions {
  answer(): void;
  reject(): void;
  hangUp(): void;
  toggleHold(): void;
  toggleMute(): void;
  digit(d: string): void;
  transfer(target: TransferTarget): void;
  consult(target: TransferTarget): void;
  completeConsult(): void;
  cancelConsult(): void;
  /** A message for the agent (a bad transfer target). */
  problem(message: string): void;
}

const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** A plausible E.164 number: + then 7 to 15 digits (spaces, dots, dashes and brackets dropped). */
export function e164(input: string): string | null {
  const n = input.replace(/[\s().-]/g, "");
  return /^\+[1-9]\d{6,14}$/.test(n) ? n : null;
}

export function callCard(actions: CallCardActions) {
  const status = h("p", { id: "call-status", class: "call-status", role: "status", "data-status": "idle" }, "No call");
  const note = h("p", { id: "call-note", class: "note", role: "status" }, "");
  const audioLine = h("p", { id: "call-audio", class: "call-audio" }, "Audio: —");

  const btnAnswer = h("button", { type: "button", id: "btn-answer", class: "primary" }, "Answer");
  const btnReject = h("button", { type: "button", id: "btn-reject" }, "Reject");
  const btnHold = h("button", { type: "button", id: "btn-hold" }, "Hold");
  const btnMute = h("button", { type: "button", id: "btn-mute", "aria-pressed": "false" }, "Mute");
  const btnHangup = h("button", { type: "button", id: "btn-hangup", class: "danger" }, "Hang up");

  const digitsSent = h("output", { id: "keypad-digits", class: "keypad-digits", "aria-label": "digits sent" }, "");
  const keypad = h(
    "div",
    { id: "keypad", class: "keypad", role: "group", "aria-label": "Keypad" },
    ...DIGITS.map((d) => h("button", { type: "button", "data-digit": d, "aria-label": `Digit ${d}` }, d)),
  );

  const target = h("select", { id: "transfer-target" });
  const number = h("input", {
    id: "transfer-number",
    type: "tel",
    inputmode: "tel",
    autocomplete: "off",
    placeholder: "+44…",
  });
  const btnTransfer = h("button", { type: "button", id: "btn-transfer" }, "Transfer");
  const btnConsult = h("button", { type: "button", id: "btn-consult" }, "Consult first");
  const btnComplete = h("button", { type: "button", id: "btn-consult-complete", class: "primary" }, "Complete transfer");
  const btnCancel = h("button", { type: "button", id: "btn-consult-cancel" }, "Back to caller");

  const ringingRow = h("div", { class: "row" }, btnAnswer, btnReject);
  const inCallRow = h("div", { class: "row" }, btnHold, btnMute, btnHangup);
  const keypadBox = h("div", { class: "keypad-box" }, keypad, digitsSent);
  const transferBox = h(
    "fieldset",
    { class: "transfer" },
    h("legend", {}, "Transfer"),
    h("div", { class: "field" }, h("label", { for: "transfer-target" }, "Transfer to"), target),
    h("div", { class: "field" }, h("label", { for: "transfer-number" }, "Or an outside number"), number),
    h("div", { class: "row" }, btnTransfer, btnConsult),
    h("div", { class: "row" }, btnComplete, btnCancel),
  );
  const inCallBox = h("div", { class: "in-call" }, inCallRow, h("div", { class: "call-tools" }, keypadBox, transferBox));

  const card = h(
    "section",
    { id: "call", class: "card call", "aria-labelledby": "call-heading" },
    h("h2", { id: "call-heading" }, "Call"),
    status,
    ringingRow,
    inCallBox,
    audioLine,
    note,
  );

  btnAnswer.addEventListener("click", () => actions.answer());
  btnReject.addEventListener("click", () => actions.reject());
  btnHangup.addEventListener("click", () => actions.hangUp());
  btnHold.addEventListener("click", () => actions.toggleHold());
  btnMute.addEventListener("click", () => actions.toggleMute());
  keypad.addEventListener("click", (ev) => {
    const button = (ev.target as HTMLElement).closest("button");
    const d = button?.dataset.digit;
    if (!d) return;
    actions.digit(d);
    digitsSent.textContent = `${digitsSent.textContent ?? ""}${d}`.slice(-24);
  });

  /** The target chosen: the number when one is typed, else the select's entry. */
  function chosen(): TransferTarget | null {
    const typed = number.value.trim();
    if (typed !== "") {
      const n = e164(typed);
      if (!n) {
        actions.problem("Enter the number in international format, e.g. +442079460000.");
        number.focus();
        return null;
      }
      return { type: "number", number: n };
    }
    const [kind, id] = target.value.split(":", 2);
    if (kind === "queue" && id) return { type: "queue", queue_id: id };
    if (kind === "agent" && id) return { type: "agent", agent_id: id };
    actions.problem("Choose a queue or an agent, or type a number.");
    target.focus();
    return null;
  }
  btnTransfer.addEventListener("click", () => {
    const t = chosen();
    if (t) actions.transfer(t);
  });
  btnConsult.addEventListener("click", () => {
    const t = chosen();
    if (t) actions.consult(t);
  });
  btnComplete.addEventListener("click", () => actions.completeConsult());
  btnCancel.addEventListener("click", () => actions.cancelConsult());

  let lastCall: PhoneCall | null = null;

  return {
    card,
    /** The queues and agents a call can go to (the agent's own entry left out by the caller). */
    setTargets(queues: NamedItem[], agents: NamedItem[]): void {
      const keep = target.value;
      const opt = (value: string, label: string) => h("option", { value }, label);
      const groups: Node[] = [opt("", "Choose…")];
      if (queues.length > 0) groups.push(h("optgroup", { label: "Queues" }, ...queues.map((q) => opt(`queue:${q.id}`, q.name || q.id))));
      if (agents.length > 0) {
        groups.push(
          h(
            "optgroup",
            { label: "Agents" },
            ...agents.map((a) => opt(`agent:${a.id}`, a.extension ? `${a.name || a.id} (${a.extension})` : a.name || a.id)),
          ),
        );
      }
      target.replaceChildren(...groups);
      if ([...target.options].some((o) => o.value === keep)) target.value = keep;
    },

    /** Shows `call` (null: no call); `busy` while a request for it is on its way; `consulting` after a consult began. */
    render(call: PhoneCall | null, opts: { busy: boolean; consulting: boolean }): void {
      if (call !== lastCall) {
        lastCall = call;
        digitsSent.textContent = "";
        number.value = "";
        if (call) {
          audioLine.textContent = "Audio: no packets received yet";
          for (const a of ["data-packets-received", "data-packets-sent", "data-audio-energy"]) audioLine.removeAttribute(a);
        }
      }
      const state = call ? call.state : "ended";
      let code = "idle";
      let text = "No call";
      if (call && state === "ringing") {
        code = "ringing";
        text = "Ringing…";
      } else if (call && state === "answering") {
        code = "connecting";
        text = "Connecting…";
      } else if (call && state === "in_call") {
        code = call.held ? "held" : "in_call";
        text = call.held ? "On hold" : `In call ${elapsedText(call.answeredAt)}`;
        if (call.holdPending) text += call.held ? " (resuming…)" : " (putting on hold…)";
        if (opts.consulting) text += " · consulting";
      }
      status.textContent = text;
      status.dataset.status = code;
      if (call && call.callId) card.dataset.callId = call.callId;
      else if (!call) delete card.dataset.callId;
      card.dataset.state = code;

      const ringing = code === "ringing";
      const inCall = code === "in_call" || code === "held";
      ringingRow.hidden = !ringing;
      inCallBox.hidden = !inCall;
      audioLine.hidden = !call || ringing;
      btnAnswer.disabled = opts.busy;
      btnReject.disabled = opts.busy;

      btnHold.textContent = call?.held ? "Resume" : "Hold";
      btnHold.disabled = !inCall || !!call?.holdPending;
      const muted = !!call?.muted;
      btnMute.textContent = muted ? "Unmute" : "Mute";
      btnMute.setAttribute("aria-pressed", String(muted));
      btnMute.disabled = !inCall;
      btnHangup.disabled = !inCall;
      for (const b of keypad.querySelectorAll("button")) b.disabled = code !== "in_call";

      const canMove = inCall && !!call?.callId && !opts.busy;
      btnTransfer.disabled = !canMove || opts.consulting;
      btnConsult.disabled = !canMove || opts.consulting;
      btnComplete.hidden = !opts.consulting;
      btnCancel.hidden = !opts.consulting;
      btnComplete.disabled = !canMove;
      btnCancel.disabled = !canMove;
      target.disabled = opts.consulting;
      number.disabled = opts.consulting;
    },

    /** The audio line from the call's statistics; data-* for whoever checks the call quality. */
    setAudio(stats: AudioStats): void {
      audioLine.dataset.packetsReceived = String(stats.packetsReceived);
      audioLine.dataset.packetsSent = String(stats.packetsSent);
      audioLine.dataset.audioEnergy = String(stats.audioEnergy);
      const sending = `sending (${stats.packetsSent} packets)`;
      audioLine.textContent =
        stats.packetsReceived > 0 ? `Audio: receiving (${stats.packetsReceived} packets) · ${sending}` : `Audio: no packets received yet · ${sending}`;
    },

    setNote(text: string): void {
      note.textContent = text;
    },

    /** Moves the keyboard to the control that matters now. */
    focusFor(code: "ringing" | "in_call"): void {
      (code === "ringing" ? btnAnswer : btnHangup).focus();
    },
  };
}

export type CallCard = ReturnType<typeof callCard>;
