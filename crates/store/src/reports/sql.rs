//! The SQL every rollup query shares: the group key's four columns and the
//! tenant, range and filter conditions, pushed into a `QueryBuilder`.

use std::ops::Range;

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row};
use uuid::Uuid;

use super::layers::Source;
use super::{Filter, GroupKey, Grouping, ReportQueryError};

/// The filterable columns a rollup table has.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Columns {
    /// `queue_id`.
    pub queue: bool,
    /// `agent_id`.
    pub agent: bool,
    /// `vip_tier`.
    pub vip: bool,
    /// `number_id`.
    pub number: bool,
    /// `flow_id`.
    pub flow: bool,
}

/// Refuses a filter list the table has no column for.
pub(crate) fn check(filter: &Filter, has: Columns) -> Result<(), ReportQueryError> {
    let unsupported = [
        (!filter.queues.is_empty() && !has.queue, "queues"),
        (!filter.agents.is_empty() && !has.agent, "agents"),
        (!filter.vip_tiers.is_empty() && !has.vip, "vip_tiers"),
        (!filter.numbers.is_empty() && !has.number, "numbers"),
        (!filter.ivr_flows.is_empty() && !has.flow, "ivr_flows"),
    ];
    match unsupported.into_iter().find(|(bad, _)| *bad) {
        Some((_, name)) => Err(ReportQueryError::Unsupported { filter: name }),
        None => Ok(()),
    }
}

/// The local time of `column` in the filter's zone.
fn push_local(q: &mut QueryBuilder<'_, Postgres>, column: &str, filter: &Filter) {
    q.push(format!("({column} AT TIME ZONE "));
    q.push_bind(filter.time_zone.clone());
    q.push(")");
}

/// Whether the query needs the local-time key table `k` (see
/// [`push_from`]).
fn needs_local(grouping: Grouping, filter: &Filter) -> bool {
    !matches!(grouping, Grouping::Total | Grouping::Bucket) || !filter.weekdays.is_empty() || !filter.hours.is_empty()
}

/// Pushes the four key columns (UTC bucket, local start, weekday, hour) of
/// `grouping`, each followed by a comma; local keys come from `k`.
pub(crate) fn push_key(q: &mut QueryBuilder<'_, Postgres>, grouping: Grouping) {
    q.push(match grouping {
        Grouping::Total => "NULL::timestamptz, NULL::timestamp, NULL::int, NULL::int, ",
        Grouping::Bucket => "bucket, NULL::timestamp, NULL::int, NULL::int, ",
        Grouping::WeekdayHour => "NULL::timestamptz, NULL::timestamp, k.dow, k.hr, ",
        _ => "NULL::timestamptz, k.lk, NULL::int, NULL::int, ",
    });
}

/// Reads the key pushed by [`push_key`] from the row's first four columns.
pub(crate) fn read_key(row: &PgRow, grouping: Grouping) -> Result<GroupKey, sqlx::Error> {
    let small = |i: usize| -> Result<u8, sqlx::Error> {
        let v: Option<i32> = row.try_get(i)?;
        Ok(v.and_then(|v| u8::try_from(v).ok()).unwrap_or(0))
    };
    Ok(match grouping {
        Grouping::Total => GroupKey::Total,
        Grouping::Bucket => GroupKey::Bucket(row.try_get::<DateTime<Utc>, _>(0)?),
        Grouping::WeekdayHour => GroupKey::WeekdayHour { weekday: small(2)?, hour: small(3)? },
        _ => GroupKey::Local(row.try_get::<NaiveDateTime, _>(1)?),
    })
}

/// The local start of `grouping`'s group of `k.b`, as SQL.
fn local_start(grouping: Grouping) -> &'static str {
    match grouping {
        Grouping::Minutes30 => "date_bin('30 minutes', l, timestamp '2000-01-01')",
        Grouping::Hour => "date_trunc('hour', l)",
        Grouping::Day => "date_trunc('day', l)",
        Grouping::Week => "date_trunc('week', l)",
        Grouping::Month => "date_trunc('month', l)",
        Grouping::Total | Grouping::Bucket | Grouping::WeekdayHour => "NULL::timestamp",
    }
}

