//! Property tests over random command sequences. A mirror built only from
//! the commands sent and the actions received checks, after every step:
//! no agent ever holds two calls; no call is offered twice at once or lost;
//! a VIP call is never offered to an ineligible agent; a call is never
//! offered while a higher effective priority call of its queue waits that
//! the same agent could take; every call ends in exactly one outcome.

use std::collections::{BTreeMap, BTreeSet};

use acd::{Action, AgentProfile, Command, Engine, Instant, NewCall, ReadyState};
use model::{
    AgentId, AgentSkill, CallId, NotReadyReason, QueueId, QueueMembership, RoutingStrategy, SkillRequirement,
    SkillStep, VipTier,
};
use proptest::prelude::*;
use uuid::Uuid;

use crate::support::{queue_config, skill};

const AGENTS: usize = 6;
/// Queue 0 needs skill 1 at level 5 or more; queue 1 needs nothing.
const Q0_LEVEL: u8 = 5;
/// With expansion, queue 0 relaxes to level 2 after 30 s and also takes
/// queue 1's agents (at level 2) after 90 s.
const Q0_RELAXED: u8 = 2;

#[derive(Clone, Debug)]
enum Step {
    Enqueue { queue: usize, priority: i32, vip: u8 },
    Wait { secs: u64 },
    Answer(usize),
    Reject(usize),
    Abandon(usize),
    End(usize),
    State { agent: usize, state: u8 },
    LogOut(usize),
    LogIn(usize),
    Move { call: usize, queue: usize },
    Priority { call: usize, priority: i32 },
    Assign { call: usize, agent: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..2usize, 0..4i32, 0..3u8).prop_map(|(queue, priority, vip)| Step::Enqueue { queue, priority, vip }),
        3 => (0..40u64).prop_map(|secs| Step::Wait { secs }),
        4 => any::<usize>().prop_map(Step::Answer),
        1 => any::<usize>().prop_map(Step::Reject),
        1 => any::<usize>().prop_map(Step::Abandon),
        3 => any::<usize>().prop_map(Step::End),
        1 => (0..AGENTS, 0..4u8).prop_map(|(agent, state)| Step::State { agent, state }),
        1 => (0..AGENTS).prop_map(Step::LogOut),
        1 => (0..AGENTS).prop_map(Step::LogIn),
        1 => (any::<usize>(), 0..2usize).prop_map(|(call, queue)| Step::Move { call, queue }),
        1 => (any::<usize>(), 0..5i32).prop_map(|(call, priority)| Step::Priority { call, priority }),
        1 => (any::<usize>(), 0..AGENTS).prop_map(|(call, agent)| Step::Assign { call, agent }),
    ]
}

#[derive(Clone, Debug)]
struct AgentSpec {
    tier: u8,
    level: u8,
    queues: Vec<usize>,
}

fn agent_spec() -> impl Strategy<Value = AgentSpec> {
    (0..3u8, 0..11u8, prop_oneof![Just(vec![0]), Just(vec![1]), Just(vec![0, 1])])
        .prop_map(|(tier, level, queues)| AgentSpec { tier, level, queues })
}

#[derive(Clone, Debug)]
struct CallMirror {
    queue: usize,
    priority: i32,
    vip: u8,
    enqueued: Instant,
    declined: BTreeSet<usize>,
    finished: u32,
}

struct World {
    acd: Engine,
    now: Instant,
    queues: [QueueId; 2],
    aging: [u32; 2],
    ring_all: [bool; 2],
    /// Queue 1 may relax its VIP floor after this wait.
    vip_relax: Option<u32>,
    /// Queue 0 has skill-expansion steps.
    expand: bool,
    agents: Vec<AgentId>,
    specs: Vec<AgentSpec>,
    calls: Vec<CallId>,
    mirror: BTreeMap<CallId, CallMirror>,
    ringing: BTreeMap<CallId, BTreeSet<usize>>,
    connected: BTreeMap<CallId, usize>,
    holds: BTreeMap<usize, CallId>,
}

