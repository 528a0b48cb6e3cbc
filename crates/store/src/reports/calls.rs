//! `call_rollup` sums: [`CallCounters`] per group of time (and, with a
//! [`CallSplit`], per value of one dimension), summed by PostgreSQL.
//!
//! Filters: queues, VIP tiers, entry numbers, local weekdays and hours.
//! The rollup has no agent (see [`super::agents`]) and no IVR flow.

use model::report::CallCounters;
use model::{NumberId, QueueId};
use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, Postgres, QueryBuilder, Row};

use super::layers::{Source, Step, whole_hour_offsets};
use super::sql::{self, Columns};
use super::{Filter, GroupKey, Grouping, ReportQueryError, count};

/// The counter columns of `call_rollup`, in [`CallCounters`] field order
/// (the arrays element by element).
const COLUMNS: [&str; 63] = [
    "calls",
    "queued",
    "answered",
    "abandoned_ivr",
    "abandoned_queue",
    "abandoned_ringing",
    "voicemail",
    "callback",
    "overflow",
    "failed",
    "flow_hangup",
    "transferred_out",
    "not_reached",
    "answered_within_5",
    "answered_within_10",
    "answered_within_15",
    "answered_within_20",
    "answered_within_30",
    "answered_within_45",
    "answered_within_60",
    "answered_within_90",
    "answered_within_120",
    "answered_within_180",
    "answered_within_300",
    "abandoned_within_5",
    "abandoned_within_10",
    "abandoned_within_15",
    "abandoned_within_20",
    "abandoned_within_30",
    "abandoned_within_45",
    "abandoned_within_60",
    "abandoned_within_90",
    "abandoned_within_120",
    "abandoned_within_180",
    "abandoned_within_300",
    "wait_answered_ms",
    "wait_abandoned_ms",
    "ivr_ms",
    "ring_ms",
    "talk_ms",
    "hold_ms",
    "held_calls",
    "wrap_up_ms",
    "wrap_up_calls",
    "callback_offered",
    "callback_completed",
    "callback_delay_ms",
    "csat_1",
    "csat_2",
    "csat_3",
    "csat_4",
    "csat_5",
    "nps_0",
    "nps_1",
    "nps_2",
    "nps_3",
    "nps_4",
    "nps_5",
    "nps_6",
    "nps_7",
    "nps_8",
    "nps_9",
    "nps_10",
];

const HAS: Columns = Columns { queue: true, agent: false, vip: true, number: true, flow: false };

/// A dimension of `call_rollup` to split the groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallSplit {
    /// No split: one row per group.
    None,
    /// By queue (`None`: never queued).
    Queue,
    /// By the caller's VIP tier.
    VipTier,
    /// By entry number (`None`: outbound, no number).
    Number,
    /// Through an IVR or straight to a queue.
    ViaIvr,
    /// Inside or outside business hours.
    OutsideBusinessHours,
    /// Inbound or outbound.
    Direction,
}

/// A split's value for one row.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallDim {
    /// [`CallSplit::None`].
    All,
    /// [`CallSplit::Queue`].
    Queue(Option<QueueId>),
    /// [`CallSplit::VipTier`].
    VipTier(u8),
    /// [`CallSplit::Number`].
    Number(Option<NumberId>),
    /// [`CallSplit::ViaIvr`].
    ViaIvr(bool),
    /// [`CallSplit::OutsideBusinessHours`].
    OutsideBusinessHours(bool),
    /// [`CallSplit::Direction`]: `inbound` or `outbound`.
    Direction(String),
}

impl CallSplit {
    fn column(self) -> &'static str {
        match self {
            CallSplit::None => "NULL::int",
            CallSplit::Queue => "queue_id",
            CallSplit::VipTier => "vip_tier",
            CallSplit::Number => "number_id",
            CallSplit::ViaIvr => "via_ivr",
            CallSplit::OutsideBusinessHours => "outside_business_hours",
            CallSplit::Direction => "direction",
        }
    }

    fn read(self, row: &PgRow, i: usize) -> Result<CallDim, sqlx::Error> {
        Ok(match self {
            CallSplit::None => CallDim::All,
            CallSplit::Queue => CallDim::Queue(row.try_get::<Option<uuid::Uuid>, _>(i)?.map(QueueId::from)),
            CallSplit::VipTier => CallDim::VipTier(u8::try_from(row.try_get::<i16, _>(i)?).unwrap_or(0)),
            CallSplit::Number => CallDim::Number(row.try_get::<Option<uuid::Uuid>, _>(i)?.map(NumberId::from)),
            CallSplit::ViaIvr => CallDim::ViaIvr(row.try_get(i)?),
            CallSplit::OutsideBusinessHours => CallDim::OutsideBusinessHours(row.try_get(i)?),
            CallSplit::Direction => CallDim::Direction(row.try_get(i)?),
        })
    }
}

