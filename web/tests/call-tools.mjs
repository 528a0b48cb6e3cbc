// What the call scripts (supervise.mjs, controls.mjs, transfers.mjs) share:
// the bound on each wait, polling until something holds, the fake
// microphone's tone file and the outside number from the environment, the
// init script that takes the page's microphone raw, the driver's lines on
// stdin, launching a labelled browser, waiting and clicking with an
// explanation, the softphone's call card and audio line, the wrap-up, and
// how a script ends.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { launch, MEDIA_ARGS, report } from "./harness.mjs";

/** The bound on each wait (CALL_WAIT_MS, default 30 s). */
export const WAIT = Number(process.env.CALL_WAIT_MS) > 0 ? Number(process.env.CALL_WAIT_MS) : 30_000;

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Waits until `read()` answers true, polling every `every` ms; throws `why()` after `timeout`. */
export async function until(read, why, timeout = WAIT, every = 250) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await read()) return;
    if (Date.now() > deadline) throw new Error(await why());
    await sleep(every);
  }
}

/** The WAV file named by environment variable `name` (a fake microphone), checked to exist. */
export function toneFile(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (a 16-bit PCM WAV file for the fake microphone)`);
  const path = resolve(value);
  if (!existsSync(path)) throw new Error(`${name}: no such file ${path}`);
  return path;
}

/**
 * The E.164 number in CUSTOMER_NUMBER (`what`: what it is for, said when it
 * is missing), checked.
 */
export function customerNumber(what) {
  const value = (process.env.CUSTOMER_NUMBER || "").trim();
  if (!value) throw new Error(`CUSTOMER_NUMBER is not set (${what})`);
  if (!/^\+[1-9]\d{6,14}$/.test(value)) throw new Error(`CUSTOMER_NUMBER ${JSON.stringify(value)} is not an E.164 number`);
  return value;
}

/**
 * An init script (page.addInitScript) that asks getUserMedia for the
 * microphone without echo cancellation, noise suppression or gain control:
 * Chromium's voice processing squashes a steady fake tone (0.3 reads about
 * 0.03) and would cancel the tone coming back through an echoing carrier.
 * The app itself is unchanged; MIC_PROCESSING=1 keeps the defaults.
 */
export function rawMicrophone() {
  const devices = navigator.mediaDevices;
  if (!devices || typeof devices.getUserMedia !== "function") return;
  const getUserMedia = devices.getUserMedia.bind(devices);
  devices.getUserMedia = (constraints) => {
    if (constraints && constraints.audio) {
      const audio = typeof constraints.audio === "object" ? constraints.audio : {};
      constraints = { ...constraints, audio: { ...audio, echoCancellation: false, noiseSuppression: false, autoGainControl: false } };
    }
    return getUserMedia(constraints);
  };
}

/**
 * Runs `main`, then closes `browsers` ([{ label, browser, page,
 * consoleLines }]) and exits 0; on an error prints `FAIL while <step>:
 * <why>` (the step from `current()`), reports each page as
 * `<name>-<label>` and exits 1.
 */
export async function runCallScript(name, browsers, current, main) {
  let code = 0;
  try {
    await main();
  } catch (err) {
    code = 1;
    console.log(`FAIL while ${current()}: ${err instanceof Error ? err.message : String(err)}`);
    for (const { label, page, consoleLines } of browsers) await report(`${name}-${label}`, page, consoleLines);
  }
  for (const { browser } of browsers) await browser.close().catch(() => {});
  process.exit(code);
}

/** The first line of an error's message (Playwright's carry a call log after it). */
export const firstLine = (err) => (err instanceof Error ? err.message.split("\n")[0] : String(err));

/**
 * Reads the driver's lines on stdin from now on (call it when the script
 * starts, so none is missed) and answers `{ line(wanted, timeout) }`:
 * `line` waits for the line `wanted` (trimmed), noting on stderr each
 * other line it skips, and throws when stdin closes first or after
 * `timeout` (default WAIT). One waiter at a time.
 */
export function stdinReader() {
  const lines = [];
  let closed = false;
  let wake = null;
  const input = createInterface({ input: process.stdin });
  input.on("line", (line) => {
    lines.push(line.trim());
    wake?.();
  });
  input.on("close", () => {
    closed = true;
    wake?.();
  });
  return {
    async line(wanted, timeout = WAIT) {
      const deadline = Date.now() + timeout;
      for (;;) {
        while (lines.length > 0) {
          const line = lines.shift();
          if (line === wanted) return;
          if (line !== "") console.error(`note: ignored the stdin line ${JSON.stringify(line)} (waiting for ${JSON.stringify(wanted)})`);
        }
        if (closed) throw new Error(`stdin closed before the line ${JSON.stringify(wanted)} came`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no line ${JSON.stringify(wanted)} on stdin within ${timeout} ms`);
        await new Promise((done) => {
          const timer = setTimeout(done, left);
          wake = () => {
            clearTimeout(timer);
            done();
          };
        });
        wake = null;
      }
    },
  };
}

/**
 * Launches a browser (harness.mjs's `launch(options)`) for `label`, adds it
 * to `browsers` (for runCallScript's report and close) and answers its
 * page; the page's console errors and uncaught errors go to stderr as they
 * happen, prefixed `[<label>]`.
 */
