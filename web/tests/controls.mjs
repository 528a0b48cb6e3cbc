// The softphone's and the console's controls that call.mjs and
// supervise.mjs leave out, end to end against serve, in two browsers at
// once: A is alice's softphone (fake microphone: a 440 Hz tone, taken raw),
// B the supervisor's wallboard. The Rust driver places a carrier call
// (SIPp, echoing every RTP packet back) from Grace Hopper to sales; alice
// answers, mutes (the echo of her own microphone stops coming back) and
// unmutes, sends the call blind to the support queue and files her
// disposition. On B the call waits in support: its priority is set, alice
// is put on a break from the agents table (A shows it), A goes available,
// and B moves the call to sales, where the ACD offers it to alice at once;
// she answers, hangs up and wraps up. Last, click-to-call: alice finds the
// contact CUSTOMER_NAME by its first name and calls it on CUSTOMER_NUMBER
// (her browser rings first and answers by itself, then the
// server dials the number through the demo trunk to a baresip phone that
// answers), keys 1 2 3 on the keypad (RFC 4733 events), and hangs up once
// the driver says the phone got them.
//
// Lines out (stdout), in order; the driver may ignore any other line:
//   READY                          A registered and available, B's wallboard up: place the call
//   ANSWERED <call id>             A answered, audio flows
//   MUTE unmuted=<e> muted=<e>     A's inbound audio energy gained in 2 s, unmuted then muted (6 decimals)
//   TRANSFERRED <call id>          the blind transfer to support was taken, A's leg ended, disposition saved
//   PRIORITY                       B set the waiting call's priority to 5 (204)
//   STATE not_ready                B put alice on a break; A's softphone shows not ready
//   MOVED                          B moved the call to sales; A rings with the same call id
//   REANSWERED <call id>           A answered it again, hung up, disposition saved
//   DIALLED <call id>              A's click-to-call is up: in call, audio, the customer answered (bridged)
//   DIGITS 123                     A keyed 1, 2, 3 (300 ms apart) and the browser played them as telephone-events
//   OK controls                    after `checked` on stdin: A hung up and saved the disposition; exit 0
//   FAIL while <step>: <why>       then both pages' text and console; exit 1
// Line in (stdin): `checked`, written by the driver after DIGITS once the
// baresip phone got the digits (bounded by CALL_WAIT_MS; other lines are
// ignored).
// The pages' console errors go to stderr as they happen, prefixed [agent]
// or [supervisor]. Screenshot: ARTIFACTS_DIR/console-waiting-call.png (B
// with the call waiting in support).
// Env: SWITCHBOARD_URL, ARTIFACTS_DIR, CHROMIUM_PATH (see harness.mjs),
// AGENT_TONE_WAV (16-bit PCM WAV, required), CUSTOMER_NAME (the contact
// alice finds, required), CUSTOMER_NUMBER (E.164, the
// number alice dials, required), CALL_WAIT_MS (each wait, default 30000),
// ALICE_PASSWORD, SUPERVISOR_PASSWORD (default the demo's), MIC_PROCESSING=1
// (keep Chromium's voice processing on the fake microphone; see
// rawMicrophone).

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { api, apiSignIn, artifacts, signInPage } from "./harness.mjs";
import {
  WAIT,
  actionError,
  agentStateText,
  audioFlows,
  callStatusText,
  clickForResponse,
  customerNumber,
  firstLine,
  open,
  openWithMicrophone,
  runCallScript,
  sleep,
  stdinReader,
  toneFile,
  until,
  waitOr,
  wrapUp,
} from "./call-tools.mjs";

const ALICE_PASSWORD = process.env.ALICE_PASSWORD || "demo-agent";
const SUPERVISOR_PASSWORD = process.env.SUPERVISOR_PASSWORD || "demo-supervisor";
/** Each energy measurement lasts this long. */
const MEASURE_MS = 2000;
/** After muting, the audio already on its way back through the echo. */
const DRAIN_MS = 1500;
/** Between two keypad presses. */
const DIGIT_GAP_MS = 300;
const DIGITS = ["1", "2", "3"];

