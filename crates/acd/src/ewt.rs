//! Estimated wait from the live service rate: answers per second over a
//! sliding window, or staffed agents over the average handle time while the
//! window holds too few answers to trust.

use std::collections::VecDeque;
use std::time::Duration;

use crate::time::Instant;

/// The sliding window the service rate is measured over.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Fewer answers than this in the window: use the staffing estimate.
const MIN_SAMPLES: usize = 10;
/// Most answers kept; beyond, the rate is measured over the last ones only.
const MAX_SAMPLES: usize = 4096;
/// Handle time assumed before any call was handled.
const DEFAULT_HANDLE: Duration = Duration::from_secs(180);

/// A queue's live service rate.
#[derive(Clone, Debug, Default)]
pub(crate) struct ServiceRate {
    answers: VecDeque<Instant>,
    first: Option<Instant>,
    handled: u64,
    handle_micros: u128,
}

impl ServiceRate {
    /// A call was answered from the queue at `now`.
    pub(crate) fn record_answer(&mut self, now: Instant) {
        self.first.get_or_insert(now);
        self.answers.push_back(now);
        while self.answers.len() > MAX_SAMPLES || self.answers.front().is_some_and(|&t| now.since(t) > WINDOW) {
            self.answers.pop_front();
        }
    }

    /// A call from the queue was handled (talk plus wrap-up) in `d`.
    pub(crate) fn record_handle(&mut self, d: Duration) {
        self.handled += 1;
        self.handle_micros += d.as_micros();
    }

    /// Calls served per second at `now`, given `staffed` logged-in agents.
    pub(crate) fn per_second(&self, now: Instant, staffed: u32) -> Option<f64> {
        let stale = self.answers.partition_point(|&t| now.since(t) > WINDOW);
        let recent = self.answers.len() - stale;
        if recent >= MIN_SAMPLES {
            // Measured from the first answer ever while the queue is young,
            // else over the window (or over the answers kept, if capped).
            let since_first = self.first.map_or(WINDOW, |f| now.since(f));
            let kept = if self.answers.len() >= MAX_SAMPLES { now.since(self.answers[stale]) } else { WINDOW };
            let span = since_first.min(WINDOW).min(kept).max(Duration::from_secs(1));
            return Some(recent as f64 / span.as_secs_f64());
        }
        if staffed == 0 {
            return None;
        }
        let handle = if self.handled == 0 {
            DEFAULT_HANDLE.as_secs_f64()
        } else {
            (self.handle_micros / u128::from(self.handled)) as f64 / 1e6
        };
        Some(f64::from(staffed) / handle.max(1e-3))
    }
}

/// Estimated wait of the caller at `position` (1 = next) at rate `per_second`.
pub(crate) fn estimate(position: u32, per_second: Option<f64>) -> Option<Duration> {
    let rate = per_second?;
    if rate <= 0.0 {
        return None;
    }
    Some(Duration::from_secs_f64((f64::from(position) / rate).min(1e9)))
}