export async function open(browsers, label, options) {
  const launched = await launch(options);
  const entry = { label, ...launched };
  browsers.push(entry);
  launched.page.on("console", (msg) => {
    if (msg.type() === "error") console.error(`[${label}] console error: ${msg.text()}`);
  });
  launched.page.on("pageerror", (err) => console.error(`[${label}] page error: ${err.message}`));
  return launched.page;
}

/**
 * A launched browser for `label` whose fake microphone plays `wav` (taken
 * raw unless MIC_PROCESSING=1, see rawMicrophone), pushed to `browsers`
 * as `open` does.
 */
export async function openWithMicrophone(browsers, label, wav) {
  const page = await open(browsers, label, { args: [...MEDIA_ARGS, `--use-file-for-fake-audio-capture=${wav}`], permissions: ["microphone"] });
  if (process.env.MIC_PROCESSING !== "1") await page.addInitScript(rawMicrophone);
  return page;
}

/** Waits for `locator`; on a timeout says what `explain()` finds instead. */
export async function waitOr(locator, explain, timeout = WAIT) {
  try {
    await locator.waitFor({ timeout });
  } catch (err) {
    throw new Error(`${firstLine(err)} — ${await explain()}`);
  }
}

/**
 * Clicks `locator` on `page` and answers the response to the request it
 * makes (`method` on a path `path`); throws when none comes or its status
 * is not `expect`, with the server's words.
 */
export async function clickForResponse(page, locator, method, path, expect) {
  const answer = page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === path, {
    timeout: WAIT,
  });
  answer.catch(() => {}); // awaited below; a click that fails must not leave it unhandled
  await locator.click({ timeout: WAIT });
  let response;
  try {
    response = await answer;
  } catch (err) {
    throw new Error(`no answer to ${method} ${path} within ${WAIT} ms after the click (${firstLine(err)})`);
  }
  if (response.status() !== expect) {
    const body = await response.text().catch(() => "");
    throw new Error(`${method} ${path} answered ${response.status()} (expected ${expect}): ${body.slice(0, 300)}`);
  }
  return response;
}

/** The softphone's call card on `page` in words: #call-status's text, data-status and the call id. */
export async function callStatusText(page) {
  const el = page.locator("#call-status");
  return `#call-status says "${await el.innerText()}" (data-status=${await el.getAttribute("data-status")}, #call data-call-id=${await page.locator("#call").getAttribute("data-call-id")})`;
}

/** ` — #action-error: <text>` when the softphone on `page` shows an error, else "". */
export async function actionError(page) {
  const alert = page.locator("#action-error");
  return (await alert.isVisible()) ? ` — #action-error: ${await alert.innerText()}` : "";
}

/** The softphone's agent state on `page` in words (and its error, if any). */
export async function agentStateText(page) {
  const el = page.locator("#agent-state");
  return `#agent-state says "${await el.innerText()}" (data-state=${await el.getAttribute("data-state")})${await actionError(page)}`;
}

/** The counters of #call-audio on `page`: packets received, inbound audio energy. */
export async function audioCounters(page) {
  const audio = page.locator("#call-audio");
  return {
    received: Number((await audio.getAttribute("data-packets-received")) ?? 0),
    energy: Number((await audio.getAttribute("data-audio-energy")) ?? 0),
  };
}

/** Waits for audio on the call of `page`: more than `packets` received (and energy when `energy`). */
export async function audioFlows(page, packets, energy) {
  await until(
    async () => {
      const c = await audioCounters(page);
      return c.received > packets && (!energy || c.energy > 0);
    },
    async () => {
      const c = await audioCounters(page);
      return `no audio after ${WAIT} ms: packets received ${c.received}, energy ${c.energy} (${await page.locator("#call-audio").innerText()})`;
    },
  );
}

/**
 * After-call work on the softphone `page`: clicks #btn-hangup first when
 * `hangUp` (else the server ended the call), waits for the #wrap-up form,
 * files `disposition` (default "resolved") and waits for #wrap-up-done
 * (Disposition saved); fails when #action-error shows the refusal. Each
 * step goes to `step` (runCallScript's "while"), prefixed `<who>: `
 * (default "A").
 */
export async function wrapUp(page, { hangUp = false, disposition = "resolved", step = () => {}, who = "A" } = {}) {
  if (hangUp) {
    step(`${who}: clicking #btn-hangup`);
    await page.locator("#btn-hangup").click({ timeout: WAIT });
  }
  step(`${who}: waiting for the #wrap-up form`);
  await waitOr(page.locator("#wrap-up"), async () => `${await callStatusText(page)}${await actionError(page)}`);
  step(`${who}: choosing the disposition ${JSON.stringify(disposition)}`);
  await page.locator("#disposition").selectOption(disposition, { timeout: WAIT });
  step(`${who}: clicking #btn-wrap-up`);
  await page.locator("#btn-wrap-up").click({ timeout: WAIT });
  step(`${who}: waiting for #wrap-up-done (Disposition saved)`);
  const refused = page.locator("#action-error");
  await until(
    async () => {
      if (await refused.isVisible()) {
        const why = await refused.innerText();
        const hint = /still going on/.test(why)
          ? " (the server keeps refusing the disposition while the call itself is live, e.g. waiting in another queue after a transfer)"
          : "";
        throw new Error(`the wrap-up was refused: ${why}${hint}`);
      }
      return page.locator("#wrap-up-done").isVisible();
    },
    () => `#wrap-up-done not shown after ${WAIT} ms`,
  );
}
