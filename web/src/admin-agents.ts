// The Agents admin page: an agent's profile (model Agent: the user who
// signs in as it, name, extension, VIP eligibility, skills with levels,
// queues with weights, device) and, for an existing agent, their weekly
// shifts (admin-shifts.ts, saved on their own). The SIP password is
// write-only: never shown, an empty field keeps it, and a checkbox removes
// it (`DELETE /api/v1/agents/{id}/sip-password`).

import {
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
  type PageContext,
  readNumber,
  RowList,
  selectBox,
  str,
  tag,
  textBox,
} from "./admin-form";
import { checkField } from "./admin-queues";
import type { Refs } from "./admin-refs";
import { shiftsEditor } from "./admin-shifts";
import { sendJson } from "./api";
import { h } from "./dom";

export const VIP_TIERS: Array<[string, string]> = [
  ["0", "0 (regular)"],
  ["1", "1"],
  ["2", "2"],
  ["3", "3 (top)"],
];

const DEVICES: Array<[string, string]> = [
  ["registered", "Registered phone (softphone or desk phone)"],
  ["mobile", "Mobile, through a trunk"],
];

export function agentsSpec(refs: Refs): CollectionSpec {
  const levels = (items: unknown, kind: "skills" | "queues", id: string, value: string) =>
    list(items)
      .map(obj)
      .map((s) => `${refs.name(kind, s[id])} ${String(s[value])}`)
      .sort()
      .join(", ") || "—";
  return {
    collection: "agents",
    title: "Agents",
    noun: "agent",
    columns: [
      { label: "Name", cell: (a) => str(a.name) },
      { label: "Extension", cell: (a) => str(a.extension) },
      { label: "VIP tier", cell: (a) => String(a.vip_tier ?? 0), num: true },
      { label: "Skills (level)", cell: (a) => levels(a.skills, "skills", "skill_id", "level") },
      { label: "Queues (weight)", cell: (a) => levels(a.queues, "queues", "queue_id", "weight") },
      { label: "Device", cell: (a) => (a.device === "mobile" ? `mobile ${str(a.mobile_number)}` : "registered") },
    ],
    name: (a) => str(a.name),
    prepare: () => refs.load("skills", "queues", "users"),
    form: (item, ctx) => agentForm(item, refs, ctx),
  };
}

function agentForm(item: Item | null, refs: Refs, ctx: PageContext) {
  const a: Json = item ?? { user_id: null, name: "", extension: "", vip_tier: 0, skills: [], queues: [], device: "registered", mobile_number: null };
  const users = refs.items("users");
  const userOptions: Array<[string, string]> = [
    ["", "— nobody (no sign-in) —"],
    ...refs.options("users").map(([id, label]): [string, string] => {
      const role = str(users.find((u) => u.id === id)?.role);
      return [id, role ? `${label} · ${role}` : label];
    }),
  ];
  const user = selectBox("user_id", userOptions, a.user_id ?? "");
  const name = textBox("name", a.name, { maxlength: "100", autocomplete: "off" });
  const extension = textBox("extension", a.extension, { maxlength: "64", autocomplete: "off", spellcheck: "false" });
  const password = textBox("sip_password", "", { type: "password", autocomplete: "new-password", maxlength: "128" });
  const removePassword = item ? checkBox("sip_password_remove", false, "f-sip_password-remove") : null;
  const vip = selectBox("vip_tier", VIP_TIERS, String(a.vip_tier ?? 0));
  const device = selectBox("device", DEVICES, a.device || "registered");
  const mobile = textBox("mobile_number", a.mobile_number, { type: "tel", autocomplete: "off", placeholder: "+447700900123" });

  const skillOptions = [CHOOSE, ...refs.options("skills")];
  const skills = new RowList<Json>({
    id: "f-skills",
    legend: "Skills",
    noun: "skill",
    empty: "No skills.",
    items: list(a.skills).map(obj),
    make: (s, key) => {
      const skill = selectBox("skill_id", skillOptions, s?.skill_id ?? "", `f-skills-${key}-skill_id`);
      const level = numberBox("level", s ? s.level : 5, { min: "1", max: "10" }, `f-skills-${key}-level`);
      return {
        el: h("div", { class: "row-fields" }, cell("Skill", skill), cell("Level (1–10)", level)),
        read: (p) => ({ skill_id: tag(skill, `${p}.skill_id`).value, level: readNumber(tag(level, `${p}.level`)) }),
      };
    },
  });
  const queueOptions = [CHOOSE, ...refs.options("queues")];
  const queues = new RowList<Json>({
    id: "f-queues",
    legend: "Queues served",
    noun: "queue",
    empty: "Serves no queue.",
    items: list(a.queues).map(obj),
    make: (m, key) => {
      const queue = selectBox("queue_id", queueOptions, m?.queue_id ?? "", `f-queues-${key}-queue_id`);
      const weight = numberBox("weight", m ? m.weight : 100, { min: "1", max: "100" }, `f-queues-${key}-weight`);
      return {
        el: h("div", { class: "row-fields" }, cell("Queue", queue), cell("Weight (1–100, higher first)", weight)),
        read: (p) => ({ queue_id: tag(queue, `${p}.queue_id`).value, weight: readNumber(tag(weight, `${p}.weight`)) }),
      };
    },
  });

  const body = [
    h(
      "fieldset",
      { class: "group-box" },
      h("legend", {}, "Agent"),
      h(
        "div",
        { class: "form-grid" },
        field("Name", name, "shown to supervisors and in reports"),
        field("Extension (SIP user)", extension, "letters, digits, - _ ."),
        field("Signs in as", user),
        field("Highest VIP tier taken", vip),
        field(
          "SIP password",
          password,
          item ? "write-only: leave empty to keep the current one" : "8–128 characters; empty: no SIP registration",
        ),
        removePassword ? checkField("Remove the SIP password", removePassword) : null,
        field("Device", device),
        field("Mobile number (E.164)", mobile, "required for a mobile device"),
      ),
    ),
    skills.element,
    queues.element,
    item
      ? shiftsEditor(item.id, str(item.name) || "this agent", ctx).element
      : h("p", { class: "muted note" }, "Weekly shifts can be given once the agent is saved."),
  ];

  let clearPassword = false;
  return {
    body,
    read: (issues: Issue[]): Json => {
      const secret = password.value;
      clearPassword = removePassword?.checked === true && secret === "";
      if (removePassword?.checked && secret !== "") {
        issues.push({ el: removePassword, reason: "either remove the password or type a new one, not both" });
      }
      const out: Json = {
        user_id: user.value || null,
        name: name.value.trim(),
        extension: extension.value.trim(),
        vip_tier: Number(vip.value),
        skills: skills.read("skills", issues),
        queues: queues.read("queues", issues),
        device: device.value,
        mobile_number: mobile.value.trim() || null,
      };
      if (secret !== "") out.sip_password = secret;
      return out;
    },
    after: async (saved: Item) => {
      if (!clearPassword) return;
      await sendJson("DELETE", `/api/v1/agents/${encodeURIComponent(saved.id)}/sip-password`);
      clearPassword = false;
    },
  };
}
