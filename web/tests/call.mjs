// A call in the browser phone, end to end: alice signs in, her phone (JsSIP
// over the server's /sip WebSocket) registers and she logs in to the
// queues; the Rust driver then places a carrier call from Grace Hopper's
// number; the page must ring with her screen pop (name, VIP tier 3, company
// from the CRM), answer with WebRTC audio both ways (the carrier echoes the
// fake microphone back, so received energy proves both directions), hold and
// resume, hang up, and save a disposition in the wrap-up form.
//
// Lines out (stdout), in order; the driver may ignore any other line:
//   READY                      registered and available: place the call now
//   RINGING <call id>          the page rings (the X-Switchboard-Call id)
//   AUDIO packets_received=<n> packets_sent=<n> energy=<x>
//   HELD / RESUMED             the hold and resume re-INVITEs were accepted
//   WRAP_UP <seconds>          the wrap-up form shows this many seconds left
//   OK call <call id>          the disposition was saved; exit 0
//   FAIL while <step>: <why>   then the page's text and console; exit 1
// The page's console errors go to stderr as they happen.
// Env: SWITCHBOARD_URL, ARTIFACTS_DIR, CHROMIUM_PATH (see harness.mjs),
// CALL_WAIT_MS (each wait, default 30000), ALICE_PASSWORD (default the demo's).

import { join } from "node:path";
import { artifacts, browserTest, MEDIA_ARGS, signInPage } from "./harness.mjs";

const WAIT = Number(process.env.CALL_WAIT_MS) > 0 ? Number(process.env.CALL_WAIT_MS) : 30_000;
const PASSWORD = process.env.ALICE_PASSWORD || "demo-agent";
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

