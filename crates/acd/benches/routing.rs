//! Routing benchmark: 10,000 agents, 200 queues, 50 skills, 5,000 waiting
//! calls, every agent busy. One cycle = a random connected call ends (the
//! freed agent is routed the best waiting call: a routing decision), the
//! offer is answered, and a new call arrives (keeping 5,000 waiting). The
//! same cycle runs against a naive baseline in the same process: waiting
//! calls in one priority-sorted list, and for each call in order a scan of
//! all agents for the longest-idle eligible one.
//!
//! Run: `cargo bench -p acd --bench routing`. Prints criterion's time per
//! cycle, then decisions per second and per-command latency percentiles.

use std::hint::black_box;
use std::time::{Duration, Instant as Clock};

use acd::{Action, AgentProfile, Command, Engine, Instant, NewCall};
use criterion::Criterion;
use model::{
    AgentId, AgentSkill, CallId, QueueId, QueueMembership, RoutingStrategy, SkillId, SkillRequirement, VipTier,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

const AGENTS: usize = 10_000;
const QUEUES: usize = 200;
const SKILLS: usize = 50;
const WAITING: usize = 5_000;
const QUEUES_PER_AGENT: usize = 3;

struct Spec {
    queue_reqs: Vec<Vec<(usize, u8)>>,
    agents: Vec<AgentSpec>,
}

struct AgentSpec {
    tier: u8,
    levels: Vec<(usize, u8)>,
    queues: Vec<(usize, u8)>,
}

#[derive(Clone, Copy)]
struct CallSpec {
    queue: usize,
    priority: i32,
    vip: u8,
}

fn spec(rng: &mut StdRng) -> Spec {
    let queue_reqs: Vec<Vec<(usize, u8)>> = (0..QUEUES)
        .map(|_| (0..rng.gen_range(1..=2)).map(|_| (rng.gen_range(0..SKILLS), rng.gen_range(1..=4))).collect())
        .collect();
    let agents = (0..AGENTS)
        .map(|_| {
            let mut queues: Vec<(usize, u8)> = Vec::new();
            while queues.len() < QUEUES_PER_AGENT {
                let q = rng.gen_range(0..QUEUES);
                if !queues.iter().any(|x| x.0 == q) {
                    queues.push((q, rng.gen_range(1..=10)));
                }
            }
            let mut levels: Vec<(usize, u8)> = Vec::new();
            let wanted = queues.iter().flat_map(|&(q, _)| queue_reqs[q].iter().map(|r| r.0));
            let extra: Vec<usize> = (0..2).map(|_| rng.gen_range(0..SKILLS)).collect();
            for s in wanted.chain(extra) {
                if !levels.iter().any(|l| l.0 == s) {
                    levels.push((s, rng.gen_range(3..=10)));
                }
            }
            let tier = match rng.gen_range(0..100) {
                0..60 => 0,
                60..85 => 1,
                _ => 2,
            };
            AgentSpec { tier, levels, queues }
        })
        .collect();
    Spec { queue_reqs, agents }
}

fn call_spec(rng: &mut StdRng) -> CallSpec {
    let vip = match rng.gen_range(0..100) {
        0..90 => 0,
        90..97 => 1,
        _ => 2,
    };
    CallSpec { queue: rng.gen_range(0..QUEUES), priority: rng.gen_range(0..4), vip }
}

fn skill_id(s: usize) -> SkillId {
    SkillId(Uuid::from_u128(0x5000 + s as u128))
}

/// The engine under test, with the bookkeeping a shell would keep.
struct EngineWorld {
    acd: Engine,
    queues: Vec<QueueId>,
    connected: Vec<CallId>,
    next_call: u128,
    ended: usize,
    now: Instant,
    decisions: u64,
}

impl EngineWorld {
    fn new(spec: &Spec, rng: &mut StdRng) -> Self {
        let mut acd = Engine::new();
        let queues: Vec<QueueId> = (0..QUEUES).map(|q| QueueId(Uuid::from_u128(1 + q as u128))).collect();
        for (q, reqs) in spec.queue_reqs.iter().enumerate() {
            let mut config: model::Queue = serde_json::from_value(serde_json::json!({
                "name": "bench", "max_wait_secs": u32::MAX, "max_length": u32::MAX, "wrap_up_secs": 0,
                "business_hours": {"time_zone": "UTC", "weekly": []},
                "overflow": null, "callback_threshold_secs": null
            }))
            .unwrap();
            config.strategy = RoutingStrategy::LongestIdle;
            config.required_skills =
                reqs.iter().map(|&(s, l)| SkillRequirement { skill_id: skill_id(s), min_level: l }).collect();
            acd.handle(Command::ConfigureQueue { queue: queues[q], config: Box::new(config) }, Instant::ZERO).unwrap();
        }
        for (i, a) in spec.agents.iter().enumerate() {
            let profile = AgentProfile {
                vip_tier: VipTier(a.tier),
                skills: a.levels.iter().map(|&(s, level)| AgentSkill { skill_id: skill_id(s), level }).collect(),
                queues: a.queues.iter().map(|&(q, weight)| QueueMembership { queue_id: queues[q], weight }).collect(),
            };
            acd.handle(
                Command::LogIn { agent: AgentId(Uuid::from_u128(1_000_000 + i as u128)), profile },
                Instant::ZERO,
            )
            .unwrap();
        }
        let mut w = EngineWorld {
            acd,
            queues,
            connected: Vec::new(),
            next_call: 10_000_000,
            ended: 0,
            now: Instant::ZERO,
            decisions: 0,
        };
        // Fill every agent, then leave WAITING calls waiting.
        let mut guard = 0;
        while w.waiting() < WAITING && guard < 10 * AGENTS {
            guard += 1;
            let c = call_spec(rng);
            w.arrive(c);
        }
        w
    }

    fn waiting(&self) -> usize {
        self.next_call as usize - 10_000_000 - self.connected.len() - self.ended
    }

    fn answer_offers(&mut self) {
        while let Some(action) = self.acd.poll_action() {
            if let Action::Offer { call, agent, .. } = action {
                self.decisions += 1;
                self.acd.handle(Command::Answered { call, agent }, self.now).unwrap();
                self.connected.push(call);
            }
        }
    }

    fn arrive(&mut self, c: CallSpec) -> Duration {
        self.next_call += 1;
        let call = CallId(Uuid::from_u128(self.next_call));
        let new = NewCall {
            call,
            queue: self.queues[c.queue],
            priority: c.priority,
            vip: VipTier(c.vip),
            caller: None,
            skills: Vec::new(),
        };
        let t = Clock::now();
        self.acd.handle(Command::Enqueue(new), self.now).unwrap();
        let d = t.elapsed();
        self.answer_offers();
        d
    }

    /// One cycle; returns the latency of the call-end command (the routing decision) and of the arrival.
    fn cycle(&mut self, rng: &mut StdRng) -> (Duration, Duration) {
        self.now = self.now + Duration::from_millis(1);
        let i = rng.gen_range(0..self.connected.len());
        let call = self.connected.swap_remove(i);
        self.ended += 1;
        let t = Clock::now();
        self.acd.handle(Command::CallEnded { call }, self.now).unwrap();
        let end = t.elapsed();
        self.answer_offers();
        let arrive = self.arrive(call_spec(rng));
        (end, arrive)
    }
}

/// The naive baseline: no indexes, a full scan of agents for each call.
struct Naive {
    reqs: Vec<Vec<(usize, u8)>>,
    agents: Vec<NaiveAgent>,
    /// Waiting calls sorted by (priority desc, arrival).
    waiting: Vec<(i32, u64, CallSpec)>,
    busy: Vec<usize>,
    available: usize,
    seq: u64,
    now: u64,
    decisions: u64,
}

struct NaiveAgent {
    busy: bool,
    idle_since: u64,
    tier: u8,
    levels: [u8; SKILLS],
    queues: Vec<usize>,
}

impl Naive {
    fn new(spec: &Spec, rng: &mut StdRng) -> Self {
        let agents = spec
            .agents
            .iter()
            .map(|a| {
                let mut levels = [0; SKILLS];
                for &(s, l) in &a.levels {
                    levels[s] = l;
                }
                NaiveAgent {
                    busy: false,
                    idle_since: 0,
                    tier: a.tier,
                    levels,
                    queues: a.queues.iter().map(|q| q.0).collect(),
                }
            })
            .collect();
        let mut n = Naive {
            reqs: spec.queue_reqs.clone(),
            agents,
            waiting: Vec::new(),
            busy: Vec::new(),
            available: AGENTS,
            seq: 0,
            now: 0,
            decisions: 0,
        };
        while n.waiting.len() < WAITING {
            let c = call_spec(rng);
            n.arrive(c);
        }
        n
    }

    fn arrive(&mut self, c: CallSpec) {
        self.seq += 1;
        let key = (-c.priority, self.seq);
        let at = self.waiting.partition_point(|w| (-w.0, w.1) < key);
        self.waiting.insert(at, (c.priority, self.seq, c));
        self.dispatch();
    }

    fn free(&mut self, agent: usize) {
        self.agents[agent].busy = false;
        self.agents[agent].idle_since = self.now;
        self.available += 1;
        self.dispatch();
    }

    /// For each waiting call in order, scan every agent for the longest-idle eligible one.
    fn dispatch(&mut self) {
        let mut i = 0;
        while i < self.waiting.len() && self.available > 0 {
            let c = self.waiting[i].2;
            let reqs = &self.reqs[c.queue];
            let mut best: Option<(u64, usize)> = None;
            for (j, a) in self.agents.iter().enumerate() {
                if !a.busy
                    && a.tier >= c.vip
                    && a.queues.contains(&c.queue)
                    && reqs.iter().all(|&(s, l)| a.levels[s] >= l)
                    && best.is_none_or(|b| a.idle_since < b.0)
                {
                    best = Some((a.idle_since, j));
                }
            }
            match best {
                Some((_, j)) => {
                    self.agents[j].busy = true;
                    self.available -= 1;
                    self.busy.push(j);
                    self.waiting.remove(i);
                    self.decisions += 1;
                }
                None => i += 1,
            }
        }
    }

    fn cycle(&mut self, rng: &mut StdRng) -> (Duration, Duration) {
        self.now += 1000;
        let i = rng.gen_range(0..self.busy.len());
        let agent = self.busy.swap_remove(i);
        let t = Clock::now();
        self.free(agent);
        let end = t.elapsed();
        let c = call_spec(rng);
        let t = Clock::now();
        self.arrive(c);
        (end, t.elapsed())
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

struct Measured {
    decisions_per_sec: f64,
    decisions_per_cycle: f64,
    p50_cycle: Duration,
    mean_end: Duration,
    p50_end: Duration,
    p99_end: Duration,
    p99_arrive: Duration,
}

fn measure(cycles: usize, mut run: impl FnMut() -> (Duration, Duration), decisions: impl Fn() -> u64) -> Measured {
    let before = decisions();
    let mut ends = Vec::with_capacity(cycles);
    let mut arrives = Vec::with_capacity(cycles);
    let mut whole = Vec::with_capacity(cycles);
    let t = Clock::now();
    for _ in 0..cycles {
        let c = Clock::now();
        let (e, a) = run();
        whole.push(c.elapsed());
        ends.push(e);
        arrives.push(a);
    }
    let elapsed = t.elapsed();
    let made = decisions() - before;
    let mean_end = ends.iter().sum::<Duration>() / cycles as u32;
    ends.sort();
    arrives.sort();
    whole.sort();
    Measured {
        decisions_per_sec: made as f64 / elapsed.as_secs_f64(),
        decisions_per_cycle: made as f64 / cycles as f64,
        p50_cycle: percentile(&whole, 0.50),
        mean_end,
        p50_end: percentile(&ends, 0.50),
        p99_end: percentile(&ends, 0.99),
        p99_arrive: percentile(&arrives, 0.99),
    }
}

fn main() {
    let mut rng = StdRng::seed_from_u64(2026);
    let spec = spec(&mut rng);
    let setup = Clock::now();
    let mut engine = EngineWorld::new(&spec, &mut StdRng::seed_from_u64(1));
    eprintln!(
        "engine world built in {:?}: {} connected, {} waiting",
        setup.elapsed(),
        engine.connected.len(),
        engine.waiting()
    );
    let setup = Clock::now();
    let mut naive = Naive::new(&spec, &mut StdRng::seed_from_u64(1));
    eprintln!("naive world built in {:?}: {} busy, {} waiting", setup.elapsed(), naive.busy.len(), naive.waiting.len());

    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let mut r1 = StdRng::seed_from_u64(3);
    c.bench_function("acd engine: call ends, agent routed, answer, new call", |b| {
        b.iter(|| black_box(engine.cycle(&mut r1)))
    });
    let mut r2 = StdRng::seed_from_u64(3);
    c.bench_function("naive scan: call ends, agent routed, new call", |b| b.iter(|| black_box(naive.cycle(&mut r2))));

    let mut r = StdRng::seed_from_u64(4);
    let e = {
        let cell = std::cell::RefCell::new(&mut engine);
        measure(200_000, || cell.borrow_mut().cycle(&mut r), || cell.borrow().decisions)
    };
    let mut r = StdRng::seed_from_u64(4);
    let n = {
        let cell = std::cell::RefCell::new(&mut naive);
        measure(2_000, || cell.borrow_mut().cycle(&mut r), || cell.borrow().decisions)
    };
    println!();
    println!(
        "| router | decisions/s (wall) | decisions/s (median cycle) | cycle p50 | call-end mean | call-end p50 | call-end p99 | arrival p99 |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let median_rate = |m: &Measured| m.decisions_per_cycle / m.p50_cycle.as_secs_f64();
    for (name, m) in [("acd engine", &e), ("naive scan", &n)] {
        println!(
            "| {name} | {:.0} | {:.0} | {:.2?} | {:.2?} | {:.2?} | {:.2?} | {:.2?} |",
            m.decisions_per_sec,
            median_rate(m),
            m.p50_cycle,
            m.mean_end,
            m.p50_end,
            m.p99_end,
            m.p99_arrive
        );
    }
    println!();
    println!("engine / naive, decisions per second (wall): {:.1}x", e.decisions_per_sec / n.decisions_per_sec);
    println!("engine / naive, decisions per second (median cycle): {:.1}x", median_rate(&e) / median_rate(&n));
    println!("waiting at the end: engine {}, naive {}", engine.waiting(), naive.waiting.len());
}
