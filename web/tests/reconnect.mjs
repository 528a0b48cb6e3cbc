// The softphone when the server goes away and comes back: alice signs in,
// her browser phone registers (JsSIP over /sip) and she goes available;
// the script prints READY and the test harness stops
// the server; the page must say the connection is lost (the script prints
// LOST and the harness starts the server again); the page must reconnect
// by itself, without a reload, and show the agent's state as the new
// server has it (read from its realtime snapshot, from Node), and its
// phone must register again with the new server by itself. Lines in,
// lines out: the harness writes a line on standard input when the server
// is back.

import { createInterface } from "node:readline";
import { join } from "node:path";
import { api, apiSignIn, artifacts, browserTest, connected, signInPage } from "./harness.mjs";

const input = createInterface({ input: process.stdin });
const nextLine = () => new Promise((done) => input.once("line", done));

await browserTest("reconnect", async ({ page, step }) => {
  step("signing in as demo/alice");
  await signInPage(page, "alice", "demo-agent");
  const state = page.locator("#agent-state");
  await page.getByRole("button", { name: "Log in to queues", exact: true }).click();
  step("waiting for #agent-state to show available");
  await state.filter({ hasText: /^available/ }).waitFor({ timeout: 10_000 });
  step('waiting for #sip-status data-status="registered"');
  const phone = page.locator("#sip-status");
  await page.locator('#sip-status[data-status="registered"]').waitFor({ timeout: 20_000 });
  const loaded = await page.evaluate(() => performance.timeOrigin);

  console.log("READY");
  step("waiting for #connection to say the connection is lost");
  await page.locator("#connection").filter({ hasText: /^Connection lost/ }).waitFor({ timeout: 20_000 });
  step("waiting for #sip-status to say the phone is not registered");
  await page.locator('#sip-status:not([data-status="registered"])').waitFor({ timeout: 20_000 });
  await page.screenshot({ path: join(artifacts, "softphone-connection-lost.png") });
  console.log("LOST");

  step("waiting for the harness to start the server again");
  await nextLine();
  step("waiting for the page to reconnect by itself");
  await connected(page, 30_000);
  step("checking the page was not reloaded");
  if ((await page.evaluate(() => performance.timeOrigin)) !== loaded) throw new Error("the page was reloaded");
  step("reading alice's state from the new server");
  const me = await api("GET", "/api/v1/me", { token: await apiSignIn("alice", "demo-agent") });
  const live = await api("GET", "/api/v1/reports/realtime", { token: await apiSignIn("supervisor", "demo-supervisor") });
  const row = (live?.agents ?? []).find((a) => a.agent_id === me?.agent?.id);
  const server = row?.state ?? { state: "logged_out" };
  const reason = server.reason?.label ?? server.reason?.code;
  const expected = `${server.state.replaceAll("_", " ")}${reason ? ` (${reason.replaceAll("_", " ")})` : ""}`;
  console.log(`server state: ${expected}`);
  step(`waiting for #agent-state to show the server's state (${expected})`);
  await state.filter({ hasText: new RegExp(`^${expected.replace(/[()]/g, "\\$&")}`) }).waitFor({ timeout: 10_000 });
  step('waiting for the phone to register again by itself (#sip-status data-status="registered")');
  await page.locator('#sip-status[data-status="registered"]').waitFor({ timeout: 30_000 });
  console.log(`phone: ${await phone.innerText()}`);
  console.log("OK reconnected");
  input.close();
});
