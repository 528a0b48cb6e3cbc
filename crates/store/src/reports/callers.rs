//! Caller-level figures, from the `calls` rows (the rollups cannot follow a
//! caller): first-attempt reach, repeat callers and first-contact
//! resolution.
//!
//! Common rules: only inbound calls count, a caller is a `caller_number`,
//! and withheld numbers (empty or `anonymous`) are left out since their
//! calls cannot be told apart. The filter's range is on `arrived_at`
//! (half-open); queues, VIP tiers, entry numbers and local weekdays/hours
//! select the calls counted (agents are refused: reach is about callers,
//! not agents). "Answered" is the CDR outcome `answered`: an agent took
//! the call (a completed callback is not an answer to the call itself).
//! The caller index `calls_tenant_caller_arrived` serves the follow-up
//! look-ups; these queries read the range's rows (seconds on millions of
//! calls, unlike the rollup reports).

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::{PgExecutor, Postgres, QueryBuilder, Row};

use super::sql::{self, Columns};
use super::{Filter, ReportQueryError, count};

const HAS: Columns = Columns { queue: true, agent: false, vip: true, number: true, flow: false };

/// The calls a caller-level figure may look at.
const CALLERS: &str = "direction = 'inbound' AND caller_number NOT IN ('', 'anonymous')";

/// Over which period a caller's "first call" is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReachPeriod {
    /// The caller's first call in the whole range.
    Range,
    /// The caller's first call of each local day: a caller who calls on
    /// three days is three callers.
    LocalDay,
}

/// First-attempt reach.
///
/// A caller (per [`ReachPeriod`]) is a distinct number with at least one
/// counted call in the period. Their calls are numbered 1, 2, … in arrival
/// order; the caller was **reached on attempt k** when call k is their
/// first answered one, and **never reached** when none was answered.
/// First-attempt reach is `first_attempt / callers`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReachFigures {
    /// Distinct callers.
    pub callers: u64,
    /// Callers whose first call was answered.
    pub first_attempt: u64,
    /// `(k, callers)` for k ≥ 2: callers first answered on their k-th call,
    /// by k ascending (the attempts the others needed).
    pub later: Vec<(u32, u64)>,
    /// Callers none of whose calls was answered.
    pub never: u64,
    /// Calls made by the never-reached callers.
    pub never_calls: u64,
}

/// First-attempt reach of the filter's calls (see [`ReachFigures`]).
pub async fn first_attempt_reach(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    period: ReachPeriod,
) -> Result<ReachFigures, ReportQueryError> {
    sql::check(filter, HAS)?;
    let mut q = QueryBuilder::<Postgres>::new("WITH c AS (SELECT caller_number, ");
    let push_period = |q: &mut QueryBuilder<'_, Postgres>| match period {
        ReachPeriod::Range => {
            q.push("0");
        }
        ReachPeriod::LocalDay => {
            q.push("date(arrived_at AT TIME ZONE ");
            q.push_bind(filter.time_zone.clone());
            q.push(")");
        }
    };
    push_period(&mut q);
    q.push(" AS p, outcome = 'answered' AS ok, row_number() OVER (PARTITION BY caller_number, ");
    push_period(&mut q);
    q.push(" ORDER BY arrived_at, call_id) AS n");
    push_calls_where(&mut q, filter, filter.range.end, true);
    q.push(
        "), p AS (SELECT min(n) FILTER (WHERE ok) AS first_ok, count(*) AS calls FROM c GROUP BY caller_number, p) \
         SELECT first_ok::int, count(*)::bigint, sum(calls)::bigint FROM p GROUP BY 1 ORDER BY 1 NULLS LAST",
    );
    let rows = q.build().fetch_all(db).await?;
    let mut f = ReachFigures::default();
    for row in rows {
        let (first_ok, callers, calls): (Option<i32>, Option<i64>, Option<i64>) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let callers = count(callers);
        f.callers += callers;
        match first_ok.and_then(|k| u32::try_from(k).ok()) {
            None => {
                f.never += callers;
                f.never_calls += count(calls);
            }
            Some(1) => f.first_attempt += callers,
            Some(k) => f.later.push((k, callers)),
        }
    }
    Ok(f)
}

/// Repeat callers: distinct numbers with more than one counted call in the
/// range.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RepeatFigures {
    /// Distinct callers.
    pub callers: u64,
    /// Their calls.
    pub calls: u64,
    /// Callers with two calls or more.
    pub repeat_callers: u64,
    /// The calls of those callers (all of them, the first included).
    pub repeat_calls: u64,
}

