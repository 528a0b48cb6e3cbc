//! The RFC 3261 transaction timers, named, in one table.

use std::time::Instant;

/// A transaction timer (RFC 3261 §17, table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// INVITE request retransmit interval (UDP only).
    A,
    /// INVITE transaction timeout.
    B,
    /// Wait time for response retransmissions (INVITE client).
    D,
    /// Non-INVITE request retransmit interval (UDP only).
    E,
    /// Non-INVITE transaction timeout.
    F,
    /// INVITE response retransmit interval.
    G,
    /// Wait time for ACK receipt.
    H,
    /// Wait time for ACK retransmissions.
    I,
    /// Wait time for non-INVITE request retransmissions.
    J,
    /// Wait time for response retransmissions (non-INVITE client).
    K,
    /// Wait time for retransmissions of an accepted INVITE (RFC 6026).
    L,
    /// 2xx retransmit interval, T1 doubling to T2 (RFC 3261 §13.3.1.4).
    Retransmit2xx,
}

const ALL: [Timer; 12] = [
    Timer::A,
    Timer::B,
    Timer::D,
    Timer::E,
    Timer::F,
    Timer::G,
    Timer::H,
    Timer::I,
    Timer::J,
    Timer::K,
    Timer::L,
    Timer::Retransmit2xx,
];

/// Deadlines of the running timers; what fires next is a `min()`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timers {
    deadlines: [Option<Instant>; ALL.len()],
}

impl Timers {
    /// Starts (or restarts) `timer` to fire at `at`.
    pub(crate) fn set(&mut self, timer: Timer, at: Instant) {
        self.deadlines[timer as usize] = Some(at);
    }

    /// Stops `timer`.
    pub(crate) fn stop(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
    }

    /// Stops every timer.
    pub(crate) fn stop_all(&mut self) {
        self.deadlines = [None; ALL.len()];
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Removes and returns the earliest timer due at `now`.
    pub(crate) fn pop_expired(&mut self, now: Instant) -> Option<Timer> {
        let (timer, _) = ALL
            .iter()
            .filter_map(|&t| self.deadlines[t as usize].map(|at| (t, at)))
            .filter(|&(_, at)| at <= now)
            .min_by_key(|&(_, at)| at)?;
        self.stop(timer);
        Some(timer)
    }
}
