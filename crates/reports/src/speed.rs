//! Speed of answer and handling: ASA, wait-time percentiles from the
//! answered-within histogram, and average ring, talk, hold, wrap-up and
//! handle times.

use model::report::{CallCounters, WAIT_EDGES_SECS};
use serde::Serialize;

use crate::ratio::mean_secs;

/// The percentiles of the answered calls' wait the report gives.
pub const PERCENTILES: [u8; 4] = [50, 80, 90, 95];

/// How the percentiles are estimated, as the report states it.
pub const PERCENTILE_METHOD: &str = "from the answered-within histogram (edges 5 10 15 20 30 45 60 90 120 180 300 s): \
the p-th percentile is the wait below which p % of answered calls fall, found by linear \
interpolation inside its bin (the first bin from 0 s); one in the open last bin is reported as \"> 300 s\"";

/// A wait percentile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Percentile {
    /// Which percentile (50, 80, 90, 95).
    pub p: u8,
    /// The wait in seconds; none when it lies beyond the last edge or no
    /// call was answered.
    pub secs: Option<f64>,
    /// The wait as text: "12.5 s", "> 300 s" or "no answered calls".
    pub text: String,
}

/// Speed of answer and handling times of the answered calls.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpeedReport {
    /// Answered calls.
    pub answered: u64,
    /// Average speed of answer: total wait / answered calls (seconds).
    pub asa_secs: Option<f64>,
    /// Average wait of the calls abandoned in a queue or while ringing.
    pub avg_abandon_wait_secs: Option<f64>,
    /// p50, p80, p90, p95 of the answered calls' wait.
    pub wait_percentiles: Vec<Percentile>,
    /// How the percentiles are estimated.
    pub percentile_method: &'static str,
    /// Average ring time per answered call.
    pub avg_ring_secs: Option<f64>,
    /// Average talk time per answered call (hold excluded).
    pub avg_talk_secs: Option<f64>,
    /// Average hold time per answered call.
    pub avg_hold_secs: Option<f64>,
    /// Average hold time per call that was held.
    pub avg_hold_per_held_call_secs: Option<f64>,
    /// Average wrap-up per call whose wrap-up is known.
    pub avg_wrap_up_secs: Option<f64>,
    /// Average handle time: talk + hold per answered call + wrap-up per
    /// call with a known wrap-up (ring excluded).
    pub avg_handle_secs: Option<f64>,
    /// The handle-time formula in words.
    pub handle_formula: &'static str,
}

/// The `p`-th percentile of a cumulative histogram of `total` calls.
pub fn percentile(within: &[u64; 11], total: u64, p: u8) -> Percentile {
    if total == 0 {
        return Percentile { p, secs: None, text: "no answered calls".into() };
    }
    let rank = f64::from(p) / 100.0 * total as f64;
    let mut below = 0u64;
    let mut from = 0.0;
    for (i, &edge) in WAIT_EDGES_SECS.iter().enumerate() {
        let upto = within[i].max(below);
        let to = f64::from(edge);
        if upto as f64 >= rank && upto > below {
            let secs = from + (rank - below as f64) / (upto - below) as f64 * (to - from);
            return Percentile { p, secs: Some(secs), text: format!("{:.1} s", secs) };
        }
        below = upto;
        from = to;
    }
    Percentile { p, secs: None, text: format!("> {} s", WAIT_EDGES_SECS[10]) }
}

/// The speed-and-handling report of `c`.
pub fn speed(c: &CallCounters) -> SpeedReport {
    let talk = mean_secs(c.talk_ms, c.answered);
    let hold = mean_secs(c.hold_ms, c.answered);
    let wrap = mean_secs(c.wrap_up_ms, c.wrap_up_calls);
    let handle = match (talk, hold) {
        (Some(t), Some(h)) => Some(t + h + wrap.unwrap_or(0.0)),
        _ => None,
    };
    SpeedReport {
        answered: c.answered,
        asa_secs: mean_secs(c.wait_answered_ms, c.answered),
        avg_abandon_wait_secs: mean_secs(c.wait_abandoned_ms, c.abandoned_queue + c.abandoned_ringing),
        wait_percentiles: PERCENTILES.iter().map(|&p| percentile(&c.answered_within, c.answered, p)).collect(),
        percentile_method: PERCENTILE_METHOD,
        avg_ring_secs: mean_secs(c.ring_ms, c.answered),
        avg_talk_secs: talk,
        avg_hold_secs: hold,
        avg_hold_per_held_call_secs: mean_secs(c.hold_ms, c.held_calls),
        avg_wrap_up_secs: wrap,
        avg_handle_secs: handle,
        handle_formula: "(talk + hold) / answered + wrap-up / calls with a known wrap-up",
    }
}
