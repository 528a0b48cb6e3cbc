// The screen pop: who is calling (the INVITE's From name and number, its VIP
// tier), the CRM contact (company, deal stage, notes, the last calls) and
// why the ACD chose this agent (the live feed's `offered_to_agent` reason
// for the call), plus the queue the call came from.

import { ApiError, type ContactCall, type ContactCard, fetchContact, fetchContactCalls } from "./api";
import { isObject, words } from "./agent-state";
import { h } from "./dom";

/** One skill the agent matched (`reason.skills[]`). */
export interface SkillMatch {
  skillId: string;
  required: number;
  level: number;
}

/** Why this agent: the `reason` of an `offered_to_agent` event. */
export interface OfferReason {
  strategy: string;
  step: number;
  skills: SkillMatch[];
  detail: string;
}

/** An offer of a call to this agent, from the live feed. */
export interface Offer {
  callId: string;
  queueId: string | null;
  reason: OfferReason | null;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** The offer in an `event` message's event, when it offers a call to `agentId`; else null. */
export function offerFromEvent(event: unknown, agentId: string): Offer | null {
  if (!isObject(event) || !isObject(event.payload)) return null;
  const p = event.payload;
  const kind = typeof p.kind === "string" ? p.kind : typeof p.type === "string" ? p.type : "";
  if (kind !== "offered_to_agent" || p.agent_id !== agentId) return null;
  const callId = typeof event.call_id === "string" ? event.call_id : typeof p.call_id === "string" ? p.call_id : null;
  if (!callId) return null;
  let reason: OfferReason | null = null;
  if (isObject(p.reason)) {
    const r = p.reason;
    const skills: SkillMatch[] = Array.isArray(r.skills)
      ? r.skills.flatMap((s) =>
          isObject(s) && typeof s.skill_id === "string" ? [{ skillId: s.skill_id, required: num(s.required), level: num(s.level) }] : [],
        )
      : [];
    reason = {
      strategy: typeof r.strategy === "string" ? r.strategy : "",
      step: num(r.step),
      skills,
      detail: typeof r.detail === "string" ? r.detail : "",
    };
  }
  return { callId, queueId: typeof p.queue_id === "string" ? p.queue_id : null, reason };
}

const STRATEGIES: Record<string, string> = {
  longest_idle: "Longest idle agent",
  fewest_calls: "Fewest calls today",
  least_talk_time: "Least talk time today",
  round_robin: "Round robin",
  ring_all: "Ringing every eligible agent",
  best_skill: "Best skill match",
  sticky: "Account owner / last agent for this caller",
};

/** A routing strategy in words: `longest_idle` → "Longest idle agent". */
export function strategyWords(strategy: string): string {
  if (STRATEGIES[strategy]) return STRATEGIES[strategy];
  const w = words(strategy);
  return w ? w.charAt(0).toUpperCase() + w.slice(1) : "";
}

/** "Longest idle agent — longest idle: 312 s · skills: sales 9 (needs 5) · widened, step 1". */
export function whyText(reason: OfferReason, skillName: (id: string) => string | null): string {
  const parts: string[] = [];
  const strategy = strategyWords(reason.strategy);
  parts.push(strategy && reason.detail ? `${strategy} — ${reason.detail}` : strategy || reason.detail);
  if (reason.skills.length > 0) {
    parts.push(`skills: ${reason.skills.map((s) => `${skillName(s.skillId) ?? "skill"} ${s.level} (needs ${s.required})`).join(", ")}`);
  }
  if (reason.step > 0) parts.push(`requirements widened, step ${reason.step}`);
  return parts.filter((p) => p !== "").join(" · ");
}

/** What the pop shows about the call itself (from the INVITE). */
export interface PopCall {
  callId: string | null;
  contactId: string | null;
  vipTier: number;
  displayName: string;
  number: string;
}

export interface ScreenPopContext {
  queueName(id: string): string | null;
  skillName(id: string): string | null;
  /** "Call back" was pressed for this contact. */
  callBack(contactId: string): void;
}

const OUTCOMES: Record<string, string> = {
  answered: "Answered",
  abandoned: "Abandoned",
  voicemail: "Voicemail",
  overflowed: "Overflowed",
  callback: "Callback",
  transferred: "Transferred",
};

function historyLine(c: ContactCall): HTMLElement {
  const when =
    c.arrivedAt === null
      ? h("span", {}, "—")
      : h(
          "time",
          { datetime: new Date(c.arrivedAt).toISOString() },
          new Date(c.arrivedAt).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }),
        );
  const outcome = OUTCOMES[c.outcome] ?? (words(c.outcome) || "—");
  const direction = c.direction === "outbound" ? "outbound" : c.direction === "inbound" ? "inbound" : "";
  const bits = [direction, outcome, c.disposition ? words(c.disposition) : "no disposition"].filter((b) => b !== "");
  return h("li", { "data-call-id": c.callId || undefined, "data-outcome": c.outcome || undefined }, when, ` · ${bits.join(" · ")}`);
}