let current = "starting";
const step = (what) => {
  current = what;
};
const browsers = []; // [{ label, browser, page, consoleLines }]

// The driver's lines on stdin, kept from the start so none is missed.
const stdin = stdinReader();

/**
 * Records the tones each RTCDTMFSender plays (its `tonechange` events) in
 * `window.__dtmfTones`, so the test can tell a digit the browser never sent
 * from one the server did not pass on. Watches only; the app is unchanged.
 */
function recordDtmf() {
  window.__dtmfTones = [];
  const proto = window.RTCDTMFSender && window.RTCDTMFSender.prototype;
  if (!proto || typeof proto.insertDTMF !== "function") return;
  const insert = proto.insertDTMF;
  const watched = new WeakSet();
  proto.insertDTMF = function (...args) {
    if (!watched.has(this)) {
      watched.add(this);
      this.addEventListener("tonechange", (ev) => {
        if (ev.tone) window.__dtmfTones.push(ev.tone);
      });
    }
    return insert.apply(this, args);
  };
}

/** The value of the option of `select` whose text is `text` and whose value starts with `prefix`, once there. */
async function optionValue(select, text, prefix, what) {
  let found = null;
  await until(
    async () => {
      found = await select.evaluate(
        (el, [text, prefix]) => {
          const option = [...el.options].find((o) => o.textContent.trim() === text && o.value.startsWith(prefix));
          return option ? option.value : null;
        },
        [text, prefix],
      );
      return found !== null;
    },
    async () => {
      const options = await select.evaluate((el) => [...el.options].map((o) => `${o.value || "\"\""}=${o.textContent.trim()}`));
      return `${what}: no option "${text}" with a value ${prefix}… after ${WAIT} ms (options: ${options.join(", ") || "none"})`;
    },
  );
  return found;
}

