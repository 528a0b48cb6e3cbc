//! Finalising many calls at once: one query reads the events of every call
//! named, one statement upserts their rows (`jsonb_populate_recordset` over
//! the records' JSON, whose keys are the column names; a JSON array becomes
//! the `uuid[]` or `text[]` of its column, and `to_jsonb` reads it back as
//! one).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use model::cdr::project;
use model::event::{Event, EventPayload};
use model::{CallId, CallRecord, CdrError, TenantId};
use sqlx::PgConnection;
use uuid::Uuid;

/// Every column of `calls`, in the order of `CallRecord`'s fields.
const COLUMNS: [&str; 37] = [
    "call_id",
    "tenant_id",
    "arrived_at",
    "ivr_entered_at",
    "ivr_left_at",
    "queued_at",
    "answered_at",
    "ended_at",
    "outcome",
    "abandon_stage",
    "end_cause",
    "number_id",
    "queue_id",
    "agent_id",
    "contact_id",
    "caller_number",
    "dialled_number",
    "vip_tier",
    "outside_business_hours",
    "wait_ms",
    "ring_ms",
    "talk_ms",
    "hold_ms",
    "wrap_up_ms",
    "survey_score",
    "survey_scale",
    "disposition",
    "direction",
    "recording_path",
    "voicemail_path",
    "callback_offered",
    "rona_agent_ids",
    "rejected_agent_ids",
    "ivr_flow_id",
    "ivr_choices",
    "ivr_exit_node",
    "ivr_exit",
];

/// The upsert. A row of another tenant with the same call id is left alone.
static UPSERT_SQL: LazyLock<String> = LazyLock::new(|| {
    let columns = COLUMNS.join(", ");
    let updates: Vec<String> = COLUMNS[1..].iter().map(|c| format!("{c} = EXCLUDED.{c}")).collect();
    format!(
        "INSERT INTO calls ({columns}) SELECT {columns} FROM jsonb_populate_recordset(NULL::calls, $1::jsonb) \
         ON CONFLICT (call_id) DO UPDATE SET {} WHERE calls.tenant_id = EXCLUDED.tenant_id",
        updates.join(", ")
    )
});

/// The events of the calls named (a call with only late events must already
/// have a row), ordered by call then sequence.
const READ_SQL: &str = "\
SELECT e.tenant_id, e.call_id, e.event_id, e.at, e.seq, e.v, e.payload
FROM UNNEST($1::uuid[], $2::uuid[], $3::bool[]) AS t(tenant_id, call_id, ended)
JOIN events e ON e.tenant_id = t.tenant_id AND e.call_id = t.call_id
WHERE t.ended OR EXISTS (SELECT 1 FROM calls c WHERE c.tenant_id = t.tenant_id AND c.call_id = t.call_id)
ORDER BY e.tenant_id, e.call_id, e.seq";

/// A stored event that asks for its call to be finalised.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallTrigger {
    pub(crate) event_id: Uuid,
    tenant: Uuid,
    call: Uuid,
    /// `call_ended`; otherwise a late event, which refinalises only a call
    /// that already has a row.
    ended: bool,
}

impl CallTrigger {
    /// The trigger `event` is, if it is one.
    pub(crate) fn of(event: &Event) -> Option<CallTrigger> {
        let call = event.call_id?;
        let ended = match event.payload {
            EventPayload::CallEnded { .. } => true,
            EventPayload::DispositionSet { .. }
            | EventPayload::SurveyAnswered { .. }
            | EventPayload::AgentStateChanged { .. } => false,
            _ => return None,
        };
        Some(CallTrigger {
            event_id: event.id.as_uuid(),
            tenant: event.tenant_id.as_uuid(),
            call: call.as_uuid(),
            ended,
        })
    }

    /// Finalise `call` whatever its events are.
    pub(super) fn ended(tenant: TenantId, call: CallId) -> CallTrigger {
        CallTrigger { event_id: Uuid::nil(), tenant: tenant.as_uuid(), call: call.as_uuid(), ended: true }
    }
}

