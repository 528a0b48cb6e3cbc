//! Queues with their skill requirements and agent memberships.

use std::collections::HashMap;

use model::{AgentId, Queue, QueueId, RoutingStrategy, ServiceLevelTarget, SkillRequirement, TenantId};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

use super::{RepoError, from_json, to_json, to_u8, to_u32};

/// An agent serving a queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueMember {
    /// The agent.
    pub agent_id: AgentId,
    /// The queue's weight for the agent (1–100).
    pub weight: u8,
}

/// A stored queue with the agents that serve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredQueue {
    /// The queue's id.
    pub id: QueueId,
    /// Its configuration.
    pub queue: Queue,
    /// The agents serving it, by agent id.
    pub members: Vec<QueueMember>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: uuid::Uuid,
    name: String,
    strategy: String,
    sl_percent: i16,
    sl_seconds: i64,
    max_wait_secs: i64,
    max_length: i64,
    wrap_up_secs: i64,
    ring_timeout_secs: i64,
    business_hours: serde_json::Value,
    overflow: Option<serde_json::Value>,
    callback_threshold_secs: Option<i64>,
    priority_aging_per_min: i64,
    record_calls: bool,
    post_call_survey: bool,
    routing: serde_json::Value,
}

const COLUMNS: &str = "id, name, strategy, sl_percent, sl_seconds, max_wait_secs, max_length, wrap_up_secs, \
    ring_timeout_secs, business_hours, overflow, callback_threshold_secs, priority_aging_per_min, record_calls, \
    post_call_survey, routing";

fn strategy_str(s: RoutingStrategy) -> Result<String, RepoError> {
    match to_json(&s, "queues.strategy")? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(RepoError::Corrupt(format!("strategy serialised as {other}"))),
    }
}

fn build(r: Row, required_skills: Vec<SkillRequirement>, members: Vec<QueueMember>) -> Result<StoredQueue, RepoError> {
    let queue = Queue {
        name: r.name,
        strategy: from_json(serde_json::Value::String(r.strategy), "queues.strategy")?,
        service_level: ServiceLevelTarget {
            percent: to_u8(r.sl_percent, "queues.sl_percent")?,
            seconds: to_u32(r.sl_seconds, "queues.sl_seconds")?,
        },
        max_wait_secs: to_u32(r.max_wait_secs, "queues.max_wait_secs")?,
        max_length: to_u32(r.max_length, "queues.max_length")?,
        wrap_up_secs: to_u32(r.wrap_up_secs, "queues.wrap_up_secs")?,
        ring_timeout_secs: to_u32(r.ring_timeout_secs, "queues.ring_timeout_secs")?,
        business_hours: from_json(r.business_hours, "queues.business_hours")?,
        overflow: r.overflow.map(|o| from_json(o, "queues.overflow")).transpose()?,
        callback_threshold_secs: r
            .callback_threshold_secs
            .map(|v| to_u32(v, "queues.callback_threshold_secs"))
            .transpose()?,
        required_skills,
        priority_aging_per_min: to_u32(r.priority_aging_per_min, "queues.priority_aging_per_min")?,
        record_calls: r.record_calls,
        post_call_survey: r.post_call_survey,
        routing: from_json(r.routing, "queues.routing")?,
    };
    Ok(StoredQueue { id: r.id.into(), queue, members })
}

type Children = (HashMap<uuid::Uuid, Vec<SkillRequirement>>, HashMap<uuid::Uuid, Vec<QueueMember>>);