/** The `#screen-pop` card; `show()` for a new call, `setOffer()` when the reason arrives. */
export function screenPopCard(ctx: ScreenPopContext) {
  const heading = h("h2", { id: "pop-heading" }, "Caller");
  const name = h("span", { id: "pop-name", class: "pop-name" }, "");
  const vip = h("span", { id: "pop-vip", class: "vip-badge", "data-vip": "0" }, "Regular");
  const number = h("p", { id: "pop-number", class: "pop-number" }, "");
  const queue = h("dd", { id: "pop-queue" }, "");
  const why = h("dd", { id: "pop-why" }, "");
  const company = h("dd", { id: "pop-company" }, "");
  const stage = h("dd", { id: "pop-stage" }, "");
  const notes = h("dd", { id: "pop-notes", class: "pop-notes" }, "");
  const history = h("ul", { id: "pop-history", class: "pop-history", "aria-labelledby": "pop-history-heading" });
  const callBack = h("button", { type: "button", id: "btn-call-contact", hidden: true }, "Call back");

  const row = (label: string, dd: HTMLElement) => {
    const dt = h("dt", {}, label);
    return { dt, dd, show: (on: boolean) => ((dt.hidden = !on), (dd.hidden = !on)) };
  };
  const queueRow = row("Queue", queue);
  const whyRow = row("Why you", why);
  const rows = [queueRow, whyRow, row("Company", company), row("Deal stage", stage), row("Notes", notes)];

  const card = h(
    "section",
    { id: "screen-pop", class: "card pop", "aria-labelledby": "pop-heading", "aria-live": "polite", hidden: true },
    heading,
    h("p", { class: "pop-who" }, name, " ", vip),
    number,
    h("dl", { class: "pop-facts" }, ...rows.flatMap((r) => [r.dt, r.dd])),
    h("h3", { id: "pop-history-heading" }, "Recent calls"),
    history,
    h("div", { class: "row" }, callBack),
  );

  let generation = 0;
  let current: PopCall | null = null;
  let contact: ContactCard | null = null;
  let offer: Offer | null = null;

  function showName(): void {
    if (!current) return;
    name.textContent = current.displayName || contact?.name || current.number || "Unknown caller";
  }

  function showOffer(): void {
    const queueName = offer?.queueId ? ctx.queueName(offer.queueId) : null;
    queue.textContent = queueName ?? "";
    if (offer?.queueId) queue.dataset.queueId = offer.queueId;
    else delete queue.dataset.queueId;
    queueRow.show(queueName !== null);
    why.textContent = offer?.reason ? whyText(offer.reason, ctx.skillName) : "";
    whyRow.show(why.textContent !== "");
  }

  function setHistory(items: ContactCall[] | null, note = "No history"): void {
    const shown = (items ?? []).filter((c) => !current || c.callId !== current.callId).slice(0, 5);
    history.replaceChildren(...(shown.length > 0 ? shown.map(historyLine) : [h("li", { class: "empty" }, note)]));
  }

  async function loadContact(id: string, gen: number): Promise<void> {
    company.textContent = "Loading…";
    stage.textContent = "";
    notes.textContent = "";
    const [got, calls] = await Promise.allSettled([fetchContact(id), fetchContactCalls(id, 5)]);
    if (gen !== generation) return;
    if (got.status === "fulfilled") {
      contact = got.value;
      company.textContent = contact.company || "—";
      stage.textContent = contact.dealStage ? words(contact.dealStage) : "—";
      notes.textContent = contact.notes || "—";
      callBack.hidden = false;
      showName();
    } else {
      const err = got.reason;
      company.textContent = err instanceof ApiError && err.status === 404 ? "Contact not found" : "Contact could not be loaded";
      stage.textContent = "—";
      notes.textContent = "—";
    }
    setHistory(calls.status === "fulfilled" ? calls.value : null);
  }

  callBack.addEventListener("click", () => {
    if (contact?.id) ctx.callBack(contact.id);
    else if (current?.contactId) ctx.callBack(current.contactId);
  });

  return {
    card,
    /** A new call rang: show what the INVITE says, then fetch the contact. */
    show(call: PopCall, knownOffer: Offer | null): void {
      generation += 1;
      current = call;
      contact = null;
      offer = knownOffer;
      heading.textContent = "Caller";
      card.dataset.callId = call.callId ?? "";
      showName();
      number.textContent = call.number;
      vip.textContent = call.vipTier > 0 ? `VIP tier ${call.vipTier}` : "Regular";
      vip.dataset.vip = String(call.vipTier);
      vip.classList.toggle("is-vip", call.vipTier > 0);
      showOffer();
      callBack.hidden = true;
      if (call.contactId) {
        void loadContact(call.contactId, generation);
      } else {
        company.textContent = "—";
        stage.textContent = "—";
        notes.textContent = "No contact record for this number.";
        setHistory(null);
      }
      card.hidden = false;
    },
    /** The offer for the shown call arrived (or changed). */
    setOffer(next: Offer): void {
      if (!current || next.callId !== current.callId) return;
      offer = next;
      showOffer();
    },
    /** Queue and skill names arrived: show them. */
    refreshNames(): void {
      if (current) showOffer();
    },
    /** The call is over but the pop stays for the wrap-up (and "Call back"). */
    ended(): void {
      if (current) heading.textContent = "Last caller";
    },
    hide(): void {
      generation += 1;
      current = null;
      contact = null;
      offer = null;
      card.hidden = true;
    },
    /** Whether "Call back" may be pressed now (not while a call is up). */
    setCallBackEnabled(on: boolean): void {
      callBack.disabled = !on;
    },
  };
}

export type ScreenPop = ReturnType<typeof screenPopCard>;
