//! The platform operator: creates tenants with a token from the
//! configuration or one stored (hashed) in the `operators` table.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use store::repo::operators;

use super::caller::bearer;
use super::token;
use crate::error::ApiError;
use crate::state::AppState;

/// An authenticated platform operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    /// The operator's name (`config` for the configured token).
    pub name: String,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let hash = token::hash(secret);
        // Comparing digests keeps the comparison's timing independent of the token.
        if state.config.operator_token.as_deref().is_some_and(|t| token::hash(t) == hash) {
            return Ok(Operator { name: "config".into() });
        }
        match operators::find_by_token_hash(&state.pool, &hash).await? {
            Some(name) => Ok(Operator { name }),
            None => Err(ApiError::Unauthorized),
        }
    }
}
