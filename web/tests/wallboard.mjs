// The supervisor's wallboard against a running Switchboard: sign in as
// demo/supervisor, wait for the live queues (sales, support); then, from
// Node, sign alice in, log her in to the queues and put her on lunch, and
// wait (no reload) for her agents-table row and the sales queue's figures
// to say so; screenshot.

import { join } from "node:path";
import { api, apiSignIn, artifacts, browserTest, signInPage } from "./harness.mjs";

await browserTest("wallboard", async ({ page, step }) => {
  step("signing in as demo/supervisor");
  await signInPage(page, "supervisor", "demo-supervisor");

  step("waiting for the queues table to list sales and support");
  for (const name of ["sales", "support"]) {
    await page
      .locator("#queues tr[data-queue-id]")
      .filter({ hasText: name })
      .first()
      .waitFor({ timeout: 10_000 });
  }

  step("signing in as demo/supervisor from Node to find Alice's agent id");
  const supervisorToken = await apiSignIn("supervisor", "demo-supervisor");
  const agents = await api("GET", "/api/v1/agents", { token: supervisorToken });
  const alice = (agents?.items ?? []).find((a) => a.name === "Alice Senior" || a.extension === "alice");
  if (!alice || typeof alice.id !== "string") throw new Error('no agent named "Alice Senior" in GET /api/v1/agents');
  console.log(`alice agent id: ${alice.id}`);

  step("waiting for Alice's row in the agents table");
  const aliceState = page.locator(`#agents tr[data-agent-id="${alice.id}"] .state`);
  await aliceState.waitFor({ timeout: 10_000 });

  step("signing in as demo/alice from Node");
  const aliceToken = await apiSignIn("alice", "demo-agent");

  step("logging Alice in to the queues (POST /api/v1/agent/login)");
  await api("POST", "/api/v1/agent/login", { token: aliceToken, expect: 204 });

  step("waiting for Alice's row to leave logged out after the log-in");
  await aliceState.filter({ hasNotText: /^logged out$/ }).waitFor({ timeout: 10_000 });

  step("putting Alice on lunch (PUT /api/v1/agent/state)");
  await api("PUT", "/api/v1/agent/state", {
    token: aliceToken,
    body: { state: "not_ready", reason: { code: "lunch" } },
    expect: 204,
  });
  const changed = Date.now();

  step("waiting for Alice's row to show not ready (lunch), without a reload");
  await aliceState.filter({ hasText: /^not ready \(lunch\)$/ }).waitFor({ timeout: 10_000 });
  console.log(`wallboard update ms: ${Date.now() - changed}`);

  step("waiting for the sales queue's figures to count her not ready (a queue message)");
  const notReady = page.locator("#queues tbody tr", { has: page.locator("th", { hasText: /^sales$/ }) }).locator("td").nth(6);
  await notReady.filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });

  step("taking the screenshot");
  await page.screenshot({ path: join(artifacts, "wallboard.png") });
  console.log("OK wallboard live");
});
