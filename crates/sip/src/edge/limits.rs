//! The call-setup rate limit: a token bucket on the injected clock.

use std::time::{Duration, Instant};

/// Admits new calls at `1 / interval` on average with bursts of `burst`.
#[derive(Debug, Clone)]
pub(crate) struct SetupBucket {
    interval: Duration,
    burst: u32,
    tokens: u32,
    refilled: Option<Instant>,
}

impl SetupBucket {
    pub(crate) fn new(interval: Duration, burst: u32) -> SetupBucket {
        SetupBucket { interval, burst: burst.max(1), tokens: burst.max(1), refilled: None }
    }

    /// Takes one token if there is one.
    pub(crate) fn take(&mut self, now: Instant) -> bool {
        self.refill(now);
        if self.tokens == 0 {
            return false;
        }
        self.tokens -= 1;
        true
    }

    fn refill(&mut self, now: Instant) {
        let Some(last) = self.refilled else {
            self.refilled = Some(now);
            return;
        };
        if self.interval.is_zero() {
            self.tokens = self.burst;
            self.refilled = Some(now);
            return;
        }
        let elapsed = now.saturating_duration_since(last);
        let earned = elapsed.as_nanos() / self.interval.as_nanos();
        if earned == 0 {
            return;
        }
        let earned = u32::try_from(earned).unwrap_or(u32::MAX);
        self.tokens = self.tokens.saturating_add(earned).min(self.burst);
        // Keep the remainder so the average rate is exact.
        self.refilled = Some(last + self.interval * earned.min(1 << 20));
        if self.tokens == self.burst {
            self.refilled = Some(now);
        }
    }
}
