// The admin pages (#/admin/queues, …/agents, …/skills, …/numbers,
// …/hours, …/ivr, …/contacts; #/admin shows the queues): the header with
// the supervisor app's nav, a sub-nav, and the chosen collection's page.
// Admins see every page; supervisors (who may write only contacts) see
// Contacts alone.

import "./admin.css";
import { type CollectionSpec, collectionPage } from "./admin-form";
import { agentsSpec } from "./admin-agents";
import { contactsSpec } from "./admin-contacts";
import { hoursSpec } from "./admin-hours";
import { ivrSpec } from "./admin-ivr";
import { numbersSpec } from "./admin-numbers";
import { queuesSpec } from "./admin-queues";
import { Refs } from "./admin-refs";
import { skillsSpec } from "./admin-skills";
import type { Me } from "./api";
import { h } from "./dom";
import { roleOf, topbar, userNameOf } from "./topbar";

type Sub = "queues" | "agents" | "skills" | "numbers" | "hours" | "ivr" | "contacts";

const SUBS: Array<[Sub, string]> = [
  ["queues", "Queues"],
  ["agents", "Agents"],
  ["skills", "Skills"],
  ["numbers", "Numbers"],
  ["hours", "Business hours"],
  ["ivr", "IVR flows"],
  ["contacts", "Contacts"],
];

/** The sub-pages `role` may use: all for admins, contacts for supervisors. */
function allowed(role: string): Array<[Sub, string]> {
  return role === "admin" ? SUBS : SUBS.filter(([s]) => s === "contacts");
}

/** The sub-page in location.hash (`#/admin/<sub>`), or the first allowed one. */
function currentSub(subs: Array<[Sub, string]>): Sub {
  const m = /^#\/admin\/([a-z]+)/.exec(location.hash);
  const sub = subs.find(([s]) => s === m?.[1]);
  return (sub ?? subs[0])[0];
}

function spec(sub: Sub, refs: Refs): CollectionSpec {
  switch (sub) {
    case "queues":
      return queuesSpec(refs);
    case "agents":
      return agentsSpec(refs);
    case "skills":
      return skillsSpec();
    case "numbers":
      return numbersSpec(refs);
    case "hours":
      return hoursSpec();
    case "ivr":
      return ivrSpec(refs);
    case "contacts":
      return contactsSpec(refs);
  }
}

/** Whether the sub-nav had the keyboard when it changed the page (it gets it back). */
let focusSubNav = false;

/** Shows the admin pages (with `nav` in the header) until the returned function stops them. */
export function renderAdmin(root: HTMLElement, me: Me, nav: HTMLElement, signOut: (notice?: string) => void): () => void {
  const userName = userNameOf(me, "Admin");
  const role = roleOf(me);
  const subs = allowed(role);
  const sub = currentSub(subs);
  let stopped = false;

  const stop = () => {
    stopped = true;
  };
  const ended = () => {
    stop();
    signOut("Your session has ended. Please sign in again.");
  };

  const subNav = h(
    "nav",
    { class: "sub-nav", "aria-label": "Admin pages" },
    h(
      "ul",
      {},
      ...subs.map(([s, label]) =>
        h("li", {}, h("a", { href: `#/admin/${s}`, id: `admin-nav-${s}`, "aria-current": s === sub ? "page" : undefined }, label)),
      ),
    ),
  );
  subNav.addEventListener("click", (ev) => {
    if ((ev.target as Element).closest("a")) focusSubNav = true;
  });

  const signOutLink = h("a", { href: "#", id: "sign-out" }, "Sign out");
  signOutLink.addEventListener("click", (ev) => {
    ev.preventDefault();
    stop();
    signOut();
  });

  const page = collectionPage(spec(sub, new Refs()), { ended, stopped: () => stopped });

  root.replaceChildren(
    h(
      "div",
      { class: "shell admin" },
      topbar(userName, role, nav, signOutLink),
      h("h1", { class: "visually-hidden" }, `Admin: ${subs.find(([s]) => s === sub)?.[1] ?? ""}`),
      h("div", { class: "admin-layout" }, subNav, h("div", { class: "admin-main" }, page)),
    ),
  );

  if (focusSubNav) {
    focusSubNav = false;
    // After the supervisor frame has put the keyboard on its own nav.
    window.setTimeout(() => {
      if (!stopped) root.querySelector<HTMLElement>(`#admin-nav-${sub}`)?.focus();
    }, 0);
  }
  return stop;
}
