// The Skills admin page: a skill's name and description (model Skill).

import { areaBox, type CollectionSpec, field, str, textBox } from "./admin-form";

export function skillsSpec(): CollectionSpec {
  return {
    collection: "skills",
    title: "Skills",
    noun: "skill",
    intro: "What agents can do and calls need; queues, agents and IVR flows refer to them.",
    columns: [
      { label: "Name", cell: (s) => str(s.name) },
      { label: "Description", cell: (s) => str(s.description) },
    ],
    name: (s) => str(s.name),
    form: (item) => {
      const name = textBox("name", item?.name, { maxlength: "100", autocomplete: "off" });
      const description = areaBox("description", item?.description, { maxlength: "1000" });
      return {
        body: [field("Name", name, "unique in the tenant"), field("Description", description)],
        read: () => ({ name: name.value.trim(), description: description.value }),
      };
    },
  };
}