/// One group's sums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallGroup {
    /// The group of time.
    pub key: GroupKey,
    /// The split's value.
    pub dim: CallDim,
    /// The sums of the group's rows.
    pub counters: CallCounters,
}

/// The counters of the calls that arrived in the filter's range, summed
/// per `grouping` and `split`, ordered by key then split value; groups
/// without rows are absent.
///
/// Reads `call_rollup_hour` for the range's whole hours where that gives
/// the same sums: for a total without local weekday or hour filters, and
/// for local hours, days, weeks, months and weekday × hour in a zone a
/// whole number of hours from UTC over the range.
pub async fn sums(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    grouping: Grouping,
    split: CallSplit,
) -> Result<Vec<CallGroup>, ReportQueryError> {
    let hours = match grouping {
        Grouping::Bucket | Grouping::Minutes30 => false,
        Grouping::Total if filter.weekdays.is_empty() && filter.hours.is_empty() => true,
        _ => whole_hour_offsets(&filter.time_zone, &filter.range),
    };
    query(db, filter, grouping, split, hours).await
}

/// The counters per bucket of the range, split by `split`, keyed by the
/// bucket's UTC start ([`GroupKey::Bucket`]) — like [`sums`] with
/// [`Grouping::Bucket`], except that in a zone a whole number of hours from
/// UTC over the range the range's whole hours come as one row each (keyed
/// by the hour's start): every row lies inside one local hour, so a caller
/// grouping rows into local hours or coarser gets the same sums from a
/// fourth of the rows.
pub async fn hour_or_quarter_buckets(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    split: CallSplit,
) -> Result<Vec<CallGroup>, ReportQueryError> {
    let hours = whole_hour_offsets(&filter.time_zone, &filter.range);
    query(db, filter, Grouping::Bucket, split, hours).await
}

async fn query(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    grouping: Grouping,
    split: CallSplit,
    hours: bool,
) -> Result<Vec<CallGroup>, ReportQueryError> {
    sql::check(filter, HAS)?;
    let mut q = QueryBuilder::<Postgres>::new("SELECT ");
    sql::push_key(&mut q, grouping);
    q.push(split.column());
    for c in COLUMNS {
        q.push(format!(", sum({c})::bigint"));
    }
    let source = Source::layered("call_rollup", "call_rollup_hour", Step::Hour, hours);
    sql::push_from(&mut q, source, grouping, filter, HAS);
    q.push(" GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5");
    let rows = q.build().fetch_all(db).await?;
    rows.iter()
        .map(|row| {
            Ok(CallGroup { key: sql::read_key(row, grouping)?, dim: split.read(row, 4)?, counters: read(row, 5)? })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Reads [`COLUMNS`] from column `at` on.
fn read(row: &PgRow, at: usize) -> Result<CallCounters, sqlx::Error> {
    let mut v = [0u64; 63];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = count(row.try_get(at + i)?);
    }
    let array = |from: usize| -> [u64; 11] { std::array::from_fn(|i| v[from + i]) };
    Ok(CallCounters {
        calls: v[0],
        queued: v[1],
        answered: v[2],
        abandoned_ivr: v[3],
        abandoned_queue: v[4],
        abandoned_ringing: v[5],
        voicemail: v[6],
        callback: v[7],
        overflow: v[8],
        failed: v[9],
        flow_hangup: v[10],
        transferred_out: v[11],
        not_reached: v[12],
        answered_within: array(13),
        abandoned_within: array(24),
        wait_answered_ms: v[35],
        wait_abandoned_ms: v[36],
        ivr_ms: v[37],
        ring_ms: v[38],
        talk_ms: v[39],
        hold_ms: v[40],
        held_calls: v[41],
        wrap_up_ms: v[42],
        wrap_up_calls: v[43],
        callback_offered: v[44],
        callback_completed: v[45],
        callback_delay_ms: v[46],
        csat: std::array::from_fn(|i| v[47 + i]),
        nps: array(52),
    })
}
