// The agent's browser phone: one JsSIP user agent (SIP over WebSocket to the
// server's /sip, WebRTC audio), registered with the short-lived credential
// of POST /api/v1/agent/sip-login. It reconnects and re-registers by itself;
// when the registrar refuses the credential (401/403: expired, or the server
// was re-keyed) it fetches a new one once. One call at a time: a second
// INVITE while busy is answered 486.

import * as JsSIP from "jssip";
import type { RTCSession } from "jssip/lib/RTCSession";
import type { IncomingRequest } from "jssip/lib/SIPMessage";
import type { RTCSessionEvent } from "jssip/lib/UA";
import { ApiError, fetchSipCredential, type SipCredential } from "./api";

/** Wait before asking for a credential again after the server could not be reached. */
const LOGIN_RETRY_MS = 5000;
/** Wait before registering again after a refusal that was not about the credential. */
const REGISTER_RETRY_MS = 5000;
/** Renew the credential this long before it expires (in place, without a new UA). */
const RENEW_BEFORE_MS = 60_000;

/** The registration as the topbar shows it. */
export interface RegStatus {
  state: "registering" | "registered" | "unregistered" | "failed";
  /** Why not registered, in words. */
  cause?: string;
  /** When the credential was refused: the HTTP status of `POST /api/v1/agent/sip-login` (409: no SIP account). */
  httpStatus?: number;
}

/** Where a call is: rung, answered (media starting or flowing), or over. */
export type CallState = "ringing" | "answering" | "in_call" | "ended";

/** The audio counters of a call, from the peer connection's statistics. */
export interface AudioStats {
  packetsReceived: number;
  packetsSent: number;
  /** The inbound `totalAudioEnergy` (0 when silent or not reported). */
  audioEnergy: number;
}

/** What the phone tells the view. */
export interface PhoneHandlers {
  /** The registration changed. */
  status(status: RegStatus): void;
  /** A call rang, or something about the current call changed. */
  call(call: PhoneCall): void;
  /** The current call is over (`call.wasAnswered` says whether the agent took it). */
  ended(call: PhoneCall): void;
}

const header = (request: IncomingRequest, name: string): string | null => {
  try {
    if (!request.hasHeader(name)) return null;
    const value = request.getHeader(name);
    return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
  } catch {
    return null;
  }
};

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** One call of the phone: what the INVITE said about it and the controls. */
export class PhoneCall {
  /** `X-Switchboard-Call`: the call's id (a UUID), when the server sent it. */
  readonly callId: string | null;
  /** `X-Switchboard-Contact`: the CRM contact's id, when known. */
  readonly contactId: string | null;
  /** `X-Switchboard-Vip`: the VIP tier (0 = regular). */
  readonly vipTier: number;
  /** The From display name ("" when none). */
  readonly displayName: string;
  /** The caller's number (the From URI's user part). */
  readonly number: string;

  state: CallState = "ringing";
  /** On hold: JsSIP fired `hold` and the re-INVITE was accepted. */
  held = false;
  /** A hold or resume re-INVITE is on its way. */
  holdPending = false;
  muted = false;
  /** The agent took the call (200 OK sent). */
  wasAnswered = false;
  /** When the call was answered (epoch ms). */
  answeredAt: number | null = null;
  /** Why it ended, in JsSIP's words (e.g. "Terminated", "Canceled"). */
  endCause = "";

