//! The SQL every rollup query shares: the group key's four columns and the
//! tenant, range and filter conditions, pushed into a `QueryBuilder`.

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder, Row};
use uuid::Uuid;

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

/// Pushes the four key columns (UTC bucket, local start, weekday, hour) of
/// `grouping` over `column`, each followed by a comma.
pub(crate) fn push_key(q: &mut QueryBuilder<'_, Postgres>, grouping: Grouping, column: &str, filter: &Filter) {
    let trunc = |q: &mut QueryBuilder<'_, Postgres>, unit: &str| {
        q.push(format!("NULL::timestamptz, date_trunc('{unit}', "));
        push_local(q, column, filter);
        q.push("), NULL::int, NULL::int, ");
    };
    match grouping {
        Grouping::Total => {
            q.push("NULL::timestamptz, NULL::timestamp, NULL::int, NULL::int, ");
        }
        Grouping::Bucket => {
            q.push(format!("{column}, NULL::timestamp, NULL::int, NULL::int, "));
        }
        Grouping::Minutes30 => {
            q.push("NULL::timestamptz, date_bin('30 minutes', ");
            push_local(q, column, filter);
            q.push(", timestamp '2000-01-01'), NULL::int, NULL::int, ");
        }
        Grouping::Hour => trunc(q, "hour"),
        Grouping::Day => trunc(q, "day"),
        Grouping::Week => trunc(q, "week"),
        Grouping::Month => trunc(q, "month"),
        Grouping::WeekdayHour => {
            q.push("NULL::timestamptz, NULL::timestamp, extract(isodow FROM ");
            push_local(q, column, filter);
            q.push(")::int, extract(hour FROM ");
            push_local(q, column, filter);
            q.push(")::int, ");
        }
    }
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

/// Pushes ` FROM table WHERE` the tenant, the range and every filter the
/// table has a column for (`check` has refused the others).
pub(crate) fn push_where(q: &mut QueryBuilder<'_, Postgres>, table: &str, filter: &Filter, has: Columns) {
    q.push(format!(" FROM {table} WHERE tenant_id = "));
    q.push_bind(filter.tenant_id.as_uuid());
    q.push(" AND bucket >= ");
    q.push_bind(filter.range.start);
    q.push(" AND bucket < ");
    q.push_bind(filter.range.end);
    push_filters(q, "bucket", filter, has);
}

/// Pushes ` AND …` for each non-empty list of `filter`, with the local
/// weekday and hour taken from `time_column`.
pub(crate) fn push_filters(q: &mut QueryBuilder<'_, Postgres>, time_column: &str, filter: &Filter, has: Columns) {
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
