// A supervisor on an agent's call, end to end, in two browsers at once:
// A is alice's softphone (fake microphone: a 440 Hz tone), B the
// supervisor's wallboard with its own browser phone (fake microphone: an
// 1100 Hz tone). The Rust driver places a carrier call (SIPp, echoing
// every RTP packet back); alice answers; B whispers (the agent hears the
// supervisor, the supervisor hears the agent, the caller does not hear the
// supervisor: the echo brings no 1100 Hz back to B), barges (now the echo
// does), leaves; alice hangs up and saves a disposition.
//
// Lines out (stdout), in order; the driver may ignore any other line:
//   READY                       A registered and available, B's phone registered: place the call
//   ANSWERED <call id>          A answered, audio flows
//   WALLBOARD <ms>              from A's click on Answer to B's live calls showing the call connected to alice
//   WHISPER agent440=<a> agent1100=<a> supervisor440=<a> supervisor1100=<a>
//   BARGE supervisor440=<a> supervisor1100=<a>
//   LEFT                        B left the call
//   OK call <call id>           the disposition was saved; exit 0
//   FAIL while <step>: <why>    then both pages' text and console; exit 1
// Amplitudes (see tones.mjs) with 6 decimals. The pages' console errors go
// to stderr as they happen, prefixed [agent] or [supervisor].
// Env: SWITCHBOARD_URL, ARTIFACTS_DIR, CHROMIUM_PATH (see harness.mjs),
// AGENT_TONE_WAV, SUPERVISOR_TONE_WAV (16-bit PCM WAV files, required),
// CALL_WAIT_MS (each wait, default 30000), ALICE_PASSWORD, SUPERVISOR_PASSWORD
// (default the demo's), MIC_PROCESSING=1 (keep Chromium's voice processing
// on the fake microphones; see rawMicrophone).

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { artifacts, signInPage } from "./harness.mjs";
import { WAIT, openWithMicrophone, runCallScript, sleep, toneFile, until } from "./call-tools.mjs";
import { fmt, measureTones } from "./tones.mjs";

const ALICE_PASSWORD = process.env.ALICE_PASSWORD || "demo-agent";
const SUPERVISOR_PASSWORD = process.env.SUPERVISOR_PASSWORD || "demo-supervisor";
/** Each tone measurement lasts this long. */
const MEASURE_MS = 2000;
/** Heard at all: a tone of amplitude 0.3 reads ~0.1–0.3 through the call. */
const HEARD = 0.01;

let current = "starting";
const step = (what) => {
  current = what;
};
const browsers = []; // [{ label, browser, page, consoleLines }]

