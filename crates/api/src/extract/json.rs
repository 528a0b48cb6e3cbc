//! A JSON body, deserialised with the path of any error and then validated.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use model::Validate;
use serde::de::DeserializeOwned;

use super::field_error;
use crate::error::ApiError;

/// A JSON request body of type `T`, checked with [`Validate`]. Syntax errors
/// are 400; unknown, missing or mistyped fields and invalid values are 422;
/// every error names the field.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Validate> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let UncheckedJson(value) = UncheckedJson::<T>::from_request(req, state).await?;
        value.validate()?;
        Ok(JsonBody(value))
    }
}

/// A JSON request body of type `T`, deserialised like [`JsonBody`] but not
/// yet validated: for handlers that complete the value first.
#[derive(Debug)]
pub struct UncheckedJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for UncheckedJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(&req) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest { message: format!("cannot read the body: {e}"), fields: Vec::new() }
            }
        })?;
        parse(&bytes).map(UncheckedJson)
    }
}

/// Whether the request says its body is JSON.
fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")))
}

/// Deserialises `bytes` as `T`, naming the field of any error.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let fields = vec![field_error(&path, &inner.to_string())];
        if inner.is_data() {
            ApiError::Invalid { message: "invalid request body".into(), fields }
        } else {
            ApiError::BadRequest { message: format!("malformed JSON: {inner}"), fields }
        }
    })?;
    de.end().map_err(|e| ApiError::BadRequest { message: format!("malformed JSON: {e}"), fields: Vec::new() })?;
    Ok(value)
}
