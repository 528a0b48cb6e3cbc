//! The raw CDR for export: every column of `calls`, a page at a time in
//! arrival order (keyset paging on `(arrived_at, call_id)`, so a page costs
//! the same wherever it starts and rows finalised meanwhile are neither
//! skipped nor repeated before the cursor).
//!
//! Filters: queues, agents (the agent who answered), VIP tiers, entry
//! numbers, local weekdays/hours; IVR flows are refused.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::sql::{self, Columns};
use super::{Filter, ReportQueryError};

const HAS: Columns = Columns { queue: true, agent: true, vip: true, number: true, flow: false };

/// One `calls` row, column by column (names as in the table).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
#[allow(missing_docs)] // reason: each field is the column of the same name (migrations 0002, 0008–0010)
pub struct CdrRow {
    pub call_id: Uuid,
    pub direction: String,
    pub arrived_at: DateTime<Utc>,
    pub ivr_entered_at: Option<DateTime<Utc>>,
    pub ivr_left_at: Option<DateTime<Utc>>,
    pub queued_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub outcome: String,
    pub abandon_stage: Option<String>,
    pub end_cause: Option<String>,
    pub number_id: Option<Uuid>,
    pub queue_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub caller_number: String,
    pub dialled_number: String,
    pub vip_tier: i16,
    pub outside_business_hours: bool,
    pub wait_ms: Option<i64>,
    pub ring_ms: Option<i64>,
    pub talk_ms: Option<i64>,
    pub hold_ms: Option<i64>,
    pub wrap_up_ms: Option<i64>,
    pub survey_score: Option<i16>,
    pub survey_scale: Option<i16>,
    pub disposition: Option<String>,
    pub callback_offered: bool,
    pub rona_agent_ids: Vec<Uuid>,
    pub rejected_agent_ids: Vec<Uuid>,
    pub ivr_flow_id: Option<Uuid>,
    pub ivr_choices: Vec<String>,
    pub ivr_exit_node: Option<String>,
    pub ivr_exit: Option<String>,
    pub recording_path: Option<String>,
    pub voicemail_path: Option<String>,
}

/// The column names of [`CdrRow`], in order: a CSV header.
pub const COLUMNS: [&str; 36] = [
    "call_id",
    "direction",
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
    "callback_offered",
    "rona_agent_ids",
    "rejected_agent_ids",
    "ivr_flow_id",
    "ivr_choices",
    "ivr_exit_node",
    "ivr_exit",
    "recording_path",
    "voicemail_path",
];

impl CdrRow {
    /// Where the next page starts after this row.
    pub fn cursor(&self) -> Cursor {
        Cursor { arrived_at: self.arrived_at, call_id: self.call_id }
    }

    /// The row as text, one value per [`COLUMNS`] entry: empty for NULL,
    /// times in RFC 3339 UTC with milliseconds, lists joined by `;`.
    pub fn fields(&self) -> Vec<String> {
        fn opt<T: ToString>(v: &Option<T>) -> String {
            v.as_ref().map(T::to_string).unwrap_or_default()
        }
        fn time(t: &DateTime<Utc>) -> String {
            t.to_rfc3339_opts(SecondsFormat::Millis, true)
        }
        fn opt_time(t: &Option<DateTime<Utc>>) -> String {
            t.as_ref().map(time).unwrap_or_default()
        }
        fn list<T: ToString>(v: &[T]) -> String {
            v.iter().map(T::to_string).collect::<Vec<_>>().join(";")
        }
        vec![
            self.call_id.to_string(),
            self.direction.clone(),
            time(&self.arrived_at),
            opt_time(&self.ivr_entered_at),
            opt_time(&self.ivr_left_at),
            opt_time(&self.queued_at),
            opt_time(&self.answered_at),
            opt_time(&self.ended_at),
            self.outcome.clone(),
            opt(&self.abandon_stage),
            opt(&self.end_cause),
            opt(&self.number_id),
            opt(&self.queue_id),
            opt(&self.agent_id),
            opt(&self.contact_id),
            self.caller_number.clone(),
            self.dialled_number.clone(),
            self.vip_tier.to_string(),
            self.outside_business_hours.to_string(),
            opt(&self.wait_ms),
            opt(&self.ring_ms),
            opt(&self.talk_ms),
            opt(&self.hold_ms),
            opt(&self.wrap_up_ms),
            opt(&self.survey_score),
            opt(&self.survey_scale),
            opt(&self.disposition),
            self.callback_offered.to_string(),
            list(&self.rona_agent_ids),
            list(&self.rejected_agent_ids),
            opt(&self.ivr_flow_id),
            list(&self.ivr_choices),
            opt(&self.ivr_exit_node),
            opt(&self.ivr_exit),
            opt(&self.recording_path),
            opt(&self.voicemail_path),
        ]
    }
}

/// A position in arrival order: the last row of the previous page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Its arrival.
    pub arrived_at: DateTime<Utc>,
    /// Its id (ties in arrival).
    pub call_id: Uuid,
}

/// At most `limit` rows of the calls that arrived in the filter's range,
/// in `(arrived_at, call_id)` order, after `after` when given.
pub async fn page(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    after: Option<Cursor>,
    limit: u32,
) -> Result<Vec<CdrRow>, ReportQueryError> {
    sql::check(filter, HAS)?;
    let mut q = QueryBuilder::<Postgres>::new(format!("SELECT {} FROM calls WHERE tenant_id = ", COLUMNS.join(", ")));
    q.push_bind(filter.tenant_id.as_uuid());
    q.push(" AND arrived_at >= ");
    q.push_bind(filter.range.start);
    q.push(" AND arrived_at < ");
    q.push_bind(filter.range.end);
    if let Some(c) = after {
        q.push(" AND (arrived_at, call_id) > (");
        q.push_bind(c.arrived_at);
        q.push(", ");
        q.push_bind(c.call_id);
        q.push(")");
    }
    sql::push_filters(&mut q, "arrived_at", filter, HAS);
    q.push(" ORDER BY arrived_at, call_id LIMIT ");
    q.push_bind(i64::from(limit));
    Ok(q.build_query_as::<CdrRow>().fetch_all(db).await?)
}
