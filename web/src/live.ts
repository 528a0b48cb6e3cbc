// The live feed (`GET /api/v1/live`): one WebSocket that reconnects by itself
// with backoff (0.5 s doubling to 5 s) and hands each parsed message on.

const PROTOCOL = "switchboard.bearer";
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;

/** A message of the feed, tagged by `type`; other fields as sent. */
export interface LiveMessage {
  type: string;
  [key: string]: unknown;
}

export interface LiveHandlers {
  /** A message arrived. */
  message(msg: LiveMessage): void;
  /** The socket opened (true) or was lost (false). */
  connection(connected: boolean): void;
  /** A connection attempt failed before it opened (maybe a dead token). */
  failedToOpen?(): void;
}

export class LiveFeed {
  private socket: WebSocket | null = null;
  private delay = FIRST_DELAY_MS;
  private timer: number | undefined;
  private stopped = false;

  constructor(
    private readonly token: string,
    private readonly handlers: LiveHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Closes the socket for good. */
  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "bye");
  }

  /** Drops the socket and opens a new one at once, for a fresh snapshot. */
  refresh(): void {
    if (this.stopped) return;
    window.clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "refresh");
    this.delay = FIRST_DELAY_MS;
    this.open();
  }

  private url(query = ""): string {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/api/v1/live${query}`;
  }

  /** Token as a subprotocol; if the browser refuses it as one, the `token` query parameter. */
  private connect(): WebSocket {
    try {
      return new WebSocket(this.url(), [PROTOCOL, this.token]);
    } catch {
      return new WebSocket(this.url(`?token=${encodeURIComponent(this.token)}`));
    }
  }

  private open(): void {
    let socket: WebSocket;
    try {
      socket = this.connect();
    } catch {
      this.scheduleReconnect(false);
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.delay = FIRST_DELAY_MS;
      this.handlers.connection(true);
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (this.socket !== socket || typeof ev.data !== "string") return;
      let msg: unknown;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg && typeof msg === "object" && typeof (msg as LiveMessage).type === "string") {
        this.handlers.message(msg as LiveMessage);
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return; // replaced or stopped on purpose
      this.socket = null;
      this.scheduleReconnect(opened);
    };
    // onerror is always followed by onclose; nothing to do there.
  }

  private scheduleReconnect(wasOpen: boolean): void {
    if (this.stopped) return;
    this.handlers.connection(false);
    if (!wasOpen) this.handlers.failedToOpen?.();
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.timer = window.setTimeout(() => this.open(), wait);
  }
}
