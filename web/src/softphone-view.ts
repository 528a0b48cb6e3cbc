// The agent softphone shell: who is signed in, the live connection, this
// agent's state and time in state, the buttons that change it, the browser
// phone (registration in the topbar, the call card, the screen pop, the
// wrap-up form, click-to-call) and the agent's figures today beside the
// team's.

import {
  agentLogin,
  agentLogout,
  ApiError,
  cancelConsult,
  completeConsult,
  fetchAgentDirectory,
  fetchQueueItems,
  fetchSkills,
  type Me,
  type NamedItem,
  onRefusedSession,
  placeCall,
  type QueueItem,
  setAgentState,
  startConsult,
  type StateRequest,
  submitWrapUp,
  transferCall,
  type TransferTarget,
} from "./api";
import { type AgentView, elapsedText, isLoggedIn, stateText, viewFromEvent, viewFromSnapshot } from "./agent-state";
import { callCard } from "./call-card";
import { dialCard } from "./dial-card";
import { h, setAlert } from "./dom";
import { LiveFeed, type LiveMessage } from "./live";
import { myDayCard } from "./my-day";
import { Phone, type PhoneCall, type RegStatus } from "./phone";
import { type Offer, offerFromEvent, screenPopCard } from "./screen-pop";
import { wrapUpCard } from "./wrap-up";

/** If the feed shows no change this long after a successful request, re-read a snapshot. */
const FEED_GRACE_MS = 3000;

/** Wrap-up time when the call's queue (or its `wrap_up_secs`) is not known. */
const DEFAULT_WRAP_UP_SECS = 30;
/** Offers kept for matching INVITEs (the event may come before or after it). */
const MAX_OFFERS = 50;
/** How long an INVITE for a call the agent placed is answered by itself. */
const AUTO_ANSWER_MS = 60_000;

/** The text of `#sip-status`. */
export function sipStatusText(status: RegStatus): string {
  switch (status.state) {
    case "registered":
      return "Phone: registered";
    case "registering":
      return status.cause ? `Phone: registering… (${status.cause})` : "Phone: registering…";
    default:
      return `Phone: not registered${status.cause ? ` (${status.cause})` : ""}`;
  }
}

/** A wrap-up refused while the call is still ending is tried this often, this far apart. */
const WRAP_UP_TRIES = 10;
const WRAP_UP_RETRY_MS = 500;

const REASONS: Array<[string, string]> = [
  ["break", "Break"],
  ["lunch", "Lunch"],
  ["training", "Training"],
  ["back_office", "Back office"],
];

