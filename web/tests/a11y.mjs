// Accessibility at 1366×768 against a running Switchboard with the demo
// tenant (the issue: "Accessible (labels, keyboard use, visible focus),
// usable on a 1366×768 laptop"). Sign in as demo/alice with the keyboard
// only (Tab to the username, type, Tab to the password, type, Enter: no
// clicks) and wait for her softphone; then, on the sign-in page, the
// softphone, the supervisor's wallboard and reports, and as admin each
// admin page (queues, agents, skills, numbers, business hours, IVR flows,
// contacts) plus the opened edit forms of a queue, an agent, a queue's
// hours and an IVR flow (forms are where labels go missing), check that:
// Tab walks through up to 40 controls, each with a visible focus indicator
// (an outline, or a box-shadow it lacks unfocused) and none invisible (zero
// size, hidden, transparent) and no Tab trap; every visible input, select,
// textarea, button, [role=button] and link has an accessible name (a
// <label>, aria-label or aria-labelledby with text; text for buttons and
// links), images have alt and chart canvases a name or a table beside them;
// the page does not scroll sideways (scrollWidth <= innerWidth), nothing
// outside a box that scrolls on its own sticks out past the right edge, and
// the page's main controls lie inside the viewport (and inside their scroll
// box). Details are opened first, so their content is checked too. Every
// problem is listed with the page and the element; the script fails at the
// end when there is any. Prints "page <name>: <n> controls named, width
// <scrollWidth>" and "focus <name>: <k> Tab stops" per page, and saves
// a11y-focus.png (the softphone with a focus ring on "Log in to queues").

import { join } from "node:path";
import { artifacts, baseUrl, browserTest, connected } from "./harness.mjs";

const WAIT = 10_000;
const MAX_STOPS = 40;
/** Inputs whose parts (hours, minutes, …) each take a Tab inside one element. */
const MULTI_PART = new Set(["date", "time", "datetime-local", "month", "week"]);

const problems = [];
function problem(page, text) {
  problems.push(`${page}: ${text}`);
  console.log(`problem: page ${page}: ${text}`);
}

/** In the page: a short description of `el` (tag#id.class [attrs] and the start of its outerHTML). */
const DESCRIBE = `(el) => {
  if (!el || el === document.body) return "(the page body)";
  const attrs = ["name", "type", "data-action", "role", "aria-label", "for"].filter((a) => el.hasAttribute(a)).map((a) => "[" + a + "=" + JSON.stringify(el.getAttribute(a)) + "]");
  const cls = [...el.classList].map((c) => "." + c).join("");
  const html = el.outerHTML.replace(/\\s+/g, " ").slice(0, 140);
  return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls + attrs.join("") + " — " + html;
}`;

/** Puts an invisible focus start (tabindex -1) first in `selector`, so the next Tab goes to its first control. */
async function focusStart(page, selector) {
  await page.evaluate((sel) => {
    document.getElementById("a11y-start")?.remove();
    const box = document.querySelector(sel) ?? document.body;
    const start = document.createElement("span");
    start.id = "a11y-start";
    start.tabIndex = -1;
    start.style.position = "absolute";
    box.prepend(start);
    start.focus();
    window.__a11yWalk = { prev: null, prevShadow: "none", seen: new Set(), repeats: 0, results: [] };
  }, selector);
}

/** In the page, after a Tab: what has the focus now; settles the previous stop's box-shadow check. */
const FOCUS_STEP = `(multiPart) => {
  const describe = ${DESCRIBE};
  const w = window.__a11yWalk;
  document.getElementById("a11y-start")?.remove();
  const el = document.activeElement;
  const settle = () => {
    if (w.prev && w.prevShadow !== null) {
      const unfocused = getComputedStyle(w.prev).boxShadow;
      if (w.prevShadow === "none" || w.prevShadow === unfocused) w.results.push("no visible focus indicator (no outline, box-shadow " + w.prevShadow + " both focused and not): " + describe(w.prev));
    }
  };
  if (!el || el === document.body || el === document.documentElement) { settle(); w.prev = null; return { end: "left the page" }; }
  if (el === w.prev) {
    w.repeats += 1;
    const limit = el instanceof HTMLInputElement && multiPart.includes(el.type) ? 5 : 1;
    return w.repeats >= limit ? { end: "trap", trap: describe(el) } : { same: true };
  }
  if (w.seen.has(el)) { settle(); w.prev = null; return { end: "back at an earlier stop" }; }
  settle();
  w.seen.add(el);
  w.repeats = 0;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  w.prev = el;
  w.prevShadow = outline ? null : style.boxShadow;
  const offscreen = rect.right < 0 || rect.bottom < 0 || rect.left > innerWidth;
  const invisible = rect.width <= 1 || rect.height <= 1 || style.visibility === "hidden" || style.opacity === "0" || offscreen;
  if (invisible) w.results.push("the focus went to an invisible element (" + Math.round(rect.width) + "×" + Math.round(rect.height) + " at " + Math.round(rect.left) + "," + Math.round(rect.top) + ", visibility " + style.visibility + ", opacity " + style.opacity + "): " + describe(el));
  return { stop: describe(el) };
}`;

