//! Skills with expansion steps, VIP floors, priority and cross-queue fairness.

use acd::{Action, Command};
use model::{QueueId, RoutingStrategy, SkillRequirement, SkillStep};

use crate::support::{H, skill};

fn req(n: u128, min_level: u8) -> SkillRequirement {
    SkillRequirement { skill_id: skill(n), min_level }
}

#[test]
fn skill_expansion_relaxes_the_level_exactly_at_the_step_time() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.required_skills = vec![req(1, 7)];
        q.routing.skill_steps =
            vec![SkillStep { after_secs: 30, required_skills: vec![req(1, 4)], extra_queues: vec![] }];
    });
    let a = h.agent_with(&[(q, 1)], &[(skill(1), 5)], 0);
    h.at(10.0);
    let call = h.call(q);
    h.at(39.999);
    assert_eq!(h.offered_to(call), None, "level 5 is below 7 for the first 30 s");
    h.at(40.0);
    let log = h.take();
    let reason = log.iter().find_map(|x| match x {
        Action::Offer { agent, reason, .. } if *agent == a => Some(reason.clone()),
        _ => None,
    });
    let reason = reason.expect("offered at the step");
    assert_eq!(reason.step, 1);
    assert_eq!((reason.skills[0].required, reason.skills[0].level), (4, 5));
}

#[test]
fn skill_expansion_lets_an_overflow_group_join_after_its_step() {
    let mut h = H::new();
    let helpers = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.routing.skill_steps =
            vec![SkillStep { after_secs: 90, required_skills: vec![], extra_queues: vec![helpers] }];
    });
    let helper = h.agent(helpers);
    let call = h.call(q);
    h.at(89.0);
    assert_eq!(h.offered_to(call), None);
    h.at(90.0);
    assert_eq!(h.offered_to(call), Some(helper));
}

#[test]
fn an_idle_overflow_group_agent_picks_up_a_call_already_past_its_step() {
    let mut h = H::new();
    let helpers = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.routing.skill_steps =
            vec![SkillStep { after_secs: 90, required_skills: vec![], extra_queues: vec![helpers] }];
    });
    let call = h.call(q);
    h.at(100.0);
    let helper = h.agent(helpers);
    assert_eq!(h.offered_to(call), Some(helper));
}

#[test]
fn a_vip_call_is_never_offered_to_a_junior_agent() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let _junior = h.agent_with(&[(q, 1)], &[], 0);
    let call = h.call_with(q, 0, 2, None);
    h.at(3000.0);
    assert_eq!(h.offered_to(call), None);
    let senior = h.agent_with(&[(q, 1)], &[], 2);
    assert_eq!(h.offered_to(call), Some(senior));
}

#[test]
fn a_vip_floor_relaxes_only_after_the_queues_stated_wait() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.routing.vip_relax_after_secs = Some(120));
    let junior = h.agent_with(&[(q, 1)], &[], 0);
    let call = h.call_with(q, 0, 3, None);
    h.at(119.0);
    assert_eq!(h.offered_to(call), None);
    h.at(120.0);
    assert_eq!(h.offered_to(call), Some(junior));
}

#[test]
fn higher_priority_is_served_first_and_equal_priority_in_arrival_order() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let low = h.call_with(q, 0, 0, None);
    h.at(1.0);
    let high = h.call_with(q, 5, 0, None);
    h.at(2.0);
    let low2 = h.call_with(q, 0, 0, None);
    assert_eq!([h.acd.position(high), h.acd.position(low), h.acd.position(low2)], [Some(1), Some(2), Some(3)]);
    let a = h.agent(q);
    assert_eq!(h.offered_to(high), Some(a));
}

#[test]
fn priority_aging_lets_a_long_waiting_call_pass_a_newer_higher_priority_one() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.priority_aging_per_min = 1);
    let old = h.call_with(q, 0, 0, None);
    h.at(240.0);
    let newer = h.call_with(q, 3, 0, None);
    assert_eq!(h.acd.effective_priority(old, h.now), Some(4));
    assert_eq!(h.acd.effective_priority(newer, h.now), Some(3));
    assert_eq!(h.acd.position(old), Some(1));
    let a = h.agent(q);
    assert_eq!(h.offered_to(old), Some(a));
}

