//! What became of a set of calls: one count per outcome.

use model::report::CallCounters;
use serde::Serialize;

/// Calls by outcome (the CDR's outcome; abandons by stage).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Outcomes {
    /// Every call.
    pub calls: u64,
    /// Answered by an agent.
    pub answered: u64,
    /// Hung up in the IVR.
    pub abandoned_ivr: u64,
    /// Hung up waiting in a queue.
    pub abandoned_queue: u64,
    /// Hung up while an agent was rung.
    pub abandoned_ringing: u64,
    /// Left a voicemail.
    pub voicemail: u64,
    /// Asked for a callback.
    pub callback: u64,
    /// Sent to an overflow target.
    pub overflow: u64,
    /// Failed (technical).
    pub failed: u64,
    /// Ended by the flow (a hang-up node, closed hours).
    pub flow_hangup: u64,
    /// Transferred out of the platform.
    pub transferred_out: u64,
    /// Outbound calls that did not reach the customer.
    pub not_reached: u64,
}

impl Outcomes {
    /// The outcome counts of `c`.
    pub fn of(c: &CallCounters) -> Self {
        Outcomes {
            calls: c.calls,
            answered: c.answered,
            abandoned_ivr: c.abandoned_ivr,
            abandoned_queue: c.abandoned_queue,
            abandoned_ringing: c.abandoned_ringing,
            voicemail: c.voicemail,
            callback: c.callback,
            overflow: c.overflow,
            failed: c.failed,
            flow_hangup: c.flow_hangup,
            transferred_out: c.transferred_out,
            not_reached: c.not_reached,
        }
    }

    /// `(name, count)` for each outcome, in field order (without `calls`).
    pub fn named(&self) -> [(&'static str, u64); 11] {
        [
            ("answered", self.answered),
            ("abandoned_ivr", self.abandoned_ivr),
            ("abandoned_queue", self.abandoned_queue),
            ("abandoned_ringing", self.abandoned_ringing),
            ("voicemail", self.voicemail),
            ("callback", self.callback),
            ("overflow", self.overflow),
            ("failed", self.failed),
            ("flow_hangup", self.flow_hangup),
            ("transferred_out", self.transferred_out),
            ("not_reached", self.not_reached),
        ]
    }
}
