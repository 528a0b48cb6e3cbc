//! Callbacks: offered, accepted, completed, the time to call back, and
//! the success rate.

use model::report::CallCounters;
use serde::Serialize;

use crate::ratio::{Ratio, mean_secs};

/// The callback figures of a set of calls.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallbackReport {
    /// Callers offered a callback.
    pub offered: u64,
    /// Callers who accepted one (calls with outcome `callback`).
    pub accepted: u64,
    /// Callbacks that reached the customer.
    pub completed: u64,
    /// Accepted out of offered.
    pub acceptance_rate: Ratio,
    /// Completed out of accepted.
    pub success_rate: Ratio,
    /// Average time from acceptance to reaching the customer, over the
    /// completed callbacks.
    pub avg_time_to_callback_secs: Option<f64>,
}

/// The callback report of `c`.
pub fn callbacks(c: &CallCounters) -> CallbackReport {
    CallbackReport {
        offered: c.callback_offered,
        accepted: c.callback,
        completed: c.callback_completed,
        acceptance_rate: Ratio::new(c.callback, c.callback_offered, "callers offered a callback"),
        success_rate: Ratio::new(c.callback_completed, c.callback, "callbacks accepted"),
        avg_time_to_callback_secs: mean_secs(c.callback_delay_ms, c.callback_completed),
    }
}
