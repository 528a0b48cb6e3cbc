// The agent softphone against a running Switchboard: sign in as demo/alice,
// log in to the queues (the ACD makes her available), take a break (not
// ready, reason break), go available again, screenshot; and her figures
// today ("My day", from a history the harness wrote for today) equal the
// agent report's for the range the page read.

import { join } from "node:path";
import { api, apiSignIn, artifacts, browserTest, signInPage } from "./harness.mjs";

await browserTest("softphone", async ({ page, step }) => {
  step("signing in as demo/alice");
  await signInPage(page, "alice", "demo-agent");
  const state = page.locator("#agent-state");

  step('clicking "Log in to queues"');
  await page.getByRole("button", { name: "Log in to queues", exact: true }).click();
  step("waiting for #agent-state to show available after the log-in");
  await state.filter({ hasText: /^available/ }).waitFor({ timeout: 10_000 });

  step('choosing "Not ready" with the reason Break');
  await page.getByLabel("Reason").selectOption({ label: "Break" });
  await page.getByRole("button", { name: "Not ready", exact: true }).click();
  step("waiting for #agent-state to show not ready (break)");
  await state.filter({ hasText: /^not ready \(break\)/ }).waitFor({ timeout: 10_000 });

  step('clicking "Available"');
  await page.getByRole("button", { name: "Available", exact: true }).click();
  step("waiting for #agent-state to show available");
  await state.filter({ hasText: /^available/ }).waitFor({ timeout: 10_000 });

  step("waiting for My day to show today's figures");
  const table = page.locator("#my-day");
  await page.locator("section[aria-labelledby=my-day-heading]:not([aria-busy])").waitFor({ timeout: 10_000 });
  const from = await table.getAttribute("data-from");
  const to = await table.getAttribute("data-to");
  if (!from || !to) throw new Error("My day read no range");
  step(`comparing My day with GET /api/v1/reports/agents?from=${from}&to=${to}`);
  const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const token = await apiSignIn("alice", "demo-agent");
  const own = await api("GET", `/api/v1/reports/agents?${q}`, { token });
  const answered = own?.agents?.[0]?.kpi?.answered;
  const shown = await page.locator("#my-answered").innerText();
  if (String(answered) !== shown) throw new Error(`My day shows ${shown} calls answered, the API ${answered}`);
  const team = await api("GET", `/api/v1/reports/agents/ranking?${q}`, { token });
  const size = team?.agents?.length ?? 0;
  const teamShown = await page.locator("#team-size").innerText();
  if (teamShown !== `(${size} agent${size === 1 ? "" : "s"})`) throw new Error(`team shown ${teamShown}, ranking has ${size}`);
  console.log(`my day: ${shown} answered, team of ${size}`);

  step("taking the screenshot");
  await page.screenshot({ path: join(artifacts, "softphone-available.png") });
  console.log("OK agent-state available");
});
