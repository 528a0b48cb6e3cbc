//! `GET /api/v1/contacts/{id}/calls`: a contact's latest calls, newest
//! first, for the agent's screen pop (when, which way, how it ended, who
//! took it, the disposition). Every role reads it, like the contact.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use model::{AgentId, CallDirection, CallId, CallOutcome, CallRecord, ContactId, QueueId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Items;
use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::extract::{Id, QueryParams};
use crate::state::AppState;

/// The most calls one request lists.
const MAX_LIMIT: i64 = 50;

/// One past call of a contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactCall {
    /// The call.
    pub call_id: CallId,
    /// When it arrived (or was placed).
    pub arrived_at: DateTime<Utc>,
    /// Inbound or outbound.
    pub direction: CallDirection,
    /// How it ended.
    pub outcome: CallOutcome,
    /// The queue it waited in, if any.
    pub queue_id: Option<QueueId>,
    /// The agent who took it, if any.
    pub agent_id: Option<AgentId>,
    /// Talk time in milliseconds, when answered.
    pub talk_ms: Option<i64>,
    /// The agent's disposition code, when filed.
    pub disposition: Option<String>,
}

impl From<CallRecord> for ContactCall {
    fn from(r: CallRecord) -> Self {
        ContactCall {
            call_id: r.call_id,
            arrived_at: r.arrived_at,
            direction: r.direction,
            outcome: r.outcome,
            queue_id: r.queue_id,
            agent_id: r.agent_id,
            talk_ms: r.talk_ms,
            disposition: r.disposition,
        }
    }
}

/// Query parameters of a contact's calls.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContactCallsQuery {
    /// At most this many (1–50, default 5).
    pub limit: Option<i64>,
}

/// The route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/contacts/{id}/calls", get(calls))
}

async fn calls(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    Id(id): Id<ContactId>,
    QueryParams(query): QueryParams<ContactCallsQuery>,
) -> Result<Json<Items<ContactCall>>, ApiError> {
    let limit = query.limit.unwrap_or(5);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest {
            message: "invalid query parameter".into(),
            fields: vec![model::FieldError {
                field: "limit".into(),
                reason: format!("must be between 1 and {MAX_LIMIT}"),
            }],
        });
    }
    store::repo::contacts::get(&s.pool, c.tenant_id, id).await?.ok_or(ApiError::NotFound)?;
    let rows = store::cdr::of_contact(&s.pool, c.tenant_id, id, limit).await?;
    Ok(Json(rows.into_iter().map(ContactCall::from).collect::<Vec<_>>().into()))
}
