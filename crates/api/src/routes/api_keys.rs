//! `/api/v1/api-keys`: per-tenant API keys, managed by admins. The secret
//! is returned once, by the POST that creates it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use model::{ApiKey, ApiKeyId, Role};
use serde::Serialize;
use store::repo::api_keys::{self, StoredApiKey};
use utoipa::ToSchema;

use super::Items;
use crate::auth::{Admin, token};
use crate::error::ApiError;
use crate::extract::{Id, JsonBody};
use crate::state::AppState;

/// An API key as shown (never the secret, except `key` right after creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// The key's id.
    pub id: ApiKeyId,
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last authenticated a request.
    pub last_used_at: Option<DateTime<Utc>>,
    /// The secret, present only in the creation response: store it now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl From<StoredApiKey> for ApiKeyView {
    fn from(k: StoredApiKey) -> Self {
        ApiKeyView {
            id: k.id,
            name: k.key.name,
            role: k.key.role,
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            key: None,
        }
    }
}

/// The API key routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/api-keys", get(list).post(create))
        .route("/api/v1/api-keys/{id}", get(one).put(update).delete(remove))
}

async fn list(State(s): State<AppState>, Admin(c): Admin) -> Result<Json<Items<ApiKeyView>>, ApiError> {
    let keys = api_keys::list(&s.pool, c.tenant_id).await?;
    Ok(Json(keys.into_iter().map(ApiKeyView::from).collect::<Vec<_>>().into()))
}

async fn one(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<ApiKeyId>) -> Result<Json<ApiKeyView>, ApiError> {
    api_keys::get(&s.pool, c.tenant_id, id).await?.map(|k| Json(k.into())).ok_or(ApiError::NotFound)
}

async fn create(
    State(s): State<AppState>,
    Admin(c): Admin,
    JsonBody(body): JsonBody<ApiKey>,
) -> Result<(StatusCode, Json<ApiKeyView>), ApiError> {
    let secret = token::generate(token::API_KEY_PREFIX);
    let stored = api_keys::create(&s.pool, c.tenant_id, &body, &token::hash(&secret)).await?;
    let view = ApiKeyView { key: Some(secret), ..stored.into() };
    Ok((StatusCode::CREATED, Json(view)))
}

async fn update(
    State(s): State<AppState>,
    Admin(c): Admin,
    Id(id): Id<ApiKeyId>,
    JsonBody(body): JsonBody<ApiKey>,
) -> Result<Json<ApiKeyView>, ApiError> {
    api_keys::update(&s.pool, c.tenant_id, id, &body).await?.map(|k| Json(k.into())).ok_or(ApiError::NotFound)
}

async fn remove(State(s): State<AppState>, Admin(c): Admin, Id(id): Id<ApiKeyId>) -> Result<StatusCode, ApiError> {
    if api_keys::delete(&s.pool, c.tenant_id, id).await? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound) }
}