/** Tabs through up to MAX_STOPS controls from the start of `from`; answers the count of stops. */
async function walkFocus(page, name, from) {
  await focusStart(page, from);
  let stops = 0;
  for (let presses = 0; stops < MAX_STOPS && presses < MAX_STOPS * 3; presses++) {
    await page.keyboard.press("Tab");
    const step = await page.evaluate(`(${FOCUS_STEP})(${JSON.stringify([...MULTI_PART])})`);
    if (step.end === "trap") problem(name, `Tab does not move on from ${step.trap} (a focus trap)`);
    if (step.end) break;
    if (step.stop) stops += 1;
  }
  const results = await page.evaluate(`(() => {
    const w = window.__a11yWalk;
    if (w.prev && w.prevShadow !== null) {
      const focused = w.prevShadow;
      w.prev.blur();
      const unfocused = getComputedStyle(w.prev).boxShadow;
      if (focused === "none" || focused === unfocused) w.results.push("no visible focus indicator: " + (${DESCRIBE})(w.prev));
    }
    return w.results;
  })()`);
  for (const r of results) problem(name, r);
  if (stops === 0) problem(name, "Tab reached no control at all");
  return stops;
}

/** In the page: the visible controls without an accessible name, and how many have one. */
const NAMES = `(() => {
  const describe = ${DESCRIBE};
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const text = (s) => (s ?? "").replace(/\\s+/g, " ").trim();
  const labelledBy = (el) => text((el.getAttribute("aria-labelledby") ?? "").split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" "));
  const aria = (el) => text(el.getAttribute("aria-label")) || labelledBy(el);
  const missing = [];
  let named = 0;
  const selector = "input:not([type=hidden]), select, textarea, button, [role=button], a[href], img, canvas, [tabindex]:not([tabindex='-1']):not(a, button, input, select, textarea, summary)";
  for (const el of document.querySelectorAll(selector)) {
    if (el.id === "a11y-start" || !visible(el)) continue;
    const tag = el.tagName.toLowerCase();
    let name = "";
    let why = "";
    if (tag === "img") {
      name = el.hasAttribute("alt") ? "alt" : "";
      why = "an image without alt";
    } else if (tag === "canvas") {
      const holder = el.closest("[role=img]");
      const box = el.closest("section") ?? el.closest("figure");
      name = aria(el) || (holder && aria(holder)) || (box && box.querySelector("table") ? "a table beside it" : "");
      why = "a chart canvas with no name, no named role=img box and no table beside it";
    } else if (el.matches("input[type=submit], input[type=button], input[type=reset]")) {
      name = aria(el) || text(el.value);
      why = "an input button without a value or aria-label";
    } else if (el.matches("input, select, textarea")) {
      name = aria(el) || [...(el.labels ?? [])].map((l) => text(l.textContent)).join(" ").trim();
      why = "a form control without a <label>, aria-label or aria-labelledby";
    } else if (el.matches("button, [role=button], a[href]")) {
      name = aria(el) || text(el.textContent) || [...el.querySelectorAll("img[alt]")].map((i) => text(i.alt)).join(" ");
      why = "a button or link without text or aria-label";
    } else {
      name = aria(el);
      why = "a focusable element (tabindex) without aria-label or aria-labelledby";
    }
    if (name) named += 1;
    else missing.push(why + ": " + describe(el));
  }
  return { named, missing };
})()`;

