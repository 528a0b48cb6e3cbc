//! `/api/v1/agent/*`: the signed-in agent logs in to take calls, changes
//! state, logs out; `/api/v1/agents/{id}/state`: a supervisor sets an
//! agent's state; `/api/v1/calls/{id}/supervision`: a supervisor
//! monitors, whispers to or barges into a live call (their phone rings),
//! switches mode, takes the call over from its agent (`take_over`: the
//! agent's leg is hung up), or leaves; `/api/v1/calls/{id}/transfer`: the call's
//! agent (or a supervisor) transfers it blind to a queue, an agent or a
//! number; `/api/v1/calls/{id}/consult` (+ `/complete`, `DELETE`): a warm
//! transfer, the caller held while the agent consults an agent or number; `/api/v1/agent/call`: the agent's click-to-call (their phone
//! rings, then the number or contact is dialled). Each goes to the call layer; its decisions
//! come back as events (`agent_*`, `supervisor_joined`/`_left`/`_took_over`: the audit
//! of who did what to which call, and when).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{post, put};
use model::AgentId;
use model::CallId;
use store::repo::agents;

use crate::auth::{AnyRole, Caller, Supervisor};
use crate::call_control::{
    CallControlError, CallPlaced, ChosenState, PlaceCall, Supervision, Transfer, TransferBy, WrapUp,
};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody, UncheckedJson};
use crate::state::AppState;

/// The agent session routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agent/login", post(log_in))
        .route("/api/v1/agent/logout", post(log_out))
        .route("/api/v1/agent/state", put(own_state))
        .route("/api/v1/agent/wrap-up", post(wrap_up))
        .route("/api/v1/agent/call", post(place_call))
        .route("/api/v1/agent/offer/reject", post(reject_offer))
        .route("/api/v1/agents/{id}/state", put(agent_state))
        .route("/api/v1/calls/{id}/supervision", post(supervise).delete(stop_supervising))
        .route("/api/v1/calls/{id}/transfer", post(transfer))
        .route("/api/v1/calls/{id}/consult", post(consult).delete(cancel_consult))
        .route("/api/v1/calls/{id}/consult/complete", post(complete_consult))
}

impl From<CallControlError> for ApiError {
    fn from(error: CallControlError) -> Self {
        match error {
            CallControlError::Refused(reason) => ApiError::Conflict(reason),
            CallControlError::UnknownAgent => ApiError::Conflict(error.to_string()),
            CallControlError::UnknownCall => ApiError::NotFound,
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
    let by = c.user_id().ok_or(ApiError::Forbidden)?;
    s.call_control()?.set_state_by(c.tenant_id, agent, state, by).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn supervise(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(call): Id<CallId>,
    UncheckedJson(body): UncheckedJson<Supervision>,
) -> Result<StatusCode, ApiError> {
    let user = c.user_id().ok_or(ApiError::Forbidden)?;
    s.call_control()?.supervise(c.tenant_id, call, user, body.mode).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn stop_supervising(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(call): Id<CallId>,
) -> Result<StatusCode, ApiError> {
    let user = c.user_id().ok_or(ApiError::Forbidden)?;
    s.call_control()?.stop_supervising(c.tenant_id, call, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn wrap_up(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    JsonBody(body): JsonBody<WrapUp>,
) -> Result<StatusCode, ApiError> {
    let agent = own_agent(&s, &c).await?;
    s.call_control()?.wrap_up(c.tenant_id, agent, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn transfer(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    Id(call): Id<CallId>,
    UncheckedJson(body): UncheckedJson<Transfer>,
) -> Result<StatusCode, ApiError> {
    let by = transferor(&s, &c).await?;
    s.call_control()?.transfer(c.tenant_id, call, by, body.target).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Who moves the call: a supervisor or admin as themselves, anyone else
/// as the agent they are (the call layer checks it is their call).
async fn transferor(s: &AppState, c: &Caller) -> Result<TransferBy, ApiError> {
    if c.role.at_least(model::Role::Supervisor) {
        Ok(TransferBy::Supervisor(c.user_id().ok_or(ApiError::Forbidden)?))
    } else {
        Ok(TransferBy::Agent(own_agent(s, c).await?))
    }
}

async fn consult(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    Id(call): Id<CallId>,
    UncheckedJson(body): UncheckedJson<Transfer>,
) -> Result<StatusCode, ApiError> {
    let by = transferor(&s, &c).await?;
    s.call_control()?.consult(c.tenant_id, call, by, body.target).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn complete_consult(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    Id(call): Id<CallId>,
) -> Result<StatusCode, ApiError> {
    let by = transferor(&s, &c).await?;
    s.call_control()?.complete_consult(c.tenant_id, call, by).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn cancel_consult(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    Id(call): Id<CallId>,
) -> Result<StatusCode, ApiError> {
    let by = transferor(&s, &c).await?;
    s.call_control()?.cancel_consult(c.tenant_id, call, by).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reject_offer(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<StatusCode, ApiError> {
    let agent = own_agent(&s, &c).await?;
    s.call_control()?.reject_offer(c.tenant_id, agent).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn place_call(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    UncheckedJson(body): UncheckedJson<PlaceCall>,
) -> Result<(StatusCode, axum::Json<CallPlaced>), ApiError> {
    let agent = own_agent(&s, &c).await?;
    let number = match body {
        PlaceCall::Number { number } => number,
        PlaceCall::Contact { contact_id } => {
            let contact =
                store::repo::contacts::get(&s.pool, c.tenant_id, contact_id).await?.ok_or(ApiError::NotFound)?;
            contact
                .data
                .phone_numbers
                .into_iter()
                .next()
                .ok_or_else(|| ApiError::Conflict("the contact has no number".into()))?
        }
    };
    let call_id = s.call_control()?.place_call(c.tenant_id, agent, number).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(CallPlaced { call_id })))
}
