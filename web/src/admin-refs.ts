// What the admin forms refer to: the tenant's skills, queues, IVR flows,
// agents and users, read when a page (re)loads its list, as select options
// and as names for the list tables.

import { type Item, parseItems, str } from "./admin-form";
import { getJson } from "./api";

export type RefKind = "skills" | "queues" | "ivr-flows" | "agents" | "users";

export class Refs {
  private readonly lists = new Map<RefKind, Item[]>();

  /** Reads the lists of `kinds` (in parallel); throws the first failure (ApiError). */
  async load(...kinds: RefKind[]): Promise<void> {
    const answers = await Promise.all(kinds.map((k) => getJson(`/api/v1/${k}`)));
    kinds.forEach((k, i) => this.lists.set(k, parseItems(answers[i])));
  }

  items(kind: RefKind): Item[] {
    return this.lists.get(kind) ?? [];
  }

  /** How an object is named: a user by username (and display name), the rest by `name`. */
  label(kind: RefKind, item: Item): string {
    if (kind === "users") {
      const display = str(item.display_name);
      return display ? `${str(item.username)} (${display})` : str(item.username) || item.id.slice(0, 8);
    }
    return str(item.name) || item.id.slice(0, 8);
  }

  /** [id, label] of every object of `kind`, by label. */
  options(kind: RefKind): Array<[string, string]> {
    return this.items(kind)
      .map((i): [string, string] => [i.id, this.label(kind, i)])
      .sort((a, b) => a[1].localeCompare(b[1]));
  }

  /** The label of the object `id` of `kind`; an unknown id as its start. */
  name(kind: RefKind, id: unknown): string {
    if (typeof id !== "string" || id === "") return "—";
    const item = this.items(kind).find((i) => i.id === id);
    return item ? this.label(kind, item) : `${id.slice(0, 8)}…`;
  }
}
