//! A call as the engine sees it, from joining a queue to the answer.

use model::{CallId, VipTier};

use crate::time::Instant;

/// The key a waiting call is filed under in its queue; lower is served first.
/// `rank` folds priority and aging into one time-invariant number (see
/// [`rank`]); `seq` keeps FIFO order among equals.
pub(crate) type WaitKey = (i128, u64, CallId);

/// Microseconds per minute: aging rates are "priority per minute".
const MICROS_PER_MIN: i128 = 60_000_000;

/// The time-invariant rank of a call: effective priority at time `t` is
/// `priority + rate * (t - enqueued) / 1 min`, so ordering by
/// `rate * enqueued - priority * 1 min` is the same at every `t`.
pub(crate) fn rank(priority: i32, aging_per_min: u32, enqueued: Instant) -> i128 {
    i128::from(aging_per_min) * i128::from(enqueued.as_micros()) - i128::from(priority) * MICROS_PER_MIN
}

/// Effective priority scaled by one minute in microseconds, at `now`.
pub(crate) fn effective_scaled(priority: i32, aging_per_min: u32, enqueued: Instant, now: Instant) -> i128 {
    i128::from(priority) * MICROS_PER_MIN
        + i128::from(aging_per_min) * i128::from(now.since(enqueued).as_micros() as u64)
}

/// Where a call is in its life inside the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CallState {
    /// In its queue's waiting set.
    Waiting,
    /// Ringing at one agent (or several, for ring-all).
    Offered {
        /// The agents rung.
        agents: Vec<usize>,
        /// Generation that names this offer's ring timer.
        generation: u64,
        /// Ring-all offers do not send agents to not-ready on no answer.
        ring_all: bool,
    },
    /// Answered; kept until the call ends so the agent's wrap-up can start.
    Connected {
        /// The agent.
        agent: usize,
        /// When it was answered.
        since: Instant,
    },
}

/// One call.
#[derive(Clone, Debug)]
pub(crate) struct CallSlot {
    /// The call id.
    pub id: CallId,
    /// The queue it is in (or was taken from).
    pub queue: usize,
    /// Base priority.
    pub priority: i32,
    /// The caller's VIP tier.
    pub vip: VipTier,
    /// Caller key for sticky routing.
    pub caller: Option<String>,
    /// When it joined its first queue.
    pub arrived: Instant,
    /// When it joined its current queue (steps, aging, max wait count from here).
    pub enqueued: Instant,
    /// Its key in the current queue.
    pub key: WaitKey,
    /// Where it is.
    pub state: CallState,
    /// An accepted callback: a virtual caller.
    pub callback: bool,
    /// A callback was already offered.
    pub callback_offered: bool,
    /// Only this agent may take the call until the instant (sticky agent).
    pub hold: Option<(usize, Instant)>,
    /// Agents who rejected this call.
    pub declined: Vec<usize>,
    /// Overflow hops between queues so far.
    pub hops: u8,
    /// When the next position announcement is due.
    pub announce_at: Instant,
    /// Skills the call itself needs (compiled), at every step.
    pub skills: Vec<(u16, u8)>,
    /// A call the agent placed (click-to-call): not the queue's, so its
    /// handle time does not feed the queue's estimates.
    pub outbound: bool,
}
