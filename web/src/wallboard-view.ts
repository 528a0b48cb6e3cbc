// The supervisor wallboard: queue figures, agents' states and the live calls
// of the tenant, kept up from the live feed only (the names are read once,
// and again after a reconnect).

import { ApiError, fetchAgents, fetchQueues, onRefusedSession, type Me, type NamedItem } from "./api";
import { elapsedText, stateText, words } from "./agent-state";
import { h, setAlert } from "./dom";
import { LiveFeed, type LiveMessage } from "./live";
import { type LiveCallRow, type QueueFigures, WallboardState } from "./wallboard-model";

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
  const userName =
    (me.user && typeof me.user.display_name === "string" && me.user.display_name) ||
    (me.user && typeof me.user.username === "string" && me.user.username) ||
    "Supervisor";
  const role = typeof me.role === "string" ? me.role : "supervisor";

  // --- elements ---
  const connection = h("span", { id: "connection", class: "conn pending", role: "status" }, "Connecting…");
  const signOutLink = h("a", { href: "#", id: "sign-out" }, "Sign out");
  const error = h("p", { id: "wallboard-error", class: "alert", role: "alert" });
  setAlert(error, "");

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
    h("thead", {}, headRow(["Agent"], ["State"], ["Time in state", "num"], ["Current call"])),
    agentsBody,
  );
  const callsTable = h(
    "table",
    { id: "calls", class: "board" },
    h("caption", { id: "calls-caption" }, "Live calls"),
    h("thead", {}, headRow(["State"], ["From"], ["Queue"], ["Waiting / talking", "num"], ["Agent"])),
    callsBody,
  );

  /** A card holding a table that scrolls inside itself (focusable, so the keyboard can scroll it). */
  const panel = (table: HTMLTableElement, captionId: string) =>
    h("section", { class: "card panel" }, h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": captionId }, table));

  root.replaceChildren(
    h(
      "div",
      { class: "shell wallboard" },
      h(
        "header",
        { class: "topbar" },
        h("span", { class: "brand" }, "Switchboard"),
        h("span", { id: "user-name", class: "agent-name" }, userName, h("span", { class: "role" }, ` · ${role}`)),
        nav,
        connection,
        signOutLink,
      ),
      h("h1", { class: "visually-hidden" }, "Wallboard"),
      error,
      panel(queuesTable, "queues-caption"),
      h("div", { class: "board-grid" }, panel(agentsTable, "agents-caption"), panel(callsTable, "calls-caption")),
    ),
  );

  // --- state ---
  const live = new WallboardState();
  let queueNames = new Map<string, string>();
  let agentNames = new Map<string, NamedItem>();
  let namesLoaded = false;
  let wasLost = false;
  let stopped = false;

  const queueName = (id: string | null) => (id === null ? "—" : queueNames.get(id) || shortId(id));
  const agentName = (id: string | null) => (id === null ? "—" : agentNames.get(id)?.name || shortId(id));
  const byText = (a: [string, string], b: [string, string]) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]);

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

  function renderAgents(): void {
    const ids = new Set([...agentNames.keys(), ...live.agents.keys()]);
    const rows = [...ids].map((id): [string, string] => [id, agentName(id)]).sort(byText);
    agentsBody.replaceChildren(
      ...(rows.length
        ? rows.map(([id, name]) => {
            const row = live.agent(id);
            const ext = agentNames.get(id)?.extension;
            return h(
              "tr",
              { "data-agent-id": id },
              h("th", { scope: "row", class: "name" }, name, ext ? h("span", { class: "muted ext" }, ` ${ext}`) : null),
              h("td", { class: "state", "data-state": row.view.state }, stateText(row.view)),
              sinceCell(row.view.since),
              h("td", { class: "call-id", title: row.callId ?? undefined }, row.callId ? shortId(row.callId) : "—"),
            );
          })
        : [emptyRow(4, namesLoaded ? "No agents" : "Loading…")]),
    );
  }

  function renderCalls(): void {
    const calls = [...live.calls.values()].sort(
      (a, b) => (a.arrived_at ?? a.since ?? 0) - (b.arrived_at ?? b.since ?? 0) || a.call_id.localeCompare(b.call_id),
    );
    callsBody.replaceChildren(
      ...(calls.length
        ? calls.map((call) =>
            h(
              "tr",
              { "data-call-id": call.call_id },
              h("td", { class: "call-state", "data-state": call.state }, callStateText(call)),
              h(
                "td",
                {},
                call.from ?? "—",
                call.vip_tier !== null && call.vip_tier > 0 ? h("span", { class: "vip" }, ` VIP ${call.vip_tier}`) : null,
              ),
              h("td", {}, queueName(call.queue_id)),
              sinceCell(call.since ?? call.arrived_at),
              h("td", {}, agentName(call.agent_id), call.supervisors.length ? h("span", { class: "muted" }, " · supervised") : null),
            ),
          )
        : [emptyRow(5, "No calls")]),
    );
  }

  function render(): void {
    renderQueues();
    renderAgents();
    renderCalls();
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
  }, 1000);

  function stop(): void {
    if (stopped) return;
    stopped = true;
    window.clearInterval(ticker);
    feed.stop();
  }

  signOutLink.addEventListener("click", (ev) => {
    ev.preventDefault();
    stop();
    signOut();
  });

  render();
  feed.start();
  void loadNames();
  return stop;
}
