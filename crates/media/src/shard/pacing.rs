//! When a shard that woke for datagrams waits on its sockets again.
//!
//! Woken for each datagram as it comes, a shard relaying 500 to 1,000
//! calls wakes over 13,000 times a second for 4 to 7 datagrams each, and
//! most of its sends wake a receiver asleep on another core (an
//! inter-processor interrupt, which on a virtual machine is an exit to
//! the hypervisor). Pacing its wakes, a shard sleeps out the rest of
//! an interval after a wake that took datagrams; what arrives meanwhile
//! waits, at most that long, and is taken with the rest in one go, its
//! sends going out together. The cost is the wait: a relayed packet is
//! late by up to the interval (docs/benchmarks.md, "Paced wakes").

use std::time::{Duration, Instant};

/// The default interval: well under a millisecond of added delay, where
/// a call's packets are 20 ms apart.
pub const DEFAULT_PACING: Duration = Duration::from_micros(400);

/// A shard's wake pacing: the least time between two wakes that took
/// datagrams (zero: each datagram taken as it comes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakePacing {
    /// The least time from one wake that took datagrams to the next.
    pub interval: Duration,
}

impl WakePacing {
    /// How long to sleep at `now` before waiting on the sockets again,
    /// after a wake at `woke` that took datagrams, the earliest timer due
    /// at `timer`: nothing once the interval has passed (or without
    /// pacing), never past the timer.
    #[must_use]
    pub fn pause(&self, woke: Instant, now: Instant, timer: Option<Instant>) -> Option<Duration> {
        if self.interval.is_zero() {
            return None;
        }
        let mut until = woke + self.interval;
        if let Some(timer) = timer {
            until = until.min(timer);
        }
        let pause = until.saturating_duration_since(now);
        (!pause.is_zero()).then_some(pause)
    }

    /// The slack the shard thread's sleeps may be late by: an eighth of
    /// the interval, between 1 and 50 µs (the kernel's default, 50 µs,
    /// would lengthen a 200 µs interval by a quarter).
    #[must_use]
    pub fn timer_slack(&self) -> Duration {
        (self.interval / 8).clamp(Duration::from_micros(1), Duration::from_micros(50))
    }
}
