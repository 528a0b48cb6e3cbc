// The Queues admin page: a queue's settings (model Queue: strategy, service
// level, limits, overflow, required skills, routing rules), and its members
// (`PUT /api/v1/queues/{id}/members`). Business hours are edited on their
// own page; the rarely used skill-expansion steps as JSON.

import {
  areaBox,
  cell,
  checkBox,
  CHOOSE,
  type CollectionSpec,
  field,
  type Issue,
  type Item,
  type Json,
  list,
  numberBox,
  obj,
  readNumber,
  RowList,
  selectBox,
  str,
  tag,
  textBox,
} from "./admin-form";
import { defaultHours, defaultZone, hoursSummary } from "./admin-hours-editor";
import type { Refs } from "./admin-refs";
import { sendJson } from "./api";
import { h } from "./dom";

export const STRATEGIES: Array<[string, string]> = [
  ["longest_idle", "Longest idle agent"],
  ["fewest_calls", "Fewest calls today"],
  ["least_talk_time", "Least talk time today"],
  ["round_robin", "Round robin"],
  ["ring_all", "Ring all"],
  ["best_skill", "Best skill level"],
  ["sticky", "Sticky (the caller's last agent)"],
];

const OVERFLOWS: Array<[string, string]> = [
  ["", "None"],
  ["queue", "Another queue"],
  ["ivr", "An IVR flow"],
  ["voicemail", "Voicemail"],
  ["callback", "Offer a callback"],
  ["message_and_hangup", "A message, then hang up"],
  ["number", "An outside number"],
];

/** RoutingRules::default() (routing.rs). */
const DEFAULT_ROUTING: Json = {
  skill_steps: [],
  vip_relax_after_secs: null,
  sticky: { within_days: 30, wait_secs: 15 },
  blending_threshold_secs: null,
  join_empty: true,
  leave_empty: false,
  announce_interval_secs: null,
};

/** A listed queue as the body `PUT /api/v1/queues/{id}` takes: its model fields (no id, no members). */
export function queueBody(q: Json): Json {
  return {
    name: q.name,
    strategy: q.strategy,
    service_level: q.service_level,
    max_wait_secs: q.max_wait_secs,
    max_length: q.max_length,
    wrap_up_secs: q.wrap_up_secs,
    ring_timeout_secs: q.ring_timeout_secs,
    business_hours: q.business_hours,
    overflow: q.overflow ?? null,
    callback_threshold_secs: q.callback_threshold_secs ?? null,
    required_skills: q.required_skills,
    priority_aging_per_min: q.priority_aging_per_min,
    record_calls: q.record_calls,
    post_call_survey: q.post_call_survey,
    routing: q.routing,
  };
}

function newQueue(zone: string): Json {
  return {
    name: "",
    strategy: "longest_idle",
    service_level: { percent: 80, seconds: 20 },
    max_wait_secs: 600,
    max_length: 30,
    wrap_up_secs: 30,
    ring_timeout_secs: 20,
    business_hours: defaultHours(zone),
    overflow: null,
    callback_threshold_secs: null,
    required_skills: [],
    priority_aging_per_min: 0,
    record_calls: false,
    post_call_survey: false,
    routing: DEFAULT_ROUTING,
  };
}

const group = (legend: string, ...children: Array<Node | null>) =>
  h("fieldset", { class: "group-box" }, h("legend", {}, legend), h("div", { class: "form-grid" }, ...children));

/** A checkbox with its label after it. */
export function checkField(label: string, box: HTMLInputElement): HTMLElement {
  return h("div", { class: "field check" }, box, h("label", { for: box.id }, label));
}

/** A number or null (an empty input). */
const optional = (input: HTMLInputElement) => (input.value.trim() === "" ? null : readNumber(input));

export function queuesSpec(refs: Refs): CollectionSpec {
  const skillName = (id: unknown) => refs.name("skills", id);
  return {
    collection: "queues",
    title: "Queues",
    noun: "queue",
    columns: [
      { label: "Name", cell: (q) => str(q.name) },
      { label: "Strategy", cell: (q) => STRATEGIES.find(([v]) => v === q.strategy)?.[1] ?? str(q.strategy) },
      {
        label: "Service level",
        cell: (q) => {
          const sl = obj(q.service_level);
          return `${String(sl.percent ?? "?")}% in ${String(sl.seconds ?? "?")} s`;
        },
      },
      { label: "Wrap-up (s)", cell: (q) => String(q.wrap_up_secs ?? "—"), num: true },
      {
        label: "Required skills",
        cell: (q) =>
          list(q.required_skills)
            .map(obj)
            .map((s) => `${skillName(s.skill_id)} ≥ ${String(s.min_level)}`)
            .join(", ") || "—",
      },
      { label: "Members", cell: (q) => String(list(q.members).length), num: true },
    ],
    name: (q) => str(q.name),
    prepare: () => refs.load("skills", "queues", "ivr-flows", "agents"),
    form: (item) => queueForm(item, refs),
  };
}