#[test]
fn an_agent_in_two_queues_gets_the_call_with_the_longest_weighted_wait() {
    let mut h = H::new();
    let light = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let heavy = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let from_light = h.call(light);
    h.at(10.0);
    let from_heavy = h.call(heavy);
    h.at(30.0);
    // Waits: light 30 s × weight 1 = 30, heavy 20 s × weight 3 = 60.
    let a = h.agent_with(&[(light, 1), (heavy, 3)], &[], 0);
    assert_eq!(h.offered_to(from_heavy), Some(a));
    let _ = from_light;
}

#[test]
fn cross_queue_choice_prefers_effective_priority_over_weighted_wait() {
    let mut h = H::new();
    let light = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let heavy = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let urgent = h.call_with(light, 2, 0, None);
    let normal = h.call(heavy);
    h.at(30.0);
    let a = h.agent_with(&[(light, 1), (heavy, 100)], &[], 0);
    assert_eq!(h.offered_to(urgent), Some(a));
    let _ = normal;
}

#[test]
fn an_agent_missing_a_skill_is_skipped_for_a_later_agent_who_has_it() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.required_skills = vec![req(2, 1)]);
    let _lacks = h.agent_with(&[(q, 1)], &[], 0);
    h.at(5.0);
    let has = h.agent_with(&[(q, 1)], &[(skill(2), 1)], 0);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(has));
}

#[test]
fn unknown_queue_in_a_membership_is_refused() {
    let mut h = H::new();
    let profile = acd::AgentProfile {
        queues: vec![model::QueueMembership { queue_id: QueueId(uuid::Uuid::from_u128(77)), weight: 1 }],
        ..Default::default()
    };
    let agent = model::AgentId(uuid::Uuid::from_u128(78));
    assert!(matches!(h.cmd(Command::LogIn { agent, profile }), Err(acd::AcdError::UnknownQueue(_))));
}

#[test]
fn a_vip_call_rejected_after_ringing_still_relaxes_at_the_stated_wait() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.routing.vip_relax_after_secs = Some(60);
        q.ring_timeout_secs = 20;
    });
    let junior = h.agent_with(&[(q, 1)], &[], 0);
    let call = h.call_with(q, 0, 1, None);
    h.at(40.0);
    // The senior is rung until 60 s, the very instant the floor relaxes.
    let senior = h.agent_with(&[(q, 1)], &[], 1);
    assert_eq!(h.offered_to(call), Some(senior));
    h.at(50.0);
    h.cmd(Command::Rejected { call, agent: senior }).unwrap();
    assert_eq!(h.offered_to(call), None);
    h.at(60.0);
    assert_eq!(h.offered_to(call), Some(junior));
}

#[test]
fn a_call_that_needs_a_skill_of_its_own_goes_only_to_agents_who_have_it_at_every_step() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |c| {
        c.routing.skill_steps =
            vec![SkillStep { after_secs: 10, required_skills: vec![], extra_queues: Vec::<QueueId>::new() }];
    });
    let english = h.agent_with(&[(q, 1)], &[(skill(1), 9)], 0);
    h.at(1.0);
    let spanish = h.agent_with(&[(q, 1)], &[(skill(2), 6)], 0);
    let call = acd::NewCall {
        call: model::CallId::new(),
        queue: q,
        priority: 0,
        vip: model::VipTier(0),
        caller: None,
        skills: vec![req(2, 5)],
    };
    let id = call.call;
    h.cmd(Command::Enqueue(call)).unwrap();
    let offers = h.offers();
    assert_eq!(offers, vec![(id, spanish)], "passed over the longer-idle agent without the skill");
    assert_ne!(english, spanish);
    h.cmd(Command::Rejected { call: id, agent: spanish }).unwrap();
    h.at(30.0);
    assert!(
        h.offers().iter().all(|o| o.1 != english),
        "the call's own skill holds after the queue's expansion step too"
    );
}

#[test]
fn a_call_skill_level_outside_1_to_10_is_refused() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let call = acd::NewCall {
        call: model::CallId::new(),
        queue: q,
        priority: 0,
        vip: model::VipTier(0),
        caller: None,
        skills: vec![req(2, 11)],
    };
    assert!(matches!(h.cmd(Command::Enqueue(call)), Err(acd::AcdError::Invalid { .. })));
}
