// The supervisor's reports page against a running Switchboard whose demo
// tenant has call history for the last 7 days (`switchboard history
// --tenant demo --days 7`): sign in as demo/supervisor, open Reports from
// the nav, show the last 7 full days by day; wait for the chart and the
// agents table; the page's service-level total must be the API's (read
// from Node for the same range); the service level's CSV download must be
// the API's CSV; screenshot.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { api, apiSignIn, artifacts, baseUrl, browserTest, signInPage } from "./harness.mjs";

/** The page's own date arithmetic (src/reports-model.ts), in the browser's time zone. */
function pageDates() {
  const pad = (n) => String(n).padStart(2, "0");
  const value = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const now = new Date();
  const [y, m, d] = [now.getFullYear(), now.getMonth(), now.getDate()];
  const from = new Date(y, m, d - 7);
  const to = new Date(y, m, d);
  return { fromValue: value(from), toValue: value(to), from: from.toISOString(), to: to.toISOString() };
}

await browserTest("reports", async ({ page, step }) => {
  step("signing in as demo/supervisor");
  await signInPage(page, "supervisor", "demo-supervisor");

  step("opening Reports from the header's nav");
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Reports" }).click();
  await page.locator("#report-form").waitFor({ timeout: 10_000 });
  const current = await page.locator('.page-nav a[aria-current="page"]').innerText();
  if (current.trim() !== "Reports") throw new Error(`the nav marks "${current}" as the current page, not Reports`);
  if (!(await page.evaluate(() => location.hash === "#/reports"))) throw new Error("location.hash is not #/reports");

  step("computing the last 7 full days as the page does (in the browser)");
  const dates = await page.evaluate(pageDates);
  console.log(`range: ${dates.from} .. ${dates.to} (${dates.fromValue} to ${dates.toValue}, excluded)`);
  const defaults = [await page.getByLabel("From").inputValue(), await page.getByLabel("To").inputValue()];
  if (defaults[0] !== dates.fromValue || defaults[1] !== dates.toValue) {
    throw new Error(`the default range is ${defaults.join(" to ")}, expected ${dates.fromValue} to ${dates.toValue}`);
  }

  step("choosing the range, grouping by day and clicking Show");
  await page.getByLabel("From").fill(dates.fromValue);
  await page.getByLabel("To").fill(dates.toValue);
  await page.getByLabel("Grouping").selectOption("day");
  await page.getByRole("button", { name: "Show", exact: true }).click();

  step("waiting for the reports to load");
  await page.locator('#reports-results[aria-busy="false"]').waitFor({ timeout: 15_000 });
  const alert = (await page.locator("#reports-error").innerText()).trim();
  if (alert) throw new Error(`the page shows an error: ${alert}`);

  step("waiting for the service-level chart's canvas and an agents row");
  await page.locator("#sl-chart canvas").first().waitFor({ state: "attached", timeout: 10_000 });
  await page.locator("#agent-table tbody tr[data-agent-id]").first().waitFor({ timeout: 10_000 });
  console.log(`agent rows: ${await page.locator("#agent-table tbody tr[data-agent-id]").count()}`);

  step("reading the service level from Node for the same range");
  const token = await apiSignIn("supervisor", "demo-supervisor");
  const query = new URLSearchParams({ from: dates.from, to: dates.to, group: "day" });
  const report = await api("GET", `/api/v1/reports/service-level?${query}`, { token });
  const total = report?.total;
  if (!total || typeof total.numerator !== "number" || typeof total.denominator !== "number") {
    throw new Error(`the API's service level has no total numerator/denominator: ${JSON.stringify(report).slice(0, 300)}`);
  }
  if (total.denominator === 0) throw new Error("the API counts no calls for the service level in the last 7 days (was the history made?)");

  step("comparing the page's service-level total with the API's");
  const shown = {
    numerator: (await page.locator("#sl-numerator").innerText()).trim(),
    denominator: (await page.locator("#sl-denominator").innerText()).trim(),
  };
  console.log(`service level: page ${shown.numerator}/${shown.denominator}, API ${total.numerator}/${total.denominator}`);
  if (shown.numerator !== String(total.numerator) || shown.denominator !== String(total.denominator)) {
    throw new Error(
      `the page shows ${shown.numerator}/${shown.denominator}, the API says ${total.numerator}/${total.denominator}`,
    );
  }

  step("downloading the service level's CSV");
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 10_000 }),
    page.locator("#csv-service-level").click(),
  ]);
  if (download.suggestedFilename() !== "service-level.csv") {
    throw new Error(`the download is named ${download.suggestedFilename()}, not service-level.csv`);
  }
  const csv = await readFile(await download.path(), "utf8");
  const header = csv.split(/\r?\n/, 1)[0];
  console.log(`csv header: ${header}`);
  // A grouped report's CSV puts each group's start first (group_start, then
  // the service-level columns); the total alone starts at threshold_secs.
  if (!/^(group_start,)?threshold_secs,/.test(header)) {
    throw new Error(`the CSV does not start with the service-level header: ${header.slice(0, 200)}`);
  }

  step("comparing the download with the API's CSV read from Node");
  const response = await fetch(`${baseUrl}/api/v1/reports/service-level?${query}&format=csv`, {
    headers: { accept: "text/csv", authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) throw new Error(`the CSV from Node answered ${response.status}`);
  const expected = await response.text();
  if (csv !== expected) {
    throw new Error(`the downloaded CSV (${csv.length} chars) differs from the API's (${expected.length} chars)`);
  }

  step("taking the screenshot");
  await page.screenshot({ path: join(artifacts, "reports.png") });
  console.log("OK reports");
});
