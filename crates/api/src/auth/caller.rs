//! Who is calling: a tenant, a role, and a user or an API key.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use model::{ApiKeyId, Role, TenantId, UserId};
use store::repo::{api_keys, sessions};

use super::token::{self, API_KEY_PREFIX};
use crate::error::ApiError;
use crate::state::AppState;

/// What authenticated the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A logged-in user's session.
    User {
        /// The user.
        id: UserId,
        /// The SHA-256 of the session token (to log out).
        token_hash: Vec<u8>,
    },
    /// A tenant API key.
    ApiKey(ApiKeyId),
}

/// An authenticated caller within one tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The caller's tenant; every query is scoped to it.
    pub tenant_id: TenantId,
    /// What the caller may do.
    pub role: Role,
    /// Who the caller is.
    pub principal: Principal,
}

impl Caller {
    /// Fails with 403 unless the caller's role includes `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role.at_least(needed) { Ok(()) } else { Err(ApiError::Forbidden) }
    }

    /// The user behind the caller, when it is a session.
    pub fn user_id(&self) -> Option<UserId> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::ApiKey(_) => None,
        }
    }
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let (caller, _) = authenticate(state, secret).await?;
        Ok(caller)
    }
}

/// The caller a bearer secret (session token or API key) stands for, with
/// the session's end (`None` for an API key, which lasts until revoked).
pub(crate) async fn authenticate(state: &AppState, secret: &str) -> Result<(Caller, Option<DateTime<Utc>>), ApiError> {
    let hash = token::hash(secret);
    let (caller, expires) = if secret.starts_with(API_KEY_PREFIX) {
        let key = api_keys::authenticate(&state.pool, &hash).await?.ok_or(ApiError::Unauthorized)?;
        (Caller { tenant_id: key.tenant_id, role: key.role, principal: Principal::ApiKey(key.id) }, None)
    } else {
        let s = sessions::find(&state.pool, &hash).await?.ok_or(ApiError::Unauthorized)?;
        let principal = Principal::User { id: s.user_id, token_hash: hash };
        (Caller { tenant_id: s.tenant_id, role: s.role, principal }, Some(s.expires_at))
    };
    tracing::Span::current().record("tenant_id", tracing::field::display(caller.tenant_id));
    Ok((caller, expires))
}
