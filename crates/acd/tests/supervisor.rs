//! Supervisor commands: move, assign, change priority, set agent state.

use acd::{Command, ReadyState};
use model::{NotReadyReason, RoutingStrategy};

use crate::support::H;

#[test]
fn supervisor_move_sends_a_waiting_call_to_another_queue() {
    let mut h = H::new();
    let sales = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let support = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let s = h.agent(support);
    h.set_state(s, ReadyState::DoNotDisturb);
    let call = h.call(sales);
    h.set_state(s, ReadyState::Available);
    assert_eq!(h.offered_to(call), None);
    h.cmd(Command::MoveCall { call, queue: support }).unwrap();
    assert_eq!(h.offered_to(call), Some(s));
}

#[test]
fn supervisor_assign_offers_a_call_to_a_named_agent_but_not_below_the_vip_floor() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let other = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let named = h.agent(other);
    let vip = h.call_with(q, 0, 1, None);
    assert!(matches!(h.cmd(Command::AssignCall { call: vip, agent: named }), Err(acd::AcdError::NotEligible { .. })));
    let call = h.call(q);
    h.cmd(Command::AssignCall { call, agent: named }).unwrap();
    assert_eq!(h.offered_to(call), Some(named));
    let third = h.call(q);
    assert!(matches!(
        h.cmd(Command::AssignCall { call: third, agent: named }),
        Err(acd::AcdError::AgentNotAvailable(_))
    ));
}

#[test]
fn supervisor_priority_change_reorders_the_queue() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let first = h.call(q);
    let second = h.call(q);
    h.cmd(Command::SetPriority { call: second, priority: 10 }).unwrap();
    assert_eq!(h.acd.position(second), Some(1));
    assert_eq!(h.acd.position(first), Some(2));
}

#[test]
fn supervisor_sets_an_agent_state_and_routing_follows() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let a = h.agent(q);
    h.set_state(a, ReadyState::NotReady(NotReadyReason::Custom("coaching".into())));
    let call = h.call(q);
    assert_eq!(h.offered_to(call), None);
    h.set_state(a, ReadyState::Available);
    assert_eq!(h.offered_to(call), Some(a));
}

#[test]
fn a_call_transferred_to_a_named_agent_is_offered_to_them_ahead_of_longer_idle_agents() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let idle_longest = h.agent(q);
    h.at(10.0);
    let named = h.agent(q);
    let call = model::CallId::new();
    let new = acd::NewCall { call, queue: q, priority: 0, vip: model::VipTier(0), caller: None, skills: Vec::new() };
    h.cmd(Command::TransferToAgent { call: new, agent: named }).unwrap();
    assert_eq!(h.offers(), vec![(call, named)], "only the named agent is offered the call");
    assert_ne!(named, idle_longest);
}

#[test]
fn a_transfer_to_a_busy_agent_is_refused_and_the_call_is_not_taken_in() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let named = h.agent(q);
    let first = h.call(q);
    assert_eq!(h.offered_to(first), Some(named));
    let call = model::CallId::new();
    let new = acd::NewCall { call, queue: q, priority: 0, vip: model::VipTier(0), caller: None, skills: Vec::new() };
    let refused = h.cmd(Command::TransferToAgent { call: new.clone(), agent: named });
    assert!(matches!(refused, Err(acd::AcdError::AgentNotAvailable(a)) if a == named));
    h.cmd(Command::Enqueue(new)).expect("the refused call was not recorded: it may be enqueued afterwards");
}

#[test]
fn a_transferred_call_the_named_agent_does_not_answer_waits_for_anyone_in_the_queue() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let named = h.agent(q);
    let call = model::CallId::new();
    let new = acd::NewCall { call, queue: q, priority: 0, vip: model::VipTier(0), caller: None, skills: Vec::new() };
    h.cmd(Command::TransferToAgent { call: new, agent: named }).unwrap();
    assert_eq!(h.offered_to(call), Some(named));
    h.cmd(Command::Rejected { call, agent: named }).unwrap();
    let other = h.agent(q);
    assert_eq!(h.offered_to(call), Some(other), "after the refusal the call goes to the next free agent");
}

#[test]
fn a_connected_call_transferred_to_a_free_agent_sends_the_first_agent_to_wrap_up() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |c| c.wrap_up_secs = 30);
    let first = h.agent(q);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(first));
    h.answer(call, first);
    let named = h.agent(q);
    let new = acd::NewCall { call, queue: q, priority: 0, vip: model::VipTier(0), caller: None, skills: Vec::new() };
    h.cmd(Command::TransferToAgent { call: new, agent: named }).unwrap();
    assert_eq!(h.offered_to(call), Some(named));
    let next = h.call(q);
    assert_eq!(h.offered_to(next), None, "the first agent is in wrap-up, the named one reserved");
}

#[test]
fn a_connected_call_whose_transfer_is_refused_stays_with_its_agent() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let first = h.agent(q);
    let named = h.agent(q);
    h.set_state(named, ReadyState::DoNotDisturb);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(first));
    h.answer(call, first);
    let new = acd::NewCall { call, queue: q, priority: 0, vip: model::VipTier(0), caller: None, skills: Vec::new() };
    assert!(h.cmd(Command::TransferToAgent { call: new, agent: named }).is_err());
    h.end(call);
}

#[test]
fn an_agent_on_an_outbound_call_gets_no_offers_until_its_wrap_up_ends() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |c| c.wrap_up_secs = 10);
    let agent = h.agent(q);
    let outbound = model::CallId::new();
    h.cmd(Command::Outbound { call: outbound, agent }).unwrap();
    let inbound = h.call(q);
    assert_eq!(h.offered_to(inbound), None, "the agent is on their own call");
    assert!(matches!(h.cmd(Command::Outbound { call: model::CallId::new(), agent }), Err(acd::AcdError::AgentBusy(_))));
    h.at(5.0);
    h.end(outbound);
    h.at(14.0);
    assert_eq!(h.offered_to(inbound), None, "in wrap-up after the outbound call");
    h.at(16.0);
    assert_eq!(h.offered_to(inbound), Some(agent), "free again once the wrap-up is over");
}

#[test]
fn a_call_taken_over_frees_its_agent_and_keeps_a_logged_in_supervisor_busy_until_it_ends() {
    // The call layer's take-over: `CallEnded` for the agent, then `Outbound`
    // putting the supervisor's own agent profile on the same call.
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |c| c.wrap_up_secs = 0);
    let agent = h.agent(q);
    let supervisor = h.agent(q);
    h.set_state(supervisor, ReadyState::DoNotDisturb);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(agent));
    h.answer(call, agent);
    h.set_state(supervisor, ReadyState::Available);
    h.end(call);
    h.cmd(Command::Outbound { call, agent: supervisor }).unwrap();
    let next = h.call(q);
    assert_eq!(h.offered_to(next), Some(agent), "the agent is free, the supervisor is on the taken call");
    h.answer(next, agent);
    let third = h.call(q);
    assert_eq!(h.offered_to(third), None);
    h.end(call);
    assert_eq!(h.offered_to(third), Some(supervisor), "free once the taken call ends");
    let stranger = model::AgentId::new();
    assert!(h.cmd(Command::Outbound { call: model::CallId::new(), agent: stranger }).is_err(), "not an agent");
}
