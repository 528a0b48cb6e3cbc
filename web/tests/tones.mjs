// How loud given tones are in what a page's phone plays (the remote stream
// on <audio id="remote-audio">), measured inside the page with Web Audio.
//
// Method: the stream feeds an AudioContext (48 kHz) through a
// MediaStreamSource into an AnalyserNode (fftSize 2048). Every 50 ms the
// latest 2048 samples (~43 ms) are read with getFloatTimeDomainData; each
// block is Hann-windowed and a Goertzel filter gives its DFT term X at each
// frequency f (the exact f, no FFT bin rounding). For a sine of amplitude A
// at f, |X| ≈ A·Σw/2, so 2·|X|/Σw estimates A (the RMS would be A/√2); other
// tones leak little thanks to the window (440 Hz and 1100 Hz are 28 bins
// apart at this block length). The estimates are averaged over the blocks
// of the measuring time. A fake microphone tone of amplitude 0.3 that gets
// through reads about 0.3 (less after the codec and any mixing gain);
// absent, it reads near 0 (below 0.001 in silence).

/**
 * Measures `freqs` (Hz) in `page`'s #remote-audio stream for `durationMs`;
 * answers `{ [freq]: amplitude }` (the mean of the blocks' estimates).
 * Throws when the element has no stream or nothing could be read.
 */
export async function measureTones(page, { freqs = [440, 1100], durationMs = 2000, intervalMs = 50 } = {}) {
  const result = await page.evaluate(
    async ({ freqs, durationMs, intervalMs }) => {
      const el = document.getElementById("remote-audio");
      const stream = el && el.srcObject;
      if (!stream || typeof stream.getAudioTracks !== "function" || stream.getAudioTracks().length === 0) {
        return { error: "#remote-audio has no audio stream (srcObject)" };
      }
      const ctx = new AudioContext({ sampleRate: 48000 });
      try {
        await ctx.resume();
        const source = ctx.createMediaStreamSource(stream);
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 2048;
        source.connect(analyser);
        // Pulled through a silent gain to the output, so it is processed for sure.
        const mute = ctx.createGain();
        mute.gain.value = 0;
        analyser.connect(mute).connect(ctx.destination);

        const n = analyser.fftSize;
        const hann = new Float32Array(n);
        let windowSum = 0;
        for (let i = 0; i < n; i++) {
          hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
          windowSum += hann[i];
        }
        const coefficients = freqs.map((f) => 2 * Math.cos((2 * Math.PI * f) / ctx.sampleRate));
        const sums = freqs.map(() => 0);
        const block = new Float32Array(n);
        let blocks = 0;
        let peak = 0;

        const started = performance.now();
        while (performance.now() - started < durationMs) {
          await new Promise((done) => setTimeout(done, intervalMs));
          analyser.getFloatTimeDomainData(block);
          freqs.forEach((f, k) => {
            // Goertzel: s[i] = x[i]·w[i] + c·s[i-1] − s[i-2]; |X|² = s1² + s2² − c·s1·s2.
            const c = coefficients[k];
            let s1 = 0;
            let s2 = 0;
            for (let i = 0; i < n; i++) {
              const s0 = block[i] * hann[i] + c * s1 - s2;
              s2 = s1;
              s1 = s0;
            }
            const power = Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2);
            sums[k] += (2 * Math.sqrt(power)) / windowSum;
          });
          for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(block[i]));
          blocks += 1;
        }
        source.disconnect();
        analyser.disconnect();
        return { blocks, peak, sampleRate: ctx.sampleRate, amplitudes: sums.map((s) => (blocks ? s / blocks : 0)) };
      } finally {
        await ctx.close().catch(() => {});
      }
    },
    { freqs, durationMs, intervalMs },
  );
  if (result.error) throw new Error(result.error);
  if (!result.blocks) throw new Error("no audio block could be read");
  const out = {};
  freqs.forEach((f, k) => {
    out[f] = result.amplitudes[k];
  });
  return out;
}

/** A measured amplitude with 6 decimals, for the stdout lines. */
export const fmt = (amplitude) => amplitude.toFixed(6);