async function main() {
  mkdirSync(artifacts, { recursive: true });
  step("reading AGENT_TONE_WAV and SUPERVISOR_TONE_WAV");
  const agentWav = toneFile("AGENT_TONE_WAV");
  const supervisorWav = toneFile("SUPERVISOR_TONE_WAV");

  step("launching browser A (alice, 440 Hz microphone)");
  const a = await openWithMicrophone(browsers, "agent", agentWav);
  step("launching browser B (supervisor, 1100 Hz microphone)");
  const b = await openWithMicrophone(browsers, "supervisor", supervisorWav);

  // a. A: alice registered and available; B: the wallboard with its phone registered
  step("A: signing in as demo/alice");
  await signInPage(a, "alice", ALICE_PASSWORD);
  step('A: waiting for #sip-status data-status="registered"');
  await a.locator('#sip-status[data-status="registered"]').waitFor({ timeout: WAIT });
  step("A: waiting for #agent-state to be known");
  await a.locator("#agent-state[data-state]").waitFor({ timeout: WAIT });
  if (await a.locator("#btn-login").isEnabled()) {
    step("A: clicking #btn-login (log in to queues)");
    await a.locator("#btn-login").click();
  }
  step('A: waiting for #agent-state data-state="available"');
  await a.locator('#agent-state[data-state="available"]').waitFor({ timeout: WAIT });

  step("B: signing in as demo/supervisor");
  await signInPage(b, "supervisor", SUPERVISOR_PASSWORD);
  step("B: waiting for the wallboard (#calls)");
  await b.locator("#calls").waitFor({ timeout: WAIT });
  step('B: waiting for #sip-status data-status="registered" (the supervisor\'s phone)');
  const bPhone = b.locator("#sip-status");
  try {
    await b.locator('#sip-status[data-status="registered"]').waitFor({ timeout: WAIT });
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message.split("\n")[0] : err} — #sip-status says "${await bPhone.innerText()}"`);
  }
  console.log("READY");

  // b. the carrier call rings at A; A answers; B's wallboard shows it connected
  step('A: waiting for #call-status data-status="ringing" (the driver places the call)');
  await a.locator('#call-status[data-status="ringing"]').waitFor({ timeout: WAIT });
  step("A: reading the call id from #call data-call-id");
  const callId = await a.locator("#call").getAttribute("data-call-id");
  if (!callId) throw new Error("#call has no data-call-id (the INVITE had no X-Switchboard-Call?)");
  const row = b.locator(`#calls tr[data-call-id="${callId}"]`);
  const connectedRow = row
    .filter({ has: b.locator('td.call-state[data-state="connected"]') })
    .filter({ has: b.locator("td.call-agent", { hasText: /Alice Senior|alice/ }) });

  step("A: clicking #btn-answer");
  const answeredAt = Date.now();
  await a.locator("#btn-answer").click();
  // B is watched from now on, so the figure is not held up by A's checks.
  let shownAt = null;
  const wallboard = connectedRow.waitFor({ timeout: WAIT + 10_000 }).then(
    () => {
      shownAt = Date.now();
      return null;
    },
    (err) => err,
  );
  step('A: waiting for #call-status data-status="in_call"');
  await a.locator('#call-status[data-status="in_call"]').waitFor({ timeout: WAIT });
  step("A: waiting for audio in #call-audio (packets received > 50, energy > 0)");
  const audio = a.locator("#call-audio");
  const counters = async () => ({
    received: Number((await audio.getAttribute("data-packets-received")) ?? 0),
    energy: Number((await audio.getAttribute("data-audio-energy")) ?? 0),
  });
  await until(
    async () => {
      const c = await counters();
      return c.received > 50 && c.energy > 0;
    },
    async () => {
      const c = await counters();
      return `no audio after ${WAIT} ms: packets received ${c.received}, energy ${c.energy} (${await audio.innerText()})`;
    },
  );
  console.log(`ANSWERED ${callId}`);

  step(`B: waiting for the live calls table to show call ${callId} connected to Alice Senior`);
  const missed = await wallboard;
  if (missed) {
    const text = (await row.count()) ? await row.innerText() : "no row for the call";
    throw new Error(`${missed instanceof Error ? missed.message.split("\n")[0] : missed} — the row shows: ${text}`);
  }
  console.log(`WALLBOARD ${Math.max(0, shownAt - answeredAt)}`);
  step("B: waiting for the call's row to name the caller's contact (Grace Hopper) beside the number");
  const caller = row.locator("td.call-caller");
  await until(
    async () => /Grace Hopper/.test(await caller.innerText()),
    async () => `the caller cell reads "${await caller.innerText()}" after ${WAIT} ms`,
  );

  const supervision = b.locator("#supervision");
  const supervisionText = async () => {
    const text = await supervision.innerText();
    const [state, mode] = [await supervision.getAttribute("data-state"), await supervision.getAttribute("data-mode")];
    return `#supervision says "${text}" (data-state=${state}, data-mode=${mode})`;
  };
  const errorText = async () => {
    const alert = b.locator("#wallboard-error");
    return (await alert.isVisible()) ? ` — #wallboard-error: ${await alert.innerText()}` : "";
  };
  /** Waits for #supervision to show `mode`, joined; says what it shows instead. */
  async function joined(mode) {
    try {
      await b.locator(`#supervision[data-state="joined"][data-mode="${mode}"]`).waitFor({ timeout: WAIT });
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message.split("\n")[0] : err} — ${await supervisionText()}${await errorText()}`);
    }
  }

  // c. whisper: the agent hears the supervisor, the caller does not
  step("B: clicking Whisper for the call");
  await b.locator(`#calls button[data-action="whisper"][data-call-id="${callId}"]`).click();
  step('B: waiting for #supervision data-state="joined" data-mode="whisper"');
  await joined("whisper");
  await sleep(1000); // the supervisor's media starts
  step("measuring the tones in both pages (whisper)");
  const [agentTones, supervisorTones] = await Promise.all([
    measureTones(a, { durationMs: MEASURE_MS }),
    measureTones(b, { durationMs: MEASURE_MS }),
  ]);
  console.log(
    `WHISPER agent440=${fmt(agentTones[440])} agent1100=${fmt(agentTones[1100])} ` +
      `supervisor440=${fmt(supervisorTones[440])} supervisor1100=${fmt(supervisorTones[1100])}`,
  );
  await b.screenshot({ path: join(artifacts, "supervisor-whisper.png") });
  step("checking the whisper's audio");
  if (!(agentTones[1100] > HEARD)) {
    throw new Error(`the agent does not hear the supervisor: agent1100=${fmt(agentTones[1100])} (needs > ${HEARD})`);
  }
  if (!(supervisorTones[440] > HEARD)) {
    throw new Error(`the supervisor does not hear the agent: supervisor440=${fmt(supervisorTones[440])} (needs > ${HEARD})`);
  }
  if (!(supervisorTones[1100] < supervisorTones[440] / 10)) {
    throw new Error(
      "the caller heard the supervisor in whisper (the echo brought 1100 Hz back): " +
        `supervisor1100=${fmt(supervisorTones[1100])}, needs < supervisor440/10 = ${fmt(supervisorTones[440] / 10)}`,
    );
  }

  // d. barge: the caller hears the supervisor, so the echo brings the 1100 Hz back
  step("B: clicking Barge for the call");
  await b.locator(`#calls button[data-action="barge"][data-call-id="${callId}"]`).click();
  step('B: waiting for #supervision data-mode="barge" data-state="joined"');
  await joined("barge");
  await sleep(1000);
  step("measuring the tones in B (barge)");
  const barge = await measureTones(b, { durationMs: MEASURE_MS });
  console.log(`BARGE supervisor440=${fmt(barge[440])} supervisor1100=${fmt(barge[1100])}`);
  step("checking the barge's audio");
  if (!(barge[1100] > HEARD)) {
    throw new Error(
      `the caller does not hear the supervisor in barge (no 1100 Hz echo): supervisor1100=${fmt(barge[1100])} (needs > ${HEARD})`,
    );
  }

  // e. leave
  step("B: clicking Leave for the call");
  await b.locator(`#calls button[data-action="leave"][data-call-id="${callId}"]`).click();
  step('B: waiting for #supervision data-state="none"');
  try {
    await b.locator('#supervision[data-state="none"]').waitFor({ timeout: WAIT });
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message.split("\n")[0] : err} — ${await supervisionText()}${await errorText()}`);
  }
  console.log("LEFT");

  // f. alice hangs up and wraps up
  step("A: clicking #btn-hangup");
  await a.locator("#btn-hangup").click();
  step("A: waiting for the #wrap-up form");
  await a.locator("#wrap-up").waitFor({ state: "visible", timeout: WAIT });
  step('A: choosing the disposition "resolved"');
  await a.locator("#disposition").selectOption("resolved");
  step("A: clicking #btn-wrap-up");
  await a.locator("#btn-wrap-up").click();
  step("A: waiting for #wrap-up-done (Disposition saved)");
  const refused = a.locator("#action-error");
  await until(
    async () => {
      if (await refused.isVisible()) throw new Error(`the wrap-up was refused: ${await refused.innerText()}`);
      return a.locator("#wrap-up-done").isVisible();
    },
    () => `#wrap-up-done not shown after ${WAIT} ms`,
  );
  console.log(`OK call ${callId}`);
}

await runCallScript("supervise", browsers, () => current, main);