/** In the page: sideways scrolling, elements sticking out to the right, main controls outside the viewport. */
const WIDTHS = `((keys) => {
  const describe = ${DESCRIBE};
  const out = [];
  const vw = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > vw) out.push("the page scrolls sideways: scrollWidth " + scrollWidth + " > innerWidth " + vw);
  /** The nearest ancestor that scrolls or clips on its own (its box is checked instead). */
  const scroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return p;
    }
    return null;
  };
  const sticking = [];
  for (const el of document.querySelectorAll("#app *")) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || r.right <= vw + 1 || scroller(el)) continue;
    if (sticking.some((s) => s.contains(el))) continue;
    sticking.push(el);
  }
  for (const el of sticking.slice(0, 5)) out.push("sticks out past the right edge (right " + Math.round(el.getBoundingClientRect().right) + " > " + vw + "): " + describe(el));
  if (sticking.length > 5) out.push("… and " + (sticking.length - 5) + " more elements past the right edge");
  for (const sel of keys) {
    const els = [...document.querySelectorAll(sel)].filter((el) => el.getClientRects().length > 0);
    if (els.length === 0) { out.push("no visible element matches " + sel + " (a main control the check expects)"); continue; }
    for (const el of els) {
      const r = el.getBoundingClientRect();
      const box = scroller(el)?.getBoundingClientRect();
      const left = Math.max(0, box ? box.left : 0), right = Math.min(vw, box ? box.right : vw);
      if (r.left < left - 1 || r.right > right + 1) {
        out.push("a main control (" + sel + ") is not inside the " + (box ? "visible part of its scroll box" : "viewport") + " (left " + Math.round(r.left) + ", right " + Math.round(r.right) + "; room " + Math.round(left) + "–" + Math.round(right) + "): " + describe(el));
        break;
      }
    }
  }
  return { scrollWidth, out };
})`;

/** Checks the page as it shows now: names, widths, then the Tab walk from `from`. */
async function checkPage(page, name, { keys = [], from = "body" } = {}) {
  await page.evaluate(() => {
    for (const d of document.querySelectorAll("details:not([open])")) d.open = true;
  });
  const names = await page.evaluate(NAMES);
  for (const m of names.missing) problem(name, m);
  const widths = await page.evaluate(`${WIDTHS}(${JSON.stringify(keys)})`);
  for (const m of widths.out) problem(name, m);
  const stops = await walkFocus(page, name, from);
  console.log(`page ${name}: ${names.named} controls named, width ${widths.scrollWidth}`);
  console.log(`focus ${name}: ${stops} Tab stops`);
}

/** Waits (bounded) for `selector`, failing with what the page shows instead. */
async function ready(page, selector, what, state = "visible") {
  try {
    await page.locator(selector).first().waitFor({ state, timeout: WAIT });
  } catch {
    const alert = await page.locator(".alert:not([hidden])").allInnerTexts().catch(() => []);
    throw new Error(`no ${what} (${selector}) within ${WAIT / 1000} s; alerts on the page: ${alert.join(" | ") || "none"}`);
  }
}

