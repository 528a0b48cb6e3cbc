//! Offered, answered, unanswered: the answered share, abandonment by the
//! stage the caller gave up in, how long abandoning callers waited, and
//! the calls that came outside business hours.

use model::report::{CallCounters, WAIT_EDGES_SECS};
use serde::Serialize;

use crate::outcomes::Outcomes;
use crate::ratio::{Ratio, percent};

/// The three sums the report needs: every call, the calls that entered an
/// IVR (rollup rows with `via_ivr`) and the calls that arrived outside
/// business hours (rows with `outside_business_hours`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolumeInput {
    /// Every call of the report.
    pub all: CallCounters,
    /// The calls among them that entered an IVR.
    pub via_ivr: CallCounters,
    /// The calls among them that arrived outside business hours.
    pub outside_business_hours: CallCounters,
}

/// Offered, answered and unanswered calls.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VolumeReport {
    /// Every call.
    pub offered: u64,
    /// Answered by an agent.
    pub answered: u64,
    /// Not answered by an agent (offered − answered), whatever the outcome.
    pub unanswered: u64,
    /// Answered out of offered.
    pub answered_share: Ratio,
    /// Abandoned at any stage out of offered.
    pub abandoned_total: Ratio,
    /// Abandoned in the IVR out of the calls that entered an IVR.
    pub abandoned_ivr: Ratio,
    /// Abandoned in the queue out of the calls that joined a queue.
    pub abandoned_queue: Ratio,
    /// Abandoned while ringing out of the calls that were answered or
    /// abandoned while ringing (the calls known to have reached an agent's
    /// phone and ended there).
    pub abandoned_ringing: Ratio,
    /// How long the callers who abandoned in a queue or while ringing
    /// waited.
    pub abandon_times: Vec<WaitBin>,
    /// Every outcome of every call.
    pub outcomes: Outcomes,
    /// The calls that arrived outside business hours.
    pub outside_business_hours: OutsideHours,
}

/// One bin of a wait distribution: `(from_secs, to_secs]`; the last bin
/// is open (`to_secs` none).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaitBin {
    /// The bin as text: "<= 5 s", "5-10 s", … "> 300 s".
    pub label: String,
    /// Lower edge (exclusive; 0 for the first bin, which includes 0).
    pub from_secs: u32,
    /// Upper edge (inclusive); none for the open last bin.
    pub to_secs: Option<u32>,
    /// Calls in the bin.
    pub calls: u64,
    /// Their share of all the calls of the distribution; none if there are
    /// no such calls.
    pub percent: Option<f64>,
}

/// Calls that arrived outside business hours and what became of them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutsideHours {
    /// Their share of all calls.
    pub share: Ratio,
    /// Their outcomes.
    pub outcomes: Outcomes,
}

/// The bins of a cumulative histogram (`within[i]` = calls with a wait of
/// at most `WAIT_EDGES_SECS[i]`) of `total` calls.
pub fn wait_bins(within: &[u64; 11], total: u64) -> Vec<WaitBin> {
    let mut bins = Vec::with_capacity(12);
    let mut below = 0;
    let mut from = 0;
    for (i, &edge) in WAIT_EDGES_SECS.iter().enumerate() {
        let calls = within[i].saturating_sub(below);
        let label = if i == 0 { format!("<= {edge} s") } else { format!("{from}-{edge} s") };
        bins.push(WaitBin { label, from_secs: from, to_secs: Some(edge), calls, percent: percent(calls, total) });
        below = below.max(within[i]);
        from = edge;
    }
    let rest = total.saturating_sub(below);
    bins.push(WaitBin {
        label: format!("> {from} s"),
        from_secs: from,
        to_secs: None,
        calls: rest,
        percent: percent(rest, total),
    });
    bins
}

/// The volume report of `input`.
pub fn volume(input: &VolumeInput) -> VolumeReport {
    let c = &input.all;
    let abandoned = c.abandoned_ivr + c.abandoned_queue + c.abandoned_ringing;
    let waited_abandoned = c.abandoned_queue + c.abandoned_ringing;
    let oh = &input.outside_business_hours;
    VolumeReport {
        offered: c.calls,
        answered: c.answered,
        unanswered: c.calls.saturating_sub(c.answered),
        answered_share: Ratio::new(c.answered, c.calls, "offered calls"),
        abandoned_total: Ratio::new(abandoned, c.calls, "offered calls"),
        abandoned_ivr: Ratio::new(c.abandoned_ivr, input.via_ivr.calls, "calls that entered an IVR"),
        abandoned_queue: Ratio::new(c.abandoned_queue, c.queued, "calls that joined a queue"),
        abandoned_ringing: Ratio::new(
            c.abandoned_ringing,
            c.answered + c.abandoned_ringing,
            "calls answered or abandoned while ringing",
        ),
        abandon_times: wait_bins(&c.abandoned_within, waited_abandoned),
        outcomes: Outcomes::of(c),
        outside_business_hours: OutsideHours {
            share: Ratio::new(oh.calls, c.calls, "offered calls"),
            outcomes: Outcomes::of(oh),
        },
    }
}
