//! `/api/v1/auth/login`, `/api/v1/auth/logout` and `/api/v1/me`.

use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use model::{Agent, AgentId, ApiKeyId, FieldErrors, Record, Role, TenantId, User, UserId, Validate};
use serde::{Deserialize, Serialize};
use store::repo::{agents, sessions, tenants, users};
use utoipa::ToSchema;

use crate::auth::{AnyRole, Principal, password, token};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;

/// The body of a login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The tenant's slug.
    pub tenant: String,
    /// The user's login name.
    pub username: String,
    /// The password.
    pub password: String,
}

impl Validate for LoginRequest {
    fn validate_into(&self, _: &str, errors: &mut FieldErrors) {
        for (field, value) in [("tenant", &self.tenant), ("username", &self.username), ("password", &self.password)] {
            if value.is_empty() {
                errors.push(field, "must not be empty");
            } else if value.len() > 1024 {
                errors.push(field, "must be at most 1024 bytes");
            }
        }
    }
}

/// A successful login.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// The bearer token: send `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// The user's role.
    pub role: Role,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The user.
    pub user_id: UserId,
}

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The tenant's slug.
    pub tenant_slug: String,
    /// The caller's role.
    pub role: Role,
    /// The user, for a session.
    #[schema(value_type = Option<Object>)]
    pub user: Option<Record<UserId, User>>,
    /// The API key, for a key.
    pub api_key_id: Option<ApiKeyId>,
    /// The user's agent profile, if they have one.
    #[schema(value_type = Option<Object>)]
    pub agent: Option<Record<AgentId, Agent>>,
}

/// The authentication routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
}

async fn login(
    State(s): State<AppState>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    if !s.logins.allowed(&body.tenant, &body.username, Instant::now()) {
        return Err(ApiError::TooManyRequests);
    }
    let tenant = tenants::find_by_slug(&s.pool, &body.tenant).await?;
    let creds = match &tenant {
        Some(t) => users::find_credentials(&s.pool, t.id, &body.username).await?,
        None => None,
    };
    let (Some(tenant), Some(creds)) = (tenant, creds) else {
        // Spend the time a real check takes, so timing does not reveal who exists.
        password::hash(s.config.password, body.password).await?;
        s.logins.failed(&body.tenant, &body.username, Instant::now());
        return Err(ApiError::Unauthorized);
    };
    if !password::verify(body.password, creds.password_hash).await? {
        s.logins.failed(&body.tenant, &body.username, Instant::now());
        return Err(ApiError::Unauthorized);
    }
    s.logins.succeeded(&body.tenant, &body.username);
    let expired = sessions::delete_expired(&s.pool).await?;
    if expired > 0 {
        tracing::debug!(expired, "expired sessions removed");
    }
    let secret = token::generate(token::SESSION_PREFIX);
    let ttl = chrono::Duration::from_std(s.config.session_ttl).unwrap_or(chrono::Duration::hours(12));
    let expires_at = Utc::now() + ttl;
    sessions::create(&s.pool, tenant.id, creds.user.id, &token::hash(&secret), expires_at).await?;
    tracing::info!(tenant_id = %tenant.id, user_id = %creds.user.id, "login");
    Ok(Json(LoginResponse {
        token: secret,
        expires_at,
        role: creds.user.data.role,
        tenant_id: tenant.id,
        user_id: creds.user.id,
    }))
}

async fn logout(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<StatusCode, ApiError> {
    match c.principal {
        Principal::User { token_hash, .. } => {
            sessions::delete(&s.pool, &token_hash).await?;
            Ok(StatusCode::NO_CONTENT)
        }
        Principal::ApiKey(_) => Err(ApiError::BadRequest {
            message: "API keys have no session; delete the key to revoke it".into(),
            fields: Vec::new(),
        }),
    }
}

async fn me(State(s): State<AppState>, AnyRole(c): AnyRole) -> Result<Json<Me>, ApiError> {
    let tenant = tenants::get(&s.pool, c.tenant_id).await?.ok_or(ApiError::Unauthorized)?;
    let (user, agent, api_key_id) = match &c.principal {
        Principal::User { id, .. } => {
            let user = users::get(&s.pool, c.tenant_id, *id).await?;
            (user, agents::find_by_user(&s.pool, c.tenant_id, *id).await?, None)
        }
        Principal::ApiKey(key) => (None, None, Some(*key)),
    };
    Ok(Json(Me { tenant_id: c.tenant_id, tenant_slug: tenant.tenant.slug, role: c.role, user, api_key_id, agent }))
}
