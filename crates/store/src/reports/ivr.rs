//! `ivr_rollup` sums: how many calls made each menu choice and left each
//! flow at each node and way, over the range.
//!
//! Filters: IVR flows and local weekdays/hours; the others are refused
//! (the rollup has no queue, agent, tier or number).

use model::IvrFlowId;
use sqlx::postgres::PgRow;
use sqlx::{PgExecutor, Postgres, QueryBuilder, Row};

use super::layers::Source;
use super::sql::{self, Columns};
use super::{Filter, Grouping, ReportQueryError, count};

const HAS: Columns = Columns { queue: false, agent: false, vip: false, number: false, flow: true };

/// What the count is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IvrKind {
    /// A menu choice: the value is `node=digits`.
    Choice,
    /// Where and how a call left the flow: the value is `node=exit`.
    Exit,
}

/// Calls with one choice or exit in one flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IvrCount {
    /// The flow.
    pub flow_id: IvrFlowId,
    /// Choice or exit.
    pub kind: IvrKind,
    /// `node=digits` or `node=exit`.
    pub value: String,
    /// Calls.
    pub calls: u64,
}

/// The choices and exits of the calls that arrived in the range, per flow;
/// ordered by flow, kind (choices first), then most frequent, then value.
pub async fn counts(db: impl PgExecutor<'_>, filter: &Filter) -> Result<Vec<IvrCount>, ReportQueryError> {
    sql::check(filter, HAS)?;
    let mut q = QueryBuilder::<Postgres>::new("SELECT flow_id, kind, value, sum(calls)::bigint AS n");
    sql::push_from(&mut q, Source::fine("ivr_rollup"), Grouping::Total, filter, HAS);
    q.push(" GROUP BY 1, 2, 3 ORDER BY 1, 2, n DESC, 3");
    let rows = q.build().fetch_all(db).await?;
    let read = |row: &PgRow| -> Result<IvrCount, sqlx::Error> {
        let kind: String = row.try_get(1)?;
        Ok(IvrCount {
            flow_id: row.try_get::<uuid::Uuid, _>(0)?.into(),
            kind: if kind == "exit" { IvrKind::Exit } else { IvrKind::Choice },
            value: row.try_get(2)?,
            calls: count(row.try_get(3)?),
        })
    };
    rows.iter().map(read).collect::<Result<_, _>>().map_err(Into::into)
}
