// The agent softphone shell: who is signed in, the live connection, this
// agent's state and time in state, the buttons that change it, and the
// agent's figures today beside the team's.

import { agentLogin, agentLogout, ApiError, onRefusedSession, setAgentState, type Me, type StateRequest } from "./api";
import { type AgentView, elapsedText, isLoggedIn, stateText, viewFromEvent, viewFromSnapshot } from "./agent-state";
import { h, setAlert } from "./dom";
import { LiveFeed, type LiveMessage } from "./live";
import { myDayCard } from "./my-day";

/** If the feed shows no change this long after a successful request, re-read a snapshot. */
const FEED_GRACE_MS = 3000;

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

  root.replaceChildren(
    h(
      "div",
      { class: "shell" },
      h(
        "header",
        { class: "topbar" },
        h("span", { class: "brand" }, "Switchboard"),
        h("span", { id: "agent-name", class: "agent-name" }, name),
        connection,
        signOutLink,
      ),
      h(
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
      ),
      myDay ? myDay.card : null,
      h("details", { class: "card" }, h("summary", {}, "Session details"), meDump),
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
    btnLogin.disabled = off || (known && loggedIn);
    btnLogout.disabled = off || (known && !loggedIn);
    btnAvailable.disabled = off || (known && (!loggedIn || view?.state === "available"));
    btnNotReady.disabled = off || (known && !loggedIn);
    reasonSelect.disabled = btnNotReady.disabled;
    btnDnd.disabled = off || (known && (!loggedIn || view?.state === "do_not_disturb"));
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
    }
  }

  function onConnection(connected: boolean): void {
    connection.textContent = connected ? "Connected" : "Connection lost — reconnecting…";
    connection.className = `conn ${connected ? "ok" : "lost"}`;
  }

  const onFailedToOpen = onRefusedSession(() => {
    stop();
    signOut("Your session has ended. Please sign in again.");
  });

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
        stop();
        signOut("Your session has ended. Please sign in again.");
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

  const ticker = window.setInterval(() => {
    if (view) timeEl.textContent = elapsedText(view.since);
  }, 1000);

  function stop(): void {
    window.clearInterval(ticker);
    window.clearTimeout(graceTimer);
    feed?.stop();
  }

  signOutLink.addEventListener("click", (ev) => {
    ev.preventDefault();
    stop();
    signOut();
  });

  render();
  if (feed) feed.start();
  else {
    connection.textContent = "Not connected (no agent profile)";
    connection.className = "conn lost";
  }
}
