//! What the API asks of the running call layer: agents logging in and
//! out and changing state, and what is live (for the live feed). The binary plugs the call layer in
//! ([`crate::AppState::with_call_control`]); without one, these routes
//! answer 503.

use std::future::Future;
use std::pin::Pin;

use model::{AgentId, CallId, MoveTarget, NotReadyReason, SupervisionMode, TenantId, TransferTarget, UserId};
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
    /// No such live call in the tenant.
    #[error("no such live call")]
    UnknownCall,
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
    /// The agent refuses the call ringing at them (as their phone
    /// declining it would): the ACD offers it to the next agent.
    fn reject_offer(&self, tenant: TenantId, agent: AgentId) -> CallFuture<'_, Result<(), CallControlError>> {
        let _ = (tenant, agent);
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    /// A supervisor sets an agent's state; `agent_state_set` audits who.
    fn set_state_by(
        &self,
        tenant: TenantId,
        agent: AgentId,
        state: ChosenState,
        by: UserId,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let _ = (tenant, agent, state, by);
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    /// A supervisor monitors, whispers to, barges into or takes over a
    /// live call (or switches to that mode).
    fn supervise(
        &self,
        tenant: TenantId,
        call: CallId,
        supervisor: UserId,
        mode: SupervisionMode,
    ) -> CallFuture<'_, Result<(), CallControlError>>;
    /// Files the disposition of the agent's last call and ends the wrap-up.
    fn wrap_up(
        &self,
        tenant: TenantId,
        agent: AgentId,
        wrap_up: WrapUp,
    ) -> CallFuture<'_, Result<(), CallControlError>>;
    /// The supervisor leaves the call.
    fn stop_supervising(
        &self,
        tenant: TenantId,
        call: CallId,
        supervisor: UserId,
    ) -> CallFuture<'_, Result<(), CallControlError>>;
    /// A blind transfer of a connected call to a queue, an agent or a
    /// number, asked by the call's agent or a supervisor.
    fn transfer(
        &self,
        tenant: TenantId,
        call: CallId,
        by: TransferBy,
        target: TransferTarget,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let _ = (tenant, call, by, target);
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    /// Warm transfer, step one: the caller is held and `target` (an agent
    /// or a number) rung for the call's agent to consult.
    fn consult(
        &self,
        tenant: TenantId,
        call: CallId,
        by: TransferBy,
        target: TransferTarget,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let _ = (tenant, call, by, target);
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    /// Warm transfer, step two: the caller is put through to the party
    /// consulted and the agent leaves the call.
    fn complete_consult(
        &self,
        tenant: TenantId,
        call: CallId,
        by: TransferBy,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let _ = (tenant, call, by);
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    /// The consultation is called off: the agent is back with the caller.
    fn cancel_consult(
        &self,
        tenant: TenantId,
        call: CallId,
        by: TransferBy,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let _ = (tenant, call, by);
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    /// An agent's click-to-call: their phone rings, then `number` is
    /// dialled; the new call's id.
    fn place_call(
        &self,
        tenant: TenantId,
        agent: AgentId,
        number: String,
    ) -> CallFuture<'_, Result<CallId, CallControlError>> {
        let _ = (tenant, agent, number);
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    /// What the call layer knows live of a tenant: its agents' states,
    /// its queues' figures, the calls its ACD holds (with their positions).
    fn snapshot(&self, tenant: TenantId) -> CallFuture<'_, Result<crate::live::LiveSnapshot, CallControlError>>;
    /// A supervisor moves a waiting call to another queue, or offers it to
    /// an available agent now; `call_moved` audits it. A call the ACD does
    /// not hold is [`CallControlError::UnknownCall`]; the ACD's refusal
    /// (the call rings or talks, the agent is not available) is `Refused`.
    fn move_call(
        &self,
        tenant: TenantId,
        call: CallId,
        by: UserId,
        target: MoveTarget,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let _ = (tenant, call, by, target);
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    /// A supervisor changes a waiting call's base priority;
    /// `priority_changed` audits it. Refusals as for [`CallControl::move_call`].
    fn set_priority(
        &self,
        tenant: TenantId,
        call: CallId,
        by: UserId,
        priority: i32,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let _ = (tenant, call, by, priority);
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
}

/// The body of `POST /api/v1/agent/wrap-up`: the disposition of the call
/// just ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WrapUp {
    /// The tenant's disposition code (e.g. `resolved`, `follow_up`).
    pub disposition: String,
    /// Free notes.
    #[serde(default)]
    pub notes: String,
}

impl model::Validate for WrapUp {
    fn validate_into(&self, path: &str, errors: &mut model::FieldErrors) {
        let code = if path.is_empty() { "disposition".to_owned() } else { format!("{path}.disposition") };
        if self.disposition.trim().is_empty() || self.disposition.len() > 100 {
            errors.push(&code, "must be 1-100 characters");
        }
        if self.notes.len() > 10_000 {
            let notes = if path.is_empty() { "notes".to_owned() } else { format!("{path}.notes") };
            errors.push(notes, "must be at most 10000 characters");
        }
    }
}

/// The body of `POST /api/v1/calls/{id}/supervision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Supervision {
    /// Monitor, whisper, barge or take over (`take_over`: the agent's leg
    /// is hung up and the supervisor talks to the caller alone).
    pub mode: SupervisionMode,
}

/// Who asks for a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferBy {
    /// The agent on the call (refused for anyone else's call).
    Agent(AgentId),
    /// A supervisor or admin of the tenant.
    Supervisor(UserId),
}

/// The body of `POST /api/v1/calls/{id}/transfer`: a blind transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Where the call goes: `{"type": "queue", "queue_id": …}`,
    /// `{"type": "agent", "agent_id": …}` or `{"type": "number", "number": "+…"}`.
    pub target: TransferTarget,
}

/// The body of `POST /api/v1/agent/call`: whom the agent calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", untagged, deny_unknown_fields)]
pub enum PlaceCall {
    /// A number (E.164).
    Number {
        /// The number.
        number: String,
    },
    /// A contact of the tenant (their first number).
    Contact {
        /// The contact.
        contact_id: model::ContactId,
    },
}

/// The answer of `POST /api/v1/agent/call`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CallPlaced {
    /// The new call.
    pub call_id: CallId,
}