await browserTest(
  "call",
  async ({ page, step }) => {
    page.on("console", (msg) => {
      if (msg.type() === "error") console.error(`console error: ${msg.text()}`);
    });
    page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
    const status = (code) => page.locator(`#call-status[data-status="${code}"]`);

    // a. signed in, phone registered, available
    step("signing in as demo/alice");
    await signInPage(page, "alice", PASSWORD);
    step('waiting for #sip-status data-status="registered"');
    await page.locator('#sip-status[data-status="registered"]').waitFor({ timeout: WAIT });
    step("waiting for #agent-state to be known");
    await page.locator("#agent-state[data-state]").waitFor({ timeout: WAIT });
    if (await page.locator("#btn-login").isEnabled()) {
      step("clicking #btn-login (log in to queues)");
      await page.locator("#btn-login").click();
    }
    step('waiting for #agent-state data-state="available"');
    await page.locator('#agent-state[data-state="available"]').waitFor({ timeout: WAIT });
    console.log("READY");

    // b. the carrier call rings, with the screen pop
    step('waiting for #call-status data-status="ringing" (the driver places the call)');
    await status("ringing").waitFor({ timeout: WAIT });
    step('checking #pop-name shows "Grace Hopper"');
    await page.locator("#pop-name").filter({ hasText: "Grace Hopper" }).waitFor({ timeout: 5_000 });
    step('checking #pop-vip has data-vip="3"');
    await page.locator('#pop-vip[data-vip="3"]').waitFor({ timeout: 5_000 });
    step('waiting for #pop-company to show "Navy Systems" (the contact fetch)');
    await page.locator("#pop-company").filter({ hasText: "Navy Systems" }).waitFor({ timeout: WAIT });
    step("reading the call id from #call data-call-id");
    const callId = await page.locator("#call").getAttribute("data-call-id");
    if (!callId) throw new Error("#call has no data-call-id (the INVITE had no X-Switchboard-Call?)");
    console.log(`RINGING ${callId}`);
    await page.screenshot({ path: join(artifacts, "softphone-ringing.png") });

    // c. answered, audio both ways
    step("clicking #btn-answer");
    await page.locator("#btn-answer").click();
    step('waiting for #call-status data-status="in_call"');
    await status("in_call").waitFor({ timeout: WAIT });
    step("waiting for audio both ways in #call-audio (received > 50, sent > 50, energy > 0)");
    const audio = page.locator("#call-audio");
    const deadline = Date.now() + WAIT;
    let seen = { received: 0, sent: 0, energy: 0 };
    for (;;) {
      seen = {
        received: Number((await audio.getAttribute("data-packets-received")) ?? 0),
        sent: Number((await audio.getAttribute("data-packets-sent")) ?? 0),
        energy: Number((await audio.getAttribute("data-audio-energy")) ?? 0),
      };
      if (seen.received > 50 && seen.sent > 50 && seen.energy > 0) break;
      if (Date.now() > deadline) {
        throw new Error(
          `no audio both ways after ${WAIT} ms: packets received ${seen.received}, sent ${seen.sent}, energy ${seen.energy} (${await audio.innerText()})`,
        );
      }
      await sleep(500);
    }
    console.log(`AUDIO packets_received=${seen.received} packets_sent=${seen.sent} energy=${seen.energy}`);
    step('waiting for #agent-state data-state="on_call" and the state buttons to be off (the ACD takes no change now)');
    await page.locator('#agent-state[data-state="on_call"]').waitFor({ timeout: WAIT });
    for (const id of ["#btn-available", "#btn-not-ready", "#btn-dnd"]) {
      if (await page.locator(id).isEnabled()) throw new Error(`${id} is enabled during the call (the server would refuse it: 409)`);
    }
    await page.screenshot({ path: join(artifacts, "softphone-in-call.png") });

    // d. hold and resume
    step("clicking #btn-hold (hold)");
    await page.locator("#btn-hold").click();
    step('waiting for #call-status data-status="held"');
    await status("held").waitFor({ timeout: WAIT });
    console.log("HELD");
    step("clicking #btn-hold (resume)");
    await page.locator("#btn-hold").click();
    step('waiting for #call-status data-status="in_call" after the resume');
    await status("in_call").waitFor({ timeout: WAIT });
    console.log("RESUMED");

    // e. hang up, wrap up
    step("clicking #btn-hangup");
    await page.locator("#btn-hangup").click();
    step("waiting for the #wrap-up form");
    await page.locator("#wrap-up").waitFor({ state: "visible", timeout: WAIT });
    step("waiting for #wrap-up-countdown to show the seconds left");
    const countdown = page.locator("#wrap-up-countdown").filter({ hasText: /\d+ s left/ });
    await countdown.waitFor({ timeout: WAIT });
    const seconds = /(\d+) s left/.exec(await countdown.innerText())?.[1];
    console.log(`WRAP_UP ${seconds}`);
    // The server puts alice in wrap_up once it has the BYE; say so if the feed never shows it.
    try {
      await page.locator('#agent-state[data-state="wrap_up"]').waitFor({ timeout: 10_000 });
    } catch {
      console.error(`note: #agent-state never showed wrap_up (it shows ${await page.locator("#agent-state").getAttribute("data-state")})`);
    }
    step('choosing the disposition "resolved" and typing notes');
    await page.locator("#disposition").selectOption("resolved");
    await page.locator("#wrap-up-notes").fill("Wanted the enterprise invoice.");
    step("clicking #btn-wrap-up");
    await page.locator("#btn-wrap-up").click();
    step("waiting for #wrap-up-done (Disposition saved)");
    const saved = page.locator("#wrap-up-done");
    const refused = page.locator("#action-error");
    const until = Date.now() + WAIT;
    while (!(await saved.isVisible())) {
      if (await refused.isVisible()) throw new Error(`the wrap-up was refused: ${await refused.innerText()}`);
      if (Date.now() > until) throw new Error(`#wrap-up-done not shown after ${WAIT} ms`);
      await sleep(200);
    }
    console.log(`OK call ${callId}`);
  },
  { args: MEDIA_ARGS, permissions: ["microphone"] },
);
