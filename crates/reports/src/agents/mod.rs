//! Agent reports ("operator history"): per-agent call figures, time in
//! each state and reason with occupancy, and a team ranking.

mod kpi;
mod ranking;
mod states;

pub use kpi::{AgentKpi, agent_kpi};
pub use ranking::{RANKING_RULE, RankedAgent, Ranking, rank};
pub use states::{AgentStates, StateTime, agent_states};