function queueForm(item: Item | null, refs: Refs) {
  const q = item ?? newQueue(defaultZone(refs.items("queues")));
  const sl = obj(q.service_level);
  const routing = { ...DEFAULT_ROUTING, ...obj(q.routing) };
  const sticky = obj(routing.sticky);

  const name = textBox("name", q.name, { maxlength: "100", autocomplete: "off" });
  const strategy = selectBox("strategy", STRATEGIES, q.strategy || "longest_idle");
  const percent = numberBox("service_level.percent", sl.percent, { min: "1", max: "100" });
  const seconds = numberBox("service_level.seconds", sl.seconds, { min: "1" });
  const maxWait = numberBox("max_wait_secs", q.max_wait_secs, { min: "1" });
  const maxLength = numberBox("max_length", q.max_length, { min: "1" });
  const wrapUp = numberBox("wrap_up_secs", q.wrap_up_secs, { min: "0", max: "3600" });
  const ring = numberBox("ring_timeout_secs", q.ring_timeout_secs, { min: "5", max: "300" });
  const aging = numberBox("priority_aging_per_min", q.priority_aging_per_min ?? 0, { min: "0" });
  const record = checkBox("record_calls", q.record_calls);
  const survey = checkBox("post_call_survey", q.post_call_survey);
  const callback = numberBox("callback_threshold_secs", q.callback_threshold_secs, { min: "0" });

  // --- overflow ---
  const overflow = obj(q.overflow);
  const overflowType = selectBox("overflow", OVERFLOWS, q.overflow ? str(overflow.type) : "", "f-overflow-type");
  const otherQueues = refs.options("queues").filter(([id]) => id !== item?.id);
  const ovQueue = selectBox("overflow.queue_id", [CHOOSE, ...otherQueues], overflow.queue_id);
  const ovFlow = selectBox("overflow.flow_id", [CHOOSE, ...refs.options("ivr-flows")], overflow.flow_id);
  const ovPrompt = textBox("overflow.prompt", overflow.prompt, { maxlength: "200" });
  const ovNumber = textBox("overflow.number", overflow.number, { type: "tel", autocomplete: "off", placeholder: "+442071838750" });
  const ovFields: Array<[string, HTMLElement]> = [
    ["queue", field("Overflow queue", ovQueue)],
    ["ivr", field("Overflow IVR flow", ovFlow)],
    ["message_and_hangup", field("Message prompt", ovPrompt)],
    ["number", field("Overflow number (E.164)", ovNumber)],
  ];
  const showOverflow = () => {
    for (const [type, el] of ovFields) el.hidden = overflowType.value !== type;
  };
  overflowType.addEventListener("change", showOverflow);
  showOverflow();

  // --- required skills and members ---
  const skillOptions = [CHOOSE, ...refs.options("skills")];
  const required = new RowList<Json>({
    id: "f-required_skills",
    legend: "Required skills",
    noun: "required skill",
    empty: "No skills required: any member agent may take the calls.",
    items: list(q.required_skills).map(obj),
    make: (s, key) => {
      const skill = selectBox("skill_id", skillOptions, s?.skill_id ?? "", `f-required_skills-${key}-skill_id`);
      const level = numberBox("min_level", s ? s.min_level : 5, { min: "1", max: "10" }, `f-required_skills-${key}-min_level`);
      return {
        el: h("div", { class: "row-fields" }, cell("Skill", skill), cell("Minimum level (1–10)", level)),
        read: (p) => ({ skill_id: tag(skill, `${p}.skill_id`).value, min_level: readNumber(tag(level, `${p}.min_level`)) }),
      };
    },
  });
  const originalMembers = list(q.members).map(obj);
  const agentOptions = [CHOOSE, ...refs.options("agents")];
  const members = new RowList<Json>({
    id: "f-members",
    legend: "Members (agents serving the queue)",
    noun: "member",
    empty: "No agents serve this queue.",
    items: originalMembers,
    make: (m, key) => {
      const agent = selectBox("agent_id", agentOptions, m?.agent_id ?? "", `f-members-${key}-agent_id`);
      const weight = numberBox("weight", m ? m.weight : 100, { min: "1", max: "100" }, `f-members-${key}-weight`);
      return {
        el: h("div", { class: "row-fields" }, cell("Agent", agent), cell("Weight (1–100)", weight)),
        read: (p) => ({ agent_id: tag(agent, `${p}.agent_id`).value, weight: readNumber(tag(weight, `${p}.weight`)) }),
      };
    },
  });

  // --- routing rules ---
  const vipRelax = numberBox("routing.vip_relax_after_secs", routing.vip_relax_after_secs, { min: "0" });
  const announce = numberBox("routing.announce_interval_secs", routing.announce_interval_secs, { min: "1" });
  const blending = numberBox("routing.blending_threshold_secs", routing.blending_threshold_secs, { min: "0" });
  const joinEmpty = checkBox("routing.join_empty", routing.join_empty);
  const leaveEmpty = checkBox("routing.leave_empty", routing.leave_empty);
  const stickyDays = numberBox("routing.sticky.within_days", sticky.within_days, { min: "0" });
  const stickyWait = numberBox("routing.sticky.wait_secs", sticky.wait_secs, { min: "0" });
  const steps = areaBox("routing.skill_steps", JSON.stringify(routing.skill_steps ?? [], null, 2), {
    rows: "4",
    spellcheck: "false",
    class: "code",
  });
  const hintOptional = "empty: never";

  const hoursNote = h(
    "p",
    { class: "muted note", "data-path": "business_hours" },
    `Business hours: ${hoursSummary(q.business_hours)} (${str(obj(q.business_hours).time_zone) || "no time zone"}). `,
    item ? h("a", { href: "#/admin/hours" }, "Change them on the Business hours page") : "Change them on the Business hours page after saving.",
  );

  const body = [
    group(
      "Queue",
      field("Name", name, "unique in the tenant"),
      field("Strategy", strategy),
      field("Max wait (s)", maxWait, "then overflow"),
      field("Max callers waiting", maxLength),
      field("Wrap-up (s)", wrapUp, "0–3600"),
      field("Ring timeout (s)", ring, "5–300, then RONA"),
      field("Priority aging per minute", aging),
      h("div", { class: "checks" }, checkField("Record calls", record), checkField("Post-call survey", survey)),
    ),
    group(
      "Service level target",
      field("Percent of calls", percent, "1–100"),
      field("Answered within (s)", seconds),
    ),
    group(
      "Overflow and callback",
      field("Overflow to", overflowType, "when calls wait too long, the queue is full or closed"),
      ...ovFields.map(([, el]) => el),
      field("Offer a callback above a wait of (s)", callback, hintOptional),
    ),
    required.element,
    members.element,
    h(
      "details",
      { class: "group-box routing" },
      h("summary", {}, "Routing rules"),
      h(
        "div",
        { class: "form-grid" },
        field("VIPs to any agent after (s)", vipRelax, hintOptional),
        field("Announce position every (s)", announce, hintOptional),
        field("Blending threshold (s)", blending, "back-office agents help above this wait; empty: never"),
        field("Sticky: last agent within (days)", stickyDays),
        field("Sticky: wait for them (s)", stickyWait),
        h(
          "div",
          { class: "checks wide" },
          checkField("Callers may join with no agent logged in", joinEmpty),
          checkField("Callers leave when the last agent logs out", leaveEmpty),
        ),
      ),
      field("Skill-expansion steps (JSON list)", steps, 'e.g. [{"after_secs": 30, "required_skills": [], "extra_queues": []}]'),
    ),
    hoursNote,
  ];

  let membersToSend: Json[] | null = null;

  const read = (issues: Issue[]): Json => {
    let skillSteps: unknown = [];
    try {
      skillSteps = JSON.parse(steps.value.trim() || "[]");
      if (!Array.isArray(skillSteps)) issues.push({ el: steps, reason: "must be a JSON list ([…])" });
    } catch (err) {
      issues.push({ el: steps, reason: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` });
    }
    const type = overflowType.value;
    const overflowValue: Json | null =
      type === ""
        ? null
        : type === "queue"
          ? { type, queue_id: ovQueue.value }
          : type === "ivr"
            ? { type, flow_id: ovFlow.value }
            : type === "message_and_hangup"
              ? { type, prompt: ovPrompt.value }
              : type === "number"
                ? { type, number: ovNumber.value.trim() }
                : { type };
    const memberList = members.read("members", issues) as Json[];
    membersToSend = JSON.stringify(memberList) === JSON.stringify(originalMembers.map((m) => ({ agent_id: m.agent_id, weight: m.weight })))
      ? null
      : memberList;
    return {
      ...queueBody(q),
      name: name.value.trim(),
      strategy: strategy.value,
      service_level: { percent: readNumber(percent), seconds: readNumber(seconds) },
      max_wait_secs: readNumber(maxWait),
      max_length: readNumber(maxLength),
      wrap_up_secs: readNumber(wrapUp),
      ring_timeout_secs: readNumber(ring),
      overflow: overflowValue,
      callback_threshold_secs: optional(callback),
      required_skills: required.read("required_skills", issues),
      priority_aging_per_min: readNumber(aging),
      record_calls: record.checked,
      post_call_survey: survey.checked,
      routing: {
        ...routing,
        skill_steps: skillSteps,
        vip_relax_after_secs: optional(vipRelax),
        sticky: { ...sticky, within_days: readNumber(stickyDays), wait_secs: readNumber(stickyWait) },
        blending_threshold_secs: optional(blending),
        join_empty: joinEmpty.checked,
        leave_empty: leaveEmpty.checked,
        announce_interval_secs: optional(announce),
      },
    };
  };

  return {
    body,
    read,
    after: async (saved: Item) => {
      if (membersToSend === null) return;
      await sendJson("PUT", `/api/v1/queues/${encodeURIComponent(saved.id)}/members`, { members: membersToSend });
      membersToSend = null;
    },
  };
}
