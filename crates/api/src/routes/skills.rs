//! `/api/v1/skills`: read by every role, written by admins.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use model::{Record, Skill, SkillId};
use store::repo::skills;

use super::Items;
use crate::auth::{Admin, AnyRole};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

type Out = Record<SkillId, Skill>;

/// The skill routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/skills", get(list).post(create))
        .route("/api/v1/skills/{id}", get(one).put(update).delete(remove))
}

async fn list(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<Json<Items<Out>>, ApiError> {
    Ok(Json(skills::list(&s.pool, c.tenant_id).await?.into()))
}

async fn one(State(s): State<AppState>, AnyRole(c): AnyRole, Id(id): Id<SkillId>) -> Result<Json<Out>, ApiError> {
    skills::get(&s.pool, c.tenant_id, id).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn create(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(body): JsonBody<Skill>,
) -> Result<(StatusCode, Json<Out>), ApiError> {
    Ok((StatusCode::CREATED, Json(skills::create(&s.pool, c.tenant_id, &body).await?)))
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<SkillId>,
    JsonBody(body): JsonBody<Skill>,
) -> Result<Json<Out>, ApiError> {
    skills::update(&s.pool, c.tenant_id, id, &body).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn remove(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<SkillId>) -> Result<StatusCode, ApiError> {
    if skills::delete(&s.pool, c.tenant_id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
