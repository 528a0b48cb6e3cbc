// The IVR flows admin page: a form editor for a flow (model IvrFlow): its
// name, the start node and the nodes, each with a name, a type and that
// type's fields (every IvrNode variant of ivr.rs). Node references are
// selects of the flow's nodes that follow a rename. Loading a flow and
// saving it unchanged puts the same JSON back.

import {
  areaBox,
  cell,
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
import { VIP_TIERS } from "./admin-agents";
import { defaultHours, defaultZone, hoursEditor } from "./admin-hours-editor";
import type { Refs } from "./admin-refs";
import { h } from "./dom";

export const NODE_TYPES: Array<[string, string]> = [
  ["play", "Play a prompt"],
  ["menu", "Menu (a digit choice)"],
  ["business_hours", "Business hours check"],
  ["set_priority", "Set the priority"],
  ["set_skills", "Add skill requirements"],
  ["set_vip", "Raise the VIP tier"],
  ["enqueue", "Queue the call"],
  ["voicemail", "Voicemail"],
  ["callback", "Offer a callback"],
  ["transfer", "Transfer to a number"],
  ["hangup", "Hang up"],
];

const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"];

/** The node names a node leads to (as in IvrNode::targets), for the display order. */
function targets(node: Json): string[] {
  const out = [node.next, ...Object.keys(obj(node.choices)).sort().map((d) => obj(node.choices)[d]), node.on_failure, node.open, node.closed];
  return out.filter((t): t is string => typeof t === "string");
}

/** Node names from `start`, breadth first, then the unreachable ones by name. */
function displayOrder(start: string, nodes: Json): string[] {
  const seen: string[] = [];
  const queue = [start];
  while (queue.length) {
    const name = queue.shift() as string;
    if (seen.includes(name) || !Object.hasOwn(nodes, name)) continue;
    seen.push(name);
    queue.push(...targets(obj(nodes[name])));
  }
  return [...seen, ...Object.keys(nodes).filter((n) => !seen.includes(n)).sort()];
}

/**
 * The selects that name a node: option values `k:<key>` (a node of the
 * form, whatever its name becomes), or `n:<name>` for a name no node has.
 * Each select's choice is kept apart from its options, so a select made
 * before the node it names (while a flow loads) still chooses it.
 */
class NodeRefs {
  private readonly chosen = new Map<HTMLSelectElement, string>();

  constructor(
    private readonly nodes: () => Array<{ key: number; name: string }>,
    private readonly keyOf: (name: string) => number | undefined,
  ) {}

  /** A select choosing the node named `target` (a name at load time; "" for none). */
  select(id: string, target: unknown): HTMLSelectElement {
    const el = h("select", { id, class: "node-ref" });
    const name = str(target);
    const key = name ? this.keyOf(name) : undefined;
    el.addEventListener("change", () => this.chosen.set(el, el.value));
    this.set(el, key !== undefined ? `k:${key}` : name ? `n:${name}` : "");
    return el;
  }

  /** The select's choice (`k:<key>`, `n:<name>` or ""). */
  value(el: HTMLSelectElement): string {
    return this.chosen.get(el) ?? "";
  }

  set(el: HTMLSelectElement, value: string): void {
    this.chosen.set(el, value);
    this.fill(el);
  }

  private fill(el: HTMLSelectElement): void {
    const value = this.value(el);
    const options: Array<[string, string]> = [
      CHOOSE,
      ...this.nodes().map((n): [string, string] => [`k:${n.key}`, n.name || `(unnamed node)`]),
    ];
    if (value.startsWith("n:")) options.push([value, `${value.slice(2)} (no such node)`]);
    el.replaceChildren(...options.map(([v, label]) => h("option", { value: v }, label)));
    el.value = options.some(([v]) => v === value) ? value : "";
  }

  /** Rebuilds every select's options (names changed, a node came or went), keeping the choices. */
  refresh(): void {
    for (const el of this.chosen.keys()) this.fill(el);
  }

  /** The chosen node's current name ("" for none or a node that was removed). */
  nameOf(el: HTMLSelectElement): string {
    const v = this.value(el);
    if (v.startsWith("n:")) return v.slice(2);
    if (!v.startsWith("k:")) return "";
    const key = Number(v.slice(2));
    return this.nodes().find((n) => n.key === key)?.name ?? "";
  }
}

/** A node type's fields. */
interface Panel {
  el: HTMLElement;
  /** The node's JSON (with its `type`); controls tagged under `path` (`nodes.<name>`). */
  read(path: string, issues: Issue[]): Json;
  /** Values the next type's panel starts with. */
  carry(): Carry;
}

interface Carry {
  prompt?: string;
  /** A node ref select's value (`k:<key>`). */
  next?: string;
  queueId?: string;
}

interface NodeEdit {
  key: number;
  nameInput: HTMLInputElement;
  typeSelect: HTMLSelectElement;
  card: HTMLElement;
  legend: HTMLElement;
  body: HTMLElement;
  panels: Map<string, Panel>;
  panel: Panel;
}

export function ivrSpec(refs: Refs): CollectionSpec {
  return {
    collection: "ivr-flows",
    title: "IVR flows",
    noun: "IVR flow",
    intro: "Callers start at the start node and move from node to node; numbers enter a flow from the Numbers page.",
    columns: [
      { label: "Name", cell: (f) => str(f.name) },
      { label: "Start node", cell: (f) => str(f.start) },
      { label: "Nodes", cell: (f) => String(Object.keys(obj(f.nodes)).length), num: true },
      {
        label: "Queues reached",
        cell: (f) =>
          [
            ...new Set(
              Object.values(obj(f.nodes))
                .map(obj)
                .filter((n) => n.type === "enqueue" || n.type === "callback")
                .map((n) => refs.name("queues", n.queue_id)),
            ),
          ]
            .sort()
            .join(", ") || "—",
      },
    ],
    name: (f) => str(f.name),
    prepare: () => refs.load("queues", "skills"),
    form: (item) => flowForm(item, refs),
  };
}

function flowForm(item: Item | null, refs: Refs) {
  const flow: Json = item ?? { name: "", start: "start", nodes: { start: { type: "play", prompt: "", next: "" } } };
  const nodesJson = obj(flow.nodes);
  const order = displayOrder(str(flow.start), nodesJson);
  const nodes: NodeEdit[] = [];
  let nextKey = 0;
  const loadKeys = new Map<string, number>(order.map((name) => [name, nextKey++]));
  const current = () => nodes.map((n) => ({ key: n.key, name: n.nameInput.value.trim() }));
  const nodeRefs = new NodeRefs(current, (name) => loadKeys.get(name));
  const zone = defaultZone(refs.items("queues"));
  const queueOptions = [CHOOSE, ...refs.options("queues")];
  const skillOptions = [CHOOSE, ...refs.options("skills")];

  const name = textBox("name", flow.name, { maxlength: "100", autocomplete: "off" });
  const start = nodeRefs.select("f-start", flow.start);
  tag(start, "start");
  const nodesBox = tag(h("div", { class: "ivr-nodes", id: "f-nodes" }), "nodes");
  const addNode = h("button", { type: "button", id: "btn-add-node", class: "add" }, "Add node");

  // --- the panels of each type ---
  function makePanel(type: string, key: number, init: Json, carry: Carry): Panel {
    const id = (f: string) => `f-nodes-${key}-${f}`;
    const prompt = (optional = false) =>
      textBox("prompt", init.prompt ?? carry.prompt ?? "", { maxlength: "500", autocomplete: "off", placeholder: optional ? "none" : "prompt name or text" }, id("prompt"));
    const ref = (f: string, target: unknown) => {
      const el = nodeRefs.select(id(f), target);
      if (target === undefined && f === "next" && carry.next) nodeRefs.set(el, carry.next);
      return el;
    };
    const queue = () => selectBox("queue_id", queueOptions, init.queue_id ?? carry.queueId ?? "", id("queue_id"));
    const grid = (...children: HTMLElement[]) => h("div", { class: "form-grid" }, ...children);

    switch (type) {
      case "play": {
        const p = prompt();
        const next = ref("next", init.next);
        return {
          el: grid(field("Prompt", p), field("Then go to", next)),
          read: (path) => ({ type, prompt: tag(p, `${path}.prompt`).value, next: nodeRefs.nameOf(tag(next, `${path}.next`)) }),
          carry: () => ({ prompt: p.value, next: nodeRefs.value(next) }),
        };
      }
      case "menu": {
        const p = prompt();
        const timeout = numberBox("timeout_secs", init.timeout_secs ?? 5, { min: "1", max: "60" }, id("timeout_secs"));
        const retries = numberBox("retries", init.retries ?? 2, { min: "0", max: "10" }, id("retries"));
        const onFailure = ref("on_failure", init.on_failure);
        const digitSelects = new Set<HTMLSelectElement>();
        let nodePath = "";
        const choices = new RowList<[string, string]>({
          id: id("choices"),
          legend: "Choices",
          noun: "choice",
          empty: "No choices yet: add at least one.",
          items: Object.keys(obj(init.choices))
            .sort()
            .map((d): [string, string] => [d, str(obj(init.choices)[d])]),
          make: (c, j) => {
            const used = new Set([...digitSelects].filter((s) => s.isConnected).map((s) => s.value));
            const digit = selectBox(
              "digit",
              DIGITS.map((d): [string, string] => [d, d]),
              c ? c[0] : (DIGITS.find((d) => !used.has(d)) ?? "1"),
              `${id("choices")}-${j}-digit`,
            );
            digitSelects.add(digit);
            const target = nodeRefs.select(`${id("choices")}-${j}-next`, c ? c[1] : "");
            return {
              el: h("div", { class: "row-fields" }, cell("Digit", digit), cell("Goes to", target)),
              read: () => {
                tag(digit, `${nodePath}.choices.${digit.value}`);
                tag(target, `${nodePath}.choices.${digit.value}`);
                return [digit.value, nodeRefs.nameOf(target), digit];
              },
            };
          },
        });
        return {
          el: h(
            "div",
            {},
            grid(field("Prompt", p), field("Wait for a digit (s)", timeout, "1–60"), field("Repeats", retries, "on a timeout or a wrong digit, 0–10"), field("When repeats run out, go to", onFailure)),
            choices.element,
          ),
          read: (path, issues) => {
            nodePath = path;
            const map: Json = {};
            for (const [d, t, el] of choices.read(`${path}.choices`, issues) as Array<[string, string, HTMLElement]>) {
              if (Object.hasOwn(map, d)) issues.push({ el, reason: `digit ${d} is listed twice` });
              else map[d] = t;
            }
            return {
              type,
              prompt: tag(p, `${path}.prompt`).value,
              choices: map,
              timeout_secs: readNumber(tag(timeout, `${path}.timeout_secs`)),
              retries: readNumber(tag(retries, `${path}.retries`)),
              on_failure: nodeRefs.nameOf(tag(onFailure, `${path}.on_failure`)),
            };
          },
          carry: () => ({ prompt: p.value }),
        };
      }
      case "business_hours": {
        const hours = hoursEditor(id("hours"), init.hours ?? defaultHours(zone), "Hours");
        const open = ref("open", init.open);
        const closed = ref("closed", init.closed);
        return {
          el: h("div", {}, grid(field("When open, go to", open), field("When closed, go to", closed)), hours.element),
          read: (path, issues) => ({
            type,
            hours: hours.read(`${path}.hours`, issues),
            open: nodeRefs.nameOf(tag(open, `${path}.open`)),
            closed: nodeRefs.nameOf(tag(closed, `${path}.closed`)),
          }),
          carry: () => ({ next: nodeRefs.value(open) }),
        };
      }
      case "set_priority": {
        const priority = numberBox("priority", init.priority ?? 0, {}, id("priority"));
        const next = ref("next", init.next);
        return {
          el: grid(field("Priority", priority, "higher is served first"), field("Then go to", next)),
          read: (path) => ({ type, priority: readNumber(tag(priority, `${path}.priority`)), next: nodeRefs.nameOf(tag(next, `${path}.next`)) }),
          carry: () => ({ next: nodeRefs.value(next) }),
        };
      }
      case "set_skills": {
        const next = ref("next", init.next);
        const skills = new RowList<Json>({
          id: id("skills"),
          legend: "Skills the call needs",
          noun: "skill",
          empty: "No skills yet.",
          items: list(init.skills).map(obj),
          make: (s, j) => {
            const skill = selectBox("skill_id", skillOptions, s?.skill_id ?? "", `${id("skills")}-${j}-skill_id`);
            const level = numberBox("min_level", s ? s.min_level : 5, { min: "1", max: "10" }, `${id("skills")}-${j}-min_level`);
            return {
              el: h("div", { class: "row-fields" }, cell("Skill", skill), cell("Minimum level (1–10)", level)),
              read: (p) => ({ skill_id: tag(skill, `${p}.skill_id`).value, min_level: readNumber(tag(level, `${p}.min_level`)) }),
            };
          },
        });
        return {
          el: h("div", {}, skills.element, grid(field("Then go to", next))),
          read: (path, issues) => ({ type, skills: skills.read(`${path}.skills`, issues), next: nodeRefs.nameOf(tag(next, `${path}.next`)) }),
          carry: () => ({ next: nodeRefs.value(next) }),
        };
      }
      case "set_vip": {
        const vip = selectBox("vip_tier", VIP_TIERS, String(init.vip_tier ?? 1), id("vip_tier"));
        const next = ref("next", init.next);
        return {
          el: grid(field("VIP tier", vip), field("Then go to", next)),
          read: (path) => ({ type, vip_tier: Number(tag(vip, `${path}.vip_tier`).value), next: nodeRefs.nameOf(tag(next, `${path}.next`)) }),
          carry: () => ({ next: nodeRefs.value(next) }),
        };
      }
      case "enqueue":
      case "callback": {
        const q = queue();
        return {
          el: grid(field(type === "enqueue" ? "Queue" : "Queue the callback waits in", q, "leaves the flow")),
          read: (path) => ({ type, queue_id: tag(q, `${path}.queue_id`).value }),
          carry: () => ({ queueId: q.value }),
        };
      }
      case "voicemail": {
        const p = prompt();
        const max = numberBox("max_secs", init.max_secs ?? 120, { min: "5", max: "600" }, id("max_secs"));
        return {
          el: grid(field("Greeting prompt", p), field("Longest message (s)", max, "5–600; leaves the flow")),
          read: (path) => ({ type, prompt: tag(p, `${path}.prompt`).value, max_secs: readNumber(tag(max, `${path}.max_secs`)) }),
          carry: () => ({ prompt: p.value }),
        };
      }
      case "transfer": {
        const number = textBox("number", init.number, { type: "tel", autocomplete: "off", placeholder: "+442071838750" }, id("number"));
        return {
          el: grid(field("Number (E.164)", number, "leaves the flow")),
          read: (path) => ({ type, number: tag(number, `${path}.number`).value.trim() }),
          carry: () => ({}),
        };
      }
      case "hangup": {
        const p = prompt(true);
        return {
          el: grid(field("Prompt before hanging up (optional)", p)),
          read: (path) => ({ type, prompt: tag(p, `${path}.prompt`).value }),
          carry: () => ({ prompt: p.value }),
        };
      }
      default: {
        // A type this page does not know: kept as JSON, sent back as it is.
        const raw = areaBox("raw", JSON.stringify(init, null, 2), { rows: "5", spellcheck: "false", class: "code" }, id("raw"));
        return {
          el: grid(field(`Node of type “${type}” (JSON)`, raw)),
          read: (path, issues) => {
            tag(raw, path);
            try {
              return obj(JSON.parse(raw.value));
            } catch {
              issues.push({ el: raw, reason: "not valid JSON" });
              return {};
            }
          },
          carry: () => ({}),
        };
      }
    }
  }

  // --- nodes ---
  function relabel(n: NodeEdit): void {
    const at = nodes.indexOf(n) + 1;
    const label = n.nameInput.value.trim() || "(unnamed)";
    n.legend.textContent = `Node ${at}: ${label}`;
    n.card.querySelector(".ivr-node-head button.remove")?.setAttribute("aria-label", `Remove node ${label}`);
  }

  function setType(n: NodeEdit, type: string): void {
    let panel = n.panels.get(type);
    if (!panel) {
      panel = makePanel(type, n.key, {}, n.panel.carry());
      n.panels.set(type, panel);
    }
    n.panel = panel;
    n.body.replaceChildren(panel.el);
  }

  function add(nodeName: string, json: Json | null, focus: boolean): void {
    const key = json ? (loadKeys.get(nodeName) ?? nextKey++) : nextKey++;
    const type = json ? str(json.type) : "play";
    const nameInput = textBox("name", nodeName, { maxlength: "64", autocomplete: "off", spellcheck: "false" }, `f-nodes-${key}-name`);
    const knownTypes = NODE_TYPES.some(([t]) => t === type) ? NODE_TYPES : [...NODE_TYPES, [type, type] as [string, string]];
    const typeSelect = selectBox("type", knownTypes, type, `f-nodes-${key}-type`);
    const remove = h("button", { type: "button", class: "remove", id: `btn-remove-node-${key}` }, "Remove node");
    const legend = h("legend", {});
    const body = h("div", { class: "ivr-node-body" });
    const panel = makePanel(type, key, json ?? {}, {});
    const card = h(
      "fieldset",
      { class: "ivr-node", id: `f-nodes-${key}`, "data-node-key": String(key) },
      legend,
      h(
        "div",
        { class: "ivr-node-head" },
        field("Node name", nameInput, "letters, digits, - and _"),
        field("Type", typeSelect),
        remove,
      ),
      body,
    );
    const n: NodeEdit = { key, nameInput, typeSelect, card, legend, body, panels: new Map([[type, panel]]), panel };
    body.append(panel.el);
    nodes.push(n);
    nodesBox.append(card);
    relabel(n);
    nameInput.addEventListener("input", () => {
      relabel(n);
      nodeRefs.refresh();
    });
    typeSelect.addEventListener("change", () => setType(n, typeSelect.value));
    remove.addEventListener("click", () => {
      const at = nodes.indexOf(n);
      nodes.splice(at, 1);
      card.remove();
      nodes.forEach(relabel);
      nodeRefs.refresh();
      const neighbour = nodes[at] ?? nodes[at - 1];
      if (neighbour) neighbour.nameInput.focus();
      else addNode.focus();
    });
    if (focus) {
      nodeRefs.refresh();
      nameInput.focus();
      nameInput.select();
    }
  }

  for (const nodeName of order) add(nodeName, obj(nodesJson[nodeName]), false);
  nodeRefs.refresh();

  addNode.addEventListener("click", () => {
    const taken = new Set(current().map((n) => n.name));
    let i = nodes.length + 1;
    while (taken.has(`node${i}`)) i++;
    add(`node${i}`, null, true);
  });

  const read = (issues: Issue[]): Json => {
    const out: Json = Object.create(null) as Json;
    const seen = new Set<string>();
    for (const n of nodes) {
      const nodeName = n.nameInput.value.trim();
      const path = `nodes.${nodeName}`;
      tag(n.nameInput, path);
      if (nodeName === "") issues.push({ el: n.nameInput, reason: "a node needs a name" });
      else if (seen.has(nodeName)) issues.push({ el: n.nameInput, reason: "another node has this name" });
      seen.add(nodeName);
      const node = n.panel.read(path, issues);
      if (nodeName !== "" && !Object.hasOwn(out, nodeName)) out[nodeName] = node;
    }
    return { name: name.value.trim(), start: nodeRefs.nameOf(start), nodes: { ...out } };
  };

  return {
    body: [
      h("div", { class: "form-grid" }, field("Name", name, "unique in the tenant"), field("Start node", start, "where callers begin")),
      h("h4", { class: "ivr-nodes-title" }, "Nodes"),
      nodesBox,
      addNode,
    ],
    read,
  };
}