/// Pushes ` FROM` the rows of `source` in the filter's range (the derived
/// table `r`: the tenant's rows of the fine table, or of the coarse one for
/// the range's whole steps and of the fine one for its edges), joined with
/// the key table `k` when the grouping or a filter is in local time, and
/// ` WHERE` every filter the table has a column for (`check` has refused
/// the others).
///
/// `k` holds one row per 15-minute bucket of the range (`b`) with its
/// local weekday (`dow`), hour (`hr`) and group start (`lk`): the zone is
/// applied once per bucket instead of once per rollup row, which measured
/// 30–50 % faster on 30 days of ~55 rows per bucket. A coarse row's key is
/// its first bucket's: callers use a coarse table only where all of its
/// buckets share their local keys.
pub(crate) fn push_from(
    q: &mut QueryBuilder<'_, Postgres>,
    source: Source,
    grouping: Grouping,
    filter: &Filter,
    has: Columns,
) {
    let range = &filter.range;
    q.push(" FROM (");
    match source.middle(range) {
        Some((coarse, middle)) => {
            q.push(format!("SELECT * FROM {coarse} WHERE "));
            push_span(q, filter, &middle);
            q.push(format!(" UNION ALL SELECT * FROM {} WHERE (", source.fine));
            push_span(q, filter, &(range.start..middle.start));
            q.push(") OR (");
            push_span(q, filter, &(middle.end..range.end));
            q.push(")");
        }
        None => {
            q.push(format!("SELECT * FROM {} WHERE ", source.fine));
            push_span(q, filter, range);
        }
    }
    q.push(") r");
    if needs_local(grouping, filter) {
        q.push(format!(
            " JOIN (SELECT b, extract(isodow FROM l)::int AS dow, extract(hour FROM l)::int AS hr, {} AS lk \
             FROM (SELECT b, b AT TIME ZONE ",
            local_start(grouping)
        ));
        q.push_bind(filter.time_zone.clone());
        q.push(" AS l FROM generate_series(date_bin('15 minutes', ");
        q.push_bind(range.start);
        q.push("::timestamptz, timestamptz '2000-01-01T00:00:00Z'), ");
        q.push_bind(range.end);
        q.push("::timestamptz - interval '1 microsecond', interval '15 minutes') b) l) k ON k.b = r.bucket");
    }
    q.push(" WHERE true");
    push_lists(q, filter, has);
    if !filter.weekdays.is_empty() {
        q.push(" AND k.dow = ANY(");
        q.push_bind(filter.weekdays.iter().map(|&d| i32::from(d)).collect::<Vec<_>>());
        q.push(")");
    }
    if !filter.hours.is_empty() {
        q.push(" AND k.hr = ANY(");
        q.push_bind(filter.hours.iter().map(|&h| i32::from(h)).collect::<Vec<_>>());
        q.push(")");
    }
}

/// Pushes `tenant_id = … AND bucket >= … AND bucket < …` for `span`.
fn push_span(q: &mut QueryBuilder<'_, Postgres>, filter: &Filter, span: &Range<DateTime<Utc>>) {
    q.push("tenant_id = ");
    q.push_bind(filter.tenant_id.as_uuid());
    q.push(" AND bucket >= ");
    q.push_bind(span.start);
    q.push(" AND bucket < ");
    q.push_bind(span.end);
}

/// Pushes ` AND …` for each non-empty list of `filter`, with the local
/// weekday and hour of each row's `time_column` (for `calls`, where rows
/// are not on bucket boundaries).
pub(crate) fn push_filters(q: &mut QueryBuilder<'_, Postgres>, time_column: &str, filter: &Filter, has: Columns) {
    push_lists(q, filter, has);
    push_local_filters(q, time_column, filter);
}

/// Pushes ` AND …` for each non-empty id or tier list of `filter`.
fn push_lists(q: &mut QueryBuilder<'_, Postgres>, filter: &Filter, has: Columns) {
    if has.queue && !filter.queues.is_empty() {
        q.push(" AND queue_id = ANY(");
        q.push_bind(filter.queues.iter().map(|i| i.as_uuid()).collect::<Vec<Uuid>>());
        q.push(")");
    }
    if has.agent && !filter.agents.is_empty() {
        q.push(" AND agent_id = ANY(");
        q.push_bind(filter.agents.iter().map(|i| i.as_uuid()).collect::<Vec<Uuid>>());
        q.push(")");
    }
    if has.vip && !filter.vip_tiers.is_empty() {
        q.push(" AND vip_tier = ANY(");
        q.push_bind(filter.vip_tiers.iter().map(|&t| i16::from(t)).collect::<Vec<_>>());
        q.push(")");
    }
    if has.number && !filter.numbers.is_empty() {
        q.push(" AND number_id = ANY(");
        q.push_bind(filter.numbers.iter().map(|i| i.as_uuid()).collect::<Vec<Uuid>>());
        q.push(")");
    }
    if has.flow && !filter.ivr_flows.is_empty() {
        q.push(" AND flow_id = ANY(");
        q.push_bind(filter.ivr_flows.iter().map(|i| i.as_uuid()).collect::<Vec<Uuid>>());
        q.push(")");
    }
}

/// Pushes the weekday and hour filters over `time_column` in local time.
fn push_local_filters(q: &mut QueryBuilder<'_, Postgres>, time_column: &str, filter: &Filter) {
    if !filter.weekdays.is_empty() {
        q.push(" AND extract(isodow FROM ");
        push_local(q, time_column, filter);
        q.push(")::int = ANY(");
        q.push_bind(filter.weekdays.iter().map(|&d| i32::from(d)).collect::<Vec<_>>());
        q.push(")");
    }
    if !filter.hours.is_empty() {
        q.push(" AND extract(hour FROM ");
        push_local(q, time_column, filter);
        q.push(")::int = ANY(");
        q.push_bind(filter.hours.iter().map(|&h| i32::from(h)).collect::<Vec<_>>());
        q.push(")");
    }
}
