// What the supervisor wallboard knows, kept up from live-feed messages only:
// each queue's figures, each agent's state, the live calls. Pure (messages
// in, state out); the calls follow the server's own projection of events.

import { type AgentView, isObject, type Json, parseState, parseTime, viewFromEvent } from "./agent-state";
import type { LiveMessage } from "./live";

/** A queue's live figures (`QueueFigures`); counts default to 0 when absent. */
export interface QueueFigures {
  queue_id: string;
  waiting: number;
  callbacks_waiting: number;
  longest_wait_secs: number;
  agents: { available: number; ringing: number; on_call: number; wrap_up: number; not_ready: number; do_not_disturb: number };
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  service_level_percent: number | null;
  average_speed_of_answer_secs: number | null;
  estimated_wait_secs: number | null;
}

/** An agent's live state; the time is `view.since` (epoch ms, or null when unknown). */
export interface LiveAgentRow {
  view: AgentView;
  queues: string[];
  callId: string | null;
}

/** A supervisor on a live call, and how (`monitor`, `whisper`, `barge`, `take_over`; null when not said). */
export interface LiveSupervisor {
  supervisor_id: string;
  mode: string | null;
}

/** A live call (`LiveCall`), times as epoch ms. */
export interface LiveCallRow {
  call_id: string;
  state: string;
  since: number | null;
  arrived_at: number | null;
  from: string | null;
  to: string | null;
  vip_tier: number | null;
  queue_id: string | null;
  position: number | null;
  agent_id: string | null;
  /** The CRM contact matched by the caller's number. */
  contact_id: string | null;
  /** The base priority a supervisor last set (from `priority_changed`; null when not seen). */
  priority: number | null;
  supervisors: LiveSupervisor[];
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

export function parseFigures(raw: unknown): QueueFigures | null {
  if (!isObject(raw) || typeof raw.queue_id !== "string") return null;
  const agents = isObject(raw.agents) ? raw.agents : {};
  const count = (o: Json, key: string) => num(o[key]) ?? 0;
  return {
    queue_id: raw.queue_id,
    waiting: count(raw, "waiting"),
    callbacks_waiting: count(raw, "callbacks_waiting"),
    longest_wait_secs: count(raw, "longest_wait_secs"),
    agents: {
      available: count(agents, "available"),
      ringing: count(agents, "ringing"),
      on_call: count(agents, "on_call"),
      wrap_up: count(agents, "wrap_up"),
      not_ready: count(agents, "not_ready"),
      do_not_disturb: count(agents, "do_not_disturb"),
    },
    offered: count(raw, "offered"),
    answered: count(raw, "answered"),
    abandoned: count(raw, "abandoned"),
    overflowed: count(raw, "overflowed"),
    service_level_percent: num(raw.service_level_percent),
    average_speed_of_answer_secs: num(raw.average_speed_of_answer_secs),
    estimated_wait_secs: num(raw.estimated_wait_secs),
  };
}

function parseCall(raw: unknown): LiveCallRow | null {
  if (!isObject(raw) || typeof raw.call_id !== "string") return null;
  const supervisors = Array.isArray(raw.supervisors) ? raw.supervisors : [];
  return {
    call_id: raw.call_id,
    state: str(raw.state) ?? "arrived",
    since: parseTime(raw.since),
    arrived_at: parseTime(raw.arrived_at),
    from: str(raw.from),
    to: str(raw.to),
    vip_tier: num(raw.vip_tier),
    queue_id: str(raw.queue_id),
    position: num(raw.position),
    agent_id: str(raw.agent_id),
    contact_id: str(raw.contact_id),
    priority: null,
    supervisors: supervisors.flatMap((s) =>
      isObject(s) && typeof s.supervisor_id === "string" ? [{ supervisor_id: s.supervisor_id, mode: str(s.mode) }] : [],
    ),
  };
}

function bareCall(callId: string): LiveCallRow {
  return {
    call_id: callId,
    state: "arrived",
    since: null,
    arrived_at: null,
    from: null,
    to: null,
    vip_tier: null,
    queue_id: null,
    position: null,
    agent_id: null,
    contact_id: null,
    priority: null,
    supervisors: [],
  };
}

const LOGGED_OUT: AgentView = { state: "logged_out", since: null };

/** Agent and call bookkeeping events that never make a call live (as on the server). */
const NOT_CALL_LIVE = new Set([
  "survey_answered",
  "disposition_set",
  "agent_state_changed",
  "agent_state_set",
  "agent_logged_in",
  "agent_logged_out",
  "agent_device_registered",
  "agent_device_unregistered",
]);

export class WallboardState {
  queues = new Map<string, QueueFigures>();
  agents = new Map<string, LiveAgentRow>();
  calls = new Map<string, LiveCallRow>();

