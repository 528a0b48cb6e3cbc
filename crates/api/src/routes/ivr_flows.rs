//! `/api/v1/ivr-flows`: IVR flows; read by supervisors, written by admins.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use model::{IvrFlow, IvrFlowId, Record};
use store::repo::ivr_flows;

use super::Items;
use crate::auth::{Admin, Supervisor};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

type Out = Record<IvrFlowId, IvrFlow>;

/// The ivr flows routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ivr-flows", get(list).post(create))
        .route("/api/v1/ivr-flows/{id}", get(one).put(update).delete(remove))
}

async fn list(State(s): State<AppState>, Supervisor(c): Supervisor) -> Result<Json<Items<Out>>, ApiError> {
    Ok(Json(ivr_flows::list(&s.pool, c.tenant_id).await?.into()))
}

async fn one(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(id): Id<IvrFlowId>,
) -> Result<Json<Out>, ApiError> {
    ivr_flows::get(&s.pool, c.tenant_id, id).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn create(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(body): JsonBody<IvrFlow>,
) -> Result<(StatusCode, Json<Out>), ApiError> {
    Ok((StatusCode::CREATED, Json(ivr_flows::create(&s.pool, c.tenant_id, &body).await?)))
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<IvrFlowId>,
    JsonBody(body): JsonBody<IvrFlow>,
) -> Result<Json<Out>, ApiError> {
    ivr_flows::update(&s.pool, c.tenant_id, id, &body).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn remove(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<IvrFlowId>) -> Result<StatusCode, ApiError> {
    if ivr_flows::delete(&s.pool, c.tenant_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
