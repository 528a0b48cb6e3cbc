//! `/healthz` (liveness), `/readyz` (database and event writer), `/metrics`
//! (Prometheus) and `/api/openapi.json`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use store::WriterStatus;
use utoipa::ToSchema;

use crate::state::AppState;

/// The body of `/readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// Whether the node should receive traffic.
    pub ready: bool,
    /// `ok`, or why the database check failed.
    pub database: String,
    /// The event writer's status, when one is attached.
    #[schema(value_type = Option<Object>)]
    pub writer: Option<WriterStatus>,
}

/// The health, metrics and documentation routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&s.pool);
    let database = match tokio::time::timeout(s.config.readiness_timeout, probe).await {
        Ok(Ok(1)) => "ok".to_owned(),
        Ok(Ok(other)) => format!("unexpected answer {other}"),
        Ok(Err(e)) => format!("error: {e}"),
        Err(_) => format!("no answer within {:?}", s.config.readiness_timeout),
    };
    let writer = s.writer.get();
    // A writer that is journalling is still safe; one refusing events is not.
    let writer_ok =
        writer.as_ref().is_none_or(|w| w.journal_limit_bytes == 0 || w.journal_bytes < w.journal_limit_bytes);
    let ready = database == "ok" && writer_ok;
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(Readiness { ready, database, writer }))
}

async fn metrics(State(s): State<AppState>) -> Response {
    match s.metrics.encode() {
        Ok(text) => ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text)
            .into_response(),
        Err(e) => crate::error::ApiError::Internal(format!("encoding metrics: {e}")).into_response(),
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}