async fn children(db: &mut PgConnection, tenant: TenantId, queue: Option<QueueId>) -> Result<Children, RepoError> {
    let filter = queue.map(|q| q.0);
    let skill_rows: Vec<(uuid::Uuid, uuid::Uuid, i16)> = sqlx::query_as(
        "SELECT queue_id, skill_id, min_level FROM queue_skills WHERE tenant_id = $1 \
         AND ($2::uuid IS NULL OR queue_id = $2) ORDER BY queue_id, position",
    )
    .bind(tenant.0)
    .bind(filter)
    .fetch_all(&mut *db)
    .await?;
    let mut skills: HashMap<_, Vec<_>> = HashMap::new();
    for (q, s, l) in skill_rows {
        skills.entry(q).or_default().push(SkillRequirement { skill_id: s.into(), min_level: to_u8(l, "min_level")? });
    }
    let member_rows: Vec<(uuid::Uuid, uuid::Uuid, i16)> = sqlx::query_as(
        "SELECT queue_id, agent_id, weight FROM queue_memberships WHERE tenant_id = $1 \
         AND ($2::uuid IS NULL OR queue_id = $2) ORDER BY queue_id, agent_id",
    )
    .bind(tenant.0)
    .bind(filter)
    .fetch_all(&mut *db)
    .await?;
    let mut members: HashMap<_, Vec<_>> = HashMap::new();
    for (q, a, w) in member_rows {
        members.entry(q).or_default().push(QueueMember { agent_id: a.into(), weight: to_u8(w, "weight")? });
    }
    Ok((skills, members))
}

