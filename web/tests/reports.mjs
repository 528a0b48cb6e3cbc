// The supervisor's reports page against a running Switchboard whose demo
// tenant has call history for the last 7 days (`switchboard history
// --tenant demo --days 7`): sign in as demo/supervisor, open Reports from
// the nav, show the last 7 full days by day; wait for the chart and the
// agents table; the page's service-level total must be the API's (read
// from Node for the same range); the service level's CSV download must be
// the API's CSV; screenshot. Then the forecast: choose the sales queue; the
// page must ask for 7 days on the fewest history days the API takes (28:
// days before the generated week count as no calls), and its peak of
// agents required must be the API's for the same request; its CSV is the
// staffing table (with the rostered column); its count of half-hours short
// (fewer agents rostered than to schedule) must be the API's, and the
// table's Rostered cell of the peak half-hour the API's rostered (marked
// short when it is); screenshot reports-forecast.png.

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

  // --- the forecast section ---
  step("choosing the sales queue in the forecast section");
  const queues = (await api("GET", "/api/v1/queues", { token }))?.items ?? [];
  const sales = queues.find((q) => q.name === "sales");
  if (!sales) throw new Error('no queue named "sales" in GET /api/v1/queues');
  const [forecastRequest] = await Promise.all([
    page.waitForRequest((r) => new URL(r.url()).pathname === "/api/v1/reports/forecast", { timeout: 10_000 }),
    page.locator("#forecast-queue").selectOption({ label: "sales" }),
  ]);
  const pageParams = new URL(forecastRequest.url()).searchParams;
  console.log(`forecast request: ${new URL(forecastRequest.url()).search}`);

  step("checking the page's forecast request (sales, 7 days, the fewest history days the API takes)");
  const expectedParams = {
    queue_id: sales.id,
    days: "7",
    history_days: "28",
    time_zone: sales.business_hours?.time_zone ?? null,
  };
  for (const [name, value] of Object.entries(expectedParams)) {
    if (pageParams.get(name) !== value) throw new Error(`the page's forecast request has ${name}=${pageParams.get(name)}, expected ${value}`);
  }

  step("asking the API the same forecast from Node");
  const forecast = await api("GET", `/api/v1/reports/forecast?${pageParams}`, { token });
  const intervals = forecast?.staffing?.intervals;
  if (!Array.isArray(intervals) || intervals.length !== 7 * 48) {
    throw new Error(`the API's forecast has ${Array.isArray(intervals) ? intervals.length : "no"} intervals, expected ${7 * 48}`);
  }
  const peakRequired = Math.max(...intervals.map((i) => i.agents));
  const peakScheduled = Math.max(...intervals.map((i) => i.scheduled));
  console.log(`forecast: ${intervals.reduce((n, i) => n + i.calls, 0).toFixed(1)} calls, peak agents required ${peakRequired}, to schedule ${peakScheduled}`);

  step("waiting for the forecast chart's canvas and the peak agents required");
  await page.locator("#forecast-chart canvas").first().waitFor({ state: "attached", timeout: 15_000 });
  const peak = page.locator("#forecast-peak").filter({ hasText: /^\d+$/ });
  const forecastError = page.locator("#forecast-error:not([hidden])");
  await peak.or(forecastError).first().waitFor({ timeout: 15_000 });
  if (await forecastError.isVisible()) throw new Error(`the forecast section shows an error: ${await forecastError.innerText()}`);
  const shownPeak = (await peak.innerText()).trim();
  console.log(`forecast peak: page ${shownPeak}, API ${peakRequired}`);
  if (shownPeak !== String(peakRequired)) throw new Error(`the page's peak agents required is ${shownPeak}, the API's ${peakRequired}`);

  step("downloading the forecast's CSV");
  const [forecastDownload] = await Promise.all([
    page.waitForEvent("download", { timeout: 10_000 }),
    page.locator("#forecast-csv").click(),
  ]);
  const forecastCsv = await readFile(await forecastDownload.path(), "utf8");
  const forecastHeader = forecastCsv.split(/\r?\n/, 1)[0];
  console.log(`forecast csv header: ${forecastHeader}`);
  if (!/^date,start_local,start,calls,traffic_erlangs,agents,service_level_pct,scheduled/.test(forecastHeader)) {
    throw new Error(`the forecast CSV does not start with the staffing header: ${forecastHeader.slice(0, 200)}`);
  }
  if (!forecastHeader.split(",").includes("rostered")) {
    throw new Error(`the forecast CSV has no rostered column: ${forecastHeader.slice(0, 200)}`);
  }

  step("reading the API's rostered agents per half-hour");
  const unrostered = intervals.find((i) => !Number.isInteger(i.rostered));
  if (unrostered) {
    throw new Error(`the API's interval ${unrostered.start_local} has rostered=${JSON.stringify(unrostered.rostered)}, not a whole number`);
  }
  const shortCount = intervals.filter((i) => i.rostered < i.scheduled).length;
  console.log(`forecast: ${shortCount} half-hours short, peak rostered ${Math.max(...intervals.map((i) => i.rostered))}`);

  step("comparing the page's half-hours short with the API's");
  const short = page.locator("#forecast-short");
  const shownCount = await short.getAttribute("data-count");
  const shortText = (await short.innerText()).trim();
  console.log(`half-hours short: page data-count=${shownCount} ("${shortText}"), API ${shortCount}`);
  if (shownCount !== String(shortCount)) {
    throw new Error(`#forecast-short has data-count=${shownCount}, the API's forecast has ${shortCount} intervals with rostered < scheduled`);
  }
  if (!shortText.startsWith(`${shortCount} half-hour`)) throw new Error(`#forecast-short reads "${shortText}", not ${shortCount} half-hours short`);

  step("opening the staffing table on the peak's day");
  const peakInterval = intervals.find((i) => i.agents === peakRequired);
  const figures = page.locator("#forecast details.figures");
  if (!(await figures.evaluate((d) => d.open))) await figures.locator("summary").click();
  await page.locator("#forecast-day").selectOption(peakInterval.date);
  const columns = (await page.locator("#forecast-table thead th").allInnerTexts()).map((t) => t.trim());
  const rosteredColumn = columns.indexOf("Rostered");
  if (rosteredColumn < 0) throw new Error(`the staffing table has no Rostered column; its columns: ${columns.join(" | ")}`);

  step("comparing the peak half-hour's Rostered cell with the API's");
  const peakTime = peakInterval.start_local.slice(11, 16);
  const peakRow = page
    .locator("#forecast-table tbody tr", { has: page.locator("th", { hasText: new RegExp(`^${peakTime}$`) }) })
    .first();
  await peakRow.waitFor({ timeout: 5_000 });
  const cells = (await peakRow.locator("th, td").allInnerTexts()).map((t) => t.trim());
  const rosteredCell = cells[rosteredColumn] ?? "";
  console.log(`peak ${peakInterval.date} ${peakTime}: page Rostered "${rosteredCell}", API rostered ${peakInterval.rostered}, to schedule ${peakInterval.scheduled}`);
  if (/^\d+/.exec(rosteredCell)?.[0] !== String(peakInterval.rostered)) {
    throw new Error(`the peak half-hour's Rostered cell reads "${rosteredCell}", the API's rostered is ${peakInterval.rostered}`);
  }
  const shortBy = peakInterval.scheduled - peakInterval.rostered;
  const markedShort = (await peakRow.getAttribute("class"))?.split(/\s+/).includes("short") ?? false;
  if (markedShort !== shortBy > 0) {
    throw new Error(`the peak row is ${markedShort ? "" : "not "}marked short, but the API has ${peakInterval.rostered} rostered for ${peakInterval.scheduled} to schedule`);
  }
  if (shortBy > 0 && !rosteredCell.includes(`short by ${shortBy}`)) {
    throw new Error(`the peak row's Rostered cell reads "${rosteredCell}", not "short by ${shortBy}"`);
  }

  step("taking the forecast screenshot");
  await page.locator("#forecast").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, "reports-forecast.png") });
  console.log("OK reports");
});
