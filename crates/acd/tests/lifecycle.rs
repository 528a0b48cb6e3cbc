//! Offer lifecycle: RONA, reject, wrap-up, abandon, answer.

use acd::{Action, Command, Outcome, ReadyState};
use model::{AgentState, NotReadyReason, RoutingStrategy};

use crate::support::H;

#[test]
fn rona_sends_the_agent_to_not_ready_missed_and_the_call_to_the_next_agent() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.ring_timeout_secs = 20);
    let a = h.agent(q);
    h.at(1.0);
    let b = h.agent(q);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(a));
    h.at(20.9);
    assert!(h.take().is_empty());
    h.at(21.0);
    let log = h.take();
    assert!(log.contains(&Action::CancelOffer { call, agent: a }));
    let missed = AgentState::NotReady { reason: NotReadyReason::Missed };
    assert!(log.contains(&Action::AgentStateChanged { agent: a, state: missed.clone() }));
    assert!(log.iter().any(|x| matches!(x, Action::Offer { agent, .. } if *agent == b)));
    assert_eq!(h.acd.agent_state(a), Some(missed));
}

#[test]
fn rona_puts_the_call_back_at_the_head_of_its_queue() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.ring_timeout_secs = 20);
    let a = h.agent(q);
    let first = h.call(q);
    h.at(1.0);
    let second = h.call(q);
    assert_eq!(h.offered_to(first), Some(a));
    h.at(25.0);
    assert_eq!(h.acd.position(first), Some(1));
    assert_eq!(h.acd.position(second), Some(2));
    let c = h.agent(q);
    assert_eq!(h.offered_to(first), Some(c));
}

#[test]
fn reject_offers_the_call_to_the_next_agent_and_never_back_to_the_rejecter() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let a = h.agent(q);
    h.at(1.0);
    let b = h.agent(q);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(a));
    h.cmd(Command::Rejected { call, agent: a }).unwrap();
    assert_eq!(h.offered_to(call), Some(b));
    assert_eq!(h.acd.agent_state(a), Some(AgentState::Available));
    h.cmd(Command::Rejected { call, agent: b }).unwrap();
    assert_eq!(h.offered_to(call), None, "both declined: the call waits");
    assert_eq!(h.acd.position(call), Some(1));
}

#[test]
fn wrap_up_keeps_the_agent_from_calls_until_the_timer_ends() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.wrap_up_secs = 30);
    let a = h.agent(q);
    let first = h.call(q);
    h.offers();
    h.serve(first, a, 10.0);
    assert_eq!(h.acd.agent_state(a), Some(AgentState::WrapUp));
    h.at(15.0);
    let second = h.call(q);
    assert_eq!(h.offered_to(second), None);
    h.at(39.9);
    assert_eq!(h.offered_to(second), None);
    h.at(40.0);
    assert_eq!(h.offered_to(second), Some(a));
}

#[test]
fn ending_wrap_up_early_makes_the_agent_available_at_once() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.wrap_up_secs = 300);
    let a = h.agent(q);
    let first = h.call(q);
    h.offers();
    h.serve(first, a, 10.0);
    let second = h.call(q);
    h.cmd(Command::EndWrapUp { agent: a }).unwrap();
    assert_eq!(h.offered_to(second), Some(a));
}

#[test]
fn abandon_while_ringing_cancels_the_offer_and_frees_the_agent() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let a = h.agent(q);
    let call = h.call(q);
    h.take();
    h.at(4.0);
    h.cmd(Command::Abandoned { call }).unwrap();
    let log = h.take();
    assert!(log.contains(&Action::CancelOffer { call, agent: a }));
    assert!(
        log.iter()
            .any(|x| matches!(x, Action::Finished { outcome: Outcome::Abandoned { while_ringing: true, .. }, .. }))
    );
    assert_eq!(h.acd.agent_state(a), Some(AgentState::Available));
}

#[test]
fn answer_reports_the_wait_and_the_agent() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let call = h.call(q);
    h.at(12.0);
    let a = h.agent(q);
    h.take();
    h.at(15.0);
    h.answer(call, a);
    let log = h.take();
    let wait = std::time::Duration::from_secs(15);
    assert!(log.iter().any(|x| matches!(x,
        Action::Finished { outcome: Outcome::Answered { agent, wait: w }, .. } if *agent == a && *w == wait)));
}

#[test]
fn bad_commands_are_refused_with_an_error_and_change_nothing() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let a = h.agent(q);
    let stranger = model::CallId(uuid::Uuid::from_u128(999));
    assert!(matches!(h.cmd(Command::Answered { call: stranger, agent: a }), Err(acd::AcdError::UnknownCall(_))));
    assert!(matches!(h.cmd(Command::CallEnded { call: stranger }), Err(acd::AcdError::UnknownCall(_))));
    let nobody = model::AgentId(uuid::Uuid::from_u128(998));
    assert!(matches!(h.cmd(Command::LogOut { agent: nobody }), Err(acd::AcdError::UnknownAgent(_))));
    let call = h.call(q);
    h.answer(call, a);
    assert!(matches!(
        h.cmd(Command::SetAgentState { agent: a, state: ReadyState::Available }),
        Err(acd::AcdError::AgentBusy(_))
    ));
    assert!(matches!(h.cmd(Command::Abandoned { call }), Err(acd::AcdError::NotWaiting(_))));
    assert_eq!(h.acd.agent_state(a), Some(AgentState::OnCall));
}
