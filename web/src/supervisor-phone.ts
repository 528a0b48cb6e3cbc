// The supervisor's browser phone on the wallboard and what it is used for:
// monitor, whisper, barge and take over (POST/DELETE
// /api/v1/calls/{id}/supervision). The server rings this phone with an
// INVITE carrying `X-Switchboard-Call`; the one for the call just asked for
// is answered by itself, any other rings in a small panel (Answer/Reject).
// `#supervision` says which call, which mode and whether the phone is on it
// yet (data-state ringing | joined | none).

import { ApiError, type Me, stopSupervising, superviseCall, type SupervisionMode } from "./api";
import { h } from "./dom";
import { Phone, type PhoneCall, type RegStatus } from "./phone";
import { sipStatusText } from "./softphone-view";

/** How long after asking the INVITE of the supervised call is answered by itself. */
const AUTO_ANSWER_MS = 30_000;

export const MODES: Array<[SupervisionMode, string]> = [
  ["monitor", "Monitor"],
  ["whisper", "Whisper"],
  ["barge", "Barge"],
  ["take_over", "Take over"],
];

/** Who is on a call, for the status line: the agent's name and the caller (contact name or number). */
export interface CallWho {
  agent: string | null;
  caller: string | null;
}

/** What the wallboard knows of a live call's people: the agent, the caller's contact name and number. */
export interface CallPeople {
  agent: string | null;
  callerName: string | null;
  number: string | null;
}

export interface SupervisorPhoneOptions {
  /** The agent and the caller of a live call, as the wallboard knows them now. */
  describe(callId: string): CallPeople;
  /** The supervision or the phone changed: redraw the call rows' buttons. */
  changed(): void;
  /** Shows a message in the wallboard's alert ("" clears it). */
  problem(message: string): void;
  /** The server refused the session (401). */
  sessionEnded(): void;
}

/** What the supervisor is on: the call, the mode asked, whether their phone's call is up. */
export interface SupervisionView {
  callId: string;
  mode: SupervisionMode;
  state: "ringing" | "joined";
}

interface Supervising {
  callId: string;
  mode: SupervisionMode;
  /** When it was asked (epoch ms): the INVITE is answered by itself for a while after. */
  askedAt: number;
  /** A switch of mode on its way. */
  switching: SupervisionMode | null;
  /** Last known names (the agent is gone from the call after a take-over). */
  agent: string | null;
  caller: string | null;
  /** `caller` is a name (not just the number). */
  callerNamed: boolean;
}

const messageOf = (err: unknown) => (err instanceof ApiError ? err.detail : err instanceof Error ? err.message : String(err));

/** "Whispering on Alice Senior's call (Grace Hopper)", by mode and by whether the phone is on it yet. */
export function supervisionText(mode: SupervisionMode, joined: boolean, who: CallWho): string {
  const call = `${who.agent ? `${who.agent}'s call` : "the call"}${who.caller ? ` (${who.caller})` : ""}`;
  switch (mode) {
    case "monitor":
      return `Monitoring ${call}`;
    case "whisper":
      return `Whispering on ${call}`;
    case "barge":
      return joined ? `Barged in on ${call}` : `Barging in on ${call}`;
    case "take_over":
      return joined ? `Took over ${call}` : `Taking over ${call}`;
  }
}

/** The text of the wallboard's `#sip-status` (the softphone's, but "not set up" without a SIP account). */
function phoneStatusText(status: RegStatus): string {
  if (status.state === "failed" && status.httpStatus === 409) {
    return `Phone: not set up (${status.cause ?? "no SIP account"})`;
  }
  return sipStatusText(status);
}

