//! One batch of events into PostgreSQL in one statement: the columns travel
//! as arrays and `UNNEST` turns them back into rows. `ON CONFLICT DO NOTHING`
//! on the primary key `(event_id, at)` makes a retried batch harmless, and
//! `WITH ORDINALITY ... ORDER BY` keeps the batch order in `ingest_id`.
//!
//! A batch holding events that feed a projection (a call's end or late
//! events, an agent's state) is stored in one transaction with the
//! projections' updates (`writer::projection`).

use chrono::{DateTime, Utc};
use model::event::Event;
use sqlx::PgPool;
use uuid::Uuid;

use super::projection::Triggers;

pub(super) const INSERT_SQL: &str = "\
INSERT INTO events (event_id, tenant_id, at, seq, call_id, agent_id, kind, payload, v)
SELECT e.event_id, e.tenant_id, e.at, e.seq, e.call_id, e.agent_id, e.kind, e.payload::jsonb, e.v
FROM UNNEST($1::uuid[], $2::uuid[], $3::timestamptz[], $4::int8[], $5::uuid[], $6::uuid[],
            $7::text[], $8::text[], $9::int2[])
     WITH ORDINALITY AS e(event_id, tenant_id, at, seq, call_id, agent_id, kind, payload, v, ord)
ORDER BY e.ord
ON CONFLICT (event_id, at) DO NOTHING";

/// Binds a batch's columns as `$1`..`$9` of `query` (a `query` or a
/// `query_as`).
macro_rules! bind_columns {
    ($query:expr, $columns:expr) => {{
        let c = $columns;
        $query
            .bind(&c.event_id)
            .bind(&c.tenant_id)
            .bind(&c.at)
            .bind(&c.seq)
            .bind(&c.call_id)
            .bind(&c.agent_id)
            .bind(&c.kind)
            .bind(&c.payload)
            .bind(&c.v)
    }};
}
pub(super) use bind_columns;

/// The columns of a batch, ready to bind.
#[derive(Debug, Default)]
pub struct Columns {
    pub(super) event_id: Vec<Uuid>,
    pub(super) tenant_id: Vec<Uuid>,
    pub(super) at: Vec<DateTime<Utc>>,
    pub(super) seq: Vec<i64>,
    pub(super) call_id: Vec<Option<Uuid>>,
    pub(super) agent_id: Vec<Option<Uuid>>,
    pub(super) kind: Vec<&'static str>,
    pub(super) payload: Vec<String>,
    pub(super) v: Vec<i16>,
    pub(super) triggers: Triggers,
}

/// An event that cannot be stored whatever the database does.
#[derive(Debug, thiserror::Error)]
#[error("event {id}: {reason}")]
pub struct InvalidEvent {
    /// The event's id.
    pub id: Uuid,
    /// What is wrong with it.
    pub reason: String,
}

impl Columns {
    /// An empty set of columns with room for `n` rows.
    pub fn with_capacity(n: usize) -> Self {
        Columns {
            event_id: Vec::with_capacity(n),
            tenant_id: Vec::with_capacity(n),
            at: Vec::with_capacity(n),
            seq: Vec::with_capacity(n),
            call_id: Vec::with_capacity(n),
            agent_id: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            payload: Vec::with_capacity(n),
            v: Vec::with_capacity(n),
            triggers: Triggers::default(),
        }
    }

    /// Adds `event` as a row, or says why it cannot be stored.
    pub fn push(&mut self, event: &Event) -> Result<(), InvalidEvent> {
        let invalid = |reason: String| InvalidEvent { id: event.id.as_uuid(), reason };
        let seq = i64::try_from(event.seq).map_err(|_| invalid(format!("seq {} exceeds bigint", event.seq)))?;
        let v = i16::try_from(event.v).map_err(|_| invalid(format!("schema version {} exceeds smallint", event.v)))?;
        let payload = serde_json::to_string(&event.payload).map_err(|e| invalid(e.to_string()))?;
        self.event_id.push(event.id.as_uuid());
        self.tenant_id.push(event.tenant_id.as_uuid());
        self.at.push(event.at);
        self.seq.push(seq);
        self.call_id.push(event.call_id.map(|c| c.as_uuid()));
        self.agent_id.push(event.agent_id().map(|a| a.as_uuid()));
        self.kind.push(event.kind());
        self.payload.push(payload);
        self.v.push(v);
        self.triggers.note(event);
        Ok(())
    }

    /// Rows held.
    pub fn len(&self) -> usize {
        self.event_id.len()
    }

    /// Whether no row is held.
    pub fn is_empty(&self) -> bool {
        self.event_id.is_empty()
    }

    /// Inserts the rows in one statement (in one transaction with the
    /// projections they feed, if any); returns the rows actually added
    /// (duplicates of stored events are skipped).
    pub async fn insert(&self, pool: &PgPool) -> Result<u64, sqlx::Error> {
        if self.is_empty() {
            return Ok(0);
        }
        if !self.triggers.is_empty() {
            return super::projection::insert_and_project(pool, self).await;
        }
        let done = bind_columns!(sqlx::query(INSERT_SQL), self).execute(pool).await?;
        Ok(done.rows_affected())
    }
}

/// Inserts `events` in one statement, skipping those already stored; returns
/// the rows added. Fails on the first event that cannot be stored.
pub async fn insert_events(pool: &PgPool, events: &[Event]) -> Result<u64, InsertError> {
    let mut columns = Columns::with_capacity(events.len());
    for event in events {
        columns.push(event).map_err(|e| InsertError::Rejected(e.to_string()))?;
    }
    columns.insert(pool).await.map_err(InsertError::from)
}

/// Why a batch insert failed, sorted by what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InsertError {
    /// PostgreSQL is unreachable, restarting or overloaded: journal and retry.
    #[error("database unreachable: {0}")]
    Unreachable(String),
    /// PostgreSQL refused the batch for good (bad data, schema mismatch).
    #[error("database rejected the batch: {0}")]
    Rejected(String),
}

impl From<sqlx::Error> for InsertError {
    fn from(e: sqlx::Error) -> Self {
        if is_transient(&e) { InsertError::Unreachable(e.to_string()) } else { InsertError::Rejected(e.to_string()) }
    }
}

/// Whether `e` means "PostgreSQL is not reachable now" rather than "this
/// statement is wrong": connection failures, shutdown, start-up, lack of
/// resources, serialization conflicts.
pub fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            ["08", "53", "57P", "58"].iter().any(|class| code.starts_with(class)) || code == "40001" || code == "40P01"
        }),
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}
