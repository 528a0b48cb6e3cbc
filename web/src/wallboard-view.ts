// The supervisor wallboard: queue figures, agents' states and the live calls
// of the tenant, kept up from the live feed only (the names are read once,
// and again after a reconnect). With an agent profile the supervisor's
// browser phone runs here too: each connected call can be monitored,
// whispered to, barged into or taken over; a waiting call moved or
// re-prioritised; an agent's state set.

import {
  ApiError,
  fetchAgents,
  fetchContact,
  fetchQueues,
  type Me,
  moveCall,
  type NamedItem,
  onRefusedSession,
  setAgentStateFor,
  setCallPriority,
} from "./api";
import { elapsedText, stateText, words } from "./agent-state";
import { agentStateMenu } from "./agent-state-menu";
import { type CallActions, callActions, type MoveTargets } from "./call-actions";
import { h, setAlert } from "./dom";
import { roleOf, topbar, userNameOf } from "./topbar";
import { KeyedRows, type RowSpec } from "./keyed-rows";
import { LiveFeed, type LiveMessage } from "./live";
import { supervisorPhone } from "./supervisor-phone";
import { type LiveCallRow, type QueueFigures, WallboardState } from "./wallboard-model";

const messageOf = (err: unknown) => (err instanceof ApiError ? err.detail : err instanceof Error ? err.message : String(err));

/** Whole seconds as mm:ss (minutes keep counting past 59). */
function secsText(secs: number): string {
  return elapsedText(0, secs * 1000);
}

function shortId(id: string): string {
  return id.slice(0, 8);
}

function percentText(value: number | null): string {
  return value === null ? "—" : `${Math.round(value)}%`;
}

/** A cell whose mm:ss counts up from `since` each second; "--:--" when unknown. */
function sinceCell(since: number | null): HTMLTableCellElement {
  const cell = h("td", { class: "num time" }, elapsedText(since));
  if (since !== null) cell.dataset.since = String(since);
  return cell;
}

function headRow(...labels: Array<[string, string?]>): HTMLTableRowElement {
  return h("tr", {}, ...labels.map(([label, cls]) => h("th", { scope: "col", class: cls }, label)));
}

/** A one-cell row saying the table is empty. */
function emptyRow(columns: number, text: string): HTMLTableRowElement {
  return h("tr", { class: "empty" }, h("td", { colspan: String(columns) }, text));
}

function callStateText(call: LiveCallRow): string {
  if (call.state === "ivr") return "in IVR";
  if (call.state === "queued" && call.position !== null) return `queued (#${call.position})`;
  return words(call.state);
}

