//! The projections fed by the writer: a batch holding a call's end (or a
//! late event of an ended call) or an agent's state change is inserted in a
//! transaction that also applies them, so a stored event and its effect on
//! the CDR and the agent state intervals commit together, through direct
//! writes and journal replay alike.
//!
//! The insert reports which of those events it actually stored; only those
//! are applied, so a batch written twice (a retry, a replay after a crash
//! between commit and journal delete) changes the projections once. The
//! projections run under a savepoint: a transient failure fails the whole
//! batch (journalled and retried like any other), any other failure is
//! logged and rolled back to the savepoint, and the events still commit —
//! an event is never refused because of a projection.

use std::collections::HashSet;
use std::sync::LazyLock;

use model::event::Event;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use super::batch_insert::{Columns, INSERT_SQL, bind_columns, is_transient};
use crate::agent_intervals::{self, StateChange};
use crate::cdr::{CallTrigger, finalise_calls};

/// The events of a batch that feed a projection, in batch order.
#[derive(Debug, Default)]
pub(crate) struct Triggers {
    calls: Vec<CallTrigger>,
    agents: Vec<StateChange>,
}

impl Triggers {
    /// Notes `event` if it feeds a projection.
    pub(crate) fn note(&mut self, event: &Event) {
        if let Some(t) = CallTrigger::of(event) {
            self.calls.push(t);
        }
        if let Some(c) = StateChange::of(event) {
            self.agents.push(c);
        }
    }

    /// Whether no event feeds a projection.
    pub(crate) fn is_empty(&self) -> bool {
        self.calls.is_empty() && self.agents.is_empty()
    }

    fn event_ids(&self) -> Vec<Uuid> {
        self.calls.iter().map(|t| t.event_id).chain(self.agents.iter().map(|c| c.event_id)).collect()
    }
}

/// Inserts the batch; returns the rows added and which of the trigger
/// events (`$10`) this insert stored.
static INSERT_RETURNING_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH ins AS ({INSERT_SQL} RETURNING event_id) \
         SELECT count(*), coalesce(array_agg(event_id) FILTER (WHERE event_id = ANY($10)), '{{}}') FROM ins"
    )
});

/// Inserts the batch and applies its projections in one transaction;
/// returns the rows added.
pub(super) async fn insert_and_project(pool: &PgPool, columns: &Columns) -> Result<u64, sqlx::Error> {
    let triggers = &columns.triggers;
    let mut tx = pool.begin().await?;
    let (added, stored): (i64, Vec<Uuid>) = bind_columns!(sqlx::query_as(INSERT_RETURNING_SQL.as_str()), columns)
        .bind(triggers.event_ids())
        .fetch_one(&mut *tx)
        .await?;
    if !stored.is_empty() {
        let mut savepoint = tx.begin().await?;
        match project(&mut savepoint, triggers, stored.into_iter().collect()).await {
            Ok(()) => savepoint.commit().await?,
            Err(e) if is_transient(&e) => return Err(e),
            Err(e) => {
                tracing::error!(error = %e, "projection of a batch failed; its events are stored without it");
                savepoint.rollback().await?;
            }
        }
    }
    tx.commit().await?;
    Ok(u64::try_from(added).unwrap_or_default())
}

/// Applies the triggers this insert stored (each once, even if the batch
/// held it twice): agent intervals first, then the calls' CDRs.
async fn project(conn: &mut PgConnection, triggers: &Triggers, mut stored: HashSet<Uuid>) -> Result<(), sqlx::Error> {
    let changes: Vec<&StateChange> = triggers.agents.iter().filter(|c| stored.remove(&c.event_id)).collect();
    agent_intervals::apply(conn, &changes).await?;
    // A state change inside a call is both an agent change and a call trigger.
    let changed: HashSet<Uuid> = changes.iter().map(|c| c.event_id).collect();
    let calls: Vec<CallTrigger> = triggers
        .calls
        .iter()
        .filter(|t| stored.remove(&t.event_id) || changed.contains(&t.event_id))
        .copied()
        .collect();
    finalise_calls(conn, &calls).await?;
    Ok(())
}