  constructor(
    private readonly session: RTCSession,
    request: IncomingRequest,
    private readonly audio: HTMLAudioElement,
    private readonly changed: (call: PhoneCall) => void,
    private readonly over: (call: PhoneCall) => void,
  ) {
    this.callId = header(request, "X-Switchboard-Call");
    this.contactId = header(request, "X-Switchboard-Contact");
    const vip = Number.parseInt(header(request, "X-Switchboard-Vip") ?? "0", 10);
    this.vipTier = Number.isFinite(vip) && vip > 0 ? vip : 0;
    const identity = session.remote_identity;
    this.displayName = (identity && typeof identity.display_name === "string" ? identity.display_name : "").trim();
    this.number = identity && identity.uri && typeof identity.uri.user === "string" ? identity.uri.user : "";

    // The remote audio must play in an element, else Chromium decodes nothing
    // (and reports no audio energy). The server's offer may carry no msid,
    // so a track can come without a stream: wrap it in one.
    session.on("peerconnection", (e) => {
      e.peerconnection.addEventListener("track", (ev: RTCTrackEvent) => {
        if (ev.track.kind !== "audio") return;
        const stream = ev.streams[0] ?? new MediaStream([ev.track]);
        this.audio.srcObject = stream;
        void this.audio.play().catch(() => {});
      });
    });
    session.on("accepted", () => {
      this.wasAnswered = true;
      this.state = "in_call";
      this.answeredAt = Date.now();
      this.changed(this);
    });
    session.on("muted", () => {
      this.muted = true;
      this.changed(this);
    });
    session.on("unmuted", () => {
      this.muted = false;
      this.changed(this);
    });
    session.on("ended", (e) => this.finish(e.cause));
    session.on("failed", (e) => this.finish(e.cause));
  }

  private finish(cause: string): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.endCause = typeof cause === "string" ? cause : "";
    this.held = false;
    this.holdPending = false;
    this.audio.pause();
    this.audio.srcObject = null;
    this.over(this);
  }

  /** Takes the call: microphone audio, no video, no STUN/TURN (the server is reachable directly). */
  answer(): void {
    if (this.state !== "ringing") return;
    this.state = "answering";
    this.changed(this);
    try {
      this.session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } });
    } catch (err) {
      this.state = "ringing";
      this.changed(this);
      throw err;
    }
  }

  /** Declines a ringing call with 486: the ACD offers it to the next agent. */
  reject(): void {
    if (this.state !== "ringing") return;
    this.session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
  }

  hangUp(): void {
    if (this.state === "ended") return;
    this.session.terminate();
  }

  /** Holds (`true`) or resumes (`false`) with a re-INVITE; answers false when JsSIP cannot now. */
  setHold(hold: boolean): boolean {
    if (this.state !== "in_call" || this.holdPending || this.held === hold) return false;
    const done = () => {
      this.holdPending = false;
      this.held = hold;
      this.changed(this);
    };
    const sent = hold ? this.session.hold({}, done) : this.session.unhold({}, done);
    if (!sent) return false;
    this.holdPending = true;
    this.changed(this);
    return true;
  }

  setMuted(mute: boolean): void {
    if (this.state !== "in_call") return;
    if (mute) this.session.mute({ audio: true });
    else this.session.unmute({ audio: true });
  }

  /** A keypad digit as an RFC 4733 telephone-event in the audio stream (not SIP INFO). */
  sendDigit(digit: string): void {
    if (this.state !== "in_call") return;
    this.session.sendDTMF(digit, { transportType: JsSIP.C.DTMF_TRANSPORT.RFC2833 });
  }

  /** The audio counters now, or null before there is a peer connection. */
  async audioStats(): Promise<AudioStats | null> {
    const pc = this.session.connection;
    if (!pc) return null;
    const report = await pc.getStats();
    const out: AudioStats = { packetsReceived: 0, packetsSent: 0, audioEnergy: 0 };
    report.forEach((s: Record<string, unknown>) => {
      const kind = s.kind ?? s.mediaType;
      if (kind !== "audio") return;
      if (s.type === "inbound-rtp") {
        out.packetsReceived += num(s.packetsReceived);
        out.audioEnergy += num(s.totalAudioEnergy);
      } else if (s.type === "outbound-rtp") {
        out.packetsSent += num(s.packetsSent);
      }
    });
    return out;
  }
}

