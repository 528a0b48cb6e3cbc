//! `/api/v1/trunks`: carrier trunks; read by supervisors, written by
//! admins. Passwords are write-only: no response contains them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use model::{Record, Trunk, TrunkId};
use store::repo::trunks;

use super::Items;
use crate::auth::{Admin, Supervisor};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

type Out = Record<TrunkId, Trunk>;

/// The trunk routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/trunks", get(list).post(create))
        .route("/api/v1/trunks/{id}", get(one).put(update).delete(remove))
}

/// The trunk as shown: every password blanked.
fn shown(r: Out) -> Out {
    Record { id: r.id, data: r.data.redacted() }
}

async fn list(State(s): State<AppState>, Supervisor(c): Supervisor) -> Result<Json<Items<Out>>, ApiError> {
    let all = trunks::list(&s.pool, c.tenant_id).await?;
    Ok(Json(all.into_iter().map(shown).collect::<Vec<_>>().into()))
}

async fn one(State(s): State<AppState>, Supervisor(c): Supervisor, Id(id): Id<TrunkId>) -> Result<Json<Out>, ApiError> {
    trunks::get(&s.pool, c.tenant_id, id).await?.map(|t| Json(shown(t))).ok_or(ApiError::NotFound)
}

async fn create(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(body): JsonBody<Trunk>,
) -> Result<(StatusCode, Json<Out>), ApiError> {
    Ok((StatusCode::CREATED, Json(shown(trunks::create(&s.pool, c.tenant_id, &body).await?))))
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<TrunkId>,
    JsonBody(body): JsonBody<Trunk>,
) -> Result<Json<Out>, ApiError> {
    trunks::update(&s.pool, c.tenant_id, id, &body).await?.map(|t| Json(shown(t))).ok_or(ApiError::NotFound)
}

async fn remove(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<TrunkId>) -> Result<StatusCode, ApiError> {
    if trunks::delete(&s.pool, c.tenant_id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