/// Repeat callers among the filter's calls (see [`RepeatFigures`]).
pub async fn repeat_callers(db: impl PgExecutor<'_>, filter: &Filter) -> Result<RepeatFigures, ReportQueryError> {
    sql::check(filter, HAS)?;
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT count(*)::bigint, sum(n)::bigint, count(*) FILTER (WHERE n > 1)::bigint, \
         sum(n) FILTER (WHERE n > 1)::bigint FROM (SELECT caller_number, count(*) AS n",
    );
    push_calls_where(&mut q, filter, filter.range.end, true);
    q.push(" GROUP BY caller_number) s");
    let row = q.build().fetch_one(db).await?;
    Ok(RepeatFigures {
        callers: count(row.try_get(0)?),
        calls: count(row.try_get(1)?),
        repeat_callers: count(row.try_get(2)?),
        repeat_calls: count(row.try_get(3)?),
    })
}

/// The first-contact-resolution window when none is given: 7 days.
pub const DEFAULT_FCR_WINDOW: TimeDelta = TimeDelta::days(7);

/// First-contact resolution of the answered calls.
///
/// Each counted answered call is **repeated** when the same number made
/// another inbound call (any queue, any outcome, counted or not) that
/// arrived after it (a tie in arrival time goes by call id) and at most
/// `window` after its arrival; **undecided** when it was not repeated and
/// its window is still open at `now`; **resolved** otherwise. FCR is
/// `resolved / (answered - undecided)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FcrFigures {
    /// Counted answered calls.
    pub answered: u64,
    /// Answered calls with no repeat call within the window.
    pub resolved: u64,
    /// Answered calls followed by a repeat call within the window.
    pub repeated: u64,
    /// Answered calls not repeated so far whose window ends after `now`.
    pub undecided: u64,
}

/// First-contact resolution (see [`FcrFigures`]) with `window`, judged at
/// `now`.
pub async fn first_contact_resolution(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    window: TimeDelta,
    now: DateTime<Utc>,
) -> Result<FcrFigures, ReportQueryError> {
    sql::check(filter, HAS)?;
    let window_ms = window.num_milliseconds();
    let mut q =
        QueryBuilder::<Postgres>::new("SELECT count(*)::bigint, count(*) FILTER (WHERE next_at <= arrived_at + ");
    push_window(&mut q, window_ms);
    q.push(")::bigint, count(*) FILTER (WHERE next_at IS NULL AND arrived_at + ");
    push_window(&mut q, window_ms);
    q.push(" > ");
    q.push_bind(now);
    q.push(
        ")::bigint FROM (SELECT arrived_at, outcome, lead(arrived_at) OVER \
         (PARTITION BY caller_number ORDER BY arrived_at, call_id) AS next_at, (true",
    );
    sql::push_filters(&mut q, "arrived_at", filter, HAS);
    q.push(") AS counted");
    let follow_up_end = filter.range.end + window;
    push_calls_where(&mut q, filter, follow_up_end, false);
    q.push(") c WHERE counted AND outcome = 'answered' AND arrived_at < ");
    q.push_bind(filter.range.end);
    let row = q.build().fetch_one(db).await?;
    let answered = count(row.try_get(0)?);
    let repeated = count(row.try_get(1)?);
    let undecided = count(row.try_get(2)?);
    Ok(FcrFigures { answered, resolved: answered.saturating_sub(repeated + undecided), repeated, undecided })
}

fn push_window(q: &mut QueryBuilder<'_, Postgres>, ms: i64) {
    q.push("(");
    q.push_bind(ms);
    q.push("::bigint * interval '1 millisecond')");
}

/// Pushes ` FROM calls WHERE` the tenant, the caller rule, arrival from the
/// range's start to `end`, and, when `filtered`, the filter's lists.
fn push_calls_where(q: &mut QueryBuilder<'_, Postgres>, filter: &Filter, end: DateTime<Utc>, filtered: bool) {
    q.push(format!(" FROM calls WHERE {CALLERS} AND tenant_id = "));
    q.push_bind(filter.tenant_id.as_uuid());
    q.push(" AND arrived_at >= ");
    q.push_bind(filter.range.start);
    q.push(" AND arrived_at < ");
    q.push_bind(end);
    if filtered {
        sql::push_filters(q, "arrived_at", filter, HAS);
    }
}
