// The header of the supervisor's and admin's pages: the brand, who is signed
// in with their role, then the page's own items (nav, phone, connection,
// sign-out).

import type { Me } from "./api";
import { h } from "./dom";

/** The signed-in user's display name, else username, else `fallback`. */
export function userNameOf(me: Me, fallback: string): string {
  return (
    (me.user && typeof me.user.display_name === "string" && me.user.display_name) ||
    (me.user && typeof me.user.username === "string" && me.user.username) ||
    fallback
  );
}

/** The signed-in user's role (`supervisor` when the answer had none). */
export function roleOf(me: Me): string {
  return typeof me.role === "string" ? me.role : "supervisor";
}

/** `<header class="topbar">` with the brand, `#user-name` and `items`. */
export function topbar(userName: string, role: string, ...items: Array<Node | null | undefined>): HTMLElement {
  return h(
    "header",
    { class: "topbar" },
    h("span", { class: "brand" }, "Switchboard"),
    h("span", { id: "user-name", class: "agent-name" }, userName, h("span", { class: "role" }, ` · ${role}`)),
    ...items,
  );
}