  /** The agent's row; agents the feed does not list are logged out. */
  agent(id: string): LiveAgentRow {
    return this.agents.get(id) ?? { view: LOGGED_OUT, queues: [], callId: null };
  }

  /** Applies one feed message; true when anything shown may have changed. */
  apply(msg: LiveMessage): boolean {
    switch (msg.type) {
      case "snapshot":
      case "resync":
        if (!isObject(msg.snapshot)) return false;
        this.load(msg.snapshot);
        return true;
      case "queue": {
        const figures = parseFigures(msg.queue);
        if (!figures) return false;
        this.queues.set(figures.queue_id, figures);
        return true;
      }
      case "event":
        return isObject(msg.event) && this.applyEvent(msg.event);
      default:
        return false;
    }
  }

  /** Replaces everything with a snapshot, keeping known since-times the snapshot lacks. */
  private load(snapshot: Json): void {
    const list = (key: string) => (Array.isArray(snapshot[key]) ? (snapshot[key] as unknown[]) : []);

    this.queues = new Map();
    for (const raw of list("queues")) {
      const figures = parseFigures(raw);
      if (figures) this.queues.set(figures.queue_id, figures);
    }

    const before = this.agents;
    this.agents = new Map();
    for (const raw of list("agents")) {
      if (!isObject(raw) || typeof raw.agent_id !== "string") continue;
      const parsed = parseState(raw.state) ?? { state: "unknown" };
      const view: AgentView = { ...parsed, since: parseTime(raw.since) };
      this.agents.set(raw.agent_id, {
        view: keepSince(view, before.get(raw.agent_id)?.view),
        queues: Array.isArray(raw.queues) ? raw.queues.filter((q): q is string => typeof q === "string") : [],
        callId: str(raw.call_id),
      });
    }
    // Absent agents are logged out; keep the time of a log-out already seen.
    for (const [id, row] of before) {
      if (!this.agents.has(id) && row.view.state === "logged_out") {
        this.agents.set(id, { view: row.view, queues: [], callId: null });
      }
    }

    // The snapshot does not say a call's priority: keep the one seen.
    const callsBefore = this.calls;
    this.calls = new Map();
    for (const raw of list("calls")) {
      const call = parseCall(raw);
      if (!call) continue;
      call.priority = callsBefore.get(call.call_id)?.priority ?? null;
      this.calls.set(call.call_id, call);
    }
  }

  private applyEvent(event: Json): boolean {
    const payload = isObject(event.payload) ? event.payload : event;
    const kind = typeof payload.kind === "string" ? payload.kind : "";
    const agentId = str(payload.agent_id);
    let changed = false;

    if (agentId && (kind === "agent_state_changed" || kind === "agent_logged_out")) {
      const view = viewFromEvent(event, agentId);
      if (view) {
        const row = this.agent(agentId);
        const loggedOut = view.state === "logged_out";
        this.agents.set(agentId, {
          view,
          queues: loggedOut ? [] : row.queues,
          callId: loggedOut ? null : row.callId,
        });
        changed = true;
      }
    }

    const callId = str(event.call_id);
    if (!callId) return changed;
    const at = parseTime(event.at) ?? Date.now();
    this.trackAgentCall(kind, agentId, callId);
    if (kind === "call_ended") {
      this.calls.delete(callId);
      return true;
    }
    if (NOT_CALL_LIVE.has(kind) || kind === "") return changed;
    let call = this.calls.get(callId);
    if (!call) {
      call = bareCall(callId);
      this.calls.set(callId, call);
    }
    applyToCall(call, kind, payload, at);
    return true;
  }