/** The agent's phone: registers, rings, hands calls to the view. */
export class Phone {
  private ua: JsSIP.UA | null = null;
  private credential: SipCredential | null = null;
  private stopped = true;
  private connected = false;
  /** A refused credential was already replaced once since the last registration. */
  private renewedAfterRefusal = false;
  private retryTimer: number | undefined;
  private renewTimer: number | undefined;
  private current: PhoneCall | null = null;
  private last: RegStatus = { state: "unregistered", cause: "not started" };

  constructor(
    private readonly audio: HTMLAudioElement,
    private readonly handlers: PhoneHandlers,
  ) {}

  get status(): RegStatus {
    return this.last;
  }

  /** The call ringing or in progress, if any. */
  get call(): PhoneCall | null {
    return this.current;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.renewedAfterRefusal = false;
    void this.login();
  }

  /** Unregisters, hangs up and closes the socket for good. */
  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.renewTimer);
    const ua = this.ua;
    this.ua = null;
    this.current = null;
    this.connected = false;
    try {
      ua?.stop();
    } catch {
      // already stopped
    }
    this.audio.pause();
    this.audio.srcObject = null;
    this.setStatus({ state: "unregistered", cause: "signed out" });
  }

  private setStatus(status: RegStatus): void {
    this.last = status;
    this.handlers.status(status);
  }

  /** Gets a credential and starts a user agent with it. */
  private async login(): Promise<void> {
    window.clearTimeout(this.retryTimer);
    this.setStatus({ state: "registering" });
    let credential: SipCredential;
    try {
      credential = await fetchSipCredential();
    } catch (err) {
      if (this.stopped) return;
      this.credentialFailed(err);
      return;
    }
    if (this.stopped) return;
    this.startUa(credential);
  }

  /** Shows why there is no credential; tries again later when the server was away. */
  private credentialFailed(err: unknown): void {
    const status = err instanceof ApiError ? err.status : 0;
    const message = err instanceof Error ? err.message : String(err);
    const cause =
      status === 409
        ? `no SIP account: ${message}`
        : status === 403
          ? "not an agent"
          : status === 401
            ? "session ended"
            : status === 0
              ? "server unreachable, retrying"
              : message;
    this.setStatus({ state: "failed", cause, httpStatus: status || undefined });
    if (status === 0 || status >= 500) {
      this.retryTimer = window.setTimeout(() => void this.login(), LOGIN_RETRY_MS);
    }
  }

  private wsUrl(): string {
    return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/sip`;
  }

  private startUa(credential: SipCredential): void {
    const old = this.ua;
    this.ua = null;
    try {
      old?.stop();
    } catch {
      // already stopped
    }
    this.credential = credential;
    this.connected = false;
    let ua: JsSIP.UA;
    try {
      ua = new JsSIP.UA({
        sockets: [new JsSIP.WebSocketInterface(this.wsUrl())],
        uri: credential.uri,
        authorization_user: credential.authorization_user,
        password: credential.password,
        display_name: credential.display_name,
        register: true,
        session_timers: false,
        connection_recovery_min_interval: 1,
        connection_recovery_max_interval: 5,
        user_agent: `Switchboard web (JsSIP ${JsSIP.version})`,
      });
    } catch (err) {
      this.setStatus({ state: "failed", cause: `bad configuration: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    this.ua = ua;
    const mine = () => this.ua === ua && !this.stopped;

    ua.on("connecting", () => {
      if (mine() && this.last.state !== "registered") this.setStatus({ state: "registering" });
    });
    ua.on("connected", () => {
      if (!mine()) return;
      this.connected = true;
      this.setStatus({ state: "registering" });
    });
    ua.on("disconnected", () => {
      if (!mine()) return;
      this.connected = false;
      this.setStatus({ state: "unregistered", cause: "connection lost, reconnecting" });
    });
    ua.on("registered", () => {
      if (!mine()) return;
      this.renewedAfterRefusal = false;
      window.clearTimeout(this.retryTimer);
      this.setStatus({ state: "registered" });
    });
    ua.on("unregistered", (e) => {
      if (!mine()) return;
      const cause = !this.connected ? "connection lost, reconnecting" : e && e.cause ? String(e.cause) : "unregistered";
      this.setStatus({ state: "unregistered", cause });
    });
    ua.on("registrationFailed", (e) => {
      if (!mine()) return;
      const code = e && e.response ? e.response.status_code : 0;
      const cause = e && e.cause ? String(e.cause) : "";
      if (code === 401 || code === 403 || code === 407 || cause === "Authentication Error" || cause === "Rejected") {
        void this.credentialRefused(ua, code);
        return;
      }
      this.setStatus({ state: "failed", cause: code ? `${cause || "refused"} (${code})` : cause || "registration failed" });
      // A transport error is retried by the reconnection; anything else here.
      window.clearTimeout(this.retryTimer);
      this.retryTimer = window.setTimeout(() => {
        if (mine() && this.connected) ua.register();
      }, REGISTER_RETRY_MS);
    });
    ua.on("newRTCSession", (e: RTCSessionEvent) => {
      if (!mine()) return;
      this.incoming(e);
    });

    this.scheduleRenewal(credential);
    ua.start();
  }

  /** The registrar refused the credential: get a new one, once. */
  private async credentialRefused(ua: JsSIP.UA, code: number): Promise<void> {
    if (this.renewedAfterRefusal) {
      this.setStatus({ state: "failed", cause: `credential refused${code ? ` (${code})` : ""}` });
      return;
    }
    this.renewedAfterRefusal = true;
    this.setStatus({ state: "registering", cause: "renewing the credential" });
    let credential: SipCredential;
    try {
      credential = await fetchSipCredential();
    } catch (err) {
      if (this.ua === ua && !this.stopped) this.credentialFailed(err);
      return;
    }
    if (this.ua !== ua || this.stopped) return;
    if (this.current && this.credential && credential.uri === this.credential.uri) {
      // A call is up: keep it, and register again with the new credential.
      this.useInPlace(ua, credential);
      ua.register();
    } else {
      this.startUa(credential);
    }
  }

  private useInPlace(ua: JsSIP.UA, credential: SipCredential): void {
    ua.set("authorization_user", credential.authorization_user);
    ua.set("password", credential.password);
    this.credential = credential;
    this.scheduleRenewal(credential);
  }

  /** Before the credential expires, fetch the next and use it for the coming re-REGISTERs. */
  private scheduleRenewal(credential: SipCredential): void {
    window.clearTimeout(this.renewTimer);
    const expires = credential.expires_at ? Date.parse(credential.expires_at) : NaN;
    if (Number.isNaN(expires)) return;
    const wait = expires - Date.now() - RENEW_BEFORE_MS;
    if (wait <= 0 || wait > 2 ** 31 - 1) return;
    const ua = this.ua;
    this.renewTimer = window.setTimeout(async () => {
      try {
        const next = await fetchSipCredential();
        if (this.ua === ua && ua && !this.stopped && this.credential && next.uri === this.credential.uri) this.useInPlace(ua, next);
      } catch {
        // The registrar's refusal, if it comes, renews it then.
      }
    }, wait);
  }

  private incoming(e: RTCSessionEvent): void {
    const session = e.session;
    if ((e.originator as string) !== "remote") return; // this phone places no calls itself
    if (this.current && this.current.state !== "ended") {
      session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
      return;
    }
    const call = new PhoneCall(
      session,
      e.request as IncomingRequest,
      this.audio,
      (c) => {
        if (this.current === c) this.handlers.call(c);
      },
      (c) => {
        if (this.current !== c) return;
        this.current = null;
        this.handlers.ended(c);
      },
    );
    this.current = call;
    this.handlers.call(call);
  }
}
