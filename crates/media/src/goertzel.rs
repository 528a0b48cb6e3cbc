//! Energy of one frequency in a block of samples (the Goertzel algorithm).
//!
//! A [`Goertzel`] filter is tuned once to a frequency and then measures any
//! number of blocks; the frequency need not fall on a DFT bin. Energies are
//! in the unit of [`block_energy`] (the sum of squared samples), so a pure
//! tone at the filter's frequency has an [`energy_ratio`] close to 1 and a
//! block without it one close to 0. Used by in-band DTMF detection and by
//! the tests that check who hears which tone in a mix.

use std::f64::consts::TAU;

/// A Goertzel filter tuned to one frequency at one sample rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Goertzel {
    /// `2 cos(2π f / rate)`.
    coeff: f64,
}

impl Goertzel {
    /// A filter for `frequency_hz` at `sample_rate_hz` (a non-finite or zero rate measures nothing useful).
    #[must_use]
    pub fn new(frequency_hz: f64, sample_rate_hz: f64) -> Self {
        Goertzel { coeff: 2.0 * (TAU * frequency_hz / sample_rate_hz).cos() }
    }

    /// The squared magnitude of the block's transform at the frequency, `|X(f)|²`.
    #[must_use]
    pub fn power(&self, block: &[i16]) -> f64 {
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for &x in block {
            let s0 = f64::from(x) + self.coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        (s1 * s1 + s2 * s2 - self.coeff * s1 * s2).max(0.0)
    }

    /// The energy of the tone in the block, comparable with [`block_energy`]: `2 |X(f)|² / N`.
    #[must_use]
    pub fn energy(&self, block: &[i16]) -> f64 {
        if block.is_empty() { 0.0 } else { 2.0 * self.power(block) / block.len() as f64 }
    }

    /// The peak amplitude of a sinusoid at the frequency: `2 |X(f)| / N`.
    #[must_use]
    pub fn amplitude(&self, block: &[i16]) -> f64 {
        if block.is_empty() { 0.0 } else { 2.0 * self.power(block).sqrt() / block.len() as f64 }
    }
}

/// The energy of a block: the sum of its squared samples.
#[must_use]
pub fn block_energy(block: &[i16]) -> f64 {
    block.iter().map(|&x| f64::from(x) * f64::from(x)).sum()
}

/// The energy of `frequency_hz` in the block (see [`Goertzel::energy`]).
#[must_use]
pub fn tone_energy(block: &[i16], frequency_hz: f64, sample_rate_hz: f64) -> f64 {
    Goertzel::new(frequency_hz, sample_rate_hz).energy(block)
}

/// The share of the block's energy at `frequency_hz`: about 1 for a pure tone there, 0 for a silent block.
#[must_use]
pub fn energy_ratio(block: &[i16], frequency_hz: f64, sample_rate_hz: f64) -> f64 {
    let total = block_energy(block);
    if total <= 0.0 { 0.0 } else { tone_energy(block, frequency_hz, sample_rate_hz) / total }
}

/// An energy ratio in decibels (−∞ for 0).
#[must_use]
pub fn ratio_db(ratio: f64) -> f64 {
    10.0 * ratio.log10()
}