async function main() {
  mkdirSync(artifacts, { recursive: true });
  step("reading AGENT_TONE_WAV and CUSTOMER_NUMBER");
  const agentWav = toneFile("AGENT_TONE_WAV");
  const customer = customerNumber("the E.164 number alice dials, answered by the baresip phone");

  step("launching browser A (alice, 440 Hz microphone)");
  const a = await openWithMicrophone(browsers, "agent", agentWav);
  await a.addInitScript(recordDtmf);
  step("launching browser B (supervisor)");
  const b = await open(browsers, "supervisor", {});

  const status = (code) => a.locator(`#call-status[data-status="${code}"]`);
  const boardError = async () => {
    const alert = b.locator("#wallboard-error");
    return (await alert.isVisible()) ? ` — #wallboard-error: ${await alert.innerText()}` : "";
  };
  const audio = a.locator("#call-audio");
  /** A's cumulative inbound energy from a fresh statistics reading (the page polls once a second). */
  async function freshEnergy() {
    const reading = async () =>
      `received ${await audio.getAttribute("data-packets-received")}, sent ${await audio.getAttribute("data-packets-sent")}`;
    const before = await reading();
    await until(
      async () => (await reading()) !== before,
      async () => `#call-audio was not updated for 5000 ms (packets ${before}; ${await callStatusText(a)})`,
      5_000,
      100,
    );
    return Number((await audio.getAttribute("data-audio-energy")) ?? 0);
  }

  // 1. A: alice registered and available; B: the wallboard
  step("A: signing in as demo/alice");
  await signInPage(a, "alice", ALICE_PASSWORD);
  step('A: waiting for #sip-status data-status="registered"');
  await waitOr(a.locator('#sip-status[data-status="registered"]'), async () => `#sip-status says "${await a.locator("#sip-status").innerText()}"`);
  step("A: waiting for #agent-state to be known");
  await a.locator("#agent-state[data-state]").waitFor({ timeout: WAIT });
  if (await a.locator("#btn-login").isEnabled()) {
    step("A: clicking #btn-login (log in to queues)");
    await a.locator("#btn-login").click();
  }
  step('A: waiting for #agent-state data-state="available"');
  await waitOr(a.locator('#agent-state[data-state="available"]'), () => agentStateText(a));

  step("B: signing in as demo/supervisor");
  await signInPage(b, "supervisor", SUPERVISOR_PASSWORD);
  step("B: waiting for the wallboard (#calls)");
  await b.locator("#calls").waitFor({ timeout: WAIT });
  console.log("READY");

  // 2. the carrier call rings at A; A answers; audio flows
  step('A: waiting for #call-status data-status="ringing" (the driver places the call)');
  await status("ringing").waitFor({ timeout: WAIT });
  step("A: reading the call id from #call data-call-id");
  const callId = await a.locator("#call").getAttribute("data-call-id");
  if (!callId) throw new Error("#call has no data-call-id (the INVITE had no X-Switchboard-Call?)");
  step("A: clicking #btn-answer");
  await a.locator("#btn-answer").click({ timeout: WAIT });
  step('A: waiting for #call-status data-status="in_call"');
  await waitOr(status("in_call"), () => callStatusText(a));
  step("A: waiting for audio in #call-audio (packets received > 50, energy > 0)");
  await audioFlows(a, 50, true);
  console.log(`ANSWERED ${callId}`);

  // 3. mute: the echo of A's own microphone stops coming back
  const mute = a.locator("#btn-mute");
  /** Clicks #btn-mute and waits for it to read `pressed`. */
  async function toggleMute(pressed) {
    step(`A: clicking #btn-mute (${pressed ? "mute" : "unmute"})`);
    await mute.click({ timeout: WAIT });
    step(`A: waiting for #btn-mute aria-pressed="${pressed}"`);
    await waitOr(a.locator(`#btn-mute[aria-pressed="${pressed}"]`), async () => `#btn-mute says "${await mute.innerText()}" (aria-pressed=${await mute.getAttribute("aria-pressed")})`, 5_000);
  }
  step("A: measuring the inbound audio energy, unmuted");
  const e0 = await freshEnergy();
  await sleep(MEASURE_MS);
  const e1 = await freshEnergy();
  await toggleMute(true);
  await sleep(DRAIN_MS);
  step("A: measuring the inbound audio energy, muted");
  const e2 = await freshEnergy();
  await sleep(MEASURE_MS);
  const e3 = await freshEnergy();
  await toggleMute(false);
  const unmuted = e1 - e0;
  const muted = e3 - e2;
  console.log(`MUTE unmuted=${unmuted.toFixed(6)} muted=${muted.toFixed(6)}`);
  step("checking the mute's audio");
  if (!(unmuted > 0)) throw new Error(`no inbound energy while unmuted: ${e0} → ${e1} (the echo of the microphone does not come back)`);
  if (!(muted < unmuted / 10)) {
    throw new Error(`the echo went on while muted: muted=${muted.toFixed(6)}, needs < unmuted/10 = ${(unmuted / 10).toFixed(6)}`);
  }

  // 4. blind transfer to the support queue
  step("A: choosing the transfer target queue support in #transfer-target");
  const target = a.locator("#transfer-target");
  const supportValue = await optionValue(target, "support", "queue:", "#transfer-target");
  const supportId = supportValue.slice("queue:".length);
  await target.selectOption(supportValue);
  step(`A: clicking #btn-transfer (to queue support ${supportId})`);
  await clickForResponse(a, a.locator("#btn-transfer"), "POST", `/api/v1/calls/${callId}/transfer`, 202);
  step("A: waiting for the call to end at A (the server hangs up the agent's leg)");
  await waitOr(status("idle"), async () => `${await callStatusText(a)}${await actionError(a)}`);
  await wrapUp(a, { hangUp: false, step });
  console.log(`TRANSFERRED ${callId}`);

  // 5. the console: priority, the agent's state, move
  const row = b.locator(`#calls tr[data-call-id="${callId}"]`);
  const rowFacts = () =>
    row.evaluateAll((rows) => {
      const tr = rows[0];
      if (!tr) return null;
      const cells = [...tr.querySelectorAll("td")];
      const move = tr.querySelector('select[data-action="move"]');
      return {
        state: tr.querySelector("td.call-state")?.getAttribute("data-state") ?? null,
        queue: cells[2]?.textContent.trim() ?? null,
        agent: tr.querySelector("td.call-agent")?.textContent.trim() ?? null,
        controls: !!move && move.offsetParent !== null,
        text: tr.innerText.replace(/\s+/g, " ").trim(),
      };
    });
  step(`B: waiting for the live calls table to show call ${callId} waiting in support with no agent`);
  await until(
    async () => {
      const f = await rowFacts();
      return !!f && f.state === "queued" && f.queue === "support" && f.agent === "—" && f.controls;
    },
    async () => {
      const f = await rowFacts();
      return `the row ${f ? `shows: ${f.text} (state ${f.state}, queue ${f.queue}, agent ${f.agent}, move/priority shown: ${f.controls})` : "is not in #calls"} after ${WAIT} ms${await boardError()}`;
    },
  );
  await b.screenshot({ path: join(artifacts, "console-waiting-call.png") });

  step("B: setting the waiting call's priority to 5");
  await row.locator('input[data-action="priority"]').fill("5");
  await clickForResponse(b, row.locator('button[data-action="priority-apply"]'), "POST", `/api/v1/calls/${callId}/priority`, 204);
  console.log("PRIORITY");

  step('B: finding alice\'s row ("Alice Senior") in #agents');
  const aliceSelect = b
    .locator("#agents tr")
    .filter({ has: b.locator("th", { hasText: "Alice Senior" }) })
    .locator('select[data-action="agent-state"]');
  await aliceSelect.waitFor({ timeout: WAIT });
  const aliceId = await aliceSelect.getAttribute("data-agent-id");
  if (!aliceId) throw new Error("alice's state menu has no data-agent-id");
  step(`B: setting alice (${aliceId}) to not_ready:break`);
  await b.locator(`#agents select[data-action="agent-state"][data-agent-id="${aliceId}"]`).selectOption("not_ready:break");
  await clickForResponse(
    b,
    b.locator(`#agents button[data-action="agent-state-apply"][data-agent-id="${aliceId}"]`),
    "PUT",
    `/api/v1/agents/${aliceId}/state`,
    204,
  );
  step('A: waiting for #agent-state data-state="not_ready" (set by the supervisor)');
  await waitOr(a.locator('#agent-state[data-state="not_ready"]'), () => agentStateText(a));
  console.log("STATE not_ready");

  step("A: clicking #btn-available");
  await a.locator("#btn-available").click({ timeout: WAIT });
  step('A: waiting for #agent-state data-state="available"');
  await waitOr(a.locator('#agent-state[data-state="available"]'), () => agentStateText(a));

  step("B: choosing the queue sales in the waiting call's move menu");
  const move = row.locator('select[data-action="move"]');
  const salesValue = await optionValue(move, "sales", "queue:", "the move menu");
  await move.selectOption(salesValue);
  step(`B: clicking Move (to queue sales ${salesValue.slice("queue:".length)})`);
  await clickForResponse(b, row.locator('button[data-action="move-apply"]'), "POST", `/api/v1/calls/${callId}/move`, 204);
  step(`A: waiting for call ${callId} to ring again (the ACD offers it to alice in sales)`);
  await waitOr(a.locator(`#call[data-call-id="${callId}"][data-state="ringing"]`), async () => `${await callStatusText(a)}${await boardError()}`);
  console.log("MOVED");
  step("A: clicking #btn-answer (the moved call)");
  await a.locator("#btn-answer").click({ timeout: WAIT });
  step('A: waiting for #call-status data-status="in_call" (the moved call)');
  await waitOr(status("in_call"), () => callStatusText(a));
  step("A: waiting for audio in #call-audio (the moved call, packets received > 20)");
  await audioFlows(a, 20, false);
  await wrapUp(a, { hangUp: true, step });
  console.log(`REANSWERED ${callId}`);

  // 6. click-to-call and the keypad
  step("signing in as the supervisor from Node (to read the call's events)");
  const supervisorToken = await apiSignIn("supervisor", SUPERVISOR_PASSWORD);
  // From the contact: searched by part of the name, called on its number.
  const contactName = (process.env.CUSTOMER_NAME || "").trim();
  if (!contactName) throw new Error("CUSTOMER_NAME is not set (the contact whose number is CUSTOMER_NUMBER)");
  const firstName = contactName.split(/\s+/)[0];
  step(`A: typing "${firstName}" into #contact-search`);
  await a.locator("#contact-search").fill(firstName);
  const callButton = a.locator(`#contact-results button[data-action="call-contact"][data-number="${customer}"]`);
  step(`A: waiting for ${contactName} with a Call ${customer} button in #contact-results`);
  await waitOr(callButton, async () => `#contact-results shows: "${(await a.locator("#contact-results").innerText()).replace(/\s+/g, " ").trim()}"`);
  const match = a.locator("#contact-results li").filter({ has: a.locator(`button[data-number="${customer}"]`) });
  const shown = (await match.innerText({ timeout: WAIT })).replace(/\s+/g, " ");
  if (!shown.includes(contactName)) throw new Error(`the match with ${customer} reads "${shown}", not ${contactName}`);
  step(`A: clicking Call ${customer} on ${contactName}`);
  const placed = await clickForResponse(a, callButton, "POST", "/api/v1/agent/call", 202);
  const placedId = (await placed.json().catch(() => ({})))?.call_id;
  if (typeof placedId !== "string" || !placedId) throw new Error("POST /api/v1/agent/call answered no call_id");
  step(`A: waiting for #call-status data-status="in_call" (call ${placedId}: the browser answers its own ring)`);
  await waitOr(status("in_call"), async () => `${await callStatusText(a)} — #dial-status says "${await a.locator("#dial-status").innerText()}"${await actionError(a)}`);
  const dialledId = await a.locator("#call").getAttribute("data-call-id");
  if (dialledId !== placedId) throw new Error(`#call data-call-id is ${dialledId}, the call placed is ${placedId}`);
  step("A: waiting for audio in #call-audio (packets received > 50)");
  await audioFlows(a, 50, false);
  step(`waiting for the bridged event of call ${placedId} (the customer's phone answered)`);
  let kinds = [];
  await until(
    async () => {
      try {
        const data = await api("GET", `/api/v1/calls/${placedId}/events`, { token: supervisorToken });
        kinds = Array.isArray(data?.items) ? data.items.map((e) => e.kind) : [];
      } catch (err) {
        if (!/answered 404/.test(firstLine(err))) throw err;
      }
      return kinds.includes("bridged");
    },
    async () => `no bridged event after ${WAIT} ms (the call's events: ${kinds.join(", ") || "none"})${await actionError(a)}`,
    WAIT,
    500,
  );
  console.log(`DIALLED ${dialledId}`);

  for (const [i, d] of DIGITS.entries()) {
    if (i > 0) await sleep(DIGIT_GAP_MS);
    step(`A: pressing the keypad digit ${d}`);
    await a.locator(`#keypad [data-digit="${d}"]`).click({ timeout: WAIT });
  }
  step(`A: checking #keypad-digits shows ${DIGITS.join("")} and the browser played them`);
  const wanted = DIGITS.join("");
  const played = async () => (await a.evaluate(() => (window.__dtmfTones ?? []).join(""))) || "";
  await until(
    async () => (await a.locator("#keypad-digits").innerText()).trim() === wanted && (await played()) === wanted,
    async () =>
      `#keypad-digits says "${(await a.locator("#keypad-digits").innerText()).trim()}", the DTMF sender played "${await played()}" (want ${wanted})${await actionError(a)}`,
    5_000,
    100,
  );
  console.log(`DIGITS ${wanted}`);

  step('waiting for the line "checked" on stdin (the driver checks the customer\'s phone got the digits)');
  await stdin.line("checked");
  await wrapUp(a, { hangUp: true, step });
  console.log("OK controls");
}

await runCallScript("controls", browsers, () => current, main);
