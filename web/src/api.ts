// HTTP client for the Switchboard API (same origin, relative URLs) and the
// session token kept in sessionStorage.

const TOKEN_KEY = "switchboard.token";

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** A field the server named in a 400 (`{"field": "...", "reason": "..."}`). */
export interface FieldError {
  field: string;
  reason: string;
}

/** A failed request: the HTTP status, the server's `error` text and the `fields` it named. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The message with the named fields: `invalid query parameter (from: must be …)`. */
  get detail(): string {
    if (this.fields.length === 0) return this.message;
    return `${this.message} (${this.fields.map((f) => `${f.field}: ${f.reason}`).join("; ")})`;
  }
}

function fieldErrors(data: unknown): FieldError[] {
  const fields = data && typeof data === "object" ? (data as { fields?: unknown }).fields : undefined;
  if (!Array.isArray(fields)) return [];
  return fields.flatMap((f) =>
    f && typeof f === "object" && typeof f.field === "string"
      ? [{ field: f.field as string, reason: typeof f.reason === "string" ? f.reason : "" }]
      : [],
  );
}

/** Who the caller is (`GET /api/v1/me`); only a few fields are relied on. */
export interface Me {
  role?: string;
  tenant_slug?: string;
  user?: { id?: string; username?: string; display_name?: string } | null;
  agent?: { id?: string; name?: string; extension?: string } | null;
  [key: string]: unknown;
}

