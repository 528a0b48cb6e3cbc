//! What the API asks of the running call layer: agents logging in and
//! out and changing state, and what is live (for the live feed). The binary plugs the call layer in
//! ([`crate::AppState::with_call_control`]); without one, these routes
//! answer 503.

use std::future::Future;
use std::pin::Pin;

use model::{AgentId, NotReadyReason, TenantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A boxed future, so the trait can be used as an object.
pub type CallFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An agent state an agent (or a supervisor for them) may choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "state", deny_unknown_fields)]
pub enum ChosenState {
    /// Ready for calls.
    Available,
    /// Not ready, with a reason code.
    NotReady {
        /// Why.
        reason: NotReadyReason,
    },
    /// Do not disturb.
    DoNotDisturb,
}

/// Why the call layer refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallControlError {
    /// The request conflicts with the agent's state (already logged in,
    /// busy with a call, logged out).
    #[error("{0}")]
    Refused(String),
    /// The agent is not known to the call layer (not yet loaded).
    #[error("the agent is not known to the call layer yet")]
    UnknownAgent,
    /// The call layer is not running.
    #[error("the call layer is not running")]
    Unavailable,
}

/// The call layer, as the API drives it.
pub trait CallControl: Send + Sync + 'static {
    /// Logs an agent in: available for the calls of its queues.
    fn log_in(&self, tenant: TenantId, agent: AgentId) -> CallFuture<'_, Result<(), CallControlError>>;
    /// Logs an agent out.
    fn log_out(&self, tenant: TenantId, agent: AgentId) -> CallFuture<'_, Result<(), CallControlError>>;
    /// Sets an agent's state.
    fn set_state(
        &self,
        tenant: TenantId,
        agent: AgentId,
        state: ChosenState,
    ) -> CallFuture<'_, Result<(), CallControlError>>;
    /// What the call layer knows live of a tenant: its agents' states,
    /// its queues' figures, the calls its ACD holds (with their positions).
    fn snapshot(&self, tenant: TenantId) -> CallFuture<'_, Result<crate::live::LiveSnapshot, CallControlError>>;
}
