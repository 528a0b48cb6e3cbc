//! M/M/c (+M): one queue, `c` identical agents, Poisson arrivals,
//! exponential handle times, optional exponential patience.

use model::{AgentId, CallId, QueueId, QueueMembership, RoutingStrategy, VipTier};
use rand::SeedableRng;
use rand::rngs::StdRng;
use uuid::Uuid;

use std::time::Duration;

use super::{EventQueue, exponential};
use crate::action::{Action, Outcome};
use crate::command::{AgentProfile, Command, NewCall};
use crate::engine::Engine;
use crate::time::Instant;

/// One M/M/c simulation run.
#[derive(Clone, Debug)]
pub struct MmcConfig {
    /// Number of agents (c).
    pub agents: u32,
    /// Calls arriving per second (λ).
    pub arrivals_per_sec: f64,
    /// Mean handle time in seconds (1/μ).
    pub mean_handle_secs: f64,
    /// Mean caller patience in seconds; `None` for callers who never hang up.
    pub mean_patience_secs: Option<f64>,
    /// Calls measured after the warm-up.
    pub calls: u64,
    /// Calls simulated first and not measured (the system starts empty).
    pub warmup: u64,
    /// Service-level threshold in seconds for [`SimReport::within_target`].
    pub target_secs: f64,
    /// Routing strategy of the queue.
    pub strategy: RoutingStrategy,
    /// Seed of the random numbers; the same seed gives the same run.
    pub seed: u64,
}

/// What a run measured, over the calls after the warm-up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimReport {
    /// Calls measured.
    pub calls: u64,
    /// Calls answered.
    pub answered: u64,
    /// Calls that waited at all before their answer.
    pub waited: u64,
    /// Calls answered within the target.
    pub within_target: u64,
    /// Calls abandoned.
    pub abandoned: u64,
    /// Sum of the answered calls' waits in seconds.
    pub total_wait_secs: f64,
    /// Commands handled by the engine (all calls, warm-up included).
    pub commands: u64,
    /// Per batch of consecutive measured calls: (calls, waited, within target).
    pub batches: Vec<(u64, u64, u64)>,
}

/// Batches the measured calls are split into for the standard errors.
const BATCHES: u64 = 40;

/// Standard error of a mean over batches (batch-means method).
fn batch_stderr(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = values.clone().count() as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var / n).sqrt()
}

impl SimReport {
    /// Share of measured calls that had to wait.
    pub fn p_wait(&self) -> f64 {
        self.waited as f64 / self.calls as f64
    }

    /// Share of measured calls answered within the target.
    pub fn service_level(&self) -> f64 {
        self.within_target as f64 / self.calls as f64
    }

    /// Standard error of [`SimReport::p_wait`] by batch means: the
    /// calls are autocorrelated, so this is far above the binomial error.
    pub fn p_wait_stderr(&self) -> f64 {
        batch_stderr(self.batches.iter().map(|b| b.1 as f64 / b.0 as f64))
    }

    /// Standard error of [`SimReport::service_level`] by batch means.
    pub fn service_level_stderr(&self) -> f64 {
        batch_stderr(self.batches.iter().map(|b| b.2 as f64 / b.0 as f64))
    }

    /// Mean wait of answered calls in seconds.
    pub fn mean_wait(&self) -> f64 {
        self.total_wait_secs / self.answered.max(1) as f64
    }
}

enum Event {
    Arrival,
    HandleEnds(CallId),
    Patience(CallId),
}

impl SimReport {
    /// Counts one measured call's outcome.
    fn record(&mut self, outcome: &Outcome, target_secs: f64, batch_size: u64) {
        self.calls += 1;
        if (self.calls - 1).is_multiple_of(batch_size) {
            self.batches.push((0, 0, 0));
        }
        let batch = self.batches.last_mut().expect("pushed");
        batch.0 += 1;
        match outcome {
            Outcome::Answered { wait, .. } => {
                let w = wait.as_secs_f64();
                self.answered += 1;
                self.total_wait_secs += w;
                self.waited += u64::from(w > 0.0);
                self.within_target += u64::from(w <= target_secs);
                batch.1 += u64::from(w > 0.0);
                batch.2 += u64::from(w <= target_secs);
            }
            Outcome::Abandoned { .. } => self.abandoned += 1,
            Outcome::Overflowed { .. } => {}
        }
    }
}

/// One run in progress: the engine, the future events and the counts.
struct Mmc<'a> {
    cfg: &'a MmcConfig,
    rng: StdRng,
    acd: Engine,
    queue: QueueId,
    events: EventQueue<Event>,
    arrived: u64,
    done: u64,
    report: SimReport,
}

