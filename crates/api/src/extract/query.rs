//! Query-string parameters whose errors name the parameter.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::field_error;
use crate::error::ApiError;

/// Query parameters of type `T`; a bad or unknown parameter is a 400 naming it.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(QueryParams).map_err(|e| {
            let path = e.path().to_string();
            let fields = vec![field_error(&path, &e.into_inner().to_string())];
            ApiError::BadRequest { message: "invalid query parameter".into(), fields }
        })
    }
}
