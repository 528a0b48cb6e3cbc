//! The automatic call distributor (ACD): a pure, sans-IO state machine that
//! decides which waiting call goes to which agent. One [`Engine`] serves one
//! tenant. It never reads a clock, opens a socket or touches a database:
//! [`Command`]s and the current [`Instant`] go in, [`Action`]s come out, and
//! [`Engine::poll_timeout`] says when it must be woken next.
//!
//! The run loop of a shell (a tokio task in `calls`) looks like this:
//!
//! ```
//! use acd::{Action, Command, Engine, Instant, NewCall, AgentProfile};
//! use model::{AgentId, CallId, QueueId, QueueMembership, VipTier};
//!
//! let queue = QueueId::new();
//! let config: model::Queue = serde_json::from_value(serde_json::json!({
//!     "name": "Support", "max_wait_secs": 600, "max_length": 50, "wrap_up_secs": 30,
//!     "business_hours": {"time_zone": "UTC", "weekly": []},
//!     "overflow": null, "callback_threshold_secs": null
//! })).unwrap();
//! let mut acd = Engine::new();
//! let t0 = Instant::ZERO;
//! acd.handle(Command::ConfigureQueue { queue, config: Box::new(config) }, t0).unwrap();
//! let agent = AgentId::new();
//! let profile = AgentProfile { queues: vec![QueueMembership { queue_id: queue, weight: 1 }], ..Default::default() };
//! acd.handle(Command::LogIn { agent, profile }, t0).unwrap();
//! let call = CallId::new();
//! let new = NewCall { call, queue, priority: 0, vip: VipTier::REGULAR, caller: None, skills: Vec::new() };
//! acd.handle(Command::Enqueue(new), Instant::from_secs(1)).unwrap();
//! let mut offered = None;
//! while let Some(action) = acd.poll_action() {
//!     // The shell carries each action out: ring the agent, play a prompt...
//!     if let Action::Offer { agent, .. } = action {
//!         offered = Some(agent);
//!     }
//! }
//! assert_eq!(offered, Some(agent));
//! // ...and sleeps until the next deadline (here the offer's ring timeout).
//! let wake = acd.poll_timeout().unwrap();
//! acd.handle_timeout(wake);
//! ```
//!
//! # Contract
//!
//! - Call [`Engine::handle_timeout`] whenever the instant from
//!   [`Engine::poll_timeout`] is reached, before any command at a later
//!   time, and drain [`Engine::poll_action`] after every call.
//! - A refused command returns an [`AcdError`], emits nothing and changes
//!   nothing. Nothing panics on input: unknown ids, commands in the wrong
//!   state and invalid configuration are errors.
//! - Every call that enters gets exactly one [`Action::Finished`]: answered
//!   (at the answer; the engine then keeps the call only to start the
//!   agent's wrap-up at [`Command::CallEnded`]), abandoned, or overflowed.
//! - Deterministic: the same commands at the same instants give the same
//!   actions. No clock, randomness, I/O, threads or locks inside.
//!
//! # How it decides
//!
//! - A queue's waiting calls are ordered by a time-invariant rank: with
//!   priority aging at `r` per minute, effective priority `p + r·wait`
//!   orders like `r·enqueued − p·1 min`, so the order never needs resorting;
//!   ties go by arrival.
//! - Idle agents are filed per queue in strategy order (idle since, calls or
//!   talk time today, round-robin turn); back-office agents in a second pool
//!   used only while the queue's estimated wait is over its blending
//!   threshold.
//! - One invariant — *no waiting call has an eligible idle agent* — is kept
//!   by routing a call when it starts waiting or its eligible set grows (skill
//!   step, VIP relaxation, sticky hold ending), and an agent when it becomes
//!   idle (best call over its queues by effective priority, then wait × the
//!   queue's weight, then arrival). So an offer never overtakes a
//!   higher-priority call the same agent could take.
//! - Eligibility: queue membership (or an expansion step's extra queues),
//!   VIP tier as a hard floor unless the queue relaxes it after a stated
//!   wait, the skill levels of the step in force, not having rejected the
//!   call, and the sticky hold.
//! - Timers (ring timeout, wrap-up end, max wait, skill step, VIP
//!   relaxation, sticky expiry, announcement) live in one heap; each checks
//!   its condition when it fires, so none is ever cancelled in place.
//! - The estimated wait is position divided by the live service rate
//!   (answers per second over the last 15 minutes), or staffed agents over
//!   the average handle time while there are too few answers.
//!
//! [`erlang_c`] and [`service_level`] are public for the staffing forecast;
//! [`sim`] runs the engine under Poisson load and checks it against them.

pub mod action;
mod agent;
mod agents;
mod call;
pub mod command;
mod engine;
pub mod erlang;
pub mod error;
mod ewt;
mod idhash;
mod lifecycle;
mod queue;
mod queueing;
mod routing;
pub mod sim;
mod skills;
pub mod stats;
mod supervisor;
pub mod time;
mod timer;

pub use action::{Action, Outcome, OverflowReason, TaskKind};
pub use command::{AgentProfile, Command, NewCall, ReadyState};
pub use engine::Engine;
pub use erlang::{average_speed_of_answer, erlang_b, erlang_c, service_level};
pub use error::AcdError;
pub use stats::{AgentCounts, QueueStats};
pub use time::Instant;
