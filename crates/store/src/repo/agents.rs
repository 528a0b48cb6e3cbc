//! Agent profiles with their skill levels and queue memberships. The SIP
//! password is written here but never read back into the model: the SIP
//! edge reads it through [`super::sip_accounts`].

use std::collections::HashMap;

use model::{Agent, AgentDevice, AgentId, AgentSkill, QueueMembership, Record, TenantId, UserId, VipTier};
use sqlx::{PgConnection, PgPool};

use super::{RepoError, to_u8};

#[derive(sqlx::FromRow)]
struct Row {
    id: uuid::Uuid,
    user_id: Option<uuid::Uuid>,
    name: String,
    extension: String,
    vip_tier: i16,
    device: String,
    mobile_number: Option<String>,
}

const COLUMNS: &str = "id, user_id, name, extension, vip_tier, device, mobile_number";

fn device_str(d: AgentDevice) -> &'static str {
    match d {
        AgentDevice::Registered => "registered",
        AgentDevice::Mobile => "mobile",
    }
}

fn build(r: Row, skills: Vec<AgentSkill>, queues: Vec<QueueMembership>) -> Result<Record<AgentId, Agent>, RepoError> {
    let device = match r.device.as_str() {
        "registered" => AgentDevice::Registered,
        "mobile" => AgentDevice::Mobile,
        other => return Err(RepoError::Corrupt(format!("agents.device = {other}"))),
    };
    Ok(Record {
        id: r.id.into(),
        data: Agent {
            user_id: r.user_id.map(UserId::from),
            name: r.name,
            extension: r.extension,
            sip_password: None,
            vip_tier: VipTier(to_u8(r.vip_tier, "agents.vip_tier")?),
            skills,
            queues,
            device,
            mobile_number: r.mobile_number,
        },
    })
}

/// Skills and memberships of the tenant's agents (or of one agent), by agent.
async fn children(
    db: &mut PgConnection,
    tenant: TenantId,
    agent: Option<AgentId>,
) -> Result<(HashMap<uuid::Uuid, Vec<AgentSkill>>, HashMap<uuid::Uuid, Vec<QueueMembership>>), RepoError> {
    let filter = agent.map(|a| a.0);
    let skill_rows: Vec<(uuid::Uuid, uuid::Uuid, i16)> = sqlx::query_as(
        "SELECT agent_id, skill_id, level FROM agent_skills WHERE tenant_id = $1 \
         AND ($2::uuid IS NULL OR agent_id = $2) ORDER BY agent_id, skill_id",
    )
    .bind(tenant.0)
    .bind(filter)
    .fetch_all(&mut *db)
    .await?;
    let mut skills: HashMap<_, Vec<_>> = HashMap::new();
    for (agent, skill, level) in skill_rows {
        skills.entry(agent).or_default().push(AgentSkill { skill_id: skill.into(), level: to_u8(level, "level")? });
    }
    let queue_rows: Vec<(uuid::Uuid, uuid::Uuid, i16)> = sqlx::query_as(
        "SELECT agent_id, queue_id, weight FROM queue_memberships WHERE tenant_id = $1 \
         AND ($2::uuid IS NULL OR agent_id = $2) ORDER BY agent_id, queue_id",
    )
    .bind(tenant.0)
    .bind(filter)
    .fetch_all(&mut *db)
    .await?;
    let mut queues: HashMap<_, Vec<_>> = HashMap::new();
    for (agent, queue, weight) in queue_rows {
        queues
            .entry(agent)
            .or_default()
            .push(QueueMembership { queue_id: queue.into(), weight: to_u8(weight, "weight")? });
    }
    Ok((skills, queues))
}

