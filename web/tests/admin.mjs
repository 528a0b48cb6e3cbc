// The admin pages against a running Switchboard with a fresh demo tenant:
// sign in as demo/admin, open Admin from the nav and, through the forms
// only: create the skill "billing" (the demo already has one: then the
// conflict must show beside the name, and the existing skill is edited);
// create the queue "billing" needing billing ≥ 3 with 15 s wrap-up; give
// Alice billing 6; give Alice the shifts Mon 08:00–16:00 and Tue
// 22:00–06:00 in her form's Weekly shifts (read back from Node at once),
// then try a third that ends when it starts (the error must show beside
// that row, and the stored shifts must stay); create +442079460777 into
// the billing queue; open the billing queue on Saturdays; build the IVR
// flow "Billing line" (a menu: 1 → an enqueue into billing, 2 →
// voicemail) in the form editor; save the demo's "Main line" unchanged;
// create the contact Ada Lovelace (VIP tier 2); try a queue with no name
// (the error must show beside the name). Then read everything from Node:
// the JSON must hold what was entered and Main line must be what it was.
// Screenshots admin-queues.png, admin-ivr.png.

import { join } from "node:path";
import { api, apiSignIn, artifacts, browserTest, signInPage } from "./harness.mjs";

/** JSON with object keys sorted, for comparing values whatever their key order. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

const same = (a, b) => canonical(a) === canonical(b);

function expectSame(what, actual, expected) {
  if (!same(actual, expected)) {
    throw new Error(`${what}: expected ${canonical(expected).slice(0, 1500)}, got ${canonical(actual).slice(0, 1500)}`);
  }
}

const withoutId = ({ id: _id, ...rest }) => rest;
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const SKILL_DESCRIPTION = "Invoices, payments and refunds (set by admin.mjs)";
const NUMBER = "+442079460777";
/** Alice's shifts as entered on the page, and as the API stores them. */
const SHIFTS = [
  { day: "Mon", start: "08:00", end: "16:00" },
  { day: "Tue", start: "22:00", end: "06:00" },
];
const STORED_SHIFTS = SHIFTS.map((s) => ({ day: s.day, start: `${s.start}:00`, end: `${s.end}:00` }));
const CONTACT_NUMBER = "+442079460778";

