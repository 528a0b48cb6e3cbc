// The Contacts admin page (the built-in CRM; supervisors may edit it too):
// a contact's name, phone numbers, company, VIP tier, deal stage, notes
// and account owner (model Contact). The list can be searched.

import {
  areaBox,
  cell,
  type CollectionSpec,
  field,
  type Issue,
  type Item,
  list,
  RowList,
  selectBox,
  str,
  tag,
  textBox,
} from "./admin-form";
import { VIP_TIERS } from "./admin-agents";
import type { Refs } from "./admin-refs";
import { h } from "./dom";

export function contactsSpec(refs: Refs): CollectionSpec {
  return {
    collection: "contacts",
    title: "Contacts",
    noun: "contact",
    search: true,
    columns: [
      { label: "Name", cell: (c) => str(c.name) },
      { label: "Numbers", cell: (c) => list(c.phone_numbers).map(str).join(", ") },
      { label: "Company", cell: (c) => str(c.company) },
      { label: "VIP tier", cell: (c) => String(c.vip_tier ?? 0), num: true },
      { label: "Deal stage", cell: (c) => str(c.deal_stage) },
      { label: "Owner", cell: (c) => (c.owner_agent_id ? refs.name("agents", c.owner_agent_id) : "—") },
    ],
    name: (c) => str(c.name),
    prepare: () => refs.load("agents"),
    form: (item) => contactForm(item, refs),
  };
}

function contactForm(item: Item | null, refs: Refs) {
  const name = textBox("name", item?.name, { maxlength: "200", autocomplete: "off" });
  const numbers = new RowList<string>({
    id: "f-phone_numbers",
    legend: "Phone numbers",
    noun: "number",
    empty: "No numbers: add at least one.",
    items: item ? list(item.phone_numbers).map(str) : [""],
    make: (n, key) => {
      const input = textBox("phone_numbers", n ?? "", { type: "tel", autocomplete: "off", placeholder: "+442071838750" }, `f-phone_numbers-${key}`);
      return {
        el: h("div", { class: "row-fields" }, cell("Number (E.164)", input)),
        read: (p) => tag(input, p).value.trim(),
      };
    },
  });
  const company = textBox("company", item?.company, { maxlength: "200" });
  const vip = selectBox("vip_tier", VIP_TIERS, String(item?.vip_tier ?? 0));
  const stage = textBox("deal_stage", item?.deal_stage, { maxlength: "100", list: "deal-stages" });
  const stages = h("datalist", { id: "deal-stages" }, ...["lead", "negotiation", "customer"].map((s) => h("option", { value: s })));
  const owner = selectBox("owner_agent_id", [["", "— nobody —"], ...refs.options("agents")], item?.owner_agent_id ?? "");
  const notes = areaBox("notes", item?.notes, { rows: "4", maxlength: "10000" });
  return {
    body: [
      h(
        "div",
        { class: "form-grid" },
        field("Name", name),
        field("Company", company),
        field("VIP tier", vip, "0 is a regular caller"),
        field("Deal stage", stage, "e.g. lead, negotiation, customer"),
        field("Account owner", owner, "preferred for sticky routing"),
      ),
      stages,
      numbers.element,
      field("Notes (shown on the screen pop)", notes),
    ],
    read: (issues: Issue[]) => ({
      name: name.value.trim(),
      phone_numbers: numbers.read("phone_numbers", issues),
      company: company.value,
      vip_tier: Number(vip.value),
      deal_stage: stage.value,
      notes: notes.value,
      owner_agent_id: owner.value || null,
    }),
  };
}