async fn write_skills(db: &mut PgConnection, tenant: TenantId, id: QueueId, queue: &Queue) -> Result<(), RepoError> {
    sqlx::query("DELETE FROM queue_skills WHERE tenant_id = $1 AND queue_id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(&mut *db)
        .await?;
    let ids: Vec<uuid::Uuid> = queue.required_skills.iter().map(|s| s.skill_id.0).collect();
    let levels: Vec<i16> = queue.required_skills.iter().map(|s| i16::from(s.min_level)).collect();
    sqlx::query(
        "INSERT INTO queue_skills (tenant_id, queue_id, skill_id, min_level, position) \
         SELECT $1, $2, s, l, p - 1 FROM UNNEST($3::uuid[], $4::smallint[]) WITH ORDINALITY AS t(s, l, p)",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&ids)
    .bind(&levels)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Binds the queue's scalar columns as $3.. in [`COLUMNS`] order (after id, name).
fn bind_fields<'q>(
    q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    queue: &'q Queue,
) -> Result<sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>, RepoError> {
    Ok(q.bind(&queue.name)
        .bind(strategy_str(queue.strategy)?)
        .bind(i16::from(queue.service_level.percent))
        .bind(i64::from(queue.service_level.seconds))
        .bind(i64::from(queue.max_wait_secs))
        .bind(i64::from(queue.max_length))
        .bind(i64::from(queue.wrap_up_secs))
        .bind(i64::from(queue.ring_timeout_secs))
        .bind(to_json(&queue.business_hours, "business_hours")?)
        .bind(queue.overflow.as_ref().map(|o| to_json(o, "overflow")).transpose()?)
        .bind(queue.callback_threshold_secs.map(i64::from))
        .bind(i64::from(queue.priority_aging_per_min))
        .bind(queue.record_calls)
        .bind(queue.post_call_survey)
        .bind(to_json(&queue.routing, "routing")?))
}

async fn fetch(db: &mut PgConnection, tenant: TenantId, id: QueueId) -> Result<Option<StoredQueue>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM queues WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(&mut *db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let (mut skills, mut members) = children(db, tenant, Some(id)).await?;
    let (s, m) = (skills.remove(&row.id).unwrap_or_default(), members.remove(&row.id).unwrap_or_default());
    build(row, s, m).map(Some)
}

/// Creates a queue; a taken name is [`RepoError::Conflict`] on `queues_name_key`.
pub async fn create(pool: &PgPool, tenant: TenantId, queue: &Queue) -> Result<StoredQueue, RepoError> {
    let id = QueueId::new();
    let mut tx = pool.begin().await?;
    let insert = sqlx::query(
        "INSERT INTO queues (id, tenant_id, name, strategy, sl_percent, sl_seconds, max_wait_secs, max_length, \
         wrap_up_secs, ring_timeout_secs, business_hours, overflow, callback_threshold_secs, \
         priority_aging_per_min, record_calls, post_call_survey, routing) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(id.0)
    .bind(tenant.0);
    bind_fields(insert, queue)?.execute(&mut *tx).await?;
    write_skills(&mut tx, tenant, id, queue).await?;
    let created = fetch(&mut tx, tenant, id).await?;
    tx.commit().await?;
    created.ok_or_else(|| RepoError::Corrupt("queue vanished while being created".into()))
}

/// One queue of the tenant.
pub async fn get(pool: &PgPool, tenant: TenantId, id: QueueId) -> Result<Option<StoredQueue>, RepoError> {
    let mut conn = pool.acquire().await?;
    fetch(&mut conn, tenant, id).await
}

/// Every queue of the tenant, by name.
pub async fn list(pool: &PgPool, tenant: TenantId) -> Result<Vec<StoredQueue>, RepoError> {
    let mut conn = pool.acquire().await?;
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM queues WHERE tenant_id = $1 ORDER BY name"))
        .bind(tenant.0)
        .fetch_all(&mut *conn)
        .await?;
    let (mut skills, mut members) = children(&mut conn, tenant, None).await?;
    rows.into_iter()
        .map(|r| {
            let (s, m) = (skills.remove(&r.id).unwrap_or_default(), members.remove(&r.id).unwrap_or_default());
            build(r, s, m)
        })
        .collect()
}

/// Replaces a queue's configuration (memberships are kept).
pub async fn update(
    pool: &PgPool,
    tenant: TenantId,
    id: QueueId,
    queue: &Queue,
) -> Result<Option<StoredQueue>, RepoError> {
    let mut tx = pool.begin().await?;
    let update = sqlx::query(
        "UPDATE queues SET name = $3, strategy = $4, sl_percent = $5, sl_seconds = $6, max_wait_secs = $7, \
         max_length = $8, wrap_up_secs = $9, ring_timeout_secs = $10, business_hours = $11, overflow = $12, \
         callback_threshold_secs = $13, priority_aging_per_min = $14, record_calls = $15, post_call_survey = $16, \
         routing = $17 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0);
    if bind_fields(update, queue)?.execute(&mut *tx).await?.rows_affected() == 0 {
        return Ok(None);
    }
    write_skills(&mut tx, tenant, id, queue).await?;
    let updated = fetch(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Replaces the agents serving a queue. `None` when the tenant has no such queue.
pub async fn set_members(
    pool: &PgPool,
    tenant: TenantId,
    id: QueueId,
    members: &[QueueMember],
) -> Result<Option<StoredQueue>, RepoError> {
    let mut tx = pool.begin().await?;
    let exists: Option<(uuid::Uuid,)> =
        sqlx::query_as("SELECT id FROM queues WHERE tenant_id = $1 AND id = $2 FOR UPDATE")
            .bind(tenant.0)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        return Ok(None);
    }
    sqlx::query("DELETE FROM queue_memberships WHERE tenant_id = $1 AND queue_id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    let agents: Vec<uuid::Uuid> = members.iter().map(|m| m.agent_id.0).collect();
    let weights: Vec<i16> = members.iter().map(|m| i16::from(m.weight)).collect();
    sqlx::query(
        "INSERT INTO queue_memberships (tenant_id, queue_id, agent_id, weight) \
         SELECT $1, $2, a, w FROM UNNEST($3::uuid[], $4::smallint[]) AS t(a, w)",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&agents)
    .bind(&weights)
    .execute(&mut *tx)
    .await?;
    let updated = fetch(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Deletes a queue; one a number still enters is [`RepoError::InUse`].
pub async fn delete(pool: &PgPool, tenant: TenantId, id: QueueId) -> Result<bool, RepoError> {
    let done = sqlx::query("DELETE FROM queues WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(pool)
        .await
        .map_err(super::delete_error)?;
    Ok(done.rows_affected() == 1)
}
