//! Per-request tracing span (request id, route, tenant) and HTTP metrics.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::metrics::HttpLabels;
use crate::state::AppState;

/// The header carrying the request id, accepted from the client or made up.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn request_id(req: &Request) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// Runs the request inside a span and records its metrics. The span's
/// `tenant_id` is filled in once the caller is authenticated.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().to_string();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        route = %route,
        tenant_id = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    let mut response = next.run(req).instrument(span.clone()).await;
    let status = response.status();
    span.record("status", status.as_u16());
    span.in_scope(|| tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "answered"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), v);
    }
    state.metrics.observe(HttpLabels { method, route, status: status.as_u16().to_string() }, started.elapsed());
    response
}
