// End-to-end check of the supervisor wallboard against a running Switchboard:
// sign in as demo/supervisor, wait for the live queues (sales, support); then,
// from Node, sign alice in, log her in to the queues and put her on lunch,
// and wait (no reload) for her agents-table row to say so; screenshot.
// Env: SWITCHBOARD_URL (default http://127.0.0.1:18080), ARTIFACTS_DIR
// (default ./test-artifacts), CHROMIUM_PATH (default /usr/bin/chromium).

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const baseUrl = (process.env.SWITCHBOARD_URL || "http://127.0.0.1:18080").replace(/\/+$/, "");
const artifacts = resolve(process.env.ARTIFACTS_DIR || "test-artifacts");
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
mkdirSync(artifacts, { recursive: true });

let browser;
let page;
let step = "launching the browser";
const consoleLines = [];

/** A request to the API from Node; throws with the status and the server's `error` unless `expect`ed. */
async function api(method, path, { token, body, expect = 200 } = {}) {
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

async function signIn(username, password) {
  const data = await api("POST", "/api/v1/auth/login", { body: { tenant: "demo", username, password } });
  if (!data || typeof data.token !== "string") throw new Error(`no token in the login answer for ${username}`);
  return data.token;
}

try {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") consoleLines.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => consoleLines.push(`page error: ${err.message}`));

  step = `opening ${baseUrl}`;
  const started = Date.now();
  await page.goto(baseUrl, { waitUntil: "domcontentloaded", timeout: 15_000 });
  step = "waiting for the login form";
  await page.locator("#login-form").waitFor({ state: "visible", timeout: 10_000 });
  console.log(`first screen ms: ${Date.now() - started}`);

  step = "signing in as demo/supervisor";
  await page.getByLabel("Tenant").fill("demo");
  await page.getByLabel("Username").fill("supervisor");
  await page.getByLabel("Password").fill("demo-supervisor");
  await page.getByRole("button", { name: "Sign in" }).click();

  step = "waiting for #connection to read Connected";
  await page.locator("#connection").filter({ hasText: /^Connected$/ }).waitFor({ timeout: 15_000 });

  step = "waiting for the queues table to list sales and support";
  for (const name of ["sales", "support"]) {
    await page
      .locator("#queues tr[data-queue-id]")
      .filter({ hasText: name })
      .first()
      .waitFor({ timeout: 10_000 });
  }

  step = "signing in as demo/supervisor from Node to find Alice's agent id";
  const supervisorToken = await signIn("supervisor", "demo-supervisor");
  const agents = await api("GET", "/api/v1/agents", { token: supervisorToken });
  const alice = (agents?.items ?? []).find((a) => a.name === "Alice Senior" || a.extension === "alice");
  if (!alice || typeof alice.id !== "string") throw new Error('no agent named "Alice Senior" in GET /api/v1/agents');
  console.log(`alice agent id: ${alice.id}`);

  step = "waiting for Alice's row in the agents table";
  const aliceState = page.locator(`#agents tr[data-agent-id="${alice.id}"] .state`);
  await aliceState.waitFor({ timeout: 10_000 });

  step = "signing in as demo/alice from Node";
  const aliceToken = await signIn("alice", "demo-agent");

  step = "logging Alice in to the queues (POST /api/v1/agent/login)";
  await api("POST", "/api/v1/agent/login", { token: aliceToken, expect: 204 });

  step = "waiting for Alice's row to leave logged out after the log-in";
  try {
    await aliceState.filter({ hasNotText: /^logged out$/ }).waitFor({ timeout: 10_000 });
  } catch {
    console.log("note: Alice's row still said logged out 10 s after the log-in; setting the state anyway");
  }

  step = "putting Alice on lunch (PUT /api/v1/agent/state)";
  await api("PUT", "/api/v1/agent/state", {
    token: aliceToken,
    body: { state: "not_ready", reason: { code: "lunch" } },
    expect: 204,
  });
  const changed = Date.now();

  step = "waiting for Alice's row to show not ready (lunch), without a reload";
  await aliceState.filter({ hasText: /^not ready \(lunch\)$/ }).waitFor({ timeout: 10_000 });
  console.log(`wallboard update ms: ${Date.now() - changed}`);

  step = "waiting for the sales queue's figures to count her not ready (a queue message)";
  const notReady = page.locator("#queues tbody tr", { has: page.locator("th", { hasText: /^sales$/ }) }).locator("td").nth(6);
  await notReady.filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });

  step = "taking the screenshot";
  await page.screenshot({ path: join(artifacts, "wallboard.png") });
  console.log("OK wallboard live");
  await browser.close();
  process.exit(0);
} catch (err) {
  console.log(`FAIL while ${step}: ${err instanceof Error ? err.message : String(err)}`);
  if (page) {
    try {
      const text = await page.locator("body").innerText({ timeout: 2_000 });
      console.log("--- visible page text ---");
      console.log(text);
      console.log("--- end of page text ---");
    } catch (e) {
      console.log(`(could not read the page text: ${e instanceof Error ? e.message : e})`);
    }
    try {
      await page.screenshot({ path: join(artifacts, "wallboard-failure.png") });
      console.log(`screenshot: ${join(artifacts, "wallboard-failure.png")}`);
    } catch (e) {
      console.log(`(could not take wallboard-failure.png: ${e instanceof Error ? e.message : e})`);
    }
  }
  for (const line of consoleLines) console.log(line);
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}