/// Replaces an agent's skills and memberships.
async fn write_children(db: &mut PgConnection, tenant: TenantId, id: AgentId, agent: &Agent) -> Result<(), RepoError> {
    sqlx::query("DELETE FROM agent_skills WHERE tenant_id = $1 AND agent_id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(&mut *db)
        .await?;
    sqlx::query("DELETE FROM queue_memberships WHERE tenant_id = $1 AND agent_id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(&mut *db)
        .await?;
    let skill_ids: Vec<uuid::Uuid> = agent.skills.iter().map(|s| s.skill_id.0).collect();
    let levels: Vec<i16> = agent.skills.iter().map(|s| i16::from(s.level)).collect();
    sqlx::query(
        "INSERT INTO agent_skills (tenant_id, agent_id, skill_id, level) \
         SELECT $1, $2, s, l FROM UNNEST($3::uuid[], $4::smallint[]) AS t(s, l)",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&skill_ids)
    .bind(&levels)
    .execute(&mut *db)
    .await?;
    let queue_ids: Vec<uuid::Uuid> = agent.queues.iter().map(|q| q.queue_id.0).collect();
    let weights: Vec<i16> = agent.queues.iter().map(|q| i16::from(q.weight)).collect();
    sqlx::query(
        "INSERT INTO queue_memberships (tenant_id, agent_id, queue_id, weight) \
         SELECT $1, $2, q, w FROM UNNEST($3::uuid[], $4::smallint[]) AS t(q, w)",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&queue_ids)
    .bind(&weights)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Creates an agent with its skills and memberships. Unknown skills, queues
/// or users are [`RepoError::MissingReference`].
pub async fn create(pool: &PgPool, tenant: TenantId, agent: &Agent) -> Result<Record<AgentId, Agent>, RepoError> {
    let id = AgentId::new();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO agents (id, tenant_id, user_id, name, extension, vip_tier, device, mobile_number, sip_password) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(agent.user_id.map(|u| u.0))
    .bind(&agent.name)
    .bind(&agent.extension)
    .bind(i16::from(agent.vip_tier.0))
    .bind(device_str(agent.device))
    .bind(&agent.mobile_number)
    .bind(&agent.sip_password)
    .execute(&mut *tx)
    .await?;
    write_children(&mut tx, tenant, id, agent).await?;
    let created = fetch(&mut tx, tenant, id).await?;
    tx.commit().await?;
    created.ok_or_else(|| RepoError::Corrupt("agent vanished while being created".into()))
}

async fn fetch(
    db: &mut PgConnection,
    tenant: TenantId,
    id: AgentId,
) -> Result<Option<Record<AgentId, Agent>>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM agents WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(&mut *db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let (mut skills, mut queues) = children(db, tenant, Some(id)).await?;
    let (s, q) = (skills.remove(&row.id).unwrap_or_default(), queues.remove(&row.id).unwrap_or_default());
    build(row, s, q).map(Some)
}

/// One agent of the tenant.
pub async fn get(pool: &PgPool, tenant: TenantId, id: AgentId) -> Result<Option<Record<AgentId, Agent>>, RepoError> {
    let mut conn = pool.acquire().await?;
    fetch(&mut conn, tenant, id).await
}

/// The agent profile linked to a user, if any.
pub async fn find_by_user(
    pool: &PgPool,
    tenant: TenantId,
    user: UserId,
) -> Result<Option<Record<AgentId, Agent>>, RepoError> {
    let id: Option<(uuid::Uuid,)> = sqlx::query_as("SELECT id FROM agents WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant.0)
        .bind(user.0)
        .fetch_optional(pool)
        .await?;
    match id {
        Some((id,)) => get(pool, tenant, id.into()).await,
        None => Ok(None),
    }
}

/// Every agent of the tenant, by name.
pub async fn list(pool: &PgPool, tenant: TenantId) -> Result<Vec<Record<AgentId, Agent>>, RepoError> {
    let mut conn = pool.acquire().await?;
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM agents WHERE tenant_id = $1 ORDER BY name, id"))
            .bind(tenant.0)
            .fetch_all(&mut *conn)
            .await?;
    let (mut skills, mut queues) = children(&mut conn, tenant, None).await?;
    rows.into_iter()
        .map(|r| {
            let (s, q) = (skills.remove(&r.id).unwrap_or_default(), queues.remove(&r.id).unwrap_or_default());
            build(r, s, q)
        })
        .collect()
}

/// Replaces an agent with its skills and memberships. A `sip_password` of
/// `None` keeps the stored one (see [`clear_sip_password`]).
pub async fn update(
    pool: &PgPool,
    tenant: TenantId,
    id: AgentId,
    agent: &Agent,
) -> Result<Option<Record<AgentId, Agent>>, RepoError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE agents SET user_id = $3, name = $4, extension = $5, vip_tier = $6, device = $7, mobile_number = $8, \
         sip_password = COALESCE($9, sip_password) WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(agent.user_id.map(|u| u.0))
    .bind(&agent.name)
    .bind(&agent.extension)
    .bind(i16::from(agent.vip_tier.0))
    .bind(device_str(agent.device))
    .bind(&agent.mobile_number)
    .bind(&agent.sip_password)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    write_children(&mut tx, tenant, id, agent).await?;
    let updated = fetch(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Removes an agent's SIP password, so it can no longer register; `false`
/// when the tenant has no such agent.
pub async fn clear_sip_password(pool: &PgPool, tenant: TenantId, id: AgentId) -> Result<bool, RepoError> {
    let done = sqlx::query("UPDATE agents SET sip_password = NULL WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an agent with its skills and memberships.
pub async fn delete(pool: &PgPool, tenant: TenantId, id: AgentId) -> Result<bool, RepoError> {
    let done = sqlx::query("DELETE FROM agents WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .execute(pool)
        .await
        .map_err(super::delete_error)?;
    Ok(done.rows_affected() == 1)
}
