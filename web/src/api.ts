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

/** A failed request: the HTTP status and the server's `error` text. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Who the caller is (`GET /api/v1/me`); only a few fields are relied on. */
export interface Me {
  role?: string;
  tenant_slug?: string;
  user?: { username?: string; display_name?: string } | null;
  agent?: { id?: string; name?: string; extension?: string } | null;
  [key: string]: unknown;
}

async function request<T>(method: string, path: string, body?: unknown, token = getToken()): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers["authorization"] = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "The server cannot be reached. Check your connection and try again.");
  }
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const message =
      data && typeof data === "object" && typeof (data as { error?: unknown }).error === "string"
        ? (data as { error: string }).error
        : `Request failed (${response.status} ${response.statusText})`.trim();
    throw new ApiError(response.status, message);
  }
  return data as T;
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
