// Supervisors' and admins' pages, the wallboard and the reports, chosen by
// location.hash (#/wallboard, the default, or #/reports) so that a reload
// keeps the page; a nav in each page's header switches between them.

import type { Me } from "./api";
import { h } from "./dom";
import { renderReports } from "./reports-view";
import { renderWallboard } from "./wallboard-view";

type Page = "wallboard" | "reports";

const PAGES: Array<[Page, string]> = [
  ["wallboard", "Wallboard"],
  ["reports", "Reports"],
];

function currentPage(): Page {
  return location.hash === "#/reports" ? "reports" : "wallboard";
}

/** The header's nav: a link per page, the current one marked with aria-current. */
function pageNav(current: Page): HTMLElement {
  return h(
    "nav",
    { class: "page-nav", "aria-label": "Pages" },
    ...PAGES.map(([page, label]) =>
      h("a", { href: `#/${page}`, id: `nav-${page}`, "aria-current": page === current ? "page" : undefined }, label),
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
    const nav = pageNav(page);
    stop = page === "reports" ? renderReports(root, me, nav, leave) : renderWallboard(root, me, token, leave, nav);
  }

  function onHashChange(): void {
    show();
    // The page was rebuilt: keep the keyboard where it was, on the nav.
    root.querySelector<HTMLElement>(`#nav-${currentPage()}`)?.focus();
  }

  window.addEventListener("hashchange", onHashChange);
  show();
}
