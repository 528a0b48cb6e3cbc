//! A team's ranking of agents.

use std::cmp::Ordering;

use serde::Serialize;

use super::AgentKpi;

/// The ranking rule, as the report states it.
pub const RANKING_RULE: &str = "more answered calls first; equal answered calls: lower average \
handle time first (an agent with no handle time last); agents equal on both share a rank \
(1, 2, 2, 4) and are listed by agent id";

/// One line of a ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankedAgent {
    /// The rank, from 1; equal agents share one.
    pub rank: u32,
    /// The agent's figures.
    pub agent: AgentKpi,
}

/// A team ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranking {
    /// The rule used.
    pub rule: &'static str,
    /// The agents, best first.
    pub agents: Vec<RankedAgent>,
}

fn by_merit(a: &AgentKpi, b: &AgentKpi) -> Ordering {
    b.answered.cmp(&a.answered).then_with(|| match (a.avg_handle_secs, b.avg_handle_secs) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    })
}

/// Ranks `agents` by [`RANKING_RULE`].
pub fn rank(mut agents: Vec<AgentKpi>) -> Ranking {
    agents.sort_by(|a, b| by_merit(a, b).then_with(|| a.agent_id.cmp(&b.agent_id)));
    let mut out: Vec<RankedAgent> = Vec::with_capacity(agents.len());
    for (i, agent) in agents.into_iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if by_merit(&prev.agent, &agent) == Ordering::Equal => prev.rank,
            _ => u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        out.push(RankedAgent { rank, agent });
    }
    Ranking { rule: RANKING_RULE, agents: out }
}
