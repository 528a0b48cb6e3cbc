// End-to-end check of the agent softphone against a running Switchboard:
// sign in as demo/alice, log in to the queues (the ACD makes her available),
// take a break (not ready, reason break), go available again, screenshot.
// Env: SWITCHBOARD_URL (default http://127.0.0.1:18080), ARTIFACTS_DIR
// (default ./test-artifacts), CHROMIUM_PATH (default /usr/bin/chromium).

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const baseUrl = process.env.SWITCHBOARD_URL || "http://127.0.0.1:18080";
const artifacts = resolve(process.env.ARTIFACTS_DIR || "test-artifacts");
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
mkdirSync(artifacts, { recursive: true });

let browser;
let page;
let step = "launching the browser";
const consoleLines = [];

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

  step = "signing in as demo/alice";
  await page.getByLabel("Tenant").fill("demo");
  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password").fill("demo-agent");
  await page.getByRole("button", { name: "Sign in" }).click();

  step = "waiting for #connection to read Connected";
  await page.locator("#connection").filter({ hasText: /^Connected$/ }).waitFor({ timeout: 15_000 });

  step = 'clicking "Log in to queues"';
  await page.getByRole("button", { name: "Log in to queues", exact: true }).click();

  step = "waiting for #agent-state to show available after the log-in";
  await page.locator("#agent-state").filter({ hasText: /^available/ }).waitFor({ timeout: 10_000 });

  step = 'choosing "Not ready" with the reason Break';
  await page.getByLabel("Reason").selectOption({ label: "Break" });
  await page.getByRole("button", { name: "Not ready", exact: true }).click();

  step = "waiting for #agent-state to show not ready (break)";
  await page.locator("#agent-state").filter({ hasText: /^not ready \(break\)/ }).waitFor({ timeout: 10_000 });

  step = 'clicking "Available"';
  await page.getByRole("button", { name: "Available", exact: true }).click();

  step = "waiting for #agent-state to show available";
  await page.locator("#agent-state").filter({ hasText: /^available/ }).waitFor({ timeout: 10_000 });

  step = "taking the screenshot";
  await page.screenshot({ path: join(artifacts, "softphone-available.png") });
  console.log("OK agent-state available");
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
      await page.screenshot({ path: join(artifacts, "failure.png") });
      console.log(`screenshot: ${join(artifacts, "failure.png")}`);
    } catch (e) {
      console.log(`(could not take failure.png: ${e instanceof Error ? e.message : e})`);
    }
  }
  for (const line of consoleLines) console.log(line);
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}
