//! A typed id from the request path.

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::error::ApiError;

/// The `{id}` path segment parsed as `T`. An id that is not a UUID cannot
/// name anything, so it is a 404 like any other unknown id.
#[derive(Debug)]
pub struct Id<T>(pub T);

impl<S: Send + Sync, T: FromStr> FromRequestParts<S> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| ApiError::NotFound)?;
        raw.parse().map(Id).map_err(|_| ApiError::NotFound)
    }
}
