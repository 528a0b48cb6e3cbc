// What the call scripts (supervise.mjs, controls.mjs) share: the bound on
// each wait, polling until something holds, the fake microphone's tone
// file from the environment, the init script that takes the page's
// microphone raw, and how a script ends.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { report } from "./harness.mjs";

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
