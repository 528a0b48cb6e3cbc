//! The CDR in PostgreSQL: each call's `calls` row, projected from its stored
//! events by [`model::cdr::project`] and upserted.
//!
//! The event writer finalises calls itself: in the transaction that stores a
//! batch, every call with a newly stored `call_ended` (or, for a call that
//! already has a row, a late `disposition_set`, `survey_answered` or
//! `agent_state_changed`) is projected again from all its events and its row
//! upserted — one query reads the events of all those calls, one statement
//! writes their rows. Journal replay goes through the same path, so a call
//! whose end was acknowledged while PostgreSQL was away is finalised when
//! the journal reaches the database. [`finalise`] does the same for one call
//! on demand. Running it again gives the same row.
//!
//! A call's events whose projection fails ([`model::CdrError`]) leave its
//! row as it was (none, or the previous projection), with a warning in the
//! log; `call_ended` not stored yet is not an error, the call is simply not
//! finalised.

mod batch;

use std::ops::Range;

use chrono::{DateTime, Utc};
use model::{CallId, CallRecord, CdrError, ContactId, TenantId};
use sqlx::{PgExecutor, PgPool};

use crate::RepoError;

pub(crate) use batch::{CallTrigger, finalise_calls};

/// Why [`finalise`] wrote no row.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FinaliseError {
    /// The call's events give no record (not ended, no events, bad stream).
    #[error("cannot project the call: {0}")]
    Projection(#[from] CdrError),
    /// A stored event no longer reads back as the model.
    #[error("stored event is invalid: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Projects call `call_id` of `tenant_id` from its stored events and upserts
/// its `calls` row; returns the record written.
pub async fn finalise(pool: &PgPool, tenant_id: TenantId, call_id: CallId) -> Result<CallRecord, FinaliseError> {
    let mut conn = pool.acquire().await?;
    let events = batch::read_events(&mut conn, &[CallTrigger::ended(tenant_id, call_id)]).await?;
    let events = match events.into_iter().next() {
        Some((_, Ok(events))) => events,
        Some((_, Err(e))) => return Err(FinaliseError::Corrupt(e)),
        None => return Err(CdrError::Empty.into()),
    };
    let record = model::cdr::project(&events)?;
    batch::upsert(&mut conn, std::slice::from_ref(&record)).await?;
    Ok(record)
}

/// The tenant's CDR of call `call_id`, if it has been finalised.
pub async fn get(
    db: impl PgExecutor<'_>,
    tenant_id: TenantId,
    call_id: CallId,
) -> Result<Option<CallRecord>, RepoError> {
    let row: Option<(serde_json::Value,)> =
        sqlx::query_as("SELECT to_jsonb(c) FROM calls c WHERE c.tenant_id = $1 AND c.call_id = $2")
            .bind(tenant_id.as_uuid())
            .bind(call_id.as_uuid())
            .fetch_optional(db)
            .await?;
    row.map(|(json,)| crate::repo::from_json(json, "calls")).transpose()
}

/// The tenant's CDRs of calls that arrived in `range`, by arrival time, at
/// most `limit` of them.
pub async fn list(
    db: impl PgExecutor<'_>,
    tenant_id: TenantId,
    range: Range<DateTime<Utc>>,
    limit: i64,
) -> Result<Vec<CallRecord>, RepoError> {
    let rows: Vec<(serde_json::Value,)> = sqlx::query_as(
        "SELECT to_jsonb(c) FROM calls c WHERE c.tenant_id = $1 AND c.arrived_at >= $2 AND c.arrived_at < $3 \
         ORDER BY c.arrived_at, c.call_id LIMIT $4",
    )
    .bind(tenant_id.as_uuid())
    .bind(range.start)
    .bind(range.end)
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(|(json,)| crate::repo::from_json(json, "calls")).collect()
}

/// The tenant's latest `limit` CDRs of calls with contact `contact`,
/// newest first (a screen pop's "last contacts").
pub async fn of_contact(
    db: impl PgExecutor<'_>,
    tenant_id: TenantId,
    contact: ContactId,
    limit: i64,
) -> Result<Vec<CallRecord>, RepoError> {
    let rows: Vec<(serde_json::Value,)> = sqlx::query_as(
        "SELECT to_jsonb(c) FROM calls c WHERE c.tenant_id = $1 AND c.contact_id = $2 \
         ORDER BY c.arrived_at DESC, c.call_id DESC LIMIT $3",
    )
    .bind(tenant_id.as_uuid())
    .bind(contact.as_uuid())
    .bind(limit)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(|(json,)| crate::repo::from_json(json, "calls")).collect()
}
