//! Time in each state and reason, and occupancy, from the sums of
//! `agent_state_rollup` rows. State names are `AgentState::name()`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ratio::percent;

/// Time in one state (and reason, for not-ready).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StateTime {
    /// The state (`available`, `reserved`, `on_call`, `wrap_up`,
    /// `not_ready`, `do_not_disturb`).
    pub state: String,
    /// The not-ready reason code, if any.
    pub reason: Option<String>,
    /// Milliseconds in it.
    pub ms: u64,
    /// Its share of the logged-in time.
    pub percent: Option<f64>,
}

/// An agent's (or a team's) time by state and reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentStates {
    /// Every (state, reason) in name order.
    pub states: Vec<StateTime>,
    /// Logged-in time: the sum of all state time (the intervals cover
    /// logged-in time only).
    pub logged_in_ms: u64,
    /// Occupancy in percent: (on_call + wrap_up) / (available + reserved
    /// + on_call + wrap_up); none when that is 0.
    pub occupancy_pct: Option<f64>,
    /// The occupancy formula in words.
    pub occupancy_formula: &'static str,
}

/// The state report of rows `(state, reason, ms)`; rows with the same
/// state and reason are added.
pub fn agent_states<'a, I>(rows: I) -> AgentStates
where
    I: IntoIterator<Item = (&'a str, Option<&'a str>, u64)>,
{
    let mut by: BTreeMap<(String, Option<String>), u64> = BTreeMap::new();
    for (state, reason, ms) in rows {
        *by.entry((state.to_string(), reason.map(str::to_string))).or_default() += ms;
    }
    let total =
        |names: &[&str]| -> u64 { by.iter().filter(|((s, _), _)| names.contains(&s.as_str())).map(|(_, ms)| ms).sum() };
    let busy = total(&["on_call", "wrap_up"]);
    let staffed = total(&["available", "reserved", "on_call", "wrap_up"]);
    let logged_in_ms: u64 = by.values().sum();
    let states = by
        .iter()
        .map(|((state, reason), &ms)| StateTime {
            state: state.clone(),
            reason: reason.clone(),
            ms,
            percent: percent(ms, logged_in_ms),
        })
        .collect();
    AgentStates {
        states,
        logged_in_ms,
        occupancy_pct: percent(busy, staffed),
        occupancy_formula: "(on_call + wrap_up) / (available + reserved + on_call + wrap_up)",
    }
}
