// Shared by the browser tests: the environment they run in, Chromium
// launched the way this machine needs it, API calls from Node, signing in
// on the page, and the failure report (the step, the page's visible text,
// the console's errors and a screenshot); `launch` for a script that drives
// more than one browser at once.
// Env: SWITCHBOARD_URL (default http://127.0.0.1:18080), ARTIFACTS_DIR
// (default ./test-artifacts), CHROMIUM_PATH (default /usr/bin/chromium).

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const baseUrl = (process.env.SWITCHBOARD_URL || "http://127.0.0.1:18080").replace(/\/+$/, "");
export const artifacts = resolve(process.env.ARTIFACTS_DIR || "test-artifacts");
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** A request to the API from Node; throws with the status and the server's `error` unless `expect`ed. */
export async function api(method, path, { token, body, expect = 200 } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (response.status !== expect) {
    const detail = data && typeof data.error === "string" ? data.error : text.slice(0, 300);
    throw new Error(`${method} ${path} answered ${response.status} (expected ${expect}): ${detail}`);
  }
  return data;
}

/** A demo user's session token, from Node. */
export async function apiSignIn(username, password) {
  const data = await api("POST", "/api/v1/auth/login", { body: { tenant: "demo", username, password } });
  if (!data || typeof data.token !== "string") throw new Error(`no token in the login answer for ${username}`);
  return data.token;
}

/** Opens the app, signs in as a demo user and waits for the live feed; prints how long the first screen took. */
export async function signInPage(page, username, password) {
  const started = Date.now();
  await page.goto(baseUrl, { waitUntil: "domcontentloaded", timeout: 15_000 });
  await page.locator("#login-form").waitFor({ state: "visible", timeout: 10_000 });
  console.log(`first screen ms: ${Date.now() - started}`);
  await page.getByLabel("Tenant").fill("demo");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await connected(page);
}

/** Waits for the live-connection indicator to read Connected. */
export async function connected(page, timeout = 15_000) {
  await page.locator("#connection").filter({ hasText: /^Connected$/ }).waitFor({ timeout });
}

/**
 * Chromium's switches for WebRTC calls: a fake microphone (a tone) granted
 * without a prompt (which also keeps real host addresses in ICE candidates),
 * loopback candidates allowed, audio playing without a user gesture.
 */
export const MEDIA_ARGS = [
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
  "--allow-loopback-in-peer-connection",
  "--autoplay-policy=no-user-gesture-required",
];

/** Chromium's switches for every test (headless in a container, no background traffic). */
const BASE_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launches a headless Chromium with one page (1366×768) and answers
 * `{ browser, page, consoleLines }`; `consoleLines` collects the page's
 * console errors and warnings and its uncaught errors, for `report`.
 * `options.args`: more Chromium switches (e.g. MEDIA_ARGS, or a fake
 * microphone file for this browser only); `options.permissions`:
 * permissions granted to the page (e.g. ["microphone"]).
 */
export async function launch(options = {}) {
  const browser = await chromium.launch({ executablePath, headless: true, args: [...BASE_ARGS, ...(options.args ?? [])] });
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, permissions: options.permissions ?? [] });
    const page = await context.newPage();
    const consoleLines = [];
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") consoleLines.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on("pageerror", (err) => consoleLines.push(`page error: ${err.message}`));
    return { browser, page, consoleLines };
  } catch (err) {
    await browser.close().catch(() => {});
    throw err;
  }
}

/** After a failure: prints what `page` showed and its console lines, and saves `<name>-failure.png`. */
export async function report(name, page, consoleLines = []) {
  if (page) {
    try {
      const text = await page.locator("body").innerText({ timeout: 2_000 });
      console.log(`--- visible page text (${name}) ---\n${text}\n--- end of page text ---`);
    } catch (e) {
      console.log(`(could not read the page text of ${name}: ${e instanceof Error ? e.message : e})`);
    }
    const shot = join(artifacts, `${name}-failure.png`);
    try {
      await page.screenshot({ path: shot });
      console.log(`screenshot: ${shot}`);
    } catch (e) {
      console.log(`(could not take ${shot}: ${e instanceof Error ? e.message : e})`);
    }
  }
  for (const line of consoleLines) console.log(line);
}

/**
 * Runs `body({ page, step })` in a fresh headless Chromium page (1366×768)
 * and exits 0 when it returns; on an error prints where it happened and what
 * the page showed, saves `<name>-failure.png`, and exits 1.
 * `options.args`: more Chromium switches (e.g. MEDIA_ARGS);
 * `options.permissions`: permissions granted to the page (e.g. ["microphone"]).
 */
export async function browserTest(name, body, options = {}) {
  mkdirSync(artifacts, { recursive: true });
  let launched;
  let current = "launching the browser";
  const step = (what) => {
    current = what;
  };
  try {
    launched = await launch(options);
    await body({ page: launched.page, step });
    await launched.browser.close();
    process.exit(0);
  } catch (err) {
    console.log(`FAIL while ${current}: ${err instanceof Error ? err.message : String(err)}`);
    if (launched) {
      await report(name, launched.page, launched.consoleLines);
      await launched.browser.close().catch(() => {});
    }
    process.exit(1);
  }
}