export function renderSoftphone(root: HTMLElement, me: Me, token: string, signOut: (notice?: string) => void): void {
  const agentId = me.agent && typeof me.agent.id === "string" ? me.agent.id : null;
  const name =
    (me.agent && typeof me.agent.name === "string" && me.agent.name) ||
    (me.user && typeof me.user.display_name === "string" && me.user.display_name) ||
    (me.user && typeof me.user.username === "string" && me.user.username) ||
    "Agent";

  // --- elements ---
  const connection = h("span", { id: "connection", class: "conn pending", role: "status" }, "Connecting…");
  const signOutLink = h("a", { href: "#", id: "sign-out" }, "Sign out");
  const stateEl = h("span", { id: "agent-state", class: "state-name" }, "unknown");
  const timeEl = h("span", { id: "agent-state-time", class: "state-time", "aria-label": "time in state" }, "--:--");
  const error = h("p", { id: "action-error", class: "alert", role: "alert" });
  setAlert(error, "");

  const btnLogin = h("button", { type: "button", id: "btn-login" }, "Log in to queues");
  const btnAvailable = h("button", { type: "button", id: "btn-available", class: "primary" }, "Available");
  const reasonSelect = h("select", { id: "reason" }, ...REASONS.map(([code, label]) => h("option", { value: code }, label)));
  const btnNotReady = h("button", { type: "button", id: "btn-not-ready" }, "Not ready");
  const btnDnd = h("button", { type: "button", id: "btn-dnd" }, "Do not disturb");
  const btnLogout = h("button", { type: "button", id: "btn-logout" }, "Log out of queues");

  const meDump = h("pre", { class: "dump" }, JSON.stringify(me, null, 2));
  const myDay = agentId ? myDayCard() : null;

  const sipStatus = h("span", { id: "sip-status", class: "conn pending", role: "status", "data-status": "unregistered" }, "Phone: off");
  // Remote audio plays here (Chromium decodes nothing for an unattached stream).
  const remoteAudio = h("audio", { id: "remote-audio", autoplay: true });
  const problem = (message: string) => setAlert(error, message);
  const callUi = callCard({
    answer: () => answer(),
    reject: () => phone?.call?.reject(),
    hangUp: () => phone?.call?.hangUp(),
    toggleHold: () => toggleHold(),
    toggleMute: () => {
      const call = phone?.call;
      if (call) call.setMuted(!call.muted);
    },
    digit: (d) => {
      try {
        phone?.call?.sendDigit(d);
      } catch (err) {
        problem(`The digit could not be sent: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    transfer: (target) => void callAction("transfer", target),
    consult: (target) => void callAction("consult", target),
    completeConsult: () => void callAction("complete"),
    cancelConsult: () => void callAction("cancel"),
    problem,
  });
  const pop = screenPopCard({
    queueName: (id) => queues.find((q) => q.id === id)?.name || null,
    skillName: (id) => skills.find((s) => s.id === id)?.name || null,
    callBack: (contactId) => void dial({ contact_id: contactId }),
  });
  const wrapUp = wrapUpCard(async (disposition, notes) => {
    setAlert(error, "");
    try {
      // Right after a hang-up the server may still be ending the call (its
      // BYE to the caller): it says so with a 409; try again shortly.
      for (let attempt = 1; ; attempt++) {
        try {
          await submitWrapUp(disposition, notes);
          break;
        } catch (err) {
          const ending = err instanceof ApiError && err.status === 409 && /still going on/.test(err.message);
          if (!ending || attempt >= WRAP_UP_TRIES) throw err;
          await new Promise((done) => window.setTimeout(done, WRAP_UP_RETRY_MS));
        }
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) endSession();
      else problem(err instanceof ApiError ? err.detail : err instanceof Error ? err.message : String(err));
      throw err;
    }
  });
  const dialUi = dialCard((number) => void dial({ number }), problem, () => endSession());

  const stateCard = h(
    "section",
    { class: "card", "aria-labelledby": "state-heading" },
    h("h2", { id: "state-heading" }, "My state"),
    h("p", { class: "state-line" }, stateEl, " ", timeEl),
    agentId ? null : h("p", { class: "alert" }, "This account has no agent profile, so it cannot take calls."),
    h(
      "div",
      { class: "controls" },
      h("div", { class: "row" }, btnLogin, btnLogout),
      h(
        "div",
        { class: "row" },
        btnAvailable,
        h("span", { class: "group" }, h("label", { for: "reason" }, "Reason"), reasonSelect, btnNotReady),
        btnDnd,
      ),
    ),
    error,
  );
  root.replaceChildren(
    h(
      "div",
      { class: "shell softphone" },
      h(
        "header",
        { class: "topbar" },
        h("span", { class: "brand" }, "Switchboard"),
        h("span", { id: "agent-name", class: "agent-name" }, name),
        sipStatus,
        connection,
        signOutLink,
      ),
      h(
        "div",
        { class: "phone-grid" },
        h("div", { class: "col" }, stateCard, agentId ? callUi.card : null, wrapUp.card),
        h(
          "div",
          { class: "col" },
          pop.card,
          agentId ? dialUi.card : null,
          myDay ? myDay.card : null,
          h("details", { class: "card" }, h("summary", {}, "Session details"), meDump),
        ),
      ),
      remoteAudio,
    ),
  );

  // --- state ---
  let view: AgentView | null = null;
  let busy = false;
  let updates = 0; // bumps on every state change seen from the feed
  let graceTimer: number | undefined;

  function render(): void {
    if (view) {
      stateEl.textContent = stateText(view);
      stateEl.dataset.state = view.state;
    }
    timeEl.textContent = view ? elapsedText(view.since) : "--:--";
    const known = view !== null;
    const loggedIn = isLoggedIn(view);
    const off = busy || !agentId;
    // Ringing or on a call the ACD takes no state change (409): the buttons wait.
    const onCall = view?.state === "reserved" || view?.state === "on_call";
    btnLogin.disabled = off || (known && loggedIn);
    btnLogout.disabled = off || (known && !loggedIn);
    btnAvailable.disabled = off || onCall || (known && (!loggedIn || view?.state === "available"));
    btnNotReady.disabled = off || onCall || (known && !loggedIn);
    reasonSelect.disabled = btnNotReady.disabled;
    btnDnd.disabled = off || onCall || (known && (!loggedIn || view?.state === "do_not_disturb"));
  }

  function setView(next: AgentView): void {
    // Keep the time in state across snapshots that do not say since when.
    if (next.since === null && view && view.state === next.state && view.reason === next.reason) {
      next = { ...next, since: view.since };
    }
    if (next.since === null) next = { ...next, since: Date.now() };
    view = next;
    updates += 1;
    render();
  }

  function onMessage(msg: LiveMessage): void {
    if (!agentId) return;
    if ((msg.type === "snapshot" || msg.type === "resync") && msg.snapshot) {
      setView(viewFromSnapshot(msg.snapshot, agentId));
    } else if (msg.type === "event") {
      const next = viewFromEvent(msg.event, agentId);
      if (next) setView(next);
      const offer = offerFromEvent(msg.event, agentId);
      if (offer) rememberOffer(offer);
    }
  }

  function onConnection(connected: boolean): void {
    connection.textContent = connected ? "Connected" : "Connection lost — reconnecting…";
    connection.className = `conn ${connected ? "ok" : "lost"}`;
  }

  function endSession(): void {
    stop();
    signOut("Your session has ended. Please sign in again.");
  }

  const onFailedToOpen = onRefusedSession(endSession);

  const feed = agentId ? new LiveFeed(token, { message: onMessage, connection: onConnection, failedToOpen: onFailedToOpen }) : null;
  void myDay?.refresh();

  async function act(run: () => Promise<void>): Promise<void> {
    busy = true;
    setAlert(error, "");
    render();
    try {
      await run();
      // The feed normally reports the change; if it does not, take a fresh snapshot.
      const seen = updates;
      window.clearTimeout(graceTimer);
      graceTimer = window.setTimeout(() => {
        if (updates === seen) feed?.refresh();
      }, FEED_GRACE_MS);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        endSession();
        return;
      }
      setAlert(error, err instanceof Error ? err.message : String(err));
    } finally {
      busy = false;
      render();
    }
  }

  const stateBody = (body: StateRequest) => () => setAgentState(body);
  btnLogin.addEventListener("click", () => void act(agentLogin));
  btnLogout.addEventListener("click", () => void act(agentLogout));
  btnAvailable.addEventListener("click", () => void act(stateBody({ state: "available" })));
  btnNotReady.addEventListener(
    "click",
    () => void act(stateBody({ state: "not_ready", reason: { code: reasonSelect.value } })),
  );
  btnDnd.addEventListener("click", () => void act(stateBody({ state: "do_not_disturb" })));

  // --- the phone ---
  let queues: QueueItem[] = [];
  let agents: NamedItem[] = [];
  let skills: NamedItem[] = [];
  /** The last offer of each call to this agent (its queue, why this agent). */
  const offers = new Map<string, Offer>();
  let shownCall: PhoneCall | null = null;
  let shownState = "";
  let callBusy = false; // a transfer or consult request is on its way
  let consulting = false;
  let dialing: Promise<string | null> | null = null;
  /** The call the agent just placed: its INVITE to this browser is answered by itself. */
  let dialed: { callId: string; at: number } | null = null;
  let statsBusy = false;

  const messageOf = (err: unknown) => (err instanceof ApiError ? err.detail : err instanceof Error ? err.message : String(err));

  function rememberOffer(offer: Offer): void {
    offers.delete(offer.callId);
    offers.set(offer.callId, offer);
    while (offers.size > MAX_OFFERS) {
      const oldest = offers.keys().next().value;
      if (oldest === undefined) break;
      offers.delete(oldest);
    }
    pop.setOffer(offer);
  }

  /** Queue names and wrap-up times, skill names, the transfer targets. */
  async function loadDirectory(): Promise<void> {
    const [q, s, a] = await Promise.allSettled([
      fetchQueueItems(),
      skills.length > 0 ? Promise.resolve(skills) : fetchSkills(),
      fetchAgentDirectory(),
    ]);
    if (q.status === "fulfilled") queues = q.value;
    if (s.status === "fulfilled") skills = s.value;
    if (a.status === "fulfilled") agents = a.value.filter((x) => x.id !== agentId);
    callUi.setTargets(queues, agents);
    pop.refreshNames();
  }

  function renderCall(): void {
    const call = phone?.call ?? null;
    callUi.render(call, { busy: callBusy, consulting });
    const idle = call === null && dialing === null;
    dialUi.setEnabled(idle && phone?.status.state === "registered");
    pop.setCallBackEnabled(idle);
  }

  function onSipStatus(status: RegStatus): void {
    sipStatus.textContent = sipStatusText(status);
    sipStatus.dataset.status = status.state;
    sipStatus.className = `conn ${status.state === "registered" ? "ok" : status.state === "registering" ? "pending" : "lost"}`;
    renderCall();
  }

  /** Focus moves to the call's control only when nothing else has it (or it was on a control just hidden). */
  function focusCall(code: "ringing" | "in_call"): void {
    const active = document.activeElement;
    if (!active || active === document.body || (active instanceof HTMLElement && active.closest("#call") && active.offsetParent === null)) {
      callUi.focusFor(code);
    }
  }

  function onCall(call: PhoneCall): void {
    if (call !== shownCall) {
      shownCall = call;
      shownState = call.state;
      consulting = false;
      callBusy = false;
      setAlert(error, "");
      callUi.setNote("");
      wrapUp.clearDone();
      pop.show(call, call.callId ? (offers.get(call.callId) ?? null) : null);
      void loadDirectory();
      renderCall();
      focusCall("ringing");
      void maybeAutoAnswer(call);
      return;
    }
    const before = shownState;
    shownState = call.state;
    renderCall();
    if (call.state === "in_call" && before !== "in_call") {
      dialUi.setStatus("");
      focusCall("in_call");
    }
  }

  function onCallEnded(call: PhoneCall): void {
    consulting = false;
    callBusy = false;
    shownCall = null;
    shownState = "";
    const cause = call.endCause ? ` (${call.endCause.toLowerCase()})` : "";
    setAlert(error, ""); // what was said about this call's controls is moot now
    if (call.wasAnswered) {
      const offer = call.callId ? offers.get(call.callId) : undefined;
      const queue = offer?.queueId ? queues.find((q) => q.id === offer.queueId) : undefined;
      wrapUp.begin(queue?.wrapUpSecs ?? DEFAULT_WRAP_UP_SECS);
      pop.ended();
      callUi.setNote(`Call ended${cause}.`);
    } else {
      pop.hide();
      callUi.setNote(`Call not taken${cause}.`);
    }
    dialUi.setStatus("");
    renderCall();
  }

  const phone = agentId ? new Phone(remoteAudio, { status: onSipStatus, call: onCall, ended: onCallEnded }) : null;

  function answer(): void {
    const call = phone?.call;
    if (!call) return;
    setAlert(error, "");
    try {
      call.answer();
    } catch (err) {
      problem(`The call could not be answered: ${messageOf(err)}`);
    }
  }

  /** Answers the INVITE of a call the agent just placed (it may come before the 202 does). */
  async function maybeAutoAnswer(call: PhoneCall): Promise<void> {
    if (dialing) await dialing;
    if (!dialed || Date.now() - dialed.at > AUTO_ANSWER_MS) return;
    if (call.callId !== null && call.callId === dialed.callId && call.state === "ringing" && phone?.call === call) {
      dialed = null;
      answer();
    }
  }

  function toggleHold(): void {
    const call = phone?.call;
    if (!call) return;
    setAlert(error, "");
    if (!call.setHold(!call.held)) {
      problem(call.held ? "The call cannot be resumed right now; try again." : "The call cannot be put on hold right now; try again.");
    }
  }

  async function callAction(kind: "transfer" | "consult" | "complete" | "cancel", target?: TransferTarget): Promise<void> {
    const callId = phone?.call?.callId;
    if (!callId || callBusy) return;
    callBusy = true;
    setAlert(error, "");
    renderCall();
    try {
      if (kind === "transfer" && target) {
        await transferCall(callId, target);
        callUi.setNote("Transfer requested: the call is on its way.");
      } else if (kind === "consult" && target) {
        await startConsult(callId, target);
        consulting = true;
        callUi.setNote("Consulting: the caller is on hold.");
      } else if (kind === "complete") {
        await completeConsult(callId);
        consulting = false;
        callUi.setNote("Transfer completed.");
      } else if (kind === "cancel") {
        await cancelConsult(callId);
        consulting = false;
        callUi.setNote("Back with the caller.");
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        endSession();
        return;
      }
      problem(messageOf(err));
    } finally {
      callBusy = false;
      renderCall();
    }
  }

  /** Click-to-call: the server rings this browser first, then the number. */
  async function dial(body: { number: string } | { contact_id: string }): Promise<void> {
    if (dialing || phone?.call) return;
    setAlert(error, "");
    dialUi.setStatus("Calling… your phone rings first.");
    const attempt = placeCall(body).then(
      (callId) => {
        dialed = { callId, at: Date.now() };
        dialUi.clear();
        return callId;
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) endSession();
        else problem(messageOf(err));
        dialUi.setStatus("");
        return null;
      },
    );
    dialing = attempt;
    renderCall();
    await attempt;
    dialing = null;
    renderCall();
  }

  async function pollStats(): Promise<void> {
    const call = phone?.call;
    if (!call || call.state !== "in_call" || statsBusy) return;
    statsBusy = true;
    try {
      const stats = await call.audioStats();
      if (stats && phone?.call === call) callUi.setAudio(stats);
    } catch {
      // no statistics this second
    } finally {
      statsBusy = false;
    }
  }

  const ticker = window.setInterval(() => {
    if (view) timeEl.textContent = elapsedText(view.since);
    if (phone?.call?.state === "in_call") {
      renderCall();
      void pollStats();
    }
  }, 1000);

  function stop(): void {
    window.clearInterval(ticker);
    window.clearTimeout(graceTimer);
    feed?.stop();
    phone?.stop();
    wrapUp.stop();
  }

  signOutLink.addEventListener("click", (ev) => {
    ev.preventDefault();
    stop();
    signOut();
  });

  render();
  renderCall();
  if (feed) feed.start();
  else {
    connection.textContent = "Not connected (no agent profile)";
    connection.className = "conn lost";
  }
  if (phone) {
    phone.start();
    void loadDirectory();
  } else {
    onSipStatus({ state: "unregistered", cause: "no agent profile" });
  }
}
