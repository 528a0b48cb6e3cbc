//! Report queries (issue 7): sums over the 15-minute rollup tables of
//! migration 0010, per tenant, for a UTC time range, with every filter and
//! every grouping done in SQL so a report fetches a few hundred rows at
//! most; caller-level figures from the `calls` rows; the raw CDR, paged,
//! for export.
//!
//! Every query takes a [`Filter`]: the tenant, the half-open UTC range
//! `[from, to)` of bucket starts (a bucket is counted when its start is in
//! the range, so a range on quarter-hour boundaries counts exactly the
//! calls that arrived in it), the tenant's IANA time zone (local days,
//! weeks, months, weekdays and hours are computed by PostgreSQL in it,
//! daylight-saving changes included), and optional lists of queues,
//! agents, VIP tiers, entry numbers, IVR flows, local weekdays and local
//! hours. An empty list means "all". A list a table has no column for
//! (agents on `call_rollup`, say) is refused with
//! [`ReportQueryError::Unsupported`] rather than silently ignored.
//!
//! The rollups carry no foreign keys, so no row of another tenant can be
//! reached: every statement filters on `tenant_id` first (the leading
//! column of each rollup's unique index, followed by `bucket`).

pub mod agents;
pub mod callers;
pub mod calls;
pub mod cdr_export;
pub mod ivr;
pub mod layers;
mod sql;

use std::ops::Range;

use chrono::{DateTime, NaiveDateTime, Utc};
use model::{AgentId, IvrFlowId, NumberId, QueueId, TenantId};

/// Why a report query failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportQueryError {
    /// The filter names a dimension the queried table does not have.
    #[error("the `{filter}` filter does not apply to this report")]
    Unsupported {
        /// The filter's name (the [`Filter`] field).
        filter: &'static str,
    },
    /// The database failed (an unknown time zone is refused here too).
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// What to count: a tenant, a range, a time zone and the filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// The tenant; nothing of another tenant is ever read.
    pub tenant_id: TenantId,
    /// Bucket starts (UTC), half-open.
    pub range: Range<DateTime<Utc>>,
    /// The IANA zone local groupings and weekday/hour filters use.
    pub time_zone: String,
    /// Only these queues (calls never queued have none and drop out).
    pub queues: Vec<QueueId>,
    /// Only these agents.
    pub agents: Vec<AgentId>,
    /// Only these VIP tiers.
    pub vip_tiers: Vec<u8>,
    /// Only calls that came in on these entry numbers.
    pub numbers: Vec<NumberId>,
    /// Only these IVR flows (IVR report only).
    pub ivr_flows: Vec<IvrFlowId>,
    /// Only these local ISO weekdays (1 = Monday … 7 = Sunday).
    pub weekdays: Vec<u8>,
    /// Only these local hours of the day (0–23).
    pub hours: Vec<u8>,
}

impl Filter {
    /// Everything of `tenant_id` in `range`, grouped in UTC.
    pub fn new(tenant_id: TenantId, range: Range<DateTime<Utc>>) -> Filter {
        Filter {
            tenant_id,
            range,
            time_zone: "UTC".into(),
            queues: Vec::new(),
            agents: Vec::new(),
            vip_tiers: Vec::new(),
            numbers: Vec::new(),
            ivr_flows: Vec::new(),
            weekdays: Vec::new(),
            hours: Vec::new(),
        }
    }
}

/// How rows are summed over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// One sum for the whole range.
    Total,
    /// The raw 15-minute buckets, keyed by their UTC start.
    Bucket,
    /// Local 30-minute intervals.
    Minutes30,
    /// Local hours.
    Hour,
    /// Local days.
    Day,
    /// Local ISO weeks (from Monday).
    Week,
    /// Local calendar months.
    Month,
    /// Local weekday × hour of day, over the whole range (the heatmap).
    WeekdayHour,
}

/// The key of a group of rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    /// The whole range ([`Grouping::Total`]).
    Total,
    /// A bucket's UTC start ([`Grouping::Bucket`]).
    Bucket(DateTime<Utc>),
    /// The local start of a 30-minute interval, hour, day, week or month.
    /// A local time that happens twice (the hour a clock goes back) is one
    /// group.
    Local(NaiveDateTime),
    /// A local ISO weekday (1 = Monday) and hour (0–23).
    WeekdayHour {
        /// 1 = Monday … 7 = Sunday.
        weekday: u8,
        /// 0–23.
        hour: u8,
    },
}

/// Turns a summed counter (never negative in a consistent rollup) into a
/// `u64`; a negative sum (an inconsistent rollup) reads as 0.
pub(crate) fn count(v: Option<i64>) -> u64 {
    v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}