  /** Keeps each agent's current call id in step with the call events. */
  private trackAgentCall(kind: string, agentId: string | null, callId: string): void {
    if (kind === "call_ended") {
      for (const row of this.agents.values()) if (row.callId === callId) row.callId = null;
      return;
    }
    const row = agentId ? this.agents.get(agentId) : undefined;
    if (!row) return;
    switch (kind) {
      case "offered_to_agent":
      case "agent_ringing":
      case "agent_answered":
      case "bridged":
        row.callId = callId;
        break;
      case "agent_rejected":
      case "agent_no_answer":
      case "transferred":
      case "supervisor_took_over":
        if (row.callId === callId) row.callId = null;
        break;
    }
  }
}

/** A snapshot's view without a since-time keeps the one known for the same state. */
function keepSince(next: AgentView, prior: AgentView | undefined): AgentView {
  if (next.since === null && prior && prior.state === next.state && prior.reason === next.reason) {
    return { ...next, since: prior.since };
  }
  return next;
}

function setState(call: LiveCallRow, state: string, at: number): void {
  if (call.state !== state || call.since === null) {
    call.state = state;
    call.since = at;
  }
}

/** What one event changes in a live call (mirrors the server's projection). */
function applyToCall(call: LiveCallRow, kind: string, p: Json, at: number): void {
  const agentId = str(p.agent_id);
  switch (kind) {
    case "call_arrived":
      call.from = str(p.from);
      call.to = str(p.to);
      call.vip_tier = num(p.vip_tier);
      call.contact_id = str(p.contact_id);
      call.arrived_at = at;
      setState(call, "arrived", at);
      break;
    case "ivr_entered":
      setState(call, "ivr", at);
      break;
    case "call_queued":
      call.queue_id = str(p.queue_id);
      call.position = num(p.position);
      call.agent_id = null;
      setState(call, "queued", at);
      break;
    case "position_announced":
      call.position = num(p.position) ?? call.position;
      break;
    case "call_moved": {
      const target = isObject(p.target) ? p.target : {};
      const queueId = str(target.queue_id);
      if (queueId) {
        call.queue_id = queueId;
        call.position = num(p.position);
      }
      break;
    }
    case "priority_changed":
      if (num(p.position) !== null) call.position = num(p.position);
      if (num(p.priority) !== null) call.priority = num(p.priority);
      break;
    case "callback_accepted":
      setState(call, "callback", at);
      break;
    case "offered_to_agent":
    case "agent_ringing":
      call.agent_id = agentId;
      setState(call, "ringing", at);
      break;
    case "agent_rejected":
    case "agent_no_answer":
      call.agent_id = null;
      setState(call, call.state === "ringing" ? "queued" : call.state, at);
      break;
    case "agent_answered":
    case "bridged":
    case "resumed":
      call.agent_id = agentId;
      call.position = null;
      setState(call, "connected", at);
      break;
    case "held":
      setState(call, "held", at);
      break;
    case "transferred": {
      const target = isObject(p.target) ? p.target : {};
      const queueId = str(target.queue_id);
      if (queueId) call.queue_id = queueId;
      break;
    }
    case "overflowed":
      call.position = null;
      break;
    case "supervisor_joined":
    case "supervisor_took_over": {
      const sup = str(p.supervisor_id);
      if (kind === "supervisor_took_over") call.agent_id = null;
      const mode = kind === "supervisor_took_over" ? "take_over" : str(p.mode);
      if (sup) call.supervisors = [...call.supervisors.filter((s) => s.supervisor_id !== sup), { supervisor_id: sup, mode }];
      break;
    }
    case "supervisor_left": {
      const sup = str(p.supervisor_id);
      call.supervisors = call.supervisors.filter((s) => s.supervisor_id !== sup);
      break;
    }
  }
}
