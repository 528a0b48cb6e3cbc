//! `/api/v1/agents/{id}/shifts`: an agent's weekly shifts (the roster), in
//! the tenant's local time. Supervisors and admins read and replace any
//! agent's (workforce planning is the floor's job); an agent reads their
//! own. The staffing forecast counts the queue's agents on shift.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use model::{AgentId, Role, Roster, Shift};
use serde::Serialize;
use store::repo::{agents, shifts};
use utoipa::ToSchema;

use crate::auth::{AnyRole, Supervisor};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

/// An agent's shifts, sorted by day (Monday first) and start.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentShifts {
    /// The agent.
    #[schema(value_type = String, format = Uuid)]
    pub agent_id: AgentId,
    /// Their weekly shifts.
    pub shifts: Vec<Shift>,
}

/// The roster routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/agents/{id}/shifts", get(one).put(replace))
}

async fn one(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    Id(id): Id<AgentId>,
) -> Result<Json<AgentShifts>, ApiError> {
    if c.require(Role::Supervisor).is_err() {
        let agent = agents::get(&s.pool, c.tenant_id, id).await?.ok_or(ApiError::NotFound)?;
        if agent.data.user_id.is_none() || agent.data.user_id != c.user_id() {
            return Err(ApiError::Forbidden);
        }
    }
    let roster = shifts::get(&s.pool, c.tenant_id, id).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(AgentShifts { agent_id: id, shifts: roster.shifts }))
}

async fn replace(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(id): Id<AgentId>,
    JsonBody(body): JsonBody<Roster>,
) -> Result<Json<AgentShifts>, ApiError> {
    let stored = shifts::replace(&s.pool, c.tenant_id, id, &body).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(AgentShifts { agent_id: id, shifts: stored.shifts }))
}
