//! M/M/c (+M): one queue, `c` identical agents, Poisson arrivals,
//! exponential handle times, optional exponential patience.

use model::{AgentId, CallId, QueueId, QueueMembership, RoutingStrategy, VipTier};
use rand::SeedableRng;
use rand::rngs::StdRng;
use uuid::Uuid;

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

fn instant(secs: f64) -> Instant {
    Instant::from_micros((secs * 1e6).round() as u64)
}

/// Runs an M/M/c simulation through the engine; deterministic for a seed.
pub fn run_mmc(cfg: &MmcConfig) -> SimReport {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut acd = Engine::new();
    let queue = QueueId(Uuid::from_u128(1));
    let mut config: model::Queue = serde_json::from_value(serde_json::json!({
        "name": "sim", "max_wait_secs": u32::MAX, "max_length": u32::MAX, "wrap_up_secs": 0,
        "business_hours": {"time_zone": "UTC", "weekly": []},
        "overflow": null, "callback_threshold_secs": null
    }))
    .expect("static config");
    config.strategy = cfg.strategy;
    let mut report = SimReport::default();
    let handle = |acd: &mut Engine, command: Command, now: Instant, report: &mut SimReport| {
        report.commands += 1;
        acd.handle(command, now).expect("simulation commands are valid");
    };
    handle(&mut acd, Command::ConfigureQueue { queue, config: Box::new(config) }, Instant::ZERO, &mut report);
    for i in 0..cfg.agents {
        let agent = AgentId(Uuid::from_u128(1_000_000 + u128::from(i)));
        let profile = AgentProfile {
            vip_tier: VipTier::REGULAR,
            skills: vec![],
            queues: vec![QueueMembership { queue_id: queue, weight: 1 }],
        };
        handle(&mut acd, Command::LogIn { agent, profile }, Instant::ZERO, &mut report);
    }
    let mut events = EventQueue::default();
    events.push(instant(exponential(&mut rng, 1.0 / cfg.arrivals_per_sec)), Event::Arrival);
    let total = cfg.warmup + cfg.calls;
    let mut arrived: u64 = 0;
    let mut done: u64 = 0;
    while done < total {
        let next_event = events.peek_time();
        let next_timer = acd.poll_timeout();
        let now = match (next_event, next_timer) {
            (Some(e), Some(t)) if t < e => {
                acd.handle_timeout(t);
                t
            }
            (None, Some(t)) => {
                acd.handle_timeout(t);
                t
            }
            (Some(_), _) => {
                let (now, event) = events.pop().expect("peeked");
                match event {
                    Event::Arrival => {
                        arrived += 1;
                        let call = CallId(Uuid::from_u128(u128::from(arrived)));
                        if arrived < total {
                            let gap = exponential(&mut rng, 1.0 / cfg.arrivals_per_sec);
                            events.push(now + std::time::Duration::from_secs_f64(gap), Event::Arrival);
                        }
                        if let Some(mean) = cfg.mean_patience_secs {
                            let p = exponential(&mut rng, mean);
                            events.push(now + std::time::Duration::from_secs_f64(p), Event::Patience(call));
                        }
                        let new = NewCall { call, queue, priority: 0, vip: VipTier::REGULAR, caller: None };
                        handle(&mut acd, Command::Enqueue(new), now, &mut report);
                    }
                    Event::HandleEnds(call) => handle(&mut acd, Command::CallEnded { call }, now, &mut report),
                    Event::Patience(call) => {
                        if acd.position(call).is_some() {
                            handle(&mut acd, Command::Abandoned { call }, now, &mut report);
                        }
                    }
                }
                now
            }
            (None, None) => break,
        };
        while let Some(action) = acd.poll_action() {
            match action {
                Action::Offer { call, agent, .. } => {
                    handle(&mut acd, Command::Answered { call, agent }, now, &mut report);
                    let talk = exponential(&mut rng, cfg.mean_handle_secs);
                    events.push(now + std::time::Duration::from_secs_f64(talk), Event::HandleEnds(call));
                }
                Action::Finished { call, outcome, .. } => {
                    done += 1;
                    let measured = call.as_uuid().as_u128() > u128::from(cfg.warmup);
                    if !measured {
                        continue;
                    }
                    report.calls += 1;
                    let batch_size = (cfg.calls / BATCHES).max(1);
                    if (report.calls - 1) % batch_size == 0 {
                        report.batches.push((0, 0, 0));
                    }
                    let batch = report.batches.last_mut().expect("pushed");
                    batch.0 += 1;
                    match outcome {
                        Outcome::Answered { wait, .. } => {
                            report.answered += 1;
                            let w = wait.as_secs_f64();
                            report.total_wait_secs += w;
                            report.waited += u64::from(w > 0.0);
                            report.within_target += u64::from(w <= cfg.target_secs);
                            batch.1 += u64::from(w > 0.0);
                            batch.2 += u64::from(w <= cfg.target_secs);
                        }
                        Outcome::Abandoned { .. } => report.abandoned += 1,
                        Outcome::Overflowed { .. } => {}
                    }
                }
                _ => {}
            }
        }
    }
    report
}
