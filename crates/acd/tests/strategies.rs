//! Each routing strategy picks the agent it promises.

use acd::{Action, ReadyState};
use model::{NotReadyReason, RoutingStrategy};

use crate::support::{H, skill};

#[test]
fn longest_idle_offers_the_agent_idle_the_longest() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let a = h.agent(q);
    h.at(10.0);
    let b = h.agent(q);
    h.at(11.0);
    h.set_state(a, ReadyState::NotReady(NotReadyReason::Break));
    h.at(12.0);
    h.set_state(a, ReadyState::Available);
    h.at(15.0);
    let _c = h.agent(q);
    h.take();
    h.at(20.0);
    let call = h.call(q);
    // Idle since: b 10 s, a 12 s (back from a break), c 15 s.
    assert_eq!(h.offered_to(call), Some(b));
}

#[test]
fn fewest_calls_offers_the_agent_with_fewest_calls_today() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::FewestCalls, |_| {});
    let a = h.agent(q);
    for _ in 0..2 {
        let call = h.call(q);
        assert_eq!(h.offered_to(call), Some(a));
        h.serve(call, a, 1.0);
    }
    let b = h.agent(q);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(b));
    h.serve(call, b, 1.0);
    h.at(100.0);
    let c = h.agent(q);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(c), "c has no call today although a and b were idle longer");
}

#[test]
fn least_talk_time_offers_the_agent_with_least_talk_today() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LeastTalkTime, |_| {});
    let a = h.agent(q);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(a));
    h.serve(call, a, 300.0);
    let b = h.agent(q);
    for _ in 0..3 {
        let call = h.call(q);
        assert_eq!(h.offered_to(call), Some(b));
        h.serve(call, b, 10.0);
    }
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(b), "b talked 30 s over three calls, a 300 s over one");
}

#[test]
fn round_robin_takes_agents_in_turn_whatever_their_idle_time() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::RoundRobin, |_| {});
    let a = h.agent(q);
    let b = h.agent(q);
    let c = h.agent(q);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(a));
    h.serve(call, a, 1.0);
    // b becomes idle most recently: longest-idle would skip it, round robin does not.
    h.set_state(b, ReadyState::NotReady(NotReadyReason::Break));
    h.at(2.0);
    h.set_state(b, ReadyState::Available);
    let mut order = Vec::new();
    for _ in 0..3 {
        let call = h.call(q);
        let got = h.offered_to(call).unwrap();
        order.push(got);
        h.serve(call, got, 1.0);
    }
    assert_eq!(order, [b, c, a]);
}

#[test]
fn ring_all_rings_every_eligible_agent_and_the_first_answer_wins() {
    let mut h = H::new();
    let s = skill(1);
    let q = h.queue(RoutingStrategy::RingAll, |q| {
        q.required_skills = vec![model::SkillRequirement { skill_id: s, min_level: 3 }];
    });
    let a = h.agent_with(&[(q, 1)], &[(s, 5)], 0);
    let b = h.agent_with(&[(q, 1)], &[(s, 3)], 0);
    let _junior = h.agent_with(&[(q, 1)], &[(s, 1)], 0);
    let call = h.call(q);
    let mut rung: Vec<_> = h.offers().into_iter().map(|o| o.1).collect();
    rung.sort();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(rung, expected);
    h.answer(call, b);
    let log = h.take();
    assert!(log.contains(&Action::CancelOffer { call, agent: a }));
    assert_eq!(h.acd.agent_state(a), Some(model::AgentState::Available));
    assert_eq!(h.acd.agent_state(b), Some(model::AgentState::OnCall));
}

#[test]
fn best_skill_offers_the_most_skilled_eligible_agent() {
    let mut h = H::new();
    let s = skill(1);
    let q = h.queue(RoutingStrategy::BestSkill, |q| {
        q.required_skills = vec![model::SkillRequirement { skill_id: s, min_level: 3 }];
    });
    let _a = h.agent_with(&[(q, 1)], &[(s, 5)], 0);
    let b = h.agent_with(&[(q, 1)], &[(s, 9)], 0);
    let _c = h.agent_with(&[(q, 1)], &[(s, 7)], 0);
    let call = h.call(q);
    let log = h.take();
    let reason = log.iter().find_map(|a| match a {
        Action::Offer { agent, reason, .. } if *agent == b => Some(reason.clone()),
        _ => None,
    });
    let reason = reason.expect("offered to the level-9 agent");
    assert_eq!(reason.strategy, RoutingStrategy::BestSkill);
    assert_eq!(reason.skills[0].level, 9);
    assert!(h.acd.position(call).is_none());
}

#[test]
fn sticky_agent_gets_the_returning_caller_over_a_longer_idle_agent() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::Sticky, |_| {});
    let a = h.agent(q);
    h.at(5.0);
    let b = h.agent(q);
    h.cmd(acd::Command::RememberCaller { caller: "+4420".into(), agent: b, served_at: h.now }).unwrap();
    h.at(60.0);
    let call = h.call_with(q, 0, 0, Some("+4420"));
    let log = h.take();
    let detail = log.iter().find_map(|x| match x {
        Action::Offer { agent, reason, .. } if *agent == b => Some(reason.detail.clone()),
        _ => None,
    });
    assert!(detail.unwrap().starts_with("sticky"), "offered to b, the sticky agent");
    let _ = (a, call);
}

#[test]
fn sticky_call_waits_for_its_busy_agent_then_goes_to_anyone() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::Sticky, |q| q.routing.sticky.wait_secs = 20);
    let b = h.agent(q);
    let first = h.call_with(q, 0, 0, Some("+4420"));
    assert_eq!(h.offered_to(first), Some(b));
    h.answer(first, b);
    h.at(1.0);
    let a = h.agent(q);
    h.take();
    h.at(10.0);
    h.end(first);
    h.cmd(acd::Command::SetAgentState { agent: b, state: ReadyState::NotReady(NotReadyReason::Break) }).unwrap();
    let again = h.call_with(q, 0, 0, Some("+4420"));
    assert_eq!(h.offered_to(again), None, "held for b although a is idle");
    h.at(29.9);
    assert_eq!(h.offered_to(again), None);
    h.at(30.0);
    assert_eq!(h.offered_to(again), Some(a), "after the sticky wait anyone may take it");
}

#[test]
fn sticky_call_does_not_wait_for_a_logged_out_agent() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::Sticky, |q| q.routing.sticky.wait_secs = 60);
    let b = h.agent(q);
    let a = h.agent(q);
    h.cmd(acd::Command::SetAgentState { agent: a, state: ReadyState::DoNotDisturb }).unwrap();
    h.cmd(acd::Command::RememberCaller { caller: "+4420".into(), agent: b, served_at: h.now }).unwrap();
    h.cmd(acd::Command::LogOut { agent: b }).unwrap();
    h.cmd(acd::Command::SetAgentState { agent: a, state: ReadyState::Available }).unwrap();
    let call = h.call_with(q, 0, 0, Some("+4420"));
    assert_eq!(h.offered_to(call), Some(a));
}