impl World {
    fn new(
        specs: Vec<AgentSpec>,
        strategies: [RoutingStrategy; 2],
        aging: [u32; 2],
        wrap: u32,
        vip_relax: Option<u32>,
        expand: bool,
    ) -> World {
        let mut acd = Engine::new();
        let queues = [QueueId(Uuid::from_u128(1)), QueueId(Uuid::from_u128(2))];
        for (i, q) in queues.iter().enumerate() {
            let mut config = queue_config(strategies[i]);
            config.ring_timeout_secs = 15;
            config.wrap_up_secs = wrap;
            config.priority_aging_per_min = aging[i];
            if i == 1 {
                config.routing.vip_relax_after_secs = vip_relax;
            }
            if i == 0 {
                let level = |min_level| vec![SkillRequirement { skill_id: skill(1), min_level }];
                config.required_skills = level(Q0_LEVEL);
                if expand {
                    config.routing.skill_steps = vec![
                        SkillStep { after_secs: 30, required_skills: level(Q0_RELAXED), extra_queues: vec![] },
                        SkillStep { after_secs: 90, required_skills: level(Q0_RELAXED), extra_queues: vec![queues[1]] },
                    ];
                }
            }
            acd.handle(Command::ConfigureQueue { queue: *q, config: Box::new(config) }, Instant::ZERO).unwrap();
        }
        let agents = (0..specs.len()).map(|i| AgentId(Uuid::from_u128(100 + i as u128))).collect();
        let ring_all = strategies.map(|s| s == RoutingStrategy::RingAll);
        let mut w = World {
            acd,
            now: Instant::ZERO,
            queues,
            aging,
            ring_all,
            vip_relax,
            expand,
            agents,
            specs,
            calls: Vec::new(),
            mirror: BTreeMap::new(),
            ringing: BTreeMap::new(),
            connected: BTreeMap::new(),
            holds: BTreeMap::new(),
        };
        for a in 0..w.agents.len() {
            w.send(Command::LogIn { agent: w.agents[a], profile: w.profile(a) }, None).unwrap();
        }
        w
    }

    fn profile(&self, a: usize) -> AgentProfile {
        let s = &self.specs[a];
        AgentProfile {
            vip_tier: VipTier(s.tier),
            skills: if s.level > 0 { vec![AgentSkill { skill_id: skill(1), level: s.level }] } else { vec![] },
            queues: s.queues.iter().map(|&q| QueueMembership { queue_id: self.queues[q], weight: 1 }).collect(),
        }
    }

    fn agent_index(&self, id: AgentId) -> usize {
        self.agents.iter().position(|&a| a == id).unwrap()
    }

    /// Whether agent `a` could take call `c` by the rules of the test's configuration.
    /// The VIP floor: the agent's tier covers the call's, unless queue 1's
    /// stated wait has passed.
    fn tier_ok(&self, c: &CallMirror, a: usize) -> bool {
        let relaxed = c.queue == 1
            && self.vip_relax.is_some_and(|s| self.now.since(c.enqueued) >= std::time::Duration::from_secs(s.into()));
        self.specs[a].tier >= c.vip || relaxed
    }

    fn eligible(&self, c: &CallMirror, a: usize) -> bool {
        let s = &self.specs[a];
        let wait = self.now.since(c.enqueued).as_secs();
        let (level, borrow) = match (c.queue, self.expand) {
            (1, _) => (0, false),
            (_, true) if wait >= 90 => (Q0_RELAXED, true),
            (_, true) if wait >= 30 => (Q0_RELAXED, false),
            _ => (Q0_LEVEL, false),
        };
        (s.queues.contains(&c.queue) || (borrow && s.queues.contains(&1)))
            && self.tier_ok(c, a)
            && s.level >= level
            && !c.declined.contains(&a)
    }

    fn effective(&self, c: &CallMirror) -> i128 {
        i128::from(c.priority) * 60_000_000
            + i128::from(self.aging[c.queue]) * i128::from(self.now.since(c.enqueued).as_micros() as u64)
    }

    fn waiting(&self, call: CallId) -> bool {
        let c = &self.mirror[&call];
        c.finished == 0 && !self.ringing.contains_key(&call) && !self.connected.contains_key(&call)
    }

    fn send(&mut self, command: Command, assigned: Option<CallId>) -> Result<(), TestCaseError> {
        let refused = self.acd.handle(command, self.now).is_err();
        self.check_actions(refused, assigned)
    }

    fn tick(&mut self, secs: u64) -> Result<(), TestCaseError> {
        let target = self.now + std::time::Duration::from_secs(secs);
        while let Some(at) = self.acd.poll_timeout() {
            if at > target {
                break;
            }
            self.now = self.now.max(at);
            self.acd.handle_timeout(self.now);
            self.check_actions(false, None)?;
        }
        self.now = target;
        Ok(())
    }

