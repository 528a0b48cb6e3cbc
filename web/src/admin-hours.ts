// The Business hours admin page: choose a queue (a select, or a row's
// Edit) and edit its `business_hours` (time zone, weekly opening times,
// holidays); Save puts the whole queue back with the new hours.

import { type CollectionSpec, list, obj, str } from "./admin-form";
import { hoursEditor, hoursSummary } from "./admin-hours-editor";
import { queueBody } from "./admin-queues";
import { h } from "./dom";

export function hoursSpec(): CollectionSpec {
  return {
    collection: "queues",
    title: "Business hours",
    noun: "business hours of queue",
    intro: "When each queue takes calls, in its time zone. Outside them calls go to the queue's overflow.",
    creatable: false,
    deletable: false,
    picker: { id: "hours-queue", label: "Queue" },
    columns: [
      { label: "Queue", cell: (q) => str(q.name) },
      { label: "Time zone", cell: (q) => str(obj(q.business_hours).time_zone) || "—" },
      { label: "Opening times", cell: (q) => hoursSummary(q.business_hours) },
      { label: "Holidays", cell: (q) => String(list(obj(q.business_hours).holidays).length), num: true },
    ],
    name: (q) => str(q.name),
    form: (item) => {
      if (!item) throw new Error("choose a queue");
      const editor = hoursEditor("f-business_hours", item.business_hours, `Business hours of ${str(item.name)}`);
      return {
        body: [h("p", { class: "muted note" }, "A window's closing time is not included; a day may have several windows."), editor.element],
        read: (issues) => ({ ...queueBody(item), business_hours: editor.read("business_hours", issues) }),
      };
    },
  };
}
