//! `/api/v1/calls/{id}/move` and `/api/v1/calls/{id}/priority`: a
//! supervisor (or admin) moves a waiting call to another queue or offers
//! it to an agent of their choice, or changes its priority. The call layer
//! carries it out; the audit is an event of the call (`call_moved`,
//! `priority_changed`: who, when, which call).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use model::{AgentId, CallId, FieldErrors, MoveTarget, QueueId, Validate};
use serde::{Deserialize, Serialize};
use store::repo::{agents, queues};
use utoipa::ToSchema;

use crate::auth::Supervisor;
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

/// The body of `POST /api/v1/calls/{id}/move`: exactly one of a queue (the
/// call waits there from now on) or an agent (offered the call now).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveCall {
    /// The queue of your tenant to move the call to.
    #[serde(default)]
    pub queue_id: Option<QueueId>,
    /// The available agent of your tenant to offer the call to.
    #[serde(default)]
    pub agent_id: Option<AgentId>,
}

impl MoveCall {
    /// Where to, once validated.
    fn target(&self) -> Option<MoveTarget> {
        match (self.queue_id, self.agent_id) {
            (Some(queue_id), None) => Some(MoveTarget::Queue { queue_id }),
            (None, Some(agent_id)) => Some(MoveTarget::Agent { agent_id }),
            _ => None,
        }
    }
}

impl Validate for MoveCall {
    fn validate_into(&self, _path: &str, errors: &mut FieldErrors) {
        match (self.queue_id, self.agent_id) {
            (None, None) => errors.push("queue_id", "give a queue_id or an agent_id"),
            (Some(_), Some(_)) => errors.push("agent_id", "give either a queue_id or an agent_id, not both"),
            _ => {}
        }
    }
}

/// The body of `POST /api/v1/calls/{id}/priority`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityChange {
    /// The call's new base priority (higher is served first; the queue's
    /// priority aging adds to it as the call waits).
    pub priority: i32,
}

impl Validate for PriorityChange {
    fn validate_into(&self, _path: &str, _errors: &mut FieldErrors) {}
}

/// The routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calls/{id}/move", post(move_call))
        .route("/api/v1/calls/{id}/priority", post(set_priority))
}

async fn move_call(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(call): Id<CallId>,
    JsonBody(body): JsonBody<MoveCall>,
) -> Result<StatusCode, ApiError> {
    let user = c.user_id().ok_or(ApiError::Forbidden)?;
    let target = body.target().ok_or_else(|| ApiError::field("queue_id", "give a queue_id or an agent_id"))?;
    match target {
        MoveTarget::Queue { queue_id } => {
            queues::get(&s.pool, c.tenant_id, queue_id)
                .await?
                .ok_or_else(|| ApiError::field("queue_id", "no such queue in your tenant"))?;
        }
        MoveTarget::Agent { agent_id } => {
            agents::get(&s.pool, c.tenant_id, agent_id)
                .await?
                .ok_or_else(|| ApiError::field("agent_id", "no such agent in your tenant"))?;
        }
    }
    s.call_control()?.move_call(c.tenant_id, call, user, target).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_priority(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(call): Id<CallId>,
    JsonBody(body): JsonBody<PriorityChange>,
) -> Result<StatusCode, ApiError> {
    let user = c.user_id().ok_or(ApiError::Forbidden)?;
    s.call_control()?.set_priority(c.tenant_id, call, user, body.priority).await?;
    Ok(StatusCode::NO_CONTENT)
}
