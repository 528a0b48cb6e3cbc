//! `/api/v1/events` and `/api/v1/calls/{id}/events`: the tenant's stored
//! domain events, for supervisors and admins.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use model::{CallId, FieldError};
use serde::Deserialize;
use store::repo::events::{self, EventFilter, StoredEvent};
use utoipa::IntoParams;

use super::Items;
use crate::auth::Supervisor;
use crate::error::ApiError;
use crate::extract::{Id, QueryParams};
use crate::state::AppState;

/// Query parameters of the event list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// From this instant (RFC 3339), inclusive.
    #[param(value_type = Option<String>)]
    pub since: Option<DateTime<Utc>>,
    /// Up to this instant (RFC 3339), exclusive.
    #[param(value_type = Option<String>)]
    pub until: Option<DateTime<Utc>>,
    /// Only this call's events.
    #[param(value_type = Option<String>)]
    pub call_id: Option<CallId>,
    /// At most this many (1–1000, default 100).
    pub limit: Option<i64>,
}

/// The event routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/events", get(list)).route("/api/v1/calls/{id}/events", get(for_call))
}

async fn list(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    QueryParams(q): QueryParams<EventQuery>,
) -> Result<Json<Items<StoredEvent>>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    let mut fields = Vec::new();
    if !(1..=1000).contains(&limit) {
        fields.push(FieldError { field: "limit".into(), reason: "must be between 1 and 1000".into() });
    }
    if let (Some(since), Some(until)) = (q.since, q.until)
        && until < since
    {
        fields.push(FieldError { field: "until".into(), reason: "must not be before since".into() });
    }
    if !fields.is_empty() {
        return Err(ApiError::BadRequest { message: "invalid query parameter".into(), fields });
    }
    let filter = EventFilter { since: q.since, until: q.until, call_id: q.call_id, limit };
    Ok(Json(events::list(&s.pool, c.tenant_id, &filter).await?.into()))
}

async fn for_call(
    State(s): State<AppState>,
    Supervisor(c): Supervisor,
    Id(id): Id<CallId>,
) -> Result<Json<Items<StoredEvent>>, ApiError> {
    let found = events::for_call(&s.pool, c.tenant_id, id).await?;
    if found.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(Json(found.into()))
}