/** Shows the wallboard (with `nav` in its header) until the returned function stops it. */
export function renderWallboard(
  root: HTMLElement,
  me: Me,
  token: string,
  signOut: (notice?: string) => void,
  nav?: HTMLElement,
): () => void {
  const userName = userNameOf(me, "Supervisor");
  const role = roleOf(me);
  const myUserId = me.user && typeof me.user.id === "string" ? me.user.id : null;

  // --- elements ---
  const connection = h("span", { id: "connection", class: "conn pending", role: "status" }, "Connecting…");
  const signOutLink = h("a", { href: "#", id: "sign-out" }, "Sign out");
  const error = h("p", { id: "wallboard-error", class: "alert", role: "alert" });
  setAlert(error, "");
  const problem = (message: string) => setAlert(error, message);

  const queuesBody = h("tbody");
  const agentsBody = h("tbody");
  const callsBody = h("tbody");

  const queuesTable = h(
    "table",
    { id: "queues", class: "board" },
    h("caption", { id: "queues-caption" }, "Queues"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col", rowspan: "2" }, "Queue"),
        h("th", { scope: "col", rowspan: "2", class: "num" }, "Waiting"),
        h("th", { scope: "col", rowspan: "2", class: "num" }, "Callbacks"),
        h("th", { scope: "col", rowspan: "2", class: "num" }, "Longest wait"),
        h("th", { scope: "col", rowspan: "2", class: "num" }, "Service level today"),
        h("th", { scope: "colgroup", colspan: "3", class: "group-head" }, "Agents"),
        h("th", { scope: "col", rowspan: "2", class: "num" }, "Estimated wait"),
      ),
      headRow(["Available", "num"], ["On call", "num"], ["Not ready", "num"]),
    ),
    queuesBody,
  );
  const agentsTable = h(
    "table",
    { id: "agents", class: "board" },
    h("caption", { id: "agents-caption" }, "Agents"),
    h("thead", {}, headRow(["Agent"], ["State"], ["Time in state", "num"], ["Current call"], ["Set state"])),
    agentsBody,
  );
  const callsTable = h(
    "table",
    { id: "calls", class: "board" },
    h("caption", { id: "calls-caption" }, "Live calls"),
    h("thead", {}, headRow(["State"], ["From"], ["Queue"], ["Waiting / talking", "num"], ["Agent"], ["Actions"])),
    callsBody,
  );

  /** A card holding a table that scrolls inside itself (focusable, so the keyboard can scroll it). */
  const panel = (table: HTMLTableElement, captionId: string) =>
    h("section", { class: "card panel" }, h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": captionId }, table));

  // --- state ---
  const live = new WallboardState();
  let queueNames = new Map<string, string>();
  let agentNames = new Map<string, NamedItem>();
  let namesLoaded = false;
  /** Contact names of the callers (null while asked, or when unknown). */
  const contactNames = new Map<string, string | null>();
  let wasLost = false;
  let stopped = false;

  const queueName = (id: string | null) => (id === null ? "—" : queueNames.get(id) || shortId(id));
  const agentName = (id: string | null) => (id === null ? "—" : agentNames.get(id)?.name || shortId(id));
  const byText = (a: [string, string], b: [string, string]) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]);

  /** The caller's contact name (asked for once, when first wanted), or null. */
  function contactName(call: LiveCallRow): string | null {
    const contactId = call.contact_id;
    if (!contactId) return null;
    if (contactNames.has(contactId)) return contactNames.get(contactId) ?? null;
    contactNames.set(contactId, null);
    fetchContact(contactId).then(
      (contact) => {
        contactNames.set(contactId, contact.name);
        if (!stopped) {
          phone.refresh();
          renderCalls();
        }
      },
      () => {},
    );
    return null;
  }

  const phone = supervisorPhone(me, {
    describe: (callId) => {
      const call = live.calls.get(callId);
      if (!call) return { agent: null, callerName: null, number: null };
      return { agent: call.agent_id ? agentName(call.agent_id) : null, callerName: contactName(call), number: call.from };
    },
    changed: () => {
      if (!stopped) renderCalls();
    },
    problem,
    sessionEnded: () => {
      if (!stopped) sessionEnded();
    },
  });

  root.replaceChildren(
    h(
      "div",
      { class: "shell wallboard" },
      topbar(userName, role, nav, phone.sipStatus, connection, signOutLink),
      h("h1", { class: "visually-hidden" }, "Wallboard"),
      error,
      phone.bar,
      panel(queuesTable, "queues-caption"),
      h("div", { class: "board-grid" }, panel(agentsTable, "agents-caption"), panel(callsTable, "calls-caption")),
      phone.remoteAudio,
    ),
  );

  /** Runs a request of an action; a 401 ends the session, anything else shows the server's words. */
  async function act(run: () => Promise<void>): Promise<boolean> {
    setAlert(error, "");
    try {
      await run();
      return true;
    } catch (err) {
      if (stopped) return false;
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else setAlert(error, messageOf(err));
      return false;
    }
  }

  function queueRow(id: string, f: QueueFigures | undefined): HTMLTableRowElement {
    const n = (value: number | undefined) => h("td", { class: "num" }, value === undefined ? "—" : String(value));
    const wait = (secs: number | null | undefined) => h("td", { class: "num" }, secs === null || secs === undefined ? "—" : secsText(secs));
    return h(
      "tr",
      { "data-queue-id": id },
      h("th", { scope: "row" }, queueName(id)),
      n(f?.waiting),
      n(f?.callbacks_waiting),
      wait(f?.longest_wait_secs),
      h("td", { class: "num" }, percentText(f ? f.service_level_percent : null)),
      n(f?.agents.available),
      n(f?.agents.on_call),
      n(f?.agents.not_ready),
      wait(f?.estimated_wait_secs),
    );
  }

  function renderQueues(): void {
    const ids = new Set([...queueNames.keys(), ...live.queues.keys()]);
    const rows = [...ids].map((id): [string, string] => [id, queueName(id)]).sort(byText);
    queuesBody.replaceChildren(
      ...(rows.length ? rows.map(([id]) => queueRow(id, live.queues.get(id))) : [emptyRow(9, namesLoaded ? "No queues" : "Loading…")]),
    );
  }

  // --- the agents: state, and a menu to set it ---
  const agentControls = (agentId: string) =>
    agentStateMenu(agentId, agentName(agentId), (body) => act(() => setAgentStateFor(agentId, body)));
  const agentRows = new KeyedRows(agentsBody, agentControls);

  function renderAgents(): void {
    const ids = new Set([...agentNames.keys(), ...live.agents.keys()]);
    const rows = [...ids].map((id): [string, string] => [id, agentName(id)]).sort(byText);
    const specs = rows.map(([id, name]): RowSpec => {
      const row = live.agent(id);
      const ext = agentNames.get(id)?.extension;
      return {
        key: id,
        attrs: { "data-agent-id": id },
        cells: [
          h("th", { scope: "row", class: "name" }, name, ext ? h("span", { class: "muted ext" }, ` ${ext}`) : null),
          h("td", { class: "state", "data-state": row.view.state }, stateText(row.view)),
          sinceCell(row.view.since),
          h("td", { class: "call-id", title: row.callId ?? undefined }, row.callId ? shortId(row.callId) : "—"),
        ],
      };
    });
    agentRows.show(specs, 5, namesLoaded ? "No agents" : "Loading…");
    // A row made before the names came says the id: name its menu now.
    for (const [id, name] of rows) {
      const select = agentRows.controlsOf(id)?.querySelector("select");
      const label = `New state for ${name}`;
      if (select && select.getAttribute("aria-label") !== label) select.setAttribute("aria-label", label);
    }
  }

  // --- the calls: supervision of a connected call, move and priority of a waiting one ---
  const callControls = new Map<string, CallActions>();
  let moveTargets: MoveTargets = { version: 0, queues: [], agents: [] };

  function makeCallControls(callId: string): HTMLTableCellElement {
    const call = live.calls.get(callId);
    if (!call) return h("td", { class: "controls-cell" });
    const controls = callActions(call, {
      supervise: (id, mode) => phone.supervise(id, mode),
      leave: (id) => phone.leave(id),
      move: (id, body) => act(() => moveCall(id, body)),
      priority: (id, n) => act(() => setCallPriority(id, n)),
      problem,
    });
    callControls.set(callId, controls);
    return controls.cell;
  }

  function updateCallControls(call: LiveCallRow): void {
    callControls.get(call.call_id)?.update(call, { current: phone.current, supervisionBusy: phone.busy, targets: moveTargets });
  }

  /** The "supervised: whisper" tags of a call (from the feed's supervisor_joined/left). */
  function supervisorTags(call: LiveCallRow): HTMLElement[] {
    return call.supervisors.map((s) =>
      h(
        "span",
        { class: "sup-tag", "data-supervisor-id": s.supervisor_id, "data-mode": s.mode ?? undefined },
        `supervised${s.supervisor_id === myUserId ? " (you)" : ""}${s.mode ? `: ${words(s.mode)}` : ""}`,
      ),
    );
  }

  const callRows = new KeyedRows(callsBody, makeCallControls, (key) => callControls.delete(key));

  function renderCalls(): void {
    const calls = [...live.calls.values()].sort(
      (a, b) => (a.arrived_at ?? a.since ?? 0) - (b.arrived_at ?? b.since ?? 0) || a.call_id.localeCompare(b.call_id),
    );
    const specs = calls.map(
      (call): RowSpec => ({
        key: call.call_id,
        attrs: { "data-call-id": call.call_id },
        cells: [
          h("td", { class: "call-state", "data-state": call.state }, callStateText(call)),
          h(
            "td",
            { class: "call-caller" },
            contactName(call) ? h("span", { class: "contact-name" }, `${contactName(call)} `) : null,
            call.from ?? "—",
            call.vip_tier !== null && call.vip_tier > 0 ? h("span", { class: "vip" }, ` VIP ${call.vip_tier}`) : null,
          ),
          h("td", {}, queueName(call.queue_id)),
          sinceCell(call.since ?? call.arrived_at),
          h("td", { class: "call-agent" }, agentName(call.agent_id), ...supervisorTags(call)),
        ],
      }),
    );
    callRows.show(specs, 6, "No calls");
    for (const call of calls) updateCallControls(call);
  }

  function render(): void {
    renderQueues();
    renderAgents();
    renderCalls();
    // The supervised call is gone from the feed: nothing to wait for unless the phone is on it.
    const current = phone.current;
    if (current && !live.calls.has(current.callId)) phone.callEnded(current.callId);
    else phone.refresh();
  }

  function sessionEnded(): void {
    stop();
    signOut("Your session has ended. Please sign in again.");
  }

  async function loadNames(): Promise<void> {
    try {
      const [queues, agents] = await Promise.all([fetchQueues(), fetchAgents()]);
      if (stopped) return;
      queueNames = new Map(queues.map((q) => [q.id, q.name]));
      agentNames = new Map(agents.map((a) => [a.id, a]));
      namesLoaded = true;
      moveTargets = {
        version: moveTargets.version + 1,
        queues: queues.map((q): [string, string] => [q.id, q.name || shortId(q.id)]).sort(byText),
        agents: agents
          .map((a): [string, string] => [a.id, a.extension ? `${a.name || shortId(a.id)} (${a.extension})` : a.name || shortId(a.id)])
          .sort(byText),
      };
      setAlert(error, "");
      render();
    } catch (err) {
      if (stopped) return;
      if (err instanceof ApiError && err.status === 401) {
        sessionEnded();
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      setAlert(error, `Could not read the queue and agent names: ${message}`);
    }
  }

  function onMessage(msg: LiveMessage): void {
    if (live.apply(msg)) render();
  }

  function onConnection(connected: boolean): void {
    connection.textContent = connected ? "Connected" : "Connection lost — reconnecting…";
    connection.className = `conn ${connected ? "ok" : "lost"}`;
    if (!connected) wasLost = true;
    else if (wasLost) {
      wasLost = false;
      void loadNames();
    }
  }

  const onFailedToOpen = onRefusedSession(() => {
    if (!stopped) sessionEnded();
  });

  const feed = new LiveFeed(token, { message: onMessage, connection: onConnection, failedToOpen: onFailedToOpen });

  const ticker = window.setInterval(() => {
    const now = Date.now();
    for (const cell of root.querySelectorAll<HTMLElement>(".wallboard [data-since]")) {
      cell.textContent = elapsedText(Number(cell.dataset.since), now);
    }
    phone.refresh();
  }, 1000);

  function stop(): void {
    if (stopped) return;
    stopped = true;
    window.clearInterval(ticker);
    feed.stop();
    phone.stop();
  }

  signOutLink.addEventListener("click", (ev) => {
    ev.preventDefault();
    stop();
    signOut();
  });

  render();
  feed.start();
  phone.start();
  void loadNames();
  return stop;
}