    fn check_actions(&mut self, refused: bool, assigned: Option<CallId>) -> Result<(), TestCaseError> {
        while let Some(action) = self.acd.poll_action() {
            prop_assert!(!refused, "a refused command emitted {action:?}");
            match action {
                Action::Offer { call, agent, queue, .. } => {
                    let a = self.agent_index(agent);
                    prop_assert!(!self.holds.contains_key(&a), "agent {a} offered a second call");
                    let c = self.mirror[&call].clone();
                    prop_assert_eq!(c.finished, 0, "finished call offered");
                    prop_assert!(!self.connected.contains_key(&call), "connected call offered");
                    prop_assert!(self.tier_ok(&c, a), "VIP {} call to tier {} agent", c.vip, self.specs[a].tier);
                    prop_assert_eq!(queue, self.queues[c.queue]);
                    let ringing = self.ringing.entry(call).or_default();
                    prop_assert!(ringing.insert(a), "call offered twice to one agent");
                    prop_assert!(ringing.len() == 1 || self.ring_all[c.queue], "call ringing at two agents");
                    if assigned != Some(call) {
                        prop_assert!(self.eligible(&c, a), "offered to an ineligible agent");
                        let mine = self.effective(&c);
                        for (&other, oc) in &self.mirror {
                            if other != call && oc.queue == c.queue && self.waiting(other) && self.eligible(oc, a) {
                                prop_assert!(
                                    self.effective(oc) <= mine,
                                    "higher effective priority overtaken: {call:?} {c:?} to agent {a} at {:?} \
                                     while {other:?} {oc:?} waits",
                                    self.now
                                );
                            }
                        }
                    }
                    self.holds.insert(a, call);
                }
                Action::CancelOffer { call, agent } => {
                    let a = self.agent_index(agent);
                    prop_assert!(self.ringing.get_mut(&call).is_some_and(|r| r.remove(&a)), "cancel of no offer");
                    if self.ringing[&call].is_empty() {
                        self.ringing.remove(&call);
                    }
                    prop_assert_eq!(self.holds.remove(&a), Some(call));
                }
                Action::Finished { call, outcome, .. } => {
                    let c = self.mirror.get_mut(&call).unwrap();
                    c.finished += 1;
                    prop_assert_eq!(c.finished, 1, "call finished twice");
                    if let acd::Outcome::Answered { agent, .. } = outcome {
                        let a = self.agent_index(agent);
                        let rung = self.ringing.remove(&call).unwrap_or_default();
                        prop_assert!(rung.contains(&a), "answered by an agent not rung");
                        prop_assert!(rung.len() == 1, "other ringing agents were not cancelled");
                        self.connected.insert(call, a);
                    } else {
                        prop_assert!(!self.ringing.contains_key(&call), "left while still ringing");
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn pick(&self, k: usize, filter: impl Fn(&CallId) -> bool) -> Option<CallId> {
        let live: Vec<CallId> = self.calls.iter().copied().filter(|c| filter(c)).collect();
        (!live.is_empty()).then(|| live[k % live.len()])
    }

    fn apply(&mut self, step: Step) -> Result<(), TestCaseError> {
        match step {
            Step::Enqueue { queue, priority, vip } => {
                let call = CallId(Uuid::from_u128(10_000 + self.calls.len() as u128));
                self.calls.push(call);
                let m = CallMirror { queue, priority, vip, enqueued: self.now, declined: BTreeSet::new(), finished: 0 };
                self.mirror.insert(call, m);
                let new = NewCall {
                    call,
                    queue: self.queues[queue],
                    priority,
                    vip: VipTier(vip),
                    caller: None,
                    skills: Vec::new(),
                };
                self.send(Command::Enqueue(new), None)?;
            }
            Step::Wait { secs } => self.tick(secs)?,
            Step::Answer(k) => {
                let pairs: Vec<(CallId, usize)> =
                    self.ringing.iter().flat_map(|(&c, s)| s.iter().map(move |&a| (c, a))).collect();
                if !pairs.is_empty() {
                    let (call, a) = pairs[k % pairs.len()];
                    let agent = self.agents[a];
                    self.acd.handle(Command::Answered { call, agent }, self.now).unwrap();
                    self.check_actions(false, None)?;
                    prop_assert_eq!(self.connected.get(&call), Some(&a));
                }
            }
            Step::Reject(k) => {
                let pairs: Vec<(CallId, usize)> =
                    self.ringing.iter().flat_map(|(&c, s)| s.iter().map(move |&a| (c, a))).collect();
                if !pairs.is_empty() {
                    let (call, a) = pairs[k % pairs.len()];
                    self.ringing.get_mut(&call).unwrap().remove(&a);
                    if self.ringing[&call].is_empty() {
                        self.ringing.remove(&call);
                    }
                    self.holds.remove(&a);
                    self.mirror.get_mut(&call).unwrap().declined.insert(a);
                    let agent = self.agents[a];
                    self.acd.handle(Command::Rejected { call, agent }, self.now).unwrap();
                    self.check_actions(false, None)?;
                }
            }
            Step::Abandon(k) => {
                if let Some(call) = self.pick(k, |c| self.mirror[c].finished == 0) {
                    self.send(Command::Abandoned { call }, None)?;
                }
            }
            Step::End(k) => {
                if let Some(call) = self.pick(k, |c| self.connected.contains_key(c)) {
                    let a = self.connected.remove(&call).unwrap();
                    prop_assert_eq!(self.holds.remove(&a), Some(call));
                    self.acd.handle(Command::CallEnded { call }, self.now).unwrap();
                    self.check_actions(false, None)?;
                }
            }
            Step::State { agent, state } => {
                let state = match state {
                    0 => ReadyState::Available,
                    1 => ReadyState::NotReady(NotReadyReason::Break),
                    2 => ReadyState::DoNotDisturb,
                    _ => ReadyState::NotReady(NotReadyReason::Lunch),
                };
                self.send(Command::SetAgentState { agent: self.agents[agent], state }, None)?;
            }
            Step::LogOut(a) => self.send(Command::LogOut { agent: self.agents[a] }, None)?,
            Step::LogIn(a) => self.send(Command::LogIn { agent: self.agents[a], profile: self.profile(a) }, None)?,
            Step::Move { call, queue } => {
                if let Some(call) = self.pick(call, |c| self.waiting(*c)) {
                    let m = self.mirror.get_mut(&call).unwrap();
                    m.queue = queue;
                    m.enqueued = self.now;
                    self.send(Command::MoveCall { call, queue: self.queues[queue] }, None)?;
                }
            }
            Step::Priority { call, priority } => {
                if let Some(call) = self.pick(call, |c| self.waiting(*c)) {
                    self.mirror.get_mut(&call).unwrap().priority = priority;
                    self.send(Command::SetPriority { call, priority }, None)?;
                }
            }
            Step::Assign { call, agent } => {
                if let Some(call) = self.pick(call, |c| self.waiting(*c)) {
                    self.send(Command::AssignCall { call, agent: self.agents[agent] }, Some(call))?;
                }
            }
        }
        Ok(())
    }

    /// Ends every call still in the engine and checks each has exactly one outcome.
    fn finish(&mut self) -> Result<(), TestCaseError> {
        for call in self.calls.clone() {
            let c = &self.mirror[&call];
            if c.finished == 0 {
                let waiting = self.acd.position(call).is_some();
                prop_assert!(waiting || self.ringing.contains_key(&call), "call lost: {call:?}");
                self.send(Command::Abandoned { call }, None)?;
            }
        }
        for call in &self.calls {
            prop_assert_eq!(self.mirror[call].finished, 1, "every call ends in exactly one outcome");
        }
        Ok(())
    }
}

fn strategies() -> impl Strategy<Value = [RoutingStrategy; 2]> {
    let s = prop_oneof![
        Just(RoutingStrategy::LongestIdle),
        Just(RoutingStrategy::FewestCalls),
        Just(RoutingStrategy::LeastTalkTime),
        Just(RoutingStrategy::RoundRobin),
        Just(RoutingStrategy::RingAll),
        Just(RoutingStrategy::BestSkill),
    ];
    (s.clone(), s).prop_map(|(a, b)| [a, b])
}

proptest! {
    #![proptest_config(crate::support::proptest_config(0x5b0a_2d00))]

    #[test]
    fn routing_invariants_hold_over_random_command_sequences(
        specs in proptest::collection::vec(agent_spec(), AGENTS),
        strategies in strategies(),
        aging in (0..3u32, 0..3u32),
        wrap in prop_oneof![Just(0u32), Just(10u32)],
        vip_relax in prop_oneof![Just(None), Just(Some(60u32))],
        expand in any::<bool>(),
        steps in proptest::collection::vec(step(), 1..150),
    ) {
        let mut w = World::new(specs, strategies, [aging.0, aging.1], wrap, vip_relax, expand);
        for s in steps {
            w.apply(s)?;
        }
        w.finish()?;
    }
}
