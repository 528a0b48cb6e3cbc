//! Agent state intervals (`agent_state_intervals`): the time each agent spent
//! in each state, projected from `agent_logged_in`, `agent_state_changed` and
//! `agent_logged_out` by the event writer, in the transaction that stores the
//! events (`migrations/0007_*.sql` holds the SQL side).
//!
//! Log-in opens a `logged_in` interval (normally ended at once by the first
//! state change); a state change ends the interval it falls in and opens its
//! state, with the not-ready reason code; log-out (or a change to
//! `logged_out`) ends the interval and opens none, so the intervals cover the
//! logged-in time only. Each event is applied once: only events the batch
//! actually inserted are applied, so a replayed or retried batch changes
//! nothing.

use chrono::{DateTime, Utc};
use model::event::{Event, EventPayload};
use model::{AgentId, AgentState, TenantId};
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::RepoError;

/// The state stored for the time between log-in and the first state change.
pub const LOGGED_IN: &str = "logged_in";

/// One stored interval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgentStateInterval {
    /// The agent.
    pub agent_id: AgentId,
    /// The state's name ([`AgentState::name`], or [`LOGGED_IN`]).
    pub state: String,
    /// The not-ready reason code.
    pub reason: Option<String>,
    /// When the agent entered the state.
    pub started_at: DateTime<Utc>,
    /// When it left it; None while it lasts.
    pub ended_at: Option<DateTime<Utc>>,
}

/// One agent event to apply, from a batch on its way in.
#[derive(Debug)]
pub(crate) struct StateChange {
    pub(crate) event_id: Uuid,
    tenant: Uuid,
    agent: Uuid,
    at: DateTime<Utc>,
    state: Option<&'static str>,
    reason: Option<String>,
}

impl StateChange {
    /// The change `event` makes to its agent's intervals, if it makes one.
    pub(crate) fn of(event: &Event) -> Option<StateChange> {
        let (agent, state) = match &event.payload {
            EventPayload::AgentLoggedIn { agent_id } => (agent_id, Some(LOGGED_IN)),
            EventPayload::AgentLoggedOut { agent_id } => (agent_id, None),
            EventPayload::AgentStateChanged { agent_id, state: AgentState::LoggedOut } => (agent_id, None),
            EventPayload::AgentStateChanged { agent_id, state } => (agent_id, Some(state.name())),
            _ => return None,
        };
        let reason = match &event.payload {
            EventPayload::AgentStateChanged { state, .. } => state.reason_code().map(str::to_owned),
            _ => None,
        };
        Some(StateChange {
            event_id: event.id.as_uuid(),
            tenant: event.tenant_id.as_uuid(),
            agent: agent.as_uuid(),
            at: event.at,
            state,
            reason,
        })
    }
}

/// Applies `changes` in order, in one statement.
pub(crate) async fn apply(conn: &mut PgConnection, changes: &[&StateChange]) -> Result<(), sqlx::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    let tenants: Vec<Uuid> = changes.iter().map(|c| c.tenant).collect();
    let agents: Vec<Uuid> = changes.iter().map(|c| c.agent).collect();
    let ats: Vec<DateTime<Utc>> = changes.iter().map(|c| c.at).collect();
    let states: Vec<Option<&str>> = changes.iter().map(|c| c.state).collect();
    let reasons: Vec<Option<&str>> = changes.iter().map(|c| c.reason.as_deref()).collect();
    sqlx::query("SELECT apply_agent_states($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[])")
        .bind(&tenants)
        .bind(&agents)
        .bind(&ats)
        .bind(&states)
        .bind(&reasons)
        .execute(conn)
        .await?;
    Ok(())
}

type Row = (Uuid, String, Option<String>, DateTime<Utc>, Option<DateTime<Utc>>);

/// The agent's intervals of the tenant that overlap `[since, until)`, oldest
/// first.
pub async fn list(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    agent: AgentId,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<AgentStateInterval>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT agent_id, state, reason, started_at, ended_at FROM agent_state_intervals \
         WHERE tenant_id = $1 AND agent_id = $2 AND started_at < $4 AND (ended_at IS NULL OR ended_at > $3) \
         ORDER BY started_at, id",
    )
    .bind(tenant.as_uuid())
    .bind(agent.as_uuid())
    .bind(since)
    .bind(until)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(agent_id, state, reason, started_at, ended_at)| AgentStateInterval {
            agent_id: agent_id.into(),
            state,
            reason,
            started_at,
            ended_at,
        })
        .collect())
}