type Row = (Uuid, Uuid, Uuid, DateTime<Utc>, i64, i16, serde_json::Value);
type CallEvents = ((Uuid, Uuid), Result<Vec<Event>, String>);

/// The stored events of each call of `triggers` (deduplicated), each call's
/// events in sequence order, or why they do not read back as events.
pub(super) async fn read_events(
    conn: &mut PgConnection,
    triggers: &[CallTrigger],
) -> Result<Vec<CallEvents>, sqlx::Error> {
    let mut calls: BTreeMap<(Uuid, Uuid), bool> = BTreeMap::new();
    for t in triggers {
        *calls.entry((t.tenant, t.call)).or_default() |= t.ended;
    }
    let tenants: Vec<Uuid> = calls.keys().map(|k| k.0).collect();
    let ids: Vec<Uuid> = calls.keys().map(|k| k.1).collect();
    let ended: Vec<bool> = calls.values().copied().collect();
    let rows: Vec<Row> = sqlx::query_as(READ_SQL).bind(&tenants).bind(&ids).bind(&ended).fetch_all(&mut *conn).await?;
    let mut out: Vec<CallEvents> = Vec::new();
    for (tenant, call, id, at, seq, v, payload) in rows {
        if out.last().is_none_or(|(key, _)| *key != (tenant, call)) {
            out.push(((tenant, call), Ok(Vec::new())));
        }
        let Some((_, Ok(events))) = out.last_mut() else { continue };
        match event(tenant, call, id, at, seq, v, payload) {
            Ok(e) => events.push(e),
            Err(e) => out.last_mut().expect("pushed above").1 = Err(e),
        }
    }
    Ok(out)
}

/// A stored row back as an event.
fn event(
    tenant: Uuid,
    call: Uuid,
    id: Uuid,
    at: DateTime<Utc>,
    seq: i64,
    v: i16,
    payload: serde_json::Value,
) -> Result<Event, String> {
    let payload: EventPayload = serde_json::from_value(payload).map_err(|e| format!("event {id}: {e}"))?;
    Ok(Event {
        v: u16::try_from(v).map_err(|_| format!("event {id}: version {v}"))?,
        id: id.into(),
        tenant_id: tenant.into(),
        at,
        seq: u64::try_from(seq).map_err(|_| format!("event {id}: seq {seq}"))?,
        call_id: Some(call.into()),
        payload,
    })
}

/// Upserts `records` in one statement.
pub(super) async fn upsert(conn: &mut PgConnection, records: &[CallRecord]) -> Result<(), sqlx::Error> {
    if records.is_empty() {
        return Ok(());
    }
    sqlx::query(&UPSERT_SQL).bind(sqlx::types::Json(records)).execute(conn).await?;
    Ok(())
}

/// Finalises the calls of `triggers`: one read, one upsert. A call whose
/// projection fails keeps its row as it was; a call not ended yet is skipped.
/// Called inside a transaction, it applies the rows' rollups (migration
/// 0011) before it returns rather than at commit, so that a rollup failure
/// fails here, where the caller's savepoint catches it.
pub(crate) async fn finalise_calls(conn: &mut PgConnection, triggers: &[CallTrigger]) -> Result<usize, sqlx::Error> {
    if triggers.is_empty() {
        return Ok(0);
    }
    let mut records = Vec::new();
    for ((tenant, call), events) in read_events(conn, triggers).await? {
        match events.map(|events| project(&events)) {
            Ok(Ok(record)) => records.push(record),
            Ok(Err(CdrError::NotEnded)) => {}
            Ok(Err(e)) => tracing::warn!(%tenant, %call, error = %e, "call events give no CDR"),
            Err(e) => tracing::warn!(%tenant, %call, error = %e, "stored call event unreadable: no CDR"),
        }
    }
    upsert(conn, &records).await?;
    if !records.is_empty() {
        sqlx::query("SET CONSTRAINTS rollup_flush IMMEDIATE").execute(&mut *conn).await?;
    }
    Ok(records.len())
}
