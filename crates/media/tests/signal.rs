//! Test signals and measures shared by the signal modules' tests.
#![allow(dead_code, reason = "each test module uses part of it")]

use std::f64::consts::TAU;

use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};

/// A sine of `amplitude` at `frequency` Hz, `n` samples at `rate` Hz, starting at sample `start`.
pub fn sine(frequency: f64, amplitude: f64, rate: f64, start: usize, n: usize) -> Vec<i16> {
    (start..start + n).map(|i| (amplitude * (TAU * frequency * i as f64 / rate).sin()).round() as i16).collect()
}

/// Sample-wise sum of signals, saturated.
pub fn sum(signals: &[&[i16]]) -> Vec<i16> {
    let n = signals.iter().map(|s| s.len()).max().unwrap_or(0);
    (0..n)
        .map(|i| {
            let v: i32 = signals.iter().map(|s| i32::from(s.get(i).copied().unwrap_or(0))).sum();
            v.clamp(-32_768, 32_767) as i16
        })
        .collect()
}

/// A reproducible random source (ChaCha with a fixed seed).
pub fn rng(seed: u8) -> TestRng {
    TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32])
}

/// White Gaussian noise of standard deviation `sigma`, `n` samples (Box-Muller).
pub fn white_noise(rng: &mut TestRng, sigma: f64, n: usize) -> Vec<i16> {
    let mut uniform = || (f64::from(rng.next_u32()) + 0.5) / 4_294_967_296.0;
    (0..n)
        .map(|_| {
            let (u, v) = (uniform(), uniform());
            let g = (-2.0 * u.ln()).sqrt() * (TAU * v).cos();
            (sigma * g).round().clamp(-32_768.0, 32_767.0) as i16
        })
        .collect()
}

/// Root mean square of a block.
pub fn rms(block: &[i16]) -> f64 {
    if block.is_empty() {
        return 0.0;
    }
    (block.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / block.len() as f64).sqrt()
}

/// `a` relative to `b` in dB (amplitudes).
pub fn db(a: f64, b: f64) -> f64 {
    20.0 * (a / b).log10()
}

/// The largest jump between consecutive samples.
pub fn max_step(block: &[i16]) -> i32 {
    block.windows(2).map(|w| (i32::from(w[1]) - i32::from(w[0])).abs()).max().unwrap_or(0)
}

pub use crate::seed::fixed_seed;
