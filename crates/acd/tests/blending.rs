//! Blending: back-office agents help while the wait is long.

use acd::ReadyState;
use model::{AgentState, NotReadyReason, RoutingStrategy};

use crate::support::H;

#[test]
fn back_office_agents_take_calls_only_while_the_estimated_wait_is_over_the_threshold() {
    let mut h = H::new();
    // Two staffed agents, no history: 90 s per place in the queue.
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.routing.blending_threshold_secs = Some(100));
    let front = h.agent(q);
    let back = h.agent(q);
    h.set_state(back, ReadyState::NotReady(NotReadyReason::BackOffice));
    let busy = h.call(q);
    h.serve_keep(busy, front);
    let first = h.call(q);
    assert_eq!(h.offered_to(first), None, "one waiting: 90 s is under 100 s");
    let second = h.call(q);
    assert_eq!(h.offered_to(first), Some(back), "two waiting: 180 s is over, the head goes to back office");
    h.serve(first, back, 20.0);
    let back_office = AgentState::NotReady { reason: NotReadyReason::BackOffice };
    assert_eq!(h.acd.agent_state(back), Some(back_office), "returns to back office after the call");
    assert_eq!(h.acd.position(second), Some(1));
}
