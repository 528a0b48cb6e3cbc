//! 8 kHz ↔ 16 kHz conversion with a linear-phase half-band FIR, polyphase.
//!
//! One 47-tap half-band low-pass (Kaiser window, β = 5; cutoff at 4 kHz,
//! flat within 0.02 dB to 3.4 kHz, at least 53 dB down from 4.6 kHz) serves
//! both directions. Every other tap of a half-band filter is zero, so each
//! output sample costs 12 multiplies on pre-added symmetric pairs:
//!
//! - [`Upsampler`] (8 → 16 kHz) copies each input sample to the even
//!   output and interpolates the odd output from 24 neighbours; delay
//!   [`Upsampler::DELAY`] output samples.
//! - [`Downsampler`] (16 → 8 kHz) filters at the centre of each pair of
//!   input samples; delay [`Downsampler::DELAY`] output samples. An odd
//!   input sample waits for its pair in the state.
//!
//! Both keep their history across calls, so a signal cut into frames of any
//! size (20 ms: 160 ↔ 320 samples) gives exactly the output of one block.
//! Nothing allocates; arithmetic is `f32`, results rounded and saturated.

use thiserror::Error;

/// One side of the half-band filter: taps at offsets ±1, ±3, … ±23 from the centre tap (0.5).
///
/// Windowed sinc `0.5 sinc(d / 2)` times a Kaiser window (β = 5, 47 taps),
/// scaled so that the taps sum to 1 (unity gain at 0 Hz).
pub const HALF_BAND: [f32; TAPS] = [
    0.317_104_6,
    -0.102_176_644,
    0.057_246_01,
    -0.036_830_1,
    0.024_828_823,
    -0.016_882_924,
    0.011_322_354,
    -0.007_356_148,
    0.004_542_039_7,
    -0.002_594_200_7,
    0.001_304_475,
    -0.000_508_281_17,
];

/// Number of non-zero taps on one side of the centre.
pub const TAPS: usize = 12;
/// Input samples the upsampler keeps from one call to the next (it reads 2 × TAPS).
const UP_HISTORY: usize = 2 * TAPS - 1;
/// Input samples the downsampler keeps (it reads 4 × TAPS − 1).
const DOWN_HISTORY: usize = 4 * TAPS - 2;
/// Input samples converted per pass over the working buffer.
const CHUNK: usize = 320;

/// Why a conversion did nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ResampleError {
    /// The output slice cannot hold the result of the whole input.
    #[error("output holds {got} samples, the input needs {needed}")]
    OutputTooShort {
        /// Samples the input produces.
        needed: usize,
        /// Samples the output holds.
        got: usize,
    },
}

#[inline]
fn to_i16(v: f32) -> i16 {
    // Round half away from zero; `as` saturates at the i16 range.
    (v + 0.5f32.copysign(v)) as i16
}

/// 8 kHz → 16 kHz, two output samples per input sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Upsampler {
    /// History, then the chunk being converted.
    buf: [f32; UP_HISTORY + CHUNK],
}

impl Default for Upsampler {
    fn default() -> Self {
        Self::new()
    }
}

impl Upsampler {
    /// Output samples (at 16 kHz) by which the output lags the input.
    pub const DELAY: usize = 2 * TAPS;

    /// An upsampler whose history is silence.
    #[must_use]
    pub fn new() -> Self {
        Upsampler { buf: [0.0; UP_HISTORY + CHUNK] }
    }

    /// Forgets the history (a new stream starts).
    pub fn reset(&mut self) {
        self.buf = [0.0; UP_HISTORY + CHUNK];
    }

    /// Converts `input` into the first `2 × input.len()` samples of `output`; returns that count.
    pub fn process(&mut self, input: &[i16], output: &mut [i16]) -> Result<usize, ResampleError> {
        let needed = 2 * input.len();
        if output.len() < needed {
            return Err(ResampleError::OutputTooShort { needed, got: output.len() });
        }
        for (chunk, out) in input.chunks(CHUNK).zip(output.chunks_mut(2 * CHUNK)) {
            self.process_chunk(chunk, out);
        }
        Ok(needed)
    }

    fn process_chunk(&mut self, chunk: &[i16], out: &mut [i16]) {
        let n = chunk.len();
        for (slot, &x) in self.buf[UP_HISTORY..].iter_mut().zip(chunk) {
            *slot = f32::from(x);
        }
        for (i, pair) in out[..2 * n].chunks_exact_mut(2).enumerate() {
            // The newest sample is buf[p]; interpolate between buf[p − TAPS] and its successor.
            let m = i + UP_HISTORY - TAPS;
            let mut acc = 0.0f32;
            for (j, &h) in HALF_BAND.iter().enumerate() {
                acc += h * (self.buf[m - j] + self.buf[m + 1 + j]);
            }
            pair[0] = to_i16(self.buf[m]);
            pair[1] = to_i16(2.0 * acc);
        }
        self.buf.copy_within(n..n + UP_HISTORY, 0);
    }
}

/// 16 kHz → 8 kHz, one output sample per pair of input samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Downsampler {
    /// History, then the chunk being converted.
    buf: [f32; DOWN_HISTORY + CHUNK],
    /// Whether the last input sample is the first of a pair still waiting for its second.
    pending: bool,
}

impl Default for Downsampler {
    fn default() -> Self {
        Self::new()
    }
}

impl Downsampler {
    /// Output samples (at 8 kHz) by which the output lags the input.
    pub const DELAY: usize = TAPS - 1;

    /// A downsampler whose history is silence.
    #[must_use]
    pub fn new() -> Self {
        Downsampler { buf: [0.0; DOWN_HISTORY + CHUNK], pending: false }
    }

    /// Forgets the history (a new stream starts).
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Output samples that `input_len` more input samples produce.
    #[must_use]
    pub fn output_len(&self, input_len: usize) -> usize {
        (input_len + usize::from(self.pending)) / 2
    }

    /// Converts `input` into the first [`output_len`](Self::output_len) samples of `output`; returns that count.
    pub fn process(&mut self, input: &[i16], output: &mut [i16]) -> Result<usize, ResampleError> {
        let needed = self.output_len(input.len());
        if output.len() < needed {
            return Err(ResampleError::OutputTooShort { needed, got: output.len() });
        }
        let mut written = 0;
        for chunk in input.chunks(CHUNK) {
            written += self.process_chunk(chunk, &mut output[written..]);
        }
        Ok(written)
    }

    fn process_chunk(&mut self, chunk: &[i16], out: &mut [i16]) -> usize {
        let n = chunk.len();
        for (slot, &x) in self.buf[DOWN_HISTORY..].iter_mut().zip(chunk) {
            *slot = f32::from(x);
        }
        // Pair ends are the chunk positions where a pair completes.
        let first = usize::from(!self.pending);
        let mut written = 0;
        for p in (first..n).step_by(2) {
            let c = p + DOWN_HISTORY - (2 * TAPS - 1);
            let mut acc = 0.5 * self.buf[c];
            for (j, &h) in HALF_BAND.iter().enumerate() {
                acc += h * (self.buf[c - 2 * j - 1] + self.buf[c + 2 * j + 1]);
            }
            out[written] = to_i16(acc);
            written += 1;
        }
        self.pending = (n + usize::from(self.pending)) % 2 == 1;
        self.buf.copy_within(n..n + DOWN_HISTORY, 0);
        written
    }
}
