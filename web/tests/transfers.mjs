// Rejecting an offer and a warm transfer to an outside number, end to end
// against serve, in one browser: A is alice's softphone (fake microphone: a
// 440 Hz tone, taken raw). The Rust driver places a carrier call from a
// regular caller to sales; alice rejects it, her card goes back to no call
// and she stays available (the ACD offers the call to someone else, never
// to her again: another agent the driver logs in takes it on a desk phone).
// The driver then places a VIP call to sales that only alice can take; she
// answers, consults CUSTOMER_NUMBER (the caller is held while the server
// dials the number through the demo trunk to a phone that answers),
// completes the transfer once the driver says the phone heard her (the
// caller and the phone are joined, the server hangs up alice's leg) and
// files her disposition.
//
// Lines out (stdout), in order; the driver may ignore any other line:
//   READY                          A registered and available: place the first call (regular caller, sales)
//   REJECTED <call id>             A rang with the call and rejected it: A's card shows no call, alice is available
//   ANSWERED <call id>             after `next`: A answered the second call (VIP caller, sales), audio flows
//                                  (then the card's transfer targets must list Farid Accounts, not alice)
//   CONSULTING <call id>           A consults CUSTOMER_NUMBER (202): the card shows Complete transfer
//   COMPLETED <call id>            after `complete`: the transfer was completed (204), A's leg ended, disposition saved
//   OK transfers                   screenshot taken; exit 0
//   FAIL while <step>: <why>       then the page's text and console; exit 1
// Lines in (stdin): `next`, written by the driver after REJECTED once
// another agent has taken the rejected call and it has ended (until then A
// must not ring with that call again); `complete`, written after
// CONSULTING once the outside phone answered and heard alice. Each is
// bounded by CALL_WAIT_MS; other lines are ignored.
// The page's console errors go to stderr as they happen, prefixed [agent].
// Screenshot: ARTIFACTS_DIR/softphone-after-transfer.png (A after the
// disposition was saved).
// Env: SWITCHBOARD_URL, ARTIFACTS_DIR, CHROMIUM_PATH (see harness.mjs),
// AGENT_TONE_WAV (16-bit PCM WAV, required), CUSTOMER_NUMBER (E.164, the
// outside number alice consults, required), CALL_WAIT_MS (each wait,
// default 30000), ALICE_PASSWORD (default the demo's), MIC_PROCESSING=1
// (keep Chromium's voice processing on the fake microphone; see
// rawMicrophone).

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { artifacts, signInPage } from "./harness.mjs";
import {
  WAIT,
  actionError,
  agentStateText,
  audioFlows,
  callStatusText,
  clickForResponse,
  customerNumber,
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
/**
 * After the reject, how long alice must read available when the page never
 * showed her reserved by the offer (the feed may lag the INVITE, so an
 * "available" seen at once could be the one from before the offer).
 */
const SETTLE_MS = 2000;

let current = "starting";
const step = (what) => {
  current = what;
};
const browsers = []; // [{ label, browser, page, consoleLines }]

// The driver's lines on stdin, kept from the start so none is missed.
const stdin = stdinReader();

/**
 * Runs in the page: records in `window.__watch` each call that starts
 * ringing on the card (`rings`: its data-call-id, once per ring) and each
 * value #agent-state's data-state takes (`states`, repeats dropped), so a
 * ring or a state shorter than a poll is not missed. Watches only; the app
 * is unchanged. Answers false when the softphone is not shown.
 */
function watchSoftphone() {
  const card = document.getElementById("call");
  const agentState = document.getElementById("agent-state");
  if (!card || !agentState) return false;
  const watch = { rings: [], states: [] };
  window.__watch = watch;
  let ringing = "";
  const lookCard = () => {
    const now = card.dataset.state === "ringing" ? card.dataset.callId || "(no id)" : "";
    if (now !== ringing) {
      ringing = now;
      if (now) watch.rings.push(now);
    }
  };
  const lookState = () => {
    const state = agentState.dataset.state || "";
    if (watch.states[watch.states.length - 1] !== state) watch.states.push(state);
  };
  lookCard();
  lookState();
  new MutationObserver(lookCard).observe(card, { attributes: true, attributeFilter: ["data-state", "data-call-id"] });
  new MutationObserver(lookState).observe(agentState, { attributes: true, attributeFilter: ["data-state"] });
  return true;
}

async function main() {
  mkdirSync(artifacts, { recursive: true });
  step("reading AGENT_TONE_WAV and CUSTOMER_NUMBER");
  const agentWav = toneFile("AGENT_TONE_WAV");
  const customer = customerNumber("the E.164 outside number alice consults, answered by a phone behind the demo trunk");

  step("launching browser A (alice, 440 Hz microphone)");
  const a = await openWithMicrophone(browsers, "agent", agentWav);

  const status = (code) => a.locator(`#call-status[data-status="${code}"]`);
  const watched = () => a.evaluate(() => window.__watch ?? { rings: [], states: [] });
  /** Throws when call `id` has rung at A more than the once it was rejected. */
  async function notOfferedAgain(id) {
    const rings = (await watched()).rings.filter((r) => r === id).length;
    if (rings > 1) {
      throw new Error(
        `the rejected call was offered to alice again: #call rang with data-call-id=${id} ${rings} times (${await callStatusText(a)}; ${await agentStateText(a)})`,
      );
    }
  }

  // 1. alice registered and available
  step("A: signing in as demo/alice");
  await signInPage(a, "alice", ALICE_PASSWORD);
  step('A: waiting for #sip-status data-status="registered"');
  await waitOr(a.locator('#sip-status[data-status="registered"]'), async () => `#sip-status says "${await a.locator("#sip-status").innerText()}"`);
  step("A: watching the call card and the agent state");
  if (!(await a.evaluate(watchSoftphone))) throw new Error("the page shows no #call card or #agent-state (no agent profile?)");
  step("A: waiting for #agent-state to be known");
  await waitOr(a.locator("#agent-state[data-state]"), () => agentStateText(a));
  if (await a.locator("#btn-login").isEnabled()) {
    step("A: clicking #btn-login (log in to queues)");
    await a.locator("#btn-login").click({ timeout: WAIT });
  }
  step('A: waiting for #agent-state data-state="available"');
  await waitOr(a.locator('#agent-state[data-state="available"]'), () => agentStateText(a));
  const readyMark = (await watched()).states.length;
  console.log("READY");

  // 2. the first call rings; alice rejects it and stays available
  step('A: waiting for #call-status data-status="ringing" (the driver places the first call)');
  await waitOr(status("ringing"), async () => `${await callStatusText(a)}; ${await agentStateText(a)}`);
  step("A: reading the call id from #call data-call-id");
  const firstId = await a.locator("#call").getAttribute("data-call-id");
  if (!firstId) throw new Error("#call has no data-call-id (the INVITE had no X-Switchboard-Call?)");
  step(`A: clicking #btn-reject (call ${firstId})`);
  await a.locator("#btn-reject").click({ timeout: WAIT });
  step('A: waiting for #call-status data-status="idle" (the call rejected)');
  await waitOr(status("idle"), async () => `${await callStatusText(a)}${await actionError(a)}`);
  step("A: checking alice is still available after the reject");
  let availableSince = null;
  let since = [];
  await until(
    async () => {
      await notOfferedAgain(firstId);
      since = (await watched()).states.slice(readyMark);
      const other = since.find((s) => s !== "reserved" && s !== "available");
      if (other !== undefined) {
        throw new Error(
          `alice's state went to ${other} after the offer (states since READY: ${since.join(" → ")}; ${await agentStateText(a)}): after a reject the ACD should keep her available`,
        );
      }
      if ((await a.locator("#agent-state").getAttribute("data-state")) !== "available") {
        availableSince = null;
        return false;
      }
      if (since.includes("reserved")) return true; // reserved by the offer, then available again
      availableSince ??= Date.now();
      return Date.now() - availableSince >= SETTLE_MS;
    },
    async () => `alice is not available again after ${WAIT} ms: ${await agentStateText(a)} (states since READY: ${since.join(" → ") || "none"})`,
    WAIT,
    100,
  );
  console.log(`REJECTED ${firstId}`);

  // 3. the driver has another agent take the rejected call; it must not ring at A again
  step(`waiting for the line "next" on stdin (the driver has another agent take call ${firstId}), watching that it does not ring at A again`);
  let gotNext = false;
  let stdinError = null;
  stdin.line("next").then(
    () => {
      gotNext = true;
    },
    (err) => {
      stdinError = err;
    },
  );
  for (;;) {
    const done = gotNext;
    await notOfferedAgain(firstId);
    if (stdinError) throw stdinError;
    if (done) break;
    await sleep(100);
  }

  // 4. the VIP call rings; alice answers; audio flows
  step('A: waiting for #call-status data-status="ringing" (the driver places the VIP call)');
  await waitOr(status("ringing"), async () => `${await callStatusText(a)}; ${await agentStateText(a)}`);
  step("A: reading the call id from #call data-call-id");
  const callId = await a.locator("#call").getAttribute("data-call-id");
  if (!callId) throw new Error("#call has no data-call-id (the INVITE had no X-Switchboard-Call?)");
  if (callId === firstId) throw new Error(`the rejected call was offered to alice again: #call rings with data-call-id=${callId} (expected the VIP call)`);
  step(`A: clicking #btn-answer (call ${callId})`);
  await a.locator("#btn-answer").click({ timeout: WAIT });
  step('A: waiting for #call-status data-status="in_call"');
  await waitOr(status("in_call"), async () => `${await callStatusText(a)}${await actionError(a)}`);
  step("A: waiting for audio in #call-audio (packets received > 50, energy > 0)");
  await audioFlows(a, 50, true);
  console.log(`ANSWERED ${callId}`);

  // An agent may send the call to a colleague: the card lists them (from
  // the agent directory, which every role may read), never alice herself.
  step("A: checking #transfer-target lists the other agents (Farid Accounts) and not alice");
  const agentOptions = async () =>
    a.locator("#transfer-target").evaluate((el) =>
      [...el.options].filter((o) => o.value.startsWith("agent:")).map((o) => o.textContent.trim()),
    );
  await until(
    async () => (await agentOptions()).some((name) => name.startsWith("Farid Accounts")),
    async () => `#transfer-target's agents after ${WAIT} ms: ${(await agentOptions()).join(", ") || "none"}`,
  );
  const listed = await agentOptions();
  if (listed.some((name) => name.startsWith("Alice Senior"))) throw new Error(`#transfer-target offers alice herself: ${listed.join(", ")}`);

  // 5. warm transfer: consult the outside number
  step(`A: typing ${customer} into #transfer-number`);
  await a.locator("#transfer-number").fill(customer, { timeout: WAIT });
  step(`A: clicking #btn-consult (consult ${customer})`);
  await clickForResponse(a, a.locator("#btn-consult"), "POST", `/api/v1/calls/${callId}/consult`, 202);
  step('A: waiting for the card to show the consultation (#btn-consult-complete shown and enabled, #call-status "· consulting")');
  const complete = a.locator("#btn-consult-complete");
  await until(
    async () =>
      (await complete.isVisible()) &&
      (await complete.isEnabled()) &&
      (await a.locator("#btn-consult-cancel").isVisible()) &&
      /consulting/.test(await a.locator("#call-status").innerText()),
    async () =>
      `the card shows no consultation after ${WAIT} ms: ${await callStatusText(a)}, #btn-consult-complete visible=${await complete.isVisible()} enabled=${await complete.isEnabled()}, #btn-consult-cancel visible=${await a.locator("#btn-consult-cancel").isVisible()}, #call-note says "${await a.locator("#call-note").innerText()}"${await actionError(a)}`,
  );
  console.log(`CONSULTING ${callId}`);

  // 6. complete the transfer: the server ends alice's leg; she wraps up
  step('waiting for the line "complete" on stdin (the driver checks the outside phone answered and heard alice)');
  await stdin.line("complete");
  step("A: checking the call is still up and consulting");
  if (!(await status("in_call").isVisible()) || !(await complete.isVisible())) {
    throw new Error(`alice's call is no longer up in consultation: ${await callStatusText(a)}, #call-note says "${await a.locator("#call-note").innerText()}"${await actionError(a)}`);
  }
  step("A: clicking #btn-consult-complete");
  await clickForResponse(a, complete, "POST", `/api/v1/calls/${callId}/consult/complete`, 204);
  step("A: waiting for the call to end at A (the server hangs up the agent's leg)");
  await waitOr(status("idle"), async () => `${await callStatusText(a)}${await actionError(a)}`);
  await wrapUp(a, { hangUp: false, disposition: "resolved", step });
  console.log(`COMPLETED ${callId}`);

  // 7. the screenshot
  const shot = join(artifacts, "softphone-after-transfer.png");
  step(`A: taking the screenshot ${shot}`);
  await a.screenshot({ path: shot, timeout: WAIT });
  console.log("OK transfers");
}

await runCallScript("transfers", browsers, () => current, main);
