//! The target delay of the jitter buffer, from the packets' transit times.
//!
//! Each packet's transit is its arrival time minus its media time (its
//! timestamp in microseconds); only differences matter, so the two clocks
//! need no common origin. Over the last [`WINDOW`] packets, the spread
//! between the fastest transit and the slowest is the delay a packet may
//! need beyond the fastest one: the target follows it up at once, and down
//! by 1/[`DECAY`] of the difference per packet, after the window has
//! forgotten the slow ones.

use std::time::Duration;

/// Packets the spread is measured over (2.56 s of 20 ms packets).
pub(crate) const WINDOW: usize = 128;
/// The target comes down by 1/DECAY of its excess per packet.
const DECAY: i64 = 128;

/// Transit times of recent packets and the target delay they call for.
#[derive(Debug, Clone)]
pub(crate) struct DelayEstimator {
    transits: [i64; WINDOW],
    len: usize,
    next: usize,
    fastest: i64,
    /// Target, in microseconds.
    target: i64,
    min: i64,
    max: i64,
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

impl DelayEstimator {
    /// An estimator that starts at, and keeps within, `min`..=`max`.
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        let (min, max) = (micros(min), micros(max).max(micros(min)));
        Self { transits: [0; WINDOW], len: 0, next: 0, fastest: 0, target: min, min, max }
    }

    /// Forgets the transits (their time reference changed), keeps the target.
    pub(crate) fn reset(&mut self) {
        self.len = 0;
        self.next = 0;
    }

    /// Whether a transit has been seen since the last reset.
    pub(crate) fn is_primed(&self) -> bool {
        self.len > 0
    }

    /// Takes one packet's transit time, in microseconds.
    pub(crate) fn push(&mut self, transit: i64) {
        self.transits[self.next] = transit;
        self.next = (self.next + 1) % WINDOW;
        self.len = (self.len + 1).min(WINDOW);
        let window = &self.transits[..self.len];
        let (fastest, slowest) = window.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
        self.fastest = fastest;
        let needed = slowest.saturating_sub(fastest).clamp(self.min, self.max);
        if needed > self.target {
            self.target = needed;
        } else {
            self.target -= (self.target - needed) / DECAY;
        }
    }

    /// The fastest transit in the window, in microseconds.
    pub(crate) fn fastest(&self) -> i64 {
        self.fastest
    }

    /// The target delay beyond the fastest transit, in microseconds.
    pub(crate) fn target(&self) -> i64 {
        self.target
    }
}
