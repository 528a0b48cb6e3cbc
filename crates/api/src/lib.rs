//! Switchboard's HTTP API (axum): authentication with sessions and API
//! keys, role checks, tenant-scoped CRUD for the configuration, stored
//! events, the live feed (a role-filtered WebSocket, [`live`]), reports
//! ([`routes::reports`]), OpenAPI, health and Prometheus metrics.
//!
//! Every object belongs to the caller's tenant; another tenant's object is
//! answered 404, exactly like one that does not exist. Bad requests get a
//! 4xx with `{"error": "...", "fields": [{"field": "a.b[0].c", "reason": "..."}]}`.
//!
//! ```no_run
//! # async fn run(pool: sqlx::PgPool) -> std::io::Result<()> {
//! let state = api::AppState::new(pool, api::ApiConfig::default())
//!     .with_writer_status(store::WriterStatus::default);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, api::router(state)).await
//! # }
//! ```

pub mod auth;
pub mod bootstrap;
pub mod call_control;
pub mod config;
pub mod error;
pub mod extract;
pub mod live;
pub mod metrics;
pub mod openapi;
mod openapi_calls;
mod openapi_reports;
pub mod routes;
pub mod state;
pub mod telemetry;

pub use config::{ApiConfig, PasswordParams};
pub use error::ApiError;
pub use state::AppState;

use axum::Router;
use axum::extract::Request;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The complete HTTP API over `state`, and the web app's files when
/// `ApiConfig::web_dir` is set.
pub fn router(state: AppState) -> Router {
    let web =
        state.config().web_dir.as_ref().map(|dir| ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html"))));
    routes::all()
        .fallback(move |req: Request| fallback(web.clone(), req))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(from_fn_with_state(state.clone(), telemetry::track))
        .with_state(state)
}

/// An unknown `/api/` path is a JSON 404; any other path is a file of the
/// web app when there is one, its `index.html` for a path that names no
/// file (the app's own routes).
async fn fallback(web: Option<ServeDir<ServeFile>>, req: Request) -> Response {
    match web {
        Some(files) if !req.uri().path().starts_with("/api/") => match files.oneshot(req).await {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        },
        _ => ApiError::NotFound.into_response(),
    }
}
