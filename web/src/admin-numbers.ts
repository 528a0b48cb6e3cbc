// The Numbers admin page: a DID (model PhoneNumber: the E.164 number, a
// label, and where its calls enter: a queue or an IVR flow).

import { CHOOSE, type CollectionSpec, field, obj, selectBox, str, textBox } from "./admin-form";
import type { Refs } from "./admin-refs";
import { h } from "./dom";

const ENTRIES: Array<[string, string]> = [
  ["queue", "A queue"],
  ["ivr", "An IVR flow"],
];

export function numbersSpec(refs: Refs): CollectionSpec {
  const enters = (entry: unknown) => {
    const e = obj(entry);
    if (e.type === "queue") return `queue ${refs.name("queues", e.queue_id)}`;
    if (e.type === "ivr") return `IVR ${refs.name("ivr-flows", e.flow_id)}`;
    return str(e.type) || "—";
  };
  return {
    collection: "numbers",
    title: "Numbers",
    noun: "number",
    intro: "The tenant's phone numbers (DIDs) and where their calls start.",
    columns: [
      { label: "Number", cell: (n) => str(n.e164) },
      { label: "Label", cell: (n) => str(n.label) },
      { label: "Calls enter", cell: (n) => enters(n.entry) },
    ],
    name: (n) => str(n.e164),
    prepare: () => refs.load("queues", "ivr-flows"),
    form: (item) => {
      const entry = obj(item?.entry);
      const e164 = textBox("e164", item?.e164, { type: "tel", autocomplete: "off", placeholder: "+442071838750" });
      const label = textBox("label", item?.label, { maxlength: "100" });
      const type = selectBox("entry", ENTRIES, str(entry.type) || "queue", "f-entry-type");
      const queue = selectBox("entry.queue_id", [CHOOSE, ...refs.options("queues")], entry.queue_id);
      const flow = selectBox("entry.flow_id", [CHOOSE, ...refs.options("ivr-flows")], entry.flow_id);
      const queueField = field("Queue", queue);
      const flowField = field("IVR flow", flow);
      const show = () => {
        queueField.hidden = type.value !== "queue";
        flowField.hidden = type.value !== "ivr";
      };
      type.addEventListener("change", show);
      show();
      return {
        body: [
          h(
            "div",
            { class: "form-grid" },
            field("Number (E.164)", e164, "+ and 2–15 digits"),
            field("Label", label, "for reports, e.g. UK sales line"),
            field("Calls enter", type),
            queueField,
            flowField,
          ),
        ],
        read: () => ({
          e164: e164.value.trim(),
          entry: type.value === "ivr" ? { type: "ivr", flow_id: flow.value } : { type: "queue", queue_id: queue.value },
          label: label.value,
        }),
      };
    },
  };
}
