//! `/api/v1/agent/*`: the signed-in agent logs in to take calls, changes
//! state, logs out; `/api/v1/agents/{id}/state`: a supervisor sets an
//! agent's state. Each goes to the call layer's ACD; its decisions come
//! back as `agent_*` events.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{post, put};
use model::AgentId;
use store::repo::agents;

use crate::auth::{AnyRole, Caller, Supervisor};
use crate::call_control::{CallControlError, ChosenState};
use crate::error::ApiError;
use crate::extract::{Id, UncheckedJson};
use crate::state::AppState;

/// The agent session routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agent/login", post(log_in))
        .route("/api/v1/agent/logout", post(log_out))
        .route("/api/v1/agent/state", put(own_state))
        .route("/api/v1/agents/{id}/state", put(agent_state))
}

impl From<CallControlError> for ApiError {
    fn from(error: CallControlError) -> Self {
        match error {
            CallControlError::Refused(reason) => ApiError::Conflict(reason),
            CallControlError::UnknownAgent => ApiError::Conflict(error.to_string()),
            CallControlError::Unavailable => ApiError::Unavailable(error.to_string()),
        }
    }
}

/// The agent profile of the signed-in user.
async fn own_agent(s: &AppState, c: &Caller) -> Result<AgentId, ApiError> {
    let user = c.user_id().ok_or(ApiError::Forbidden)?;
    let agent = agents::find_by_user(&s.pool, c.tenant_id, user).await?;
    agent.map(|a| a.id).ok_or_else(|| ApiError::Conflict("you have no agent profile".into()))
}

async fn log_in(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<StatusCode, ApiError> {
    let agent = own_agent(&s, &c).await?;
    s.call_control()?.log_in(c.tenant_id, agent).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn log_out(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<StatusCode, ApiError> {
    let agent = own_agent(&s, &c).await?;
    s.call_control()?.log_out(c.tenant_id, agent).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn own_state(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    UncheckedJson(state): UncheckedJson<ChosenState>,
) -> Result<StatusCode, ApiError> {
    let agent = own_agent(&s, &c).await?;
    s.call_control()?.set_state(c.tenant_id, agent, state).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn agent_state(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(agent): Id<AgentId>,
    UncheckedJson(state): UncheckedJson<ChosenState>,
) -> Result<StatusCode, ApiError> {
    agents::get(&s.pool, c.tenant_id, agent).await?.ok_or(ApiError::NotFound)?;
    s.call_control()?.set_state(c.tenant_id, agent, state).await?;
    Ok(StatusCode::NO_CONTENT)
}
