//! Bad input never panics: arbitrary commands over small id spaces (so
//! unknown, duplicate and out-of-state ids are common), with out-of-range
//! levels and weights, are either applied or refused with an error, and a
//! refused command emits nothing.

use acd::{AgentProfile, Command, Engine, Instant, NewCall, ReadyState};
use model::{AgentId, AgentSkill, CallId, NotReadyReason, QueueId, QueueMembership, RoutingStrategy, VipTier};
use proptest::prelude::*;
use uuid::Uuid;

use crate::support::{queue_config, skill};

fn queue(i: u8) -> QueueId {
    QueueId(Uuid::from_u128(1 + u128::from(i)))
}

fn agent(i: u8) -> AgentId {
    AgentId(Uuid::from_u128(100 + u128::from(i)))
}

fn call(i: u8) -> CallId {
    CallId(Uuid::from_u128(1000 + u128::from(i)))
}

fn command() -> impl Strategy<Value = Command> {
    let q = 0..4u8;
    let a = 0..5u8;
    let c = 0..8u8;
    prop_oneof![
        (q.clone(), 0..7usize, 0..12u8, 0..40u32).prop_map(|(i, s, level, ring)| {
            let strategies = [
                RoutingStrategy::LongestIdle,
                RoutingStrategy::FewestCalls,
                RoutingStrategy::LeastTalkTime,
                RoutingStrategy::RoundRobin,
                RoutingStrategy::RingAll,
                RoutingStrategy::BestSkill,
                RoutingStrategy::Sticky,
            ];
            let mut config = queue_config(strategies[s]);
            config.ring_timeout_secs = ring;
            config.max_length = 3;
            config.required_skills = vec![model::SkillRequirement { skill_id: skill(1), min_level: level }];
            config.overflow = Some(model::OverflowTarget::Queue { queue_id: queue((i + 1) % 4) });
            config.routing.leave_empty = level % 2 == 0;
            config.routing.join_empty = level % 3 != 0;
            Command::ConfigureQueue { queue: queue(i), config: Box::new(config) }
        }),
        (a.clone(), q.clone(), 0..12u8, 0..120u8, 0..4u8).prop_map(|(i, qi, level, weight, tier)| Command::LogIn {
            agent: agent(i),
            profile: AgentProfile {
                vip_tier: VipTier(tier),
                skills: vec![AgentSkill { skill_id: skill(1), level }],
                queues: vec![QueueMembership { queue_id: queue(qi), weight }],
            },
        }),
        a.clone().prop_map(|i| Command::LogOut { agent: agent(i) }),
        (a.clone(), 0..4u8).prop_map(|(i, s)| Command::SetAgentState {
            agent: agent(i),
            state: match s {
                0 => ReadyState::Available,
                1 => ReadyState::NotReady(NotReadyReason::BackOffice),
                2 => ReadyState::DoNotDisturb,
                _ => ReadyState::NotReady(NotReadyReason::Custom("x".into())),
            },
        }),
        (c.clone(), q.clone(), -3..4i32, 0..4u8, proptest::option::of(0..2u8)).prop_map(|(i, qi, p, v, who)| {
            Command::Enqueue(NewCall {
                call: call(i),
                queue: queue(qi),
                priority: p,
                vip: VipTier(v),
                caller: who.map(|w| format!("+44{w}")),
                skills: Vec::new(),
            })
        }),
        (c.clone(), a.clone()).prop_map(|(i, j)| Command::Answered { call: call(i), agent: agent(j) }),
        (c.clone(), a.clone()).prop_map(|(i, j)| Command::Rejected { call: call(i), agent: agent(j) }),
        c.clone().prop_map(|i| Command::Abandoned { call: call(i) }),
        c.clone().prop_map(|i| Command::CallEnded { call: call(i) }),
        a.clone().prop_map(|i| Command::EndWrapUp { agent: agent(i) }),
        c.clone().prop_map(|i| Command::AcceptCallback { call: call(i) }),
        (c.clone(), q.clone()).prop_map(|(i, qi)| Command::MoveCall { call: call(i), queue: queue(qi) }),
        (c.clone(), a.clone()).prop_map(|(i, j)| Command::AssignCall { call: call(i), agent: agent(j) }),
        (c.clone(), -5..5i32).prop_map(|(i, p)| Command::SetPriority { call: call(i), priority: p }),
        (a, 0..2u8).prop_map(|(j, w)| Command::RememberCaller {
            caller: format!("+44{w}"),
            agent: agent(j),
            served_at: Instant::ZERO
        }),
        Just(Command::ResetDay),
    ]
}

proptest! {
    #![proptest_config(crate::support::proptest_config(0xbad_c0de))]

    #[test]
    fn arbitrary_commands_never_panic_and_refused_ones_emit_nothing(
        steps in proptest::collection::vec((command(), 0..30u64), 1..80),
    ) {
        let mut acd = Engine::new();
        let mut now = Instant::ZERO;
        for (command, wait) in steps {
            now = now + std::time::Duration::from_secs(wait);
            while let Some(at) = acd.poll_timeout() {
                if at > now {
                    break;
                }
                acd.handle_timeout(at);
            }
            while acd.poll_action().is_some() {}
            let refused = acd.handle(command, now).is_err();
            let emitted = std::iter::from_fn(|| acd.poll_action()).count();
            prop_assert!(!refused || emitted == 0, "a refused command emitted {emitted} actions");
            for i in 0..4 {
                let _ = acd.queue_stats(queue(i), now);
            }
            for i in 0..8 {
                let _ = (acd.position(call(i)), acd.estimated_wait(call(i), now), acd.effective_priority(call(i), now));
            }
        }
    }
}
