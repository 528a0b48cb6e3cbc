//! `/api/v1/agents`: agent profiles with skill levels, VIP tier and queue
//! memberships; read by supervisors (and by an agent for their own
//! profile), written by admins. The SIP password is write-only: a `PUT`
//! without it keeps the stored one, `DELETE /api/v1/agents/{id}/sip-password`
//! removes it. `GET /api/v1/agent-directory` gives every role the
//! tenant's agents by name and extension only (the softphone's transfer
//! targets).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use model::{Agent, AgentId, Record, Role};
use serde::Serialize;
use store::repo::agents;
use utoipa::ToSchema;

use super::Items;
use crate::auth::{Admin, AnyRole, Supervisor};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

type Out = Record<AgentId, Agent>;

/// An agent as a colleague sees them: who to transfer a call to.
#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryEntry {
    /// The agent.
    #[schema(value_type = String, format = Uuid)]
    pub id: AgentId,
    /// Display name.
    pub name: String,
    /// Extension.
    pub extension: String,
}

/// The agent routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agents", get(list).post(create))
        .route("/api/v1/agents/{id}", get(one).put(update).delete(remove))
        .route("/api/v1/agents/{id}/sip-password", delete(clear_sip_password))
        .route("/api/v1/agent-directory", get(directory))
}

async fn directory(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<Json<Items<DirectoryEntry>>, ApiError> {
    let entries = agents::list(&s.pool, c.tenant_id)
        .await?
        .into_iter()
        .map(|a| DirectoryEntry { id: a.id, name: a.data.name, extension: a.data.extension })
        .collect::<Vec<_>>();
    Ok(Json(entries.into()))
}

async fn list(State(s): State<AppState>, Supervisor(c): Supervisor) -> Result<Json<Items<Out>>, ApiError> {
    Ok(Json(agents::list(&s.pool, c.tenant_id).await?.into()))
}

async fn one(State(s): State<AppState>, AnyRole(c): AnyRole, Id(id): Id<AgentId>) -> Result<Json<Out>, ApiError> {
    let agent = agents::get(&s.pool, c.tenant_id, id).await?.ok_or(ApiError::NotFound)?;
    let own = agent.data.user_id.is_some() && agent.data.user_id == c.user_id();
    if !own {
        c.require(Role::Supervisor)?;
    }
    Ok(Json(agent))
}

async fn create(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(body): JsonBody<Agent>,
) -> Result<(StatusCode, Json<Out>), ApiError> {
    Ok((StatusCode::CREATED, Json(agents::create(&s.pool, c.tenant_id, &body).await?)))
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<AgentId>,
    JsonBody(body): JsonBody<Agent>,
) -> Result<Json<Out>, ApiError> {
    agents::update(&s.pool, c.tenant_id, id, &body).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn remove(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<AgentId>) -> Result<StatusCode, ApiError> {
    if agents::delete(&s.pool, c.tenant_id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}

async fn clear_sip_password(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<AgentId>,
) -> Result<StatusCode, ApiError> {
    if agents::clear_sip_password(&s.pool, c.tenant_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
