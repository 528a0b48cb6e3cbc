//! A share stated with its parts: numerator, denominator, what the
//! denominator counts, and the percentage (none when the denominator is 0).

use serde::Serialize;

/// A percentage with the counts it is made of.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ratio {
    /// The counted calls (or agents, seconds…).
    pub numerator: u64,
    /// What they are counted out of.
    pub denominator: u64,
    /// What the denominator counts, in words.
    pub denominator_is: &'static str,
    /// `100 × numerator / denominator`; `None` when the denominator is 0.
    pub percent: Option<f64>,
}

impl Ratio {
    /// The share `numerator / denominator` described by `denominator_is`.
    pub fn new(numerator: u64, denominator: u64, denominator_is: &'static str) -> Self {
        Ratio { numerator, denominator, denominator_is, percent: percent(numerator, denominator) }
    }
}

/// `100 × n / d`, or `None` when `d` is 0.
pub fn percent(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| 100.0 * n as f64 / d as f64)
}

/// `total_ms / count` in seconds, or `None` when `count` is 0.
pub fn mean_secs(total_ms: u64, count: u64) -> Option<f64> {
    (count > 0).then(|| total_ms as f64 / count as f64 / 1000.0)
}