impl<'a> Mmc<'a> {
    fn new(cfg: &'a MmcConfig) -> Self {
        let queue = QueueId(Uuid::from_u128(1));
        let mut sim = Mmc {
            cfg,
            rng: StdRng::seed_from_u64(cfg.seed),
            acd: Engine::new(),
            queue,
            events: EventQueue::default(),
            arrived: 0,
            done: 0,
            report: SimReport::default(),
        };
        let mut config: model::Queue = serde_json::from_value(serde_json::json!({
            "name": "sim", "max_wait_secs": u32::MAX, "max_length": u32::MAX, "wrap_up_secs": 0,
            "business_hours": {"time_zone": "UTC", "weekly": []},
            "overflow": null, "callback_threshold_secs": null
        }))
        .expect("static config");
        config.strategy = cfg.strategy;
        sim.command(Command::ConfigureQueue { queue, config: Box::new(config) }, Instant::ZERO);
        for i in 0..cfg.agents {
            let agent = AgentId(Uuid::from_u128(1_000_000 + u128::from(i)));
            let queues = vec![QueueMembership { queue_id: queue, weight: 1 }];
            let profile = AgentProfile { vip_tier: VipTier::REGULAR, skills: vec![], queues };
            sim.command(Command::LogIn { agent, profile }, Instant::ZERO);
        }
        let first = sim.after(Instant::ZERO, 1.0 / cfg.arrivals_per_sec);
        sim.events.push(first, Event::Arrival);
        sim
    }

    fn command(&mut self, command: Command, now: Instant) {
        self.report.commands += 1;
        self.acd.handle(command, now).expect("simulation commands are valid");
    }

    /// `now` plus an exponential sample of mean `mean` seconds.
    fn after(&mut self, now: Instant, mean: f64) -> Instant {
        now + Duration::from_secs_f64(exponential(&mut self.rng, mean))
    }

    /// Runs the next event or engine timer; `false` when nothing is left.
    fn step(&mut self) -> bool {
        let next_event = self.events.peek_time();
        let next_timer = self.acd.poll_timeout();
        let now = match (next_event, next_timer) {
            (Some(e), Some(t)) if t < e => t,
            (None, Some(t)) => t,
            (Some(_), _) => {
                let (now, event) = self.events.pop().expect("peeked");
                self.event(now, event);
                self.drain(now);
                return true;
            }
            (None, None) => return false,
        };
        self.acd.handle_timeout(now);
        self.drain(now);
        true
    }

    fn event(&mut self, now: Instant, event: Event) {
        match event {
            Event::Arrival => {
                self.arrived += 1;
                let call = CallId(Uuid::from_u128(u128::from(self.arrived)));
                if self.arrived < self.cfg.warmup + self.cfg.calls {
                    let next = self.after(now, 1.0 / self.cfg.arrivals_per_sec);
                    self.events.push(next, Event::Arrival);
                }
                if let Some(mean) = self.cfg.mean_patience_secs {
                    let gives_up = self.after(now, mean);
                    self.events.push(gives_up, Event::Patience(call));
                }
                let new = NewCall {
                    call,
                    queue: self.queue,
                    priority: 0,
                    vip: VipTier::REGULAR,
                    caller: None,
                    skills: Vec::new(),
                };
                self.command(Command::Enqueue(new), now);
            }
            Event::HandleEnds(call) => self.command(Command::CallEnded { call }, now),
            Event::Patience(call) => {
                if self.acd.position(call).is_some() {
                    self.command(Command::Abandoned { call }, now);
                }
            }
        }
    }

    /// Carries out the engine's actions: agents answer at once; outcomes are counted.
    fn drain(&mut self, now: Instant) {
        while let Some(action) = self.acd.poll_action() {
            match action {
                Action::Offer { call, agent, .. } => {
                    self.command(Command::Answered { call, agent }, now);
                    let ends = self.after(now, self.cfg.mean_handle_secs);
                    self.events.push(ends, Event::HandleEnds(call));
                }
                Action::Finished { call, outcome, .. } => {
                    self.done += 1;
                    if call.as_uuid().as_u128() > u128::from(self.cfg.warmup) {
                        let batch_size = (self.cfg.calls / BATCHES).max(1);
                        self.report.record(&outcome, self.cfg.target_secs, batch_size);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Runs an M/M/c simulation through the engine; deterministic for a seed.
pub fn run_mmc(cfg: &MmcConfig) -> SimReport {
    let mut sim = Mmc::new(cfg);
    while sim.done < cfg.warmup + cfg.calls && sim.step() {}
    sim.report
}
