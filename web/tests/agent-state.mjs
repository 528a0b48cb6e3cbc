// The agent softphone against a running Switchboard: sign in as demo/alice,
// log in to the queues (the ACD makes her available), take a break (not
// ready, reason break), go available again, screenshot.

import { join } from "node:path";
import { artifacts, browserTest, signInPage } from "./harness.mjs";

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

  step("taking the screenshot");
  await page.screenshot({ path: join(artifacts, "softphone-available.png") });
  console.log("OK agent-state available");
});
