//! `/api/v1/numbers`: DIDs; read by supervisors, written by admins.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use model::{NumberId, PhoneNumber, Record};
use store::repo::numbers;

use super::Items;
use crate::auth::{Admin, Supervisor};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

type Out = Record<NumberId, PhoneNumber>;

/// The numbers routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/numbers", get(list).post(create))
        .route("/api/v1/numbers/{id}", get(one).put(update).delete(remove))
}

async fn list(State(s): State<AppState>, Supervisor(c): Supervisor) -> Result<Json<Items<Out>>, ApiError> {
    Ok(Json(numbers::list(&s.pool, c.tenant_id).await?.into()))
}

async fn one(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(id): Id<NumberId>,
) -> Result<Json<Out>, ApiError> {
    numbers::get(&s.pool, c.tenant_id, id).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn create(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(body): JsonBody<PhoneNumber>,
) -> Result<(StatusCode, Json<Out>), ApiError> {
    Ok((StatusCode::CREATED, Json(numbers::create(&s.pool, c.tenant_id, &body).await?)))
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<NumberId>,
    JsonBody(body): JsonBody<PhoneNumber>,
) -> Result<Json<Out>, ApiError> {
    numbers::update(&s.pool, c.tenant_id, id, &body).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn remove(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<NumberId>) -> Result<StatusCode, ApiError> {
    if numbers::delete(&s.pool, c.tenant_id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
