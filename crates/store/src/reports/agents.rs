//! Agent figures: `agent_rollup` ([`AgentCounters`] per agent),
//! `agent_state_rollup` (time per state and reason) and
//! `disposition_rollup` (dispositions per agent), summed by PostgreSQL.
//!
//! Filters: agents and local weekdays/hours everywhere; queues on the calls
//! and dispositions (an agent state belongs to no queue). VIP tiers and
//! entry numbers are refused: these rollups do not carry them.

use model::report::AgentCounters;
use model::{AgentId, QueueId};
use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, Postgres, QueryBuilder, Row};

use super::layers::{Source, Step};
use super::sql::{self, Columns};
use super::{Filter, GroupKey, Grouping, ReportQueryError, count};

/// The counter columns of `agent_rollup`, in [`AgentCounters`] order.
const COLUMNS: [&str; 11] = [
    "offered",
    "answered",
    "rona",
    "rejected",
    "ring_ms",
    "talk_ms",
    "hold_ms",
    "wrap_up_ms",
    "wrap_up_calls",
    "surveyed",
    "survey_sum",
];

const CALLS: Columns = Columns { queue: true, agent: true, vip: false, number: false, flow: false };
const STATES: Columns = Columns { queue: false, agent: true, vip: false, number: false, flow: false };

/// Whether a query may read the UTC-day tables (`agent_rollup_day`,
/// `agent_state_rollup_day`, with the range's edges from the 15-minute
/// ones): for a total with no local weekday or hour filter, which a UTC day
/// serves in any zone.
fn whole_days_allowed(grouping: Grouping, filter: &Filter) -> bool {
    grouping == Grouping::Total && filter.weekdays.is_empty() && filter.hours.is_empty()
}

/// One agent's sums in one group of time (and queue, when split).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentGroup {
    /// The group of time.
    pub key: GroupKey,
    /// The agent.
    pub agent_id: AgentId,
    /// The queue, when split by queue (`None` also for calls of no queue).
    pub queue_id: Option<QueueId>,
    /// The sums.
    pub counters: AgentCounters,
}

/// Each agent's counters over the calls that arrived in the range, per
/// `grouping` and, with `by_queue`, per queue; ordered by key, agent, queue.
pub async fn sums(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    grouping: Grouping,
    by_queue: bool,
) -> Result<Vec<AgentGroup>, ReportQueryError> {
    sql::check(filter, CALLS)?;
    let mut q = QueryBuilder::<Postgres>::new("SELECT ");
    sql::push_key(&mut q, grouping);
    q.push(if by_queue { "agent_id, queue_id" } else { "agent_id, NULL::uuid" });
    for c in COLUMNS {
        q.push(format!(", sum({c})::bigint"));
    }
    let source = Source::layered("agent_rollup", "agent_rollup_day", Step::Day, whole_days_allowed(grouping, filter));
    sql::push_from(&mut q, source, grouping, filter, CALLS);
    q.push(" GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6");
    let rows = q.build().fetch_all(db).await?;
    let read = |row: &PgRow| -> Result<AgentGroup, sqlx::Error> {
        let v: Vec<u64> = (0..COLUMNS.len()).map(|i| row.try_get(6 + i).map(count)).collect::<Result<_, _>>()?;
        Ok(AgentGroup {
            key: sql::read_key(row, grouping)?,
            agent_id: row.try_get::<uuid::Uuid, _>(4)?.into(),
            queue_id: row.try_get::<Option<uuid::Uuid>, _>(5)?.map(Into::into),
            counters: AgentCounters {
                offered: v[0],
                answered: v[1],
                rona: v[2],
                rejected: v[3],
                ring_ms: v[4],
                talk_ms: v[5],
                hold_ms: v[6],
                wrap_up_ms: v[7],
                wrap_up_calls: v[8],
                surveyed: v[9],
                survey_sum: v[10],
            },
        })
    };
    rows.iter().map(read).collect::<Result<_, _>>().map_err(Into::into)
}

/// Time one agent spent in one state (and not-ready reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateTime {
    /// The group of time.
    pub key: GroupKey,
    /// The agent.
    pub agent_id: AgentId,
    /// The state (`model::AgentState`'s snake_case name).
    pub state: String,
    /// The not-ready reason code, if any.
    pub reason: Option<String>,
    /// Milliseconds, over the state intervals' parts in the range's buckets.
    pub ms: u64,
}

/// Milliseconds per agent, state and reason in the range (the
/// `agent_state_rollup` cuts intervals at bucket boundaries, so a range on
/// quarter hours counts exactly the time inside it), per `grouping`;
/// ordered by key, agent, state, reason.
pub async fn state_times(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    grouping: Grouping,
) -> Result<Vec<StateTime>, ReportQueryError> {
    sql::check(filter, STATES)?;
    let mut q = QueryBuilder::<Postgres>::new("SELECT ");
    sql::push_key(&mut q, grouping);
    q.push("agent_id, state, reason, sum(ms)::bigint");
    let source = Source::layered(
        "agent_state_rollup",
        "agent_state_rollup_day",
        Step::Day,
        whole_days_allowed(grouping, filter),
    );
    sql::push_from(&mut q, source, grouping, filter, STATES);
    q.push(" GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7");
    let rows = q.build().fetch_all(db).await?;
    let read = |row: &PgRow| -> Result<StateTime, sqlx::Error> {
        Ok(StateTime {
            key: sql::read_key(row, grouping)?,
            agent_id: row.try_get::<uuid::Uuid, _>(4)?.into(),
            state: row.try_get(5)?,
            reason: row.try_get(6)?,
            ms: count(row.try_get(7)?),
        })
    };
    rows.iter().map(read).collect::<Result<_, _>>().map_err(Into::into)
}

/// How many answered calls got one disposition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispositionCount {
    /// The agent, with `by_agent` (`None` otherwise, or for no agent).
    pub agent_id: Option<AgentId>,
    /// The disposition code.
    pub disposition: String,
    /// Calls.
    pub calls: u64,
}

/// The dispositions of the calls that arrived in the range, over the whole
/// range, per agent with `by_agent`; most frequent first, then by name.
pub async fn dispositions(
    db: impl PgExecutor<'_>,
    filter: &Filter,
    by_agent: bool,
) -> Result<Vec<DispositionCount>, ReportQueryError> {
    sql::check(filter, CALLS)?;
    let mut q = QueryBuilder::<Postgres>::new("SELECT ");
    q.push(if by_agent { "agent_id" } else { "NULL::uuid" });
    q.push(", disposition, sum(calls)::bigint AS n");
    sql::push_from(&mut q, Source::fine("disposition_rollup"), Grouping::Total, filter, CALLS);
    q.push(" GROUP BY 1, 2 ORDER BY 1, n DESC, 2");
    let rows = q.build().fetch_all(db).await?;
    let read = |row: &PgRow| -> Result<DispositionCount, sqlx::Error> {
        Ok(DispositionCount {
            agent_id: row.try_get::<Option<uuid::Uuid>, _>(0)?.map(Into::into),
            disposition: row.try_get(1)?,
            calls: count(row.try_get(2)?),
        })
    };
    rows.iter().map(read).collect::<Result<_, _>>().map_err(Into::into)
}