export function supervisorPhone(me: Me, opts: SupervisorPhoneOptions) {
  const hasAgent = !!me.agent && typeof me.agent.id === "string";

  // --- elements ---
  const sipStatus = h("span", { id: "sip-status", class: "conn pending", role: "status", "data-status": "unregistered" }, "Phone: off");
  // Remote audio plays here (Chromium decodes nothing for an unattached stream).
  const remoteAudio = h("audio", { id: "remote-audio", autoplay: true });
  const status = h("p", { id: "supervision", class: "supervision", role: "status", "data-state": "none" }, "Not on a call");

  const callStatus = h("span", { id: "phone-call-status", class: "phone-call-status", role: "status", "data-status": "idle" }, "");
  const btnAnswer = h("button", { type: "button", id: "btn-phone-answer", class: "primary small" }, "Answer");
  const btnReject = h("button", { type: "button", id: "btn-phone-reject", class: "small" }, "Reject");
  const btnHangup = h("button", { type: "button", id: "btn-phone-hangup", class: "danger small" }, "Hang up");
  const callPanel = h(
    "div",
    { id: "phone-call", class: "phone-call", role: "group", "aria-label": "Your phone", hidden: true },
    callStatus,
    btnAnswer,
    btnReject,
    btnHangup,
  );
  const bar = h("section", { class: "card supervision-bar", "aria-label": "Supervision" }, status, callPanel);

  // --- state ---
  let supervising: Supervising | null = null;
  /** The phone call answered by itself for the supervision. */
  let autoAnswered: PhoneCall | null = null;
  let busy = false; // a supervision request is on its way
  let stopped = false;

  /** Sets a live region's text only when it changes (no repeated announcements). */
  const setText = (el: HTMLElement, text: string) => {
    if (el.textContent !== text) el.textContent = text;
  };

  const phoneCallFor = (callId: string): PhoneCall | null => {
    const call = phone?.call ?? null;
    return call && call.callId === callId && call.state !== "ended" ? call : null;
  };

  function view(): SupervisionView | null {
    if (!supervising) return null;
    const call = phoneCallFor(supervising.callId);
    return { callId: supervising.callId, mode: supervising.mode, state: call?.state === "in_call" ? "joined" : "ringing" };
  }

  /** Keeps the names up: the contact's name (the wallboard's, or the INVITE's From) over the number. */
  function learn(s: Supervising): void {
    const who = opts.describe(s.callId);
    s.agent = who.agent ?? s.agent;
    const name = who.callerName ?? (phoneCallFor(s.callId)?.displayName || null);
    if (name) {
      s.caller = name;
      s.callerNamed = true;
    } else if (!s.callerNamed) s.caller = who.number ?? s.caller;
  }

  function renderStatus(): void {
    const now = view();
    if (!supervising || !now) {
      setText(status, "Not on a call");
      status.dataset.state = "none";
      delete status.dataset.mode;
      delete status.dataset.callId;
      return;
    }
    learn(supervising);
    const joined = now.state === "joined";
    let text = supervisionText(supervising.mode, joined, { agent: supervising.agent, caller: supervising.caller });
    text += joined ? " — joined" : " — ringing your phone…";
    if (supervising.switching) text += ` (switching to ${supervising.switching.replace(/_/g, " ")}…)`;
    setText(status, text);
    status.dataset.state = now.state;
    status.dataset.mode = supervising.mode;
    status.dataset.callId = supervising.callId;
  }

  /** Whether `call` is the supervision's: answered by itself, or answered for it from the panel. */
  const forSupervision = (call: PhoneCall) =>
    supervising !== null && call.callId === supervising.callId && (call === autoAnswered || call.state !== "ringing");

  /**
   * The panel for any other call (a direct call to the supervisor, or the
   * supervised call's INVITE come too late to be answered by itself).
   */
  function renderPanel(): void {
    const call = phone?.call ?? null;
    const other = call && call.state !== "ended" && !forSupervision(call) ? call : null;
    callPanel.hidden = other === null;
    if (!other) {
      callStatus.dataset.status = "idle";
      setText(callStatus, "");
      return;
    }
    const who = [other.displayName, other.number].filter((s) => s !== "").join(" ") || "unknown caller";
    const code = other.state === "ringing" ? "ringing" : other.state === "answering" ? "connecting" : "in_call";
    callStatus.dataset.status = code;
    const text = code === "ringing" ? `Incoming call: ${who}` : code === "connecting" ? `Connecting… ${who}` : `On a call with ${who}`;
    setText(callStatus, text);
    btnAnswer.hidden = code !== "ringing";
    btnReject.hidden = code !== "ringing";
    btnHangup.hidden = code === "ringing";
  }

  function render(): void {
    renderStatus();
    renderPanel();
    opts.changed();
  }

  function reset(): void {
    supervising = null;
    render();
  }

  // --- the phone ---
  function onSipStatus(s: RegStatus): void {
    sipStatus.textContent = phoneStatusText(s);
    sipStatus.dataset.status = s.state;
    sipStatus.className = `conn ${s.state === "registered" ? "ok" : s.state === "registering" ? "pending" : "lost"}`;
  }

  function answer(call: PhoneCall): void {
    try {
      call.answer();
    } catch (err) {
      opts.problem(`The call could not be answered: ${messageOf(err)}`);
    }
  }

  let shown: PhoneCall | null = null;
  function onCall(call: PhoneCall): void {
    if (call !== shown) {
      shown = call;
      const s = supervising;
      if (s && call.callId === s.callId && call.state === "ringing" && Date.now() - s.askedAt <= AUTO_ANSWER_MS) {
        autoAnswered = call;
        answer(call);
      }
    }
    render();
  }

  function onEnded(call: PhoneCall): void {
    if (shown === call) shown = null;
    if (autoAnswered === call) autoAnswered = null;
    if (supervising && call.callId === supervising.callId) {
      reset();
      return;
    }
    render();
  }

  const phone = hasAgent ? new Phone(remoteAudio, { status: onSipStatus, call: onCall, ended: onEnded }) : null;

  btnAnswer.addEventListener("click", () => {
    const call = phone?.call;
    if (call) answer(call);
  });
  btnReject.addEventListener("click", () => phone?.call?.reject());
  btnHangup.addEventListener("click", () => phone?.call?.hangUp());

  /** A failed request: the session's end, or the server's words in the alert. */
  function failed(err: unknown): void {
    if (err instanceof ApiError && err.status === 401) opts.sessionEnded();
    else opts.problem(messageOf(err));
  }

  // --- the actions ---
  async function supervise(callId: string, mode: SupervisionMode): Promise<void> {
    if (busy || stopped) return;
    const current = supervising;
    if (current && current.callId !== callId) {
      opts.problem("You are on another call: leave it first.");
      return;
    }
    if (current && current.mode === mode && !current.switching) return;
    opts.problem("");
    busy = true;
    if (current) current.switching = mode;
    else {
      supervising = { callId, mode, askedAt: Date.now(), switching: null, agent: null, caller: null, callerNamed: false };
      learn(supervising);
    }
    render();
    try {
      await superviseCall(callId, mode);
      if (stopped) return;
      if (supervising && supervising.callId === callId) {
        supervising.mode = mode;
        supervising.switching = null;
      }
    } catch (err) {
      if (stopped) return;
      if (supervising && supervising.callId === callId) {
        if (current) supervising.switching = null;
        // A refused first request: nothing rings (unless the INVITE already came).
        else if (!phoneCallFor(callId)) supervising = null;
      }
      failed(err);
    } finally {
      busy = false;
      if (!stopped) render();
    }
  }

  async function leave(callId: string): Promise<void> {
    if (busy || stopped) return;
    opts.problem("");
    busy = true;
    render();
    try {
      await stopSupervising(callId);
    } catch (err) {
      // 409/404: the server has us on it no more (e.g. after a take-over the
      // call is ours: hanging up ends it); anything else stays as it was.
      if (!(err instanceof ApiError && (err.status === 409 || err.status === 404))) {
        busy = false;
        if (!stopped) {
          failed(err);
          render();
        }
        return;
      }
    }
    busy = false;
    if (stopped) return;
    phoneCallFor(callId)?.hangUp();
    if (supervising && supervising.callId === callId) supervising = null;
    render();
  }

  return {
    /** The topbar's `#sip-status`. */
    sipStatus,
    /** The hidden `<audio id="remote-audio">`. */
    remoteAudio,
    /** The bar with `#supervision` and the panel of other calls. */
    bar,
    start(): void {
      if (phone) phone.start();
      else {
        onSipStatus({ state: "unregistered", cause: "no agent profile" });
        sipStatus.textContent = "Phone: not set up (no agent profile)";
      }
      render();
    },
    supervise: (callId: string, mode: SupervisionMode) => void supervise(callId, mode),
    leave: (callId: string) => void leave(callId),
    /** What the supervisor is on now, if anything. */
    get current(): SupervisionView | null {
      return view();
    },
    /** A supervision request is on its way. */
    get busy(): boolean {
      return busy;
    },
    /** The wallboard's names changed: the status line again. */
    refresh(): void {
      renderStatus();
      renderPanel();
    },
    /** The feed says the call is over: without a phone call up for it, there is nothing to wait for. */
    callEnded(callId: string): void {
      if (supervising && supervising.callId === callId && !phoneCallFor(callId)) reset();
    },
    /** Hangs up and unregisters (sign-out, leaving the page). */
    stop(): void {
      if (stopped) return;
      stopped = true;
      supervising = null;
      phone?.stop();
    },
  };
}

export type SupervisorPhone = ReturnType<typeof supervisorPhone>;
