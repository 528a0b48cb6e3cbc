//! Reading the tenant's stored domain events (the writer lives elsewhere).

use chrono::{DateTime, Utc};
use model::{AgentId, CallId, EventId, TenantId};
use serde::Serialize;
use sqlx::PgExecutor;

use super::RepoError;

/// One stored event as read back: its envelope and its JSON payload.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredEvent {
    /// The event's id.
    pub id: EventId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Its sequence number within its call (or agent stream).
    pub seq: i64,
    /// The call it belongs to, if any.
    pub call_id: Option<CallId>,
    /// The agent it concerns, if any.
    pub agent_id: Option<AgentId>,
    /// The event kind (e.g. `call_answered`).
    pub kind: String,
    /// The payload as stored.
    pub payload: serde_json::Value,
}

/// Which events to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// From this instant, inclusive.
    pub since: Option<DateTime<Utc>>,
    /// Up to this instant, exclusive.
    pub until: Option<DateTime<Utc>>,
    /// Only this call's events.
    pub call_id: Option<CallId>,
    /// At most this many.
    pub limit: i64,
}

type Row = (uuid::Uuid, DateTime<Utc>, i64, Option<uuid::Uuid>, Option<uuid::Uuid>, String, serde_json::Value);

fn event((id, at, seq, call_id, agent_id, kind, payload): Row) -> StoredEvent {
    StoredEvent {
        id: id.into(),
        at,
        seq,
        call_id: call_id.map(CallId::from),
        agent_id: agent_id.map(AgentId::from),
        kind,
        payload,
    }
}

/// The tenant's events matching `filter`, oldest first.
pub async fn list(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    filter: &EventFilter,
) -> Result<Vec<StoredEvent>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT event_id, at, seq, call_id, agent_id, kind, payload FROM events WHERE tenant_id = $1 \
         AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3) \
         AND ($4::uuid IS NULL OR call_id = $4) ORDER BY at, seq, event_id LIMIT $5",
    )
    .bind(tenant.0)
    .bind(filter.since)
    .bind(filter.until)
    .bind(filter.call_id.map(|c| c.0))
    .bind(filter.limit)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(event).collect())
}

/// Every event of one call of the tenant, in sequence order.
pub async fn for_call(db: impl PgExecutor<'_>, tenant: TenantId, call: CallId) -> Result<Vec<StoredEvent>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT event_id, at, seq, call_id, agent_id, kind, payload FROM events \
         WHERE tenant_id = $1 AND call_id = $2 ORDER BY seq, at",
    )
    .bind(tenant.0)
    .bind(call.0)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(event).collect())
}
