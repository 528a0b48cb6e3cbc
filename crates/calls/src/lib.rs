//! Switchboard's call flows: the calls a contact center takes, built from
//! the SIP edge (`sip`), the media engine (`media`) and the ACD (`acd`).
//!
//! Sans-IO cores (this crate's modules unless they say they are a shell)
//! take inputs and the time and give outputs, so that every flow is tested
//! deterministically; the tokio shell runs one actor per call.
//!
//! - [`runtime`] (shell): [`Calls`], the dispatcher of the edge's events,
//!   one ACD task per tenant, the agent commands.
//! - [`acd_task`] (shell): a tenant's ACD engine in its task.
//! - `actor` (shell): one call's actor, from the INVITE to the last event.
//! - [`directory`]: each tenant's numbers, flows, queues and agents.
//! - [`events`]: a call's event stream through the durable writer.
//! - [`prompts`]: the prompts and music on hold, loaded once.
//! - [`error`]: what the call layer refuses.
//! - [`ivr`]: the IVR interpreter, one call's walk through an IVR flow.
//!
//! Modules are added by issue 6 as they land; see docs/architecture.md.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod acd_task;
mod actor;
pub mod directory;
pub mod error;
pub mod events;
pub mod ivr;
pub mod prompts;
pub mod runtime;

pub use error::CallsError;
pub use runtime::{Calls, Setup, Transferor};