await browserTest("admin", async ({ page, step }) => {
  step("reading the demo's objects from Node before the changes");
  const token = await apiSignIn("admin", "demo-admin");
  const list = async (collection) => (await api("GET", `/api/v1/${collection}`, { token }))?.items ?? [];
  const mainBefore = (await list("ivr-flows")).find((f) => f.name === "Main line");
  if (!mainBefore) throw new Error('the demo tenant has no IVR flow named "Main line"');
  const aliceBefore = (await list("agents")).find((a) => a.extension === "alice");
  if (!aliceBefore) throw new Error("the demo tenant has no agent with the extension alice");
  const billingSkillExisted = (await list("skills")).some((s) => s.name === "billing");
  if ((await list("queues")).some((q) => q.name === "billing")) {
    throw new Error('a queue named "billing" exists already: this test needs a fresh demo tenant');
  }

  // --- helpers ---
  const row = (name) =>
    page.locator("#admin-list tbody tr[data-id]", { has: page.locator("th", { hasText: new RegExp(`^${escapeRe(name)}$`) }) });
  const form = page.locator("#admin-form");

  async function openSub(sub) {
    await page.locator(`#admin-nav-${sub}`).click();
    await page.locator(`#admin-nav-${sub}[aria-current="page"]`).waitFor({ timeout: 10_000 });
    await page.locator('#admin-list[aria-busy="false"]').waitFor({ timeout: 10_000 });
  }

  async function openNew() {
    await page.locator("#btn-new").click();
    await form.waitFor({ state: "visible", timeout: 5_000 });
  }

  async function openEdit(name) {
    await row(name).first().waitFor({ timeout: 10_000 });
    await row(name).first().locator('button[data-action="edit"]').click();
    await form.waitFor({ state: "visible", timeout: 5_000 });
  }

  /** Clicks Save and waits for "Saved" (or fails with what the page shows). */
  async function save(what) {
    await page.locator("#btn-save").click();
    await expectSaved(what);
  }

  async function expectSaved(what) {
    const ok = page.locator("#admin-status").filter({ hasText: /^Saved/ });
    const bad = page.locator("#admin-error:not([hidden])");
    await ok.or(bad).first().waitFor({ timeout: 10_000 });
    if (await bad.isVisible()) {
      const fields = await page.locator(".field-error").allInnerTexts();
      throw new Error(`saving ${what}: the page shows "${await bad.innerText()}"${fields.length ? `; beside the fields: ${fields.join(" | ")}` : ""}`);
    }
    console.log(`saved ${what}: ${(await page.locator("#admin-status").innerText()).trim()}`);
  }

  step("signing in as demo/admin");
  await signInPage(page, "admin", "demo-admin");

  step("opening Admin from the header's nav");
  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Admin" }).click();
  await page.locator('#admin-nav-queues[aria-current="page"]').waitFor({ timeout: 10_000 });
  if (!(await page.evaluate(() => location.hash === "#/admin"))) throw new Error("location.hash is not #/admin");
  await row("sales").waitFor({ timeout: 10_000 });

  step('creating the skill "billing"');
  await openSub("skills");
  await openNew();
  await page.locator("#f-name").fill("billing");
  await page.locator("#f-description").fill(SKILL_DESCRIPTION);
  if (billingSkillExisted) {
    step('creating the skill "billing", which the demo has: the conflict must show beside the name');
    await page.locator("#btn-save").click();
    const nameError = page.locator(".field:has(> #f-name) > #f-name-error");
    await nameError.waitFor({ timeout: 10_000 });
    console.log(`the demo already has the skill billing; beside the name: ${await nameError.innerText()}`);
    if (!/taken/i.test(await nameError.innerText())) throw new Error(`unexpected error beside the name: ${await nameError.innerText()}`);
    await page.locator("#btn-cancel").click();
    step('editing the existing skill "billing" instead');
    await openEdit("billing");
    await page.locator("#f-description").fill(SKILL_DESCRIPTION);
    await save("the skill billing");
  } else {
    await save("the skill billing");
  }
  await row("billing").waitFor();

  step('creating the queue "billing" (billing ≥ 3, wrap-up 15 s)');
  await openSub("queues");
  await openNew();
  await page.locator("#f-name").fill("billing");
  await page.locator("#f-wrap_up_secs").fill("15");
  await page.locator("#btn-add-required_skills").click();
  await page.locator("#f-required_skills-0-skill_id").selectOption({ label: "billing" });
  await page.locator("#f-required_skills-0-min_level").fill("3");
  await save("the queue billing");
  await row("billing").waitFor();
  await page.screenshot({ path: join(artifacts, "admin-queues.png") });

  step("giving Alice the skill billing at level 6");
  await openSub("agents");
  await openEdit("Alice Senior");
  const aliceSkills = await page.locator("#f-skills .row-item").count();
  await page.locator("#btn-add-skills").click();
  await page.locator(`#f-skills-${aliceSkills}-skill_id`).selectOption({ label: "billing" });
  await page.locator(`#f-skills-${aliceSkills}-level`).fill("6");
  if ((await page.locator("#f-sip_password").inputValue()) !== "") throw new Error("the SIP password field is not empty");
  await save("Alice");

  step("giving Alice the shifts Mon 08:00–16:00 and Tue 22:00–06:00 (her form's Weekly shifts)");
  const shiftRow = (i) => page.locator(`#agent-shifts tr[data-shift-index="${i}"]`);
  const shiftsPath = `/api/v1/agents/${encodeURIComponent(aliceBefore.id)}/shifts`;
  await openEdit("Alice Senior");
  await page.locator('#agent-shifts[aria-busy="false"]').waitFor({ timeout: 10_000 });
  const shiftsError = page.locator("#shifts-error:not([hidden])");
  if (await shiftsError.isVisible()) throw new Error(`the shifts editor shows "${await shiftsError.innerText()}"`);
  const oldShifts = await page.locator("#agent-shifts tr[data-shift-index]").count();
  for (let n = oldShifts; n > 0; n--) await shiftRow(0).locator('button[data-action="remove-shift"]').click();
  console.log(`alice had ${oldShifts} shifts on the page; removed them`);
  for (const [i, s] of SHIFTS.entries()) {
    await page.locator("#btn-add-shift").click();
    await shiftRow(i).locator('select[name="day"]').selectOption(s.day);
    await shiftRow(i).locator('input[name="start"]').fill(s.start);
    await shiftRow(i).locator('input[name="end"]').fill(s.end);
  }
  await page.locator("#btn-save-shifts").click();
  const shiftsSaved = page.locator("#shifts-status").filter({ hasText: /^Shifts saved/ });
  await shiftsSaved.or(shiftsError).first().waitFor({ timeout: 10_000 });
  if (await shiftsError.isVisible()) {
    const fields = await page.locator("#agent-shifts .field-error").allInnerTexts();
    throw new Error(`saving Alice's shifts: the page shows "${await shiftsError.innerText()}"${fields.length ? `; beside the fields: ${fields.join(" | ")}` : ""}`);
  }
  console.log(`saved Alice's shifts: ${(await page.locator("#shifts-summary").innerText()).trim()}`);

  step("checking Alice's shifts from Node and on the page");
  expectSame("Alice's shifts from Node", (await api("GET", shiftsPath, { token }))?.shifts, STORED_SHIFTS);
  const shownShifts = [];
  for (let i = 0; i < (await page.locator("#agent-shifts tr[data-shift-index]").count()); i++) {
    shownShifts.push({
      day: await shiftRow(i).locator('select[name="day"]').inputValue(),
      start: await shiftRow(i).locator('input[name="start"]').inputValue(),
      end: await shiftRow(i).locator('input[name="end"]').inputValue(),
    });
  }
  expectSame("Alice's shifts shown after the save", shownShifts, SHIFTS);

  step("adding a third shift that ends when it starts: the error must show beside that row");
  await page.locator("#btn-add-shift").click();
  const third = shiftRow(2);
  await third.locator('select[name="day"]').selectOption("Wed");
  await third.locator('input[name="start"]').fill("10:00");
  await third.locator('input[name="end"]').fill("10:00");
  const [shiftsPut] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "PUT" && new URL(r.url()).pathname === shiftsPath, { timeout: 10_000 }),
    page.locator("#btn-save-shifts").click(),
  ]);
  if (shiftsPut.status() !== 422) throw new Error(`the PUT of the three shifts answered ${shiftsPut.status()}, not 422`);
  const rowError = third.locator(".field-error").first();
  await rowError.waitFor({ timeout: 10_000 });
  console.log(`beside the third shift: ${(await third.locator(".field-error").allInnerTexts()).join(" | ")}`);
  if ((await third.locator('input[name="end"]').getAttribute("aria-invalid")) !== "true") {
    throw new Error("the third shift's end input is not aria-invalid");
  }
  if (!(await shiftsError.isVisible())) throw new Error("the shifts editor's alert does not show the server's error");
  const afterStatus = (await page.locator("#shifts-status").innerText()).trim();
  if (/saved/i.test(afterStatus)) throw new Error(`the shifts status reads "${afterStatus}" after a refused save`);

  step("checking from Node that Alice's stored shifts did not change");
  expectSame("Alice's shifts after the refused save", (await api("GET", shiftsPath, { token }))?.shifts, STORED_SHIFTS);
  await page.locator("#btn-cancel").click();
  await page.locator("#admin-list").waitFor({ state: "visible" });

  step(`creating the number ${NUMBER} into the billing queue`);
  await openSub("numbers");
  await openNew();
  await page.locator("#f-e164").fill(NUMBER);
  await page.locator("#f-label").fill("Billing line");
  await page.locator("#f-entry-type").selectOption("queue");
  await page.locator("#f-entry-queue_id").selectOption({ label: "billing" });
  await save(`the number ${NUMBER}`);

  step("opening the billing queue on Saturdays 10:00–14:00 (Business hours page)");
  await openSub("hours");
  await page.locator("#hours-queue").selectOption({ label: "billing" });
  await form.waitFor({ state: "visible", timeout: 5_000 });
  const windows = await page.locator("#f-business_hours-weekly .row-item").count();
  await page.locator("#btn-add-business_hours-weekly").click();
  await page.locator(`#f-business_hours-weekly-${windows}-day`).selectOption("Sat");
  await page.locator(`#f-business_hours-weekly-${windows}-open`).fill("10:00");
  await page.locator(`#f-business_hours-weekly-${windows}-close`).fill("14:00");
  await save("the billing queue's hours");

  step('building the IVR flow "Billing line" in the form editor');
  await openSub("ivr");
  await openNew();
  await page.locator("#f-name").fill("Billing line");
  await page.locator("#f-nodes-0-name").fill("menu");
  await page.locator("#f-nodes-0-type").selectOption("menu");
  await page.locator("#f-nodes-0-prompt").fill("billing_menu");
  await page.locator("#btn-add-node").click();
  await page.locator("#f-nodes-1-name").fill("billing");
  await page.locator("#f-nodes-1-type").selectOption("enqueue");
  await page.locator("#f-nodes-1-queue_id").selectOption({ label: "billing" });
  await page.locator("#btn-add-node").click();
  await page.locator("#f-nodes-2-name").fill("voicemail");
  await page.locator("#f-nodes-2-type").selectOption("voicemail");
  await page.locator("#f-nodes-2-prompt").fill("voicemail");
  await page.locator("#f-nodes-2-max_secs").fill("60");
  await page.locator("#btn-add-nodes-0-choices").click();
  await page.locator("#f-nodes-0-choices-0-digit").selectOption("1");
  await page.locator("#f-nodes-0-choices-0-next").selectOption({ label: "billing" });
  await page.locator("#btn-add-nodes-0-choices").click();
  await page.locator("#f-nodes-0-choices-1-digit").selectOption("2");
  await page.locator("#f-nodes-0-choices-1-next").selectOption({ label: "voicemail" });
  await page.locator("#f-nodes-0-on_failure").selectOption({ label: "voicemail" });
  await page.locator("#f-start").selectOption({ label: "menu" });
  await page.screenshot({ path: join(artifacts, "admin-ivr.png"), fullPage: true });
  await save("the flow Billing line");
  await row("Billing line").waitFor();

  step('opening the demo\'s "Main line" flow and saving it unchanged');
  await openEdit("Main line");
  await page.locator("#f-start").waitFor();
  const [put] = await Promise.all([
    page.waitForRequest((r) => r.method() === "PUT" && /\/api\/v1\/ivr-flows\/[^/]+$/.test(new URL(r.url()).pathname), { timeout: 10_000 }),
    page.locator("#btn-save").click(),
  ]);
  await expectSaved("the flow Main line");
  expectSame("the PUT body of the unchanged Main line", put.postDataJSON(), withoutId(mainBefore));

  step("creating the contact Ada Lovelace (VIP tier 2)");
  await openSub("contacts");
  await openNew();
  await page.locator("#f-name").fill("Ada Lovelace");
  await page.locator("#f-phone_numbers-0").fill(CONTACT_NUMBER);
  await page.locator("#f-vip_tier").selectOption("2");
  await save("the contact Ada Lovelace");

  step("saving a queue with an empty name: the error must show beside the name");
  await openSub("queues");
  await openNew();
  await page.locator("#f-name").fill("");
  await page.locator("#btn-save").click();
  const nameError = page.locator(".field:has(> #f-name) > #f-name-error");
  await nameError.waitFor({ timeout: 10_000 });
  const reason = (await nameError.innerText()).trim();
  console.log(`beside the empty name: ${reason}`);
  if (!/empty/i.test(reason)) throw new Error(`the error beside the name is "${reason}", not about it being empty`);
  if ((await page.locator("#f-name").getAttribute("aria-invalid")) !== "true") throw new Error("the name input is not aria-invalid");
  if (!(await page.locator("#admin-error").isVisible())) throw new Error("the alert does not show the server's error");
  await page.locator("#btn-cancel").click();
  await page.locator("#admin-list").waitFor({ state: "visible" });

  step("checking the skill billing from Node");
  const skill = (await list("skills")).find((s) => s.name === "billing");
  if (!skill) throw new Error('no skill named "billing"');
  expectSame("the skill billing", withoutId(skill), { name: "billing", description: SKILL_DESCRIPTION });

  step("checking the queue billing from Node");
  const queues = await list("queues");
  if (queues.some((q) => q.name === "")) throw new Error("a queue with an empty name was saved");
  const queue = queues.find((q) => q.name === "billing");
  if (!queue) throw new Error('no queue named "billing"');
  if (queue.wrap_up_secs !== 15) throw new Error(`the billing queue's wrap_up_secs is ${queue.wrap_up_secs}, not 15`);
  expectSame("the billing queue's required_skills", queue.required_skills, [{ skill_id: skill.id, min_level: 3 }]);
  const saturday = (queue.business_hours?.weekly ?? []).filter((w) => w.day === "Sat");
  expectSame("the billing queue's Saturday hours", saturday, [{ day: "Sat", open: "10:00:00", close: "14:00:00" }]);

  step("checking Alice from Node");
  const alice = (await list("agents")).find((a) => a.id === aliceBefore.id);
  if (!alice) throw new Error("Alice is gone");
  if ("sip_password" in alice) throw new Error("the agents list shows a sip_password");
  const bySkill = (skills) => [...skills].sort((a, b) => a.skill_id.localeCompare(b.skill_id));
  expectSame(
    "Alice's skills",
    bySkill(alice.skills),
    bySkill([...aliceBefore.skills.filter((s) => s.skill_id !== skill.id), { skill_id: skill.id, level: 6 }]),
  );
  const byQueue = (qs) => [...qs].sort((a, b) => a.queue_id.localeCompare(b.queue_id));
  expectSame("Alice's queues", byQueue(alice.queues), byQueue(aliceBefore.queues));
  expectSame("Alice's other fields", { ...alice, skills: [], queues: [] }, { ...aliceBefore, skills: [], queues: [] });
  const aliceToken = await apiSignIn("alice", "demo-agent");
  await api("POST", "/api/v1/agent/sip-login", { token: aliceToken });
  console.log("alice's SIP password was kept (sip-login answers 200)");

  step(`checking the number ${NUMBER} from Node`);
  const number = (await list("numbers")).find((n) => n.e164 === NUMBER);
  if (!number) throw new Error(`no number ${NUMBER}`);
  expectSame(`the number ${NUMBER}`, withoutId(number), { e164: NUMBER, entry: { type: "queue", queue_id: queue.id }, label: "Billing line" });

  step("checking the flows from Node");
  const flows = await list("ivr-flows");
  const billingLine = flows.find((f) => f.name === "Billing line");
  if (!billingLine) throw new Error('no IVR flow named "Billing line"');
  expectSame("the flow Billing line", withoutId(billingLine), {
    name: "Billing line",
    start: "menu",
    nodes: {
      menu: {
        type: "menu",
        prompt: "billing_menu",
        choices: { 1: "billing", 2: "voicemail" },
        timeout_secs: 5,
        retries: 2,
        on_failure: "voicemail",
      },
      billing: { type: "enqueue", queue_id: queue.id },
      voicemail: { type: "voicemail", prompt: "voicemail", max_secs: 60 },
    },
  });
  const mainAfter = flows.find((f) => f.id === mainBefore.id);
  expectSame("Main line after the unchanged save", mainAfter, mainBefore);

  step("checking the contact Ada Lovelace from Node");
  const contacts = (await api("GET", `/api/v1/contacts?q=${encodeURIComponent("Ada Lovelace")}`, { token }))?.items ?? [];
  const ada = contacts.find((c) => c.name === "Ada Lovelace");
  if (!ada) throw new Error('no contact named "Ada Lovelace"');
  expectSame("Ada Lovelace's numbers", ada.phone_numbers, [CONTACT_NUMBER]);
  if (ada.vip_tier !== 2) throw new Error(`Ada Lovelace's vip_tier is ${ada.vip_tier}, not 2`);

  console.log("OK admin");
});
