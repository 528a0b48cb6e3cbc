// The controls cell of a live call's row on the wallboard: for a connected
// call, Monitor / Whisper / Barge / Take over (the mode the supervisor is in
// pressed) and Leave when they are on it; for a call waiting in a queue, a
// Move menu (queues and agents) and a priority. The view carries out what
// is asked and shows the server's refusals.

import type { MoveBody, SupervisionMode } from "./api";
import { h } from "./dom";
import { MODES, type SupervisionView } from "./supervisor-phone";
import type { LiveCallRow } from "./wallboard-model";

/** The largest priority the server takes (an i32). */
const MAX_PRIORITY = 2 ** 31 - 1;

/** Where a waiting call can be moved: `[id, label]` of queues and agents; `version` changes with them. */
export interface MoveTargets {
  version: number;
  queues: Array<[string, string]>;
  agents: Array<[string, string]>;
}

/** What the controls show depends on besides the call. */
export interface CallActionsContext {
  /** What the supervisor is on now, if anything. */
  current: SupervisionView | null;
  /** A supervision request is on its way. */
  supervisionBusy: boolean;
  targets: MoveTargets;
}

export interface CallActionsHandlers {
  supervise(callId: string, mode: SupervisionMode): void;
  leave(callId: string): void;
  /** Sends the move; true when the server took it. */
  move(callId: string, body: MoveBody): Promise<boolean>;
  /** Sends the priority; true when the server took it. */
  priority(callId: string, priority: number): Promise<boolean>;
  /** A message for the supervisor (a bad entry). */
  problem(message: string): void;
}

/** Whether the call is talking to an agent (it can be supervised). */
export const isConnected = (call: LiveCallRow) => (call.state === "connected" || call.state === "held") && call.agent_id !== null;

/** Whether the call waits in a queue (it can be moved or re-prioritised). */
export const isWaiting = (call: LiveCallRow) => call.state === "queued" && call.agent_id === null;

/**
 * The controls of `call` (made once per call; `update` shows the ones that
 * apply now). Every control has `data-action` and `data-call-id`:
 * monitor | whisper | barge | take_over | leave buttons, the `move` select
 * with its `move-apply` button, the `priority` number with `priority-apply`.
 */
export function callActions(call: LiveCallRow, handlers: CallActionsHandlers) {
  const callId = call.call_id;
  const what = call.from ? `the call from ${call.from}` : `call ${callId.slice(0, 8)}`;
  const data = (action: string) => ({ "data-action": action, "data-call-id": callId });

  const modes = new Map<SupervisionMode, HTMLButtonElement>();
  for (const [mode, label] of MODES) {
    const button = h("button", { type: "button", class: "small", ...data(mode), "aria-pressed": "false" }, label);
    button.addEventListener("click", () => handlers.supervise(callId, mode));
    modes.set(mode, button);
  }
  const leave = h("button", { type: "button", class: "small danger", ...data("leave"), hidden: true }, "Leave");
  leave.addEventListener("click", () => handlers.leave(callId));
  const supervise = h("div", { class: "row-actions", role: "group", "aria-label": `Supervise ${what}` }, ...modes.values(), leave);

  const move = h("select", { class: "move", ...data("move"), "aria-label": `Move ${what} to` });
  const moveButton = h("button", { type: "button", class: "small", ...data("move-apply") }, "Move");
  const priority = h("input", {
    type: "number",
    class: "priority",
    step: "1",
    inputmode: "numeric",
    placeholder: "0",
    ...data("priority"),
    "aria-label": `Priority of ${what} (higher is served first)`,
  });
  if (call.priority !== null) priority.value = String(call.priority);
  const priorityButton = h("button", { type: "button", class: "small", ...data("priority-apply") }, "Set priority");
  const waiting = h(
    "div",
    { class: "row-actions", role: "group", "aria-label": `Move or re-prioritise ${what}` },
    h("span", { class: "inline" }, move, moveButton),
    h("span", { class: "inline" }, priority, priorityButton),
  );
  const none = h("span", { class: "muted" }, "—");
  const cell = h("td", { class: "controls-cell" }, supervise, waiting, none);

  let targetsVersion = -1;
  let busy = false; // a move or priority request is on its way
  let last: { call: LiveCallRow; ctx: CallActionsContext } | null = null;

  function fillMove(targets: MoveTargets): void {
    const keep = move.value;
    const opt = (value: string, label: string) => h("option", { value }, label);
    const entries: Node[] = [opt("", "Move to…")];
    const group = (label: string, kind: string, items: Array<[string, string]>) =>
      h("optgroup", { label }, ...items.map(([id, text]) => opt(`${kind}:${id}`, text)));
    if (targets.queues.length) entries.push(group("Queues", "queue", targets.queues));
    if (targets.agents.length) entries.push(group("Agents", "agent", targets.agents));
    move.replaceChildren(...entries);
    if ([...move.options].some((o) => o.value === keep)) move.value = keep;
  }

  function update(now: LiveCallRow, ctx: CallActionsContext): void {
    last = { call: now, ctx };
    const { current } = ctx;
    const mine = current !== null && current.callId === callId;
    const elsewhere = current !== null && !mine;
    supervise.hidden = !(isConnected(now) || mine);
    waiting.hidden = !isWaiting(now) || mine;
    none.hidden = !supervise.hidden || !waiting.hidden;
    const tookOver = mine && current.mode === "take_over" && current.state === "joined";
    for (const [mode, button] of modes) {
      button.setAttribute("aria-pressed", String(mine && current.mode === mode));
      button.disabled = ctx.supervisionBusy || elsewhere || (tookOver && mode !== "take_over");
      button.title = elsewhere ? "You are on another call: leave it first" : "";
    }
    leave.hidden = !mine;
    leave.disabled = ctx.supervisionBusy;
    if (targetsVersion !== ctx.targets.version) {
      fillMove(ctx.targets);
      targetsVersion = ctx.targets.version;
    }
    moveButton.disabled = busy;
    priorityButton.disabled = busy;
  }

  async function whileBusy(run: () => Promise<boolean>): Promise<boolean> {
    busy = true;
    if (last) update(last.call, last.ctx);
    try {
      return await run();
    } finally {
      busy = false;
      if (last) update(last.call, last.ctx);
    }
  }

  moveButton.addEventListener("click", async () => {
    const [kind, id] = move.value.split(":", 2);
    const body: MoveBody | null = kind === "queue" && id ? { queue_id: id } : kind === "agent" && id ? { agent_id: id } : null;
    if (!body) {
      handlers.problem("Choose a queue or an agent to move the call to.");
      move.focus();
      return;
    }
    if (await whileBusy(() => handlers.move(callId, body))) move.value = "";
  });
  priorityButton.addEventListener("click", async () => {
    const text = priority.value.trim();
    const n = Number(text);
    if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(n) || Math.abs(n) > MAX_PRIORITY) {
      handlers.problem("Enter the priority as a whole number (higher is served first).");
      priority.focus();
      return;
    }
    await whileBusy(() => handlers.priority(callId, n));
  });

  return { cell, update };
}

export type CallActions = ReturnType<typeof callActions>;
