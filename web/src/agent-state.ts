// Reading this agent's routing state out of live-feed messages, and showing
// it as text ("available", "not ready (break)", time in state as mm:ss).

/** What the softphone shows: the state name, its reason, and since when. */
export interface AgentView {
  /** Server state name, e.g. `available`, `not_ready`, `logged_out`. */
  state: string;
  /** Reason code or label when not ready. */
  reason?: string;
  /** Since when (epoch ms), when known. */
  since: number | null;
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseTime(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The reason of a not-ready state: `{"code":"break"}`, `{"code":"custom","label":"x"}` or a string. */
function parseReason(raw: unknown): string | undefined {
  if (typeof raw === "string") return raw;
  if (!isObject(raw)) return undefined;
  if (typeof raw.label === "string" && raw.label !== "") return raw.label;
  if (typeof raw.code === "string") return raw.code;
  return undefined;
}

/** An AgentState as serialised (`{"state":"not_ready","reason":{...}}`), or a bare string. */
export function parseState(raw: unknown): { state: string; reason?: string } | null {
  if (typeof raw === "string" && raw !== "") return { state: raw };
  if (!isObject(raw) || typeof raw.state !== "string") return null;
  return { state: raw.state, reason: parseReason(raw.reason) };
}

/** This agent's entry in a snapshot; absent means logged out. */
export function viewFromSnapshot(snapshot: unknown, agentId: string): AgentView {
  const agents = isObject(snapshot) && Array.isArray(snapshot.agents) ? snapshot.agents : [];
  const entry = agents.find((a): a is Json => isObject(a) && a.agent_id === agentId);
  if (!entry) return { state: "logged_out", since: null };
  const parsed = parseState(entry.state);
  if (!parsed) return { state: "unknown", since: parseTime(entry.since) };
  return { ...parsed, since: parseTime(entry.since) };
}

/**
 * The new view from an `event` message's event, when it is a state change
 * of this agent; `null` for anything else (other agents, calls, unknown shapes).
 * The payload is tagged by `kind` (or `type`, tolerated).
 */
export function viewFromEvent(event: unknown, agentId: string): AgentView | null {
  if (!isObject(event)) return null;
  const payload = isObject(event.payload) ? event.payload : event;
  if (payload.agent_id !== agentId) return null;
  const at = parseTime(event.at) ?? parseTime(payload.at) ?? Date.now();
  const kind = typeof payload.kind === "string" ? payload.kind : typeof payload.type === "string" ? payload.type : "";
  if (kind === "agent_logged_out") return { state: "logged_out", since: at };
  if (kind === "agent_state_changed" || (kind === "" && "state" in payload)) {
    const parsed = parseState(payload.state);
    return parsed ? { ...parsed, since: at } : null;
  }
  return null;
}

export function words(code: string): string {
  return code.replace(/_/g, " ");
}

/** The text of `#agent-state`: `available`, `not ready (break)`, `logged out`… */
export function stateText(view: AgentView): string {
  const name = words(view.state);
  return view.reason ? `${name} (${words(view.reason)})` : name;
}

/** Time in state as mm:ss (minutes keep counting past 59). */
export function elapsedText(since: number | null, now = Date.now()): string {
  if (since === null) return "--:--";
  const total = Math.max(0, Math.floor((now - since) / 1000));
  const mm = Math.floor(total / 60);
  const ss = total % 60;
  return `${String(mm).padStart(2, "0")}:${String(ss).padStart(2, "0")}`;
}

/** Whether the agent is logged in to the ACD in this state. */
export function isLoggedIn(view: AgentView | null): boolean {
  return view !== null && view.state !== "logged_out";
}
