//! `/api/v1/contacts`: the CRM; read by every role, written by supervisors
//! and admins; `?q=` searches name, company and numbers, `?number=` finds
//! the contacts with exactly that number.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use model::{Contact, ContactId, Record};
use serde::Deserialize;
use store::repo::contacts;
use utoipa::IntoParams;

use super::Items;
use crate::auth::{AnyRole, Supervisor};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody, QueryParams};
use crate::state::AppState;

type Out = Record<ContactId, Contact>;

/// The contact routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/contacts", get(list).post(create))
        .route("/api/v1/contacts/{id}", get(one).put(update).delete(remove))
}

/// Query parameters of the contact list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    /// Text to find in the name, company or a phone number.
    pub q: Option<String>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<i64>,
    /// Skip this many first.
    pub offset: Option<i64>,
    /// Only contacts with exactly this E.164 number (for screen pops).
    pub number: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(query): QueryParams<ContactQuery>,
) -> Result<Json<Items<Out>>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest {
            message: "invalid query parameter".into(),
            fields: vec![model::FieldError { field: "limit".into(), reason: "must be between 1 and 1000".into() }],
        });
    }
    if let Some(number) = &query.number {
        return Ok(Json(contacts::find_by_number(&s.pool, c.tenant_id, number).await?.into()));
    }
    let offset = query.offset.unwrap_or(0).max(0);
    let q = query.q.as_deref().filter(|q| !q.trim().is_empty());
    Ok(Json(contacts::search(&s.pool, c.tenant_id, q, limit, offset).await?.into()))
}

async fn one(State(s): State<AppState>, AnyRole(c): AnyRole, Id(id): Id<ContactId>) -> Result<Json<Out>, ApiError> {
    contacts::get(&s.pool, c.tenant_id, id).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn create(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    JsonBody(body): JsonBody<Contact>,
) -> Result<(StatusCode, Json<Out>), ApiError> {
    Ok((StatusCode::CREATED, Json(contacts::create(&s.pool, c.tenant_id, &body).await?)))
}

async fn update(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(id): Id<ContactId>,
    JsonBody(body): JsonBody<Contact>,
) -> Result<Json<Out>, ApiError> {
    contacts::update(&s.pool, c.tenant_id, id, &body).await?.map(Json).ok_or(ApiError::NotFound)
}

async fn remove(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(id): Id<ContactId>,
) -> Result<StatusCode, ApiError> {
    if contacts::delete(&s.pool, c.tenant_id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
