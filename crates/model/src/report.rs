//! The counters the reports add up: what one 15-minute rollup row holds
//! (migration 0010: `call_rollup`, `agent_rollup`, `agent_state_rollup`),
//! and what a sum of such rows is. Shared by the store, which reads and
//! sums rollup rows, the `reports` crate, which turns sums into figures,
//! and the history generator.
//!
//! Every field is a sum over CDR rows (or state intervals), so sums of
//! counters are counters: [`CallCounters`] and [`AgentCounters`] add.
//! [`CallCounters::of`] and [`AgentCounters::of`] are one row's share, with
//! its key ([`CallKey`], [`AgentKey`]): the rules of migration 0011's
//! triggers in Rust.

mod contribution;

use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

pub use contribution::{AgentKey, CallKey, bucket_of};

/// The wait thresholds, in seconds, the rollups count calls within: a
/// service-level threshold, a short-abandon limit and the edges of the
/// wait distributions are among these.
pub const WAIT_EDGES_SECS: [u32; 11] = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300];

/// The length of a rollup bucket in seconds (15 minutes).
pub const BUCKET_SECS: i64 = 900;

/// Calls, by what became of them, with their wait, handling and survey
/// sums: the counters of `call_rollup` (milliseconds for times).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCounters {
    /// Every call (CDR row).
    pub calls: u64,
    /// Calls that joined a queue.
    pub queued: u64,
    /// Outcome `answered`.
    pub answered: u64,
    /// Outcome `abandoned` in the IVR.
    pub abandoned_ivr: u64,
    /// Outcome `abandoned` while waiting in a queue.
    pub abandoned_queue: u64,
    /// Outcome `abandoned` while an agent was being rung.
    pub abandoned_ringing: u64,
    /// Outcome `voicemail`.
    pub voicemail: u64,
    /// Outcome `callback`.
    pub callback: u64,
    /// Outcome `overflow`.
    pub overflow: u64,
    /// Outcome `failed`.
    pub failed: u64,
    /// Outcome `flow_hangup`.
    pub flow_hangup: u64,
    /// Outcome `transferred_out`.
    pub transferred_out: u64,
    /// Outcome `not_reached` (outbound).
    pub not_reached: u64,
    /// Answered calls that waited at most [`WAIT_EDGES_SECS`]`[i]`.
    pub answered_within: [u64; 11],
    /// Calls abandoned in a queue or while ringing that waited at most
    /// [`WAIT_EDGES_SECS`]`[i]`.
    pub abandoned_within: [u64; 11],
    /// Sum of the answered calls' waits.
    pub wait_answered_ms: u64,
    /// Sum of the waits of calls abandoned in a queue or while ringing.
    pub wait_abandoned_ms: u64,
    /// Time spent in the IVR by calls that entered one.
    pub ivr_ms: u64,
    /// Ring time of the answered calls.
    pub ring_ms: u64,
    /// Talk time of the answered calls (hold excluded).
    pub talk_ms: u64,
    /// Hold time of the answered calls.
    pub hold_ms: u64,
    /// Answered calls that were held at least once.
    pub held_calls: u64,
    /// Wrap-up time, over the calls whose wrap-up is known.
    pub wrap_up_ms: u64,
    /// Calls whose wrap-up time is known.
    pub wrap_up_calls: u64,
    /// Callers offered a callback.
    pub callback_offered: u64,
    /// Callbacks in which the customer was reached.
    pub callback_completed: u64,
    /// Sum of the completed callbacks' time from acceptance to reaching
    /// the customer.
    pub callback_delay_ms: u64,
    /// Survey answers on the 1–5 scale: `csat[i]` scored `i + 1`.
    pub csat: [u64; 5],
    /// Survey answers on the 0–10 scale: `nps[i]` scored `i`.
    pub nps: [u64; 11],
}

/// One agent's calls: the counters of `agent_rollup`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCounters {
    /// Offers: answered + rona + rejected.
    pub offered: u64,
    /// Calls the agent answered.
    pub answered: u64,
    /// Offers that rang out (RONA).
    pub rona: u64,
    /// Offers the agent refused.
    pub rejected: u64,
    /// Ring time of the answered calls.
    pub ring_ms: u64,
    /// Talk time of the answered calls.
    pub talk_ms: u64,
    /// Hold time of the answered calls.
    pub hold_ms: u64,
    /// Wrap-up time over the calls whose wrap-up is known.
    pub wrap_up_ms: u64,
    /// Calls whose wrap-up time is known.
    pub wrap_up_calls: u64,
    /// Answered calls with a 1–5 survey score.
    pub surveyed: u64,
    /// Sum of those scores.
    pub survey_sum: u64,
}

fn add_arrays<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

impl AddAssign<&CallCounters> for CallCounters {
    fn add_assign(&mut self, o: &CallCounters) {
        self.calls += o.calls;
        self.queued += o.queued;
        self.answered += o.answered;
        self.abandoned_ivr += o.abandoned_ivr;
        self.abandoned_queue += o.abandoned_queue;
        self.abandoned_ringing += o.abandoned_ringing;
        self.voicemail += o.voicemail;
        self.callback += o.callback;
        self.overflow += o.overflow;
        self.failed += o.failed;
        self.flow_hangup += o.flow_hangup;
        self.transferred_out += o.transferred_out;
        self.not_reached += o.not_reached;
        add_arrays(&mut self.answered_within, &o.answered_within);
        add_arrays(&mut self.abandoned_within, &o.abandoned_within);
        self.wait_answered_ms += o.wait_answered_ms;
        self.wait_abandoned_ms += o.wait_abandoned_ms;
        self.ivr_ms += o.ivr_ms;
        self.ring_ms += o.ring_ms;
        self.talk_ms += o.talk_ms;
        self.hold_ms += o.hold_ms;
        self.held_calls += o.held_calls;
        self.wrap_up_ms += o.wrap_up_ms;
        self.wrap_up_calls += o.wrap_up_calls;
        self.callback_offered += o.callback_offered;
        self.callback_completed += o.callback_completed;
        self.callback_delay_ms += o.callback_delay_ms;
        add_arrays(&mut self.csat, &o.csat);
        add_arrays(&mut self.nps, &o.nps);
    }
}

impl AddAssign<&AgentCounters> for AgentCounters {
    fn add_assign(&mut self, o: &AgentCounters) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.rona += o.rona;
        self.rejected += o.rejected;
        self.ring_ms += o.ring_ms;
        self.talk_ms += o.talk_ms;
        self.hold_ms += o.hold_ms;
        self.wrap_up_ms += o.wrap_up_ms;
        self.wrap_up_calls += o.wrap_up_calls;
        self.surveyed += o.surveyed;
        self.survey_sum += o.survey_sum;
    }
}

/// The index of `secs` in [`WAIT_EDGES_SECS`], if it is one of them.
pub fn wait_edge_index(secs: u32) -> Option<usize> {
    WAIT_EDGES_SECS.iter().position(|&e| e == secs)
}
