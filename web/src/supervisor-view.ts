// Supervisors' and admins' pages, the wallboard, the reports and the admin
// pages, chosen by location.hash (#/wallboard, the default, #/reports or
// #/admin…) so that a reload keeps the page; a nav in each page's header
// switches between them. Admins get "Admin"; supervisors get its Contacts
// page (the one admin collection they may write).

import { renderAdmin } from "./admin-view";
import type { Me } from "./api";
import { h } from "./dom";
import { renderReports } from "./reports-view";
import { renderWallboard } from "./wallboard-view";

type Page = "wallboard" | "reports" | "admin";

const PAGES: Array<[Page, string]> = [
  ["wallboard", "Wallboard"],
  ["reports", "Reports"],
];

/** The pages of `me`'s role, with the link of each. */
function pagesFor(me: Me): Array<[Page, string, string]> {
  const pages = PAGES.map(([page, label]): [Page, string, string] => [page, label, `#/${page}`]);
  if (me.role === "admin") pages.push(["admin", "Admin", "#/admin"]);
  else if (me.role === "supervisor") pages.push(["admin", "Contacts", "#/admin/contacts"]);
  return pages;
}

function currentPage(): Page {
  if (location.hash === "#/reports") return "reports";
  if (location.hash === "#/admin" || location.hash.startsWith("#/admin/")) return "admin";
  return "wallboard";
}

/** The header's nav: a link per page, the current one marked with aria-current. */
function pageNav(pages: Array<[Page, string, string]>, current: Page): HTMLElement {
  return h(
    "nav",
    { class: "page-nav", "aria-label": "Pages" },
    ...pages.map(([page, label, href]) =>
      h("a", { href, id: `nav-${page}`, "aria-current": page === current ? "page" : undefined }, label),
    ),
  );
}

export function renderSupervisor(root: HTMLElement, me: Me, token: string, signOut: (notice?: string) => void): void {
  let stop: (() => void) | null = null;

  /** Each page stops itself before it calls this. */
  const leave = (notice?: string) => {
    window.removeEventListener("hashchange", onHashChange);
    stop = null;
    signOut(notice);
  };

  function show(): void {
    stop?.();
    const page = currentPage();
    const nav = pageNav(pagesFor(me), page);
    stop =
      page === "reports"
        ? renderReports(root, me, nav, leave)
        : page === "admin"
          ? renderAdmin(root, me, nav, leave)
          : renderWallboard(root, me, token, leave, nav);
  }

  function onHashChange(): void {
    show();
    // The page was rebuilt: keep the keyboard where it was, on the nav.
    root.querySelector<HTMLElement>(`#nav-${currentPage()}`)?.focus();
  }

  window.addEventListener("hashchange", onHashChange);
  show();
}