/** Sends a request and answers the body's text; a failed status throws the server's error. */
async function send(method: string, path: string, body: unknown, token: string | null, accept: string): Promise<string> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers["authorization"] = `Bearer ${token}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    text = await response.text();
  } catch {
    throw new ApiError(0, "The server cannot be reached. Check your connection and try again.");
  }
  if (!response.ok) {
    let data: unknown = undefined;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    const message =
      data && typeof data === "object" && typeof (data as { error?: unknown }).error === "string"
        ? (data as { error: string }).error
        : `Request failed (${response.status} ${response.statusText})`.trim();
    throw new ApiError(response.status, message, fieldErrors(data));
  }
  return text;
}

async function request<T>(method: string, path: string, body?: unknown, token = getToken()): Promise<T> {
  const text = await send(method, path, body, token, "application/json");
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  return data as T;
}

/** `GET path` as parsed JSON (unchecked: the caller reads it defensively). */
export function getJson(path: string): Promise<unknown> {
  return request<unknown>("GET", path);
}

/**
 * `method path` with an optional JSON body (the admin pages' POST, PUT and
 * DELETE), answered as parsed JSON (unchecked; undefined for an empty body).
 */
export function sendJson(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<unknown> {
  return request<unknown>(method, path, body);
}

/** `GET path` as text (e.g. a report with `format=csv`). */
export function getText(path: string, accept = "text/csv"): Promise<string> {
  return send("GET", path, undefined, getToken(), accept);
}

export async function login(tenant: string, username: string, password: string): Promise<string> {
  const data = await request<{ token?: unknown }>(
    "POST",
    "/api/v1/auth/login",
    { tenant, username, password },
    null,
  );
  if (!data || typeof data.token !== "string" || data.token === "") {
    throw new ApiError(500, "The server's answer had no token.");
  }
  return data.token;
}

export function fetchMe(): Promise<Me> {
  return request<Me>("GET", "/api/v1/me");
}

/**
 * A handler for the live feed's failure to open: asks `/me` (one question
 * at a time) and calls `ended` when the server refuses the session.
 */
export function onRefusedSession(ended: () => void): () => Promise<void> {
  let asking = false;
  return async () => {
    if (asking) return;
    asking = true;
    try {
      await fetchMe();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) ended();
    } finally {
      asking = false;
    }
  };
}

export function agentLogin(): Promise<void> {
  return request<void>("POST", "/api/v1/agent/login");
}

export function agentLogout(): Promise<void> {
  return request<void>("POST", "/api/v1/agent/logout");
}

/** The body of `PUT /api/v1/agent/state`. */
export type StateRequest =
  | { state: "available" }
  | { state: "do_not_disturb" }
  | { state: "not_ready"; reason: { code: string } };

export function setAgentState(body: StateRequest): Promise<void> {
  return request<void>("PUT", "/api/v1/agent/state", body);
}

/** An item of a list endpoint with the fields the wallboard needs. */
export interface NamedItem {
  id: string;
  name: string;
  extension?: string;
}

/** The `items` of a list answer that have a string `id`; `name` falls back to "". */
function namedItems(data: unknown): NamedItem[] {
  const items = data && typeof data === "object" ? (data as { items?: unknown }).items : undefined;
  if (!Array.isArray(items)) return [];
  const out: NamedItem[] = [];
  for (const item of items) {
    if (!item || typeof item !== "object") continue;
    const { id, name, extension } = item as { id?: unknown; name?: unknown; extension?: unknown };
    if (typeof id !== "string") continue;
    out.push({
      id,
      name: typeof name === "string" ? name : "",
      extension: typeof extension === "string" ? extension : undefined,
    });
  }
  return out;
}

/** `GET /api/v1/queues`: the tenant's queues (id and name). */
export async function fetchQueues(): Promise<NamedItem[]> {
  return namedItems(await request<unknown>("GET", "/api/v1/queues"));
}

/** `GET /api/v1/agents` (supervisors): the tenant's agents (id, name, extension). */
export async function fetchAgents(): Promise<NamedItem[]> {
  return namedItems(await request<unknown>("GET", "/api/v1/agents"));
}

/** `GET /api/v1/agent-directory` (any role): the tenant's agents by id, name and extension (transfer targets). */
export async function fetchAgentDirectory(): Promise<NamedItem[]> {
  return namedItems(await request<unknown>("GET", "/api/v1/agent-directory"));
}

/** A queue as the softphone needs it: id, name and its after-call work time. */
export interface QueueItem extends NamedItem {
  /** `wrap_up_secs`, when the server sent a number. */
  wrapUpSecs?: number;
}

/** `GET /api/v1/queues` with each queue's `wrap_up_secs` (for the wrap-up countdown). */
export async function fetchQueueItems(): Promise<QueueItem[]> {
  const data = await request<unknown>("GET", "/api/v1/queues");
  const raw = data && typeof data === "object" ? (data as { items?: unknown }).items : undefined;
  const byId = new Map<string, unknown>();
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (item && typeof item === "object" && typeof (item as { id?: unknown }).id === "string") {
        byId.set((item as { id: string }).id, (item as { wrap_up_secs?: unknown }).wrap_up_secs);
      }
    }
  }
  return namedItems(data).map((q) => {
    const secs = byId.get(q.id);
    return typeof secs === "number" && Number.isFinite(secs) && secs >= 0 ? { ...q, wrapUpSecs: secs } : q;
  });
}

/** `GET /api/v1/skills`: the tenant's skills (id and name), for "why this agent". */
export async function fetchSkills(): Promise<NamedItem[]> {
  return namedItems(await request<unknown>("GET", "/api/v1/skills"));
}

/** The agent's SIP credential (`POST /api/v1/agent/sip-login`), short-lived. */
export interface SipCredential {
  uri: string;
  authorization_user: string;
  password: string;
  display_name?: string;
  /** RFC 3339, when the server said. */
  expires_at?: string;
}

/**
 * `POST /api/v1/agent/sip-login`: a SIP credential for the browser phone.
 * 409 when the agent has no SIP account, 403 for a non-agent (ApiError).
 */
export async function fetchSipCredential(): Promise<SipCredential> {
  const data = await request<unknown>("POST", "/api/v1/agent/sip-login");
  const d = data && typeof data === "object" ? (data as Record<string, unknown>) : {};
  const { uri, authorization_user, password, display_name, expires_at } = d;
  if (typeof uri !== "string" || !uri.startsWith("sip") || typeof authorization_user !== "string" || typeof password !== "string") {
    throw new ApiError(500, "The server's SIP credential was incomplete.");
  }
  return {
    uri,
    authorization_user,
    password,
    display_name: typeof display_name === "string" ? display_name : undefined,
    expires_at: typeof expires_at === "string" ? expires_at : undefined,
  };
}

/** A CRM contact as the screen pop shows it (`GET /api/v1/contacts/{id}`). */
export interface ContactCard {
  id: string;
  name: string;
  phoneNumbers: string[];
  company: string;
  vipTier: number;
  dealStage: string;
  notes: string;
  ownerAgentId: string | null;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** A contact from the server's JSON (flat, or wrapped in `contact`), or null. */
export function parseContact(data: unknown): ContactCard | null {
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  let c = data as Record<string, unknown>;
  const inner = c.contact;
  if (typeof c.name !== "string" && inner && typeof inner === "object" && !Array.isArray(inner)) {
    c = { id: c.id, ...(inner as Record<string, unknown>) };
  }
  if (typeof c.name !== "string") return null;
  return {
    id: str(c.id),
    name: c.name,
    phoneNumbers: Array.isArray(c.phone_numbers) ? c.phone_numbers.filter((n): n is string => typeof n === "string") : [],
    company: str(c.company),
    vipTier: typeof c.vip_tier === "number" && Number.isFinite(c.vip_tier) ? c.vip_tier : 0,
    dealStage: str(c.deal_stage),
    notes: str(c.notes),
    ownerAgentId: typeof c.owner_agent_id === "string" ? c.owner_agent_id : null,
  };
}

/** `GET /api/v1/contacts?q=…&limit=…` (any role): contacts whose name, company or a number holds `q`. */
export async function searchContacts(q: string, limit = 8): Promise<ContactCard[]> {
  const params = new URLSearchParams({ q, limit: String(limit) });
  const data = await request<unknown>("GET", `/api/v1/contacts?${params.toString()}`);
  const items = data && typeof data === "object" ? (data as { items?: unknown }).items : undefined;
  return Array.isArray(items) ? items.map(parseContact).filter((c): c is ContactCard => c !== null) : [];
}

export async function fetchContact(id: string): Promise<ContactCard> {
  const contact = parseContact(await request<unknown>("GET", `/api/v1/contacts/${encodeURIComponent(id)}`));
  if (!contact) throw new ApiError(500, "The server's contact had no name.");
  return contact;
}

/** One earlier call of a contact (`GET /api/v1/contacts/{id}/calls`). */
export interface ContactCall {
  callId: string;
  /** Epoch ms, when parseable. */
  arrivedAt: number | null;
  direction: string;
  outcome: string;
  queueId: string | null;
  agentId: string | null;
  talkMs: number | null;
  disposition: string | null;
}

export function parseContactCalls(data: unknown): ContactCall[] {
  const items = data && typeof data === "object" ? (data as { items?: unknown }).items : undefined;
  if (!Array.isArray(items)) return [];
  const out: ContactCall[] = [];
  for (const item of items) {
    if (!item || typeof item !== "object" || Array.isArray(item)) continue;
    const c = item as Record<string, unknown>;
    const at = typeof c.arrived_at === "string" ? Date.parse(c.arrived_at) : NaN;
    out.push({
      callId: str(c.call_id),
      arrivedAt: Number.isNaN(at) ? null : at,
      direction: str(c.direction),
      outcome: str(c.outcome),
      queueId: typeof c.queue_id === "string" ? c.queue_id : null,
      agentId: typeof c.agent_id === "string" ? c.agent_id : null,
      talkMs: typeof c.talk_ms === "number" && Number.isFinite(c.talk_ms) ? c.talk_ms : null,
      disposition: typeof c.disposition === "string" && c.disposition !== "" ? c.disposition : null,
    });
  }
  return out;
}

/** The contact's last calls, newest first. */
export async function fetchContactCalls(id: string, limit = 5): Promise<ContactCall[]> {
  return parseContactCalls(await request<unknown>("GET", `/api/v1/contacts/${encodeURIComponent(id)}/calls?limit=${limit}`));
}

/** Where a call is transferred or consulted to (the body's `target`). */
export type TransferTarget =
  | { type: "queue"; queue_id: string }
  | { type: "agent"; agent_id: string }
  | { type: "number"; number: string };

const callPath = (callId: string) => `/api/v1/calls/${encodeURIComponent(callId)}`;

/** `POST /api/v1/calls/{id}/transfer` (blind), answered 202. */
export function transferCall(callId: string, target: TransferTarget): Promise<void> {
  return request<void>("POST", `${callPath(callId)}/transfer`, { target });
}

/** `POST /api/v1/calls/{id}/consult` (warm transfer: the caller is held), answered 202. */
export function startConsult(callId: string, target: TransferTarget): Promise<void> {
  return request<void>("POST", `${callPath(callId)}/consult`, { target });
}

/** `POST /api/v1/calls/{id}/consult/complete`: the caller and the consulted party are joined. */
export function completeConsult(callId: string): Promise<void> {
  return request<void>("POST", `${callPath(callId)}/consult/complete`);
}

/** `DELETE /api/v1/calls/{id}/consult`: back to the caller. */
export function cancelConsult(callId: string): Promise<void> {
  return request<void>("DELETE", `${callPath(callId)}/consult`);
}

/** `POST /api/v1/agent/wrap-up`, answered 204 (409 when the agent is not wrapping up). */
export function submitWrapUp(disposition: string, notes: string): Promise<void> {
  return request<void>("POST", "/api/v1/agent/wrap-up", { disposition, notes });
}

/** `POST /api/v1/agent/call` (click-to-call): the agent's phone rings first; answers the new call's id. */
export async function placeCall(body: { number: string } | { contact_id: string }): Promise<string> {
  const data = await request<{ call_id?: unknown }>("POST", "/api/v1/agent/call", body);
  if (!data || typeof data.call_id !== "string" || data.call_id === "") {
    throw new ApiError(500, "The server's answer had no call id.");
  }
  return data.call_id;
}

/** How a supervisor takes part in a live call (`POST /api/v1/calls/{id}/supervision`). */
export type SupervisionMode = "monitor" | "whisper" | "barge" | "take_over";

/**
 * `POST /api/v1/calls/{id}/supervision`, answered 202: the first request
 * rings the supervisor's phone (an INVITE with `X-Switchboard-Call`), a
 * later one only switches the mode. 409 when the supervisor has no phone.
 */
export function superviseCall(callId: string, mode: SupervisionMode): Promise<void> {
  return request<void>("POST", `${callPath(callId)}/supervision`, { mode });
}

/** `DELETE /api/v1/calls/{id}/supervision`, answered 204: the supervisor leaves the call. */
export function stopSupervising(callId: string): Promise<void> {
  return request<void>("DELETE", `${callPath(callId)}/supervision`);
}

/** Where a supervisor moves a waiting call: another queue, or an agent offered it now. */
export type MoveBody = { queue_id: string } | { agent_id: string };

/** `POST /api/v1/calls/{id}/move` (409 when the agent is not available). */
export function moveCall(callId: string, body: MoveBody): Promise<void> {
  return request<void>("POST", `${callPath(callId)}/move`, body);
}

/** `POST /api/v1/calls/{id}/priority`: the waiting call's base priority (higher is served first). */
export function setCallPriority(callId: string, priority: number): Promise<void> {
  return request<void>("POST", `${callPath(callId)}/priority`, { priority });
}

/** `PUT /api/v1/agents/{id}/state` (supervisors), answered 204; 409 when the agent is logged out or on a call. */
export function setAgentStateFor(agentId: string, body: StateRequest): Promise<void> {
  return request<void>("PUT", `/api/v1/agents/${encodeURIComponent(agentId)}/state`, body);
}