async function signIn(page, username, password) {
  await ready(page, "#login-form", "sign-in form");
  await page.getByLabel("Tenant").fill("demo");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signOut(page) {
  await page.locator("#sign-out").click();
  await ready(page, "#login-form", "sign-in form after signing out");
}

const activeId = (page) => page.evaluate(() => document.activeElement?.id ?? "");

await browserTest("a11y", async ({ page, step }) => {
  page.setDefaultTimeout(WAIT);
  step("opening the sign-in page");
  await page.goto(baseUrl, { waitUntil: "domcontentloaded", timeout: WAIT });
  await ready(page, "#login-form", "sign-in form");
  await checkPage(page, "sign-in", { keys: ["#tenant", "#username", "#password", "#login-form button[type=submit]"] });

  step("signing in as demo/alice with the keyboard only: Tab to the username");
  await focusStart(page, "body");
  let presses = 0;
  for (; presses < 10 && (await activeId(page)) !== "username"; presses++) {
    await page.keyboard.press("Tab");
    if ((await activeId(page)) === "tenant" && (await page.locator("#tenant").inputValue()) !== "demo") {
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.type("demo");
    }
  }
  if ((await activeId(page)) !== "username") throw new Error(`10 Tab presses did not reach #username (the focus is on #${await activeId(page)})`);
  console.log(`sign-in: the username field after ${presses} Tab presses`);
  await page.evaluate(() => document.getElementById("a11y-start")?.remove());
  await page.keyboard.type("alice");
  await page.keyboard.press("Tab");
  if ((await activeId(page)) !== "password") throw new Error(`Tab from the username went to "#${await activeId(page)}", not #password`);
  await page.keyboard.type("demo-agent");
  await page.keyboard.press("Enter");

  step("waiting for alice's softphone after the keyboard sign-in");
  await ready(page, "#btn-available", "softphone (Available button)");
  await connected(page, WAIT);
  await ready(page, "#agent-state:not(:text-is('unknown'))", "agent state from the live feed");
  await checkPage(page, "softphone", { keys: ["#btn-login", "#btn-available", "#reason", "#btn-not-ready", "#btn-dnd", "#dial-number", "#sign-out"] });

  step("screenshot of the softphone with the focus on Log in to queues (by Tab)");
  await focusStart(page, "section[aria-labelledby=state-heading]");
  await page.keyboard.press("Tab");
  if ((await activeId(page)) !== "btn-login") throw new Error(`the first Tab in My state focused "#${await activeId(page)}", not #btn-login`);
  await page.screenshot({ path: join(artifacts, "a11y-focus.png") });

  step("signing out and in as demo/supervisor: the wallboard");
  await signOut(page);
  await signIn(page, "supervisor", "demo-supervisor");
  await connected(page, WAIT);
  await ready(page, "#queues tr[data-queue-id]", "queue row on the wallboard");
  await ready(page, "#agents tr[data-agent-id]", "agent row on the wallboard");
  await checkPage(page, "wallboard", {
    keys: ["#queues tbody tr[data-queue-id] > th", "#agents tbody tr[data-agent-id] > th", "#calls thead th:first-child", "#nav-reports", "#sign-out"],
  });

  step("opening Reports from the nav");
  await page.locator("#nav-reports").click();
  await ready(page, "#report-form", "reports form");
  await ready(page, "#sl-chart canvas", "service-level chart canvas", "attached");
  await ready(page, '#reports-results[aria-busy="false"]', "loaded reports", "attached");
  await checkPage(page, "reports", {
    keys: ["#report-from", "#report-show", "#csv-agents", "#agent-table thead th:first-child", "#heatmap thead th:last-child", "#forecast-show", "#sign-out"],
  });

  step("signing out and in as demo/admin: the admin pages");
  await signOut(page);
  await signIn(page, "admin", "demo-admin");
  await ready(page, "#nav-admin", "Admin link in the nav");
  await page.locator("#nav-admin").click();
  /** The list's row named `name`, else its first row. */
  const row = async (name) => {
    const rows = page.locator("#admin-list tbody tr[data-id]");
    const named = rows.filter({ has: page.locator("th", { hasText: new RegExp(`^${name}$`) }) });
    return (await named.count()) > 0 ? named.first() : rows.first();
  };
  const formKeys = ["#admin-form #btn-save", "#admin-form #btn-cancel"];
  const subs = [
    ["queues", "Queues", "sales"],
    ["agents", "Agents", "Alice Senior"],
    ["skills", "Skills"],
    ["numbers", "Numbers"],
    ["hours", "Business hours"],
    ["ivr", "IVR flows", "Main line"],
    ["contacts", "Contacts"],
  ];
  for (const [sub, label, edit] of subs) {
    step(`opening the admin page ${label}`);
    await page.locator(`#admin-nav-${sub}`).click();
    await ready(page, `#admin-nav-${sub}[aria-current="page"]`, `${label} page`);
    await ready(page, '#admin-list[aria-busy="false"]', `loaded ${label} list`, "attached");
    const listKeys = [`#admin-nav-${sub}`, "#sign-out", "#admin-list tbody tr[data-id] > th", "#admin-list tbody tr[data-id] button[data-action=edit]"];
    await checkPage(page, `admin-${sub}`, { keys: sub === "hours" ? [...listKeys, "#hours-queue"] : [...listKeys, "#btn-new"] });
    if (!edit && sub !== "hours") continue;
    step(`opening an edit form on the admin page ${label}`);
    if (sub === "hours") await page.locator("#hours-queue").selectOption({ index: 1 });
    else await (await row(edit)).locator('button[data-action="edit"]').click();
    await ready(page, "#admin-form", `${label} edit form`);
    const keys = [...formKeys];
    if (sub === "agents") {
      await ready(page, '#agent-shifts[aria-busy="false"]', "agent's shifts read", "attached");
      keys.push("#f-name", "#btn-add-skills", "#btn-add-shift", "#btn-save-shifts");
    } else if (sub === "ivr") keys.push("#f-name", "#f-start", "#btn-add-node", "[id^=btn-remove-node-]");
    else if (sub === "hours") keys.push("#f-business_hours-time_zone", "#btn-add-business_hours-weekly");
    else keys.push("#f-name");
    await checkPage(page, `admin-${sub}-edit`, { keys, from: "#admin-form" });
  }

  step("summing up the problems found");
  if (problems.length) {
    throw new Error(`${problems.length} accessibility problem${problems.length === 1 ? "" : "s"} (each listed above as "problem: page …"); the first: ${problems[0]}`);
  }
  console.log("OK a11y");
});
