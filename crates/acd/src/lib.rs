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
//! let new = NewCall { call, queue, priority: 0, vip: VipTier::REGULAR, caller: None };
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
