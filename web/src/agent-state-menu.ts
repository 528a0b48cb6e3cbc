// A supervisor's menu to set an agent's state from the wallboard's agents
// table (PUT /api/v1/agents/{id}/state): Available, Not ready with a reason,
// Do not disturb, and a Set button. The view sends it and shows the
// server's refusal (409 when the agent is logged out or on a call).

import type { StateRequest } from "./api";
import { h } from "./dom";

/** The select's value, its group ("" for none), label, and the request body. */
export const AGENT_STATES: Array<[string, string, string, StateRequest]> = [
  ["available", "", "Available", { state: "available" }],
  ["not_ready:break", "Not ready", "Break", { state: "not_ready", reason: { code: "break" } }],
  ["not_ready:lunch", "Not ready", "Lunch", { state: "not_ready", reason: { code: "lunch" } }],
  ["not_ready:training", "Not ready", "Training", { state: "not_ready", reason: { code: "training" } }],
  ["not_ready:back_office", "Not ready", "Back office", { state: "not_ready", reason: { code: "back_office" } }],
  ["do_not_disturb", "", "Do not disturb", { state: "do_not_disturb" }],
];

/** The options, the not-ready reasons in a "Not ready" group. */
function options(): Node[] {
  const out: Node[] = [];
  let group: HTMLOptGroupElement | null = null;
  for (const [value, groupLabel, label] of AGENT_STATES) {
    const option = h("option", { value }, label);
    if (!groupLabel) {
      group = null;
      out.push(option);
      continue;
    }
    if (!group || group.label !== groupLabel) {
      group = h("optgroup", { label: groupLabel });
      out.push(group);
    }
    group.append(option);
  }
  return out;
}

/**
 * The controls cell of an agent's row: `select[data-action=agent-state]`
 * and `button[data-action=agent-state-apply]`, both with `data-agent-id`.
 * `set` sends the request (and shows any error); the button is off meanwhile.
 */
export function agentStateMenu(agentId: string, agentName: string, set: (body: StateRequest) => Promise<unknown>): HTMLTableCellElement {
  const select = h(
    "select",
    { class: "set-state", "data-action": "agent-state", "data-agent-id": agentId, "aria-label": `New state for ${agentName}` },
    ...options(),
  );
  const button = h("button", { type: "button", class: "small", "data-action": "agent-state-apply", "data-agent-id": agentId }, "Set");
  button.addEventListener("click", async () => {
    const body = AGENT_STATES.find(([value]) => value === select.value)?.[3];
    if (!body || button.disabled) return;
    button.disabled = true;
    try {
      await set(body);
    } finally {
      button.disabled = false;
    }
  });
  return h("td", { class: "controls-cell" }, h("div", { class: "row-actions" }, select, button));
}
