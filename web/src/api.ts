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
  user?: { username?: string; display_name?: string } | null;
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
