//! Live statistics per queue: what a supervisor's wallboard shows.

use std::time::Duration;

/// Agents of a queue by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AgentCounts {
    /// Available.
    pub available: u32,
    /// Ringing.
    pub reserved: u32,
    /// On a call.
    pub on_call: u32,
    /// In wrap-up.
    pub wrap_up: u32,
    /// Not ready, any reason (back-office included).
    pub not_ready: u32,
    /// Do not disturb.
    pub do_not_disturb: u32,
    /// Logged out.
    pub logged_out: u32,
}

/// A queue's live figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueStats {
    /// Live callers waiting.
    pub waiting: u32,
    /// Callbacks waiting in place.
    pub callbacks_waiting: u32,
    /// The longest current wait in the queue.
    pub longest_wait: Duration,
    /// Member agents by state.
    pub agents: AgentCounts,
    /// Calls that joined the queue today.
    pub offered: u64,
    /// Calls answered today.
    pub answered: u64,
    /// Calls abandoned today.
    pub abandoned: u64,
    /// Calls overflowed today.
    pub overflowed: u64,
    /// Share of answered-or-abandoned calls answered within the target, in percent.
    pub service_level: Option<f64>,
    /// Average speed of answer today.
    pub average_speed_of_answer: Option<Duration>,
    /// Estimated wait of a caller joining now.
    pub estimated_wait: Option<Duration>,
}

/// Today's counters of a queue.
#[derive(Clone, Debug, Default)]
pub(crate) struct DayStats {
    /// Calls that joined.
    pub offered: u64,
    /// Calls answered.
    pub answered: u64,
    /// Calls abandoned.
    pub abandoned: u64,
    /// Calls overflowed.
    pub overflowed: u64,
    /// Calls answered within the service-level target.
    pub answered_in_target: u64,
    /// Sum of answered calls' waits, in microseconds.
    pub answer_wait_micros: u128,
}
