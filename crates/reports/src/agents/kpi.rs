//! One agent's call figures from the sum of their `agent_rollup` rows.

use model::ids::AgentId;
use model::report::AgentCounters;
use serde::Serialize;

use crate::ratio::{Ratio, mean_secs};

/// One agent's calls and handling.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentKpi {
    /// The agent.
    pub agent_id: AgentId,
    /// Calls offered (answered + missed + rejected).
    pub offered: u64,
    /// Calls answered.
    pub answered: u64,
    /// Offers that rang out (RONA).
    pub missed: u64,
    /// Offers refused.
    pub rejected: u64,
    /// Answered out of offered.
    pub answer_rate: Ratio,
    /// Average ring time per answered call.
    pub avg_ring_secs: Option<f64>,
    /// Average talk time per answered call.
    pub avg_talk_secs: Option<f64>,
    /// Average hold time per answered call.
    pub avg_hold_secs: Option<f64>,
    /// Average wrap-up per call with a known wrap-up.
    pub avg_wrap_up_secs: Option<f64>,
    /// Average handle time: (talk + hold) / answered + wrap-up / calls
    /// with a known wrap-up.
    pub avg_handle_secs: Option<f64>,
    /// Calls with a 1–5 survey score.
    pub surveyed: u64,
    /// Average survey score (1–5).
    pub survey_avg: Option<f64>,
}

/// The figures of `agent` from the sum `c` of their rollup rows.
pub fn agent_kpi(agent: AgentId, c: &AgentCounters) -> AgentKpi {
    let talk = mean_secs(c.talk_ms, c.answered);
    let hold = mean_secs(c.hold_ms, c.answered);
    let wrap = mean_secs(c.wrap_up_ms, c.wrap_up_calls);
    AgentKpi {
        agent_id: agent,
        offered: c.offered,
        answered: c.answered,
        missed: c.rona,
        rejected: c.rejected,
        answer_rate: Ratio::new(c.answered, c.offered, "calls offered to the agent"),
        avg_ring_secs: mean_secs(c.ring_ms, c.answered),
        avg_talk_secs: talk,
        avg_hold_secs: hold,
        avg_wrap_up_secs: wrap,
        avg_handle_secs: talk.zip(hold).map(|(t, h)| t + h + wrap.unwrap_or(0.0)),
        surveyed: c.surveyed,
        survey_avg: (c.surveyed > 0).then(|| c.survey_sum as f64 / c.surveyed as f64),
    }
}
