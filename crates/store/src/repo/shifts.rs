//! The roster: an agent's weekly shifts ([`model::Roster`]), replaced as a
//! whole, and the rosters of a queue's members for the staffing forecast.

use chrono::{NaiveTime, Weekday};
use model::{AgentId, QueueId, Roster, Shift, TenantId};
use sqlx::PgPool;

use super::RepoError;

type Row = (uuid::Uuid, i16, NaiveTime, NaiveTime);

fn shift(weekday: i16, start: NaiveTime, end: NaiveTime) -> Result<Shift, RepoError> {
    let day = u8::try_from(weekday)
        .ok()
        .and_then(|d| Weekday::try_from(d).ok())
        .ok_or_else(|| RepoError::Corrupt(format!("agent_shifts.weekday {weekday}")))?;
    Ok(Shift { day, start, end })
}

/// Groups rows (ordered by agent) into one roster per agent, sorted.
fn rosters(rows: Vec<Row>) -> Result<Vec<(AgentId, Roster)>, RepoError> {
    let mut out: Vec<(AgentId, Roster)> = Vec::new();
    for (agent, weekday, start, end) in rows {
        let s = shift(weekday, start, end)?;
        match out.last_mut() {
            Some((id, roster)) if id.0 == agent => roster.shifts.push(s),
            _ => out.push((AgentId(agent), Roster { shifts: vec![s] })),
        }
    }
    Ok(out.into_iter().map(|(id, r)| (id, r.sorted())).collect())
}

/// The agent's shifts, sorted by day and start; `None` for no such agent
/// of the tenant.
pub async fn get(pool: &PgPool, tenant: TenantId, agent: AgentId) -> Result<Option<Roster>, RepoError> {
    let exists: Option<(uuid::Uuid,)> = sqlx::query_as("SELECT id FROM agents WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(agent.0)
        .fetch_optional(pool)
        .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT agent_id, weekday, starts, ends FROM agent_shifts WHERE tenant_id = $1 AND agent_id = $2",
    )
    .bind(tenant.0)
    .bind(agent.0)
    .fetch_all(pool)
    .await?;
    Ok(Some(rosters(rows)?.pop().map(|(_, r)| r).unwrap_or_default()))
}

/// Replaces the agent's shifts (validated by the caller); `None` for no
/// such agent of the tenant. Returns what is stored.
pub async fn replace(
    pool: &PgPool,
    tenant: TenantId,
    agent: AgentId,
    roster: &Roster,
) -> Result<Option<Roster>, RepoError> {
    let mut tx = pool.begin().await?;
    let exists: Option<(uuid::Uuid,)> =
        sqlx::query_as("SELECT id FROM agents WHERE tenant_id = $1 AND id = $2 FOR UPDATE")
            .bind(tenant.0)
            .bind(agent.0)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        return Ok(None);
    }
    sqlx::query("DELETE FROM agent_shifts WHERE tenant_id = $1 AND agent_id = $2")
        .bind(tenant.0)
        .bind(agent.0)
        .execute(&mut *tx)
        .await?;
    let days: Vec<i16> = roster.shifts.iter().map(|s| s.day.num_days_from_monday() as i16).collect();
    let starts: Vec<NaiveTime> = roster.shifts.iter().map(|s| s.start).collect();
    let ends: Vec<NaiveTime> = roster.shifts.iter().map(|s| s.end).collect();
    sqlx::query(
        "INSERT INTO agent_shifts (tenant_id, agent_id, weekday, starts, ends) \
         SELECT $1, $2, d, s, e FROM UNNEST($3::smallint[], $4::time[], $5::time[]) AS t(d, s, e)",
    )
    .bind(tenant.0)
    .bind(agent.0)
    .bind(&days)
    .bind(&starts)
    .bind(&ends)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(roster.clone().sorted()))
}

/// The rosters of the queue's members, one per agent (agents without
/// shifts left out).
pub async fn of_queue(pool: &PgPool, tenant: TenantId, queue: QueueId) -> Result<Vec<Roster>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.agent_id, s.weekday, s.starts, s.ends FROM agent_shifts s \
         JOIN queue_memberships m ON m.tenant_id = s.tenant_id AND m.agent_id = s.agent_id \
         WHERE s.tenant_id = $1 AND m.queue_id = $2 ORDER BY s.agent_id",
    )
    .bind(tenant.0)
    .bind(queue.0)
    .fetch_all(pool)
    .await?;
    Ok(rosters(rows)?.into_iter().map(|(_, roster)| roster).collect())
}
