//! Choosing among eligible idle agents by the queue's strategy, and saying why.

use model::RoutingStrategy;

use crate::agent::AgentSlot;
use crate::skills;
use crate::time::Instant;

/// A short name for a strategy in offer explanations.
pub(crate) fn name(s: RoutingStrategy) -> &'static str {
    match s {
        RoutingStrategy::LongestIdle => "longest idle",
        RoutingStrategy::FewestCalls => "fewest calls today",
        RoutingStrategy::LeastTalkTime => "least talk time today",
        RoutingStrategy::RoundRobin => "round robin",
        RoutingStrategy::RingAll => "ring all",
        RoutingStrategy::BestSkill => "best skill",
        RoutingStrategy::Sticky => "sticky agent",
    }
}

/// Whether the strategy must look at every eligible agent rather than the first in pool order.
pub(crate) fn scans_all(s: RoutingStrategy) -> bool {
    matches!(s, RoutingStrategy::BestSkill | RoutingStrategy::RingAll)
}

/// The one-line explanation of why `agent` was chosen.
pub(crate) fn detail(s: RoutingStrategy, agent: &AgentSlot, reqs: &[(u16, u8)], now: Instant) -> String {
    match s {
        RoutingStrategy::LongestIdle | RoutingStrategy::Sticky => {
            format!("{}: idle {} s", name(s), now.since(agent.idle_since).as_secs())
        }
        RoutingStrategy::FewestCalls => format!("{}: {}", name(s), agent.calls_today),
        RoutingStrategy::LeastTalkTime => format!("{}: {} s", name(s), agent.talk_today / 1_000_000),
        RoutingStrategy::RoundRobin => format!("{}: next in turn", name(s)),
        RoutingStrategy::RingAll => format!("{}: first to answer", name(s)),
        RoutingStrategy::BestSkill => format!("{}: level sum {}", name(s), skills::score(&agent.levels, reqs)),
    }
}
