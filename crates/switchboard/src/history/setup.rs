//! Reads the tenant's configuration for the generator, and adds synthetic
//! agents when asked for more than the tenant has.

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime, TimeZone};
use model::{Agent, AgentDevice, AgentSkill, QueueMembership, TenantId};
use sqlx::PgPool;
use store::repo::{agents, contacts, ivr_flows, numbers, queues};

use super::plan::Plan;
use super::plan_of::{Stored, plan};

/// The generator's plan of the tenant.
pub async fn load(pool: &PgPool, tenant: TenantId) -> anyhow::Result<Plan> {
    let queues = queues::list(pool, tenant).await.context("cannot read the queues")?;
    let agents = agents::list(pool, tenant).await.context("cannot read the agents")?;
    let numbers = numbers::list(pool, tenant).await.context("cannot read the numbers")?;
    let flows = ivr_flows::list(pool, tenant).await.context("cannot read the IVR flows")?;
    let contacts = contacts::search(pool, tenant, None, 10_000, 0).await.context("cannot read the contacts")?;
    let stored = Stored {
        tenant: tenant.as_uuid(),
        queues: &queues,
        agents: &agents,
        numbers: &numbers,
        flows: &flows,
        contacts: &contacts,
    };
    Ok(plan(&stored)?)
}

/// Adds agents until `count` of the tenant's agents serve a queue; returns
/// how many were added. Agent `k` is "History agent k" (extension
/// `history-k`), serves queue `k mod n` (and every third one the next
/// queue too) with the skills those queues require, and every fifth takes
/// VIPs up to tier 2.
pub async fn ensure_agents(pool: &PgPool, tenant: TenantId, count: usize) -> anyhow::Result<usize> {
    let queues = queues::list(pool, tenant).await?;
    anyhow::ensure!(!queues.is_empty(), "the tenant has no queue for agents to serve");
    let existing = agents::list(pool, tenant).await?;
    let serving = existing.iter().filter(|a| !a.data.queues.is_empty()).count();
    let mut added = 0;
    let mut k = existing.len();
    while serving + added < count {
        k += 1;
        let extension = format!("history-{k}");
        if existing.iter().any(|a| a.data.extension == extension) {
            continue;
        }
        let mut served = vec![&queues[k % queues.len()]];
        if k % 3 == 0 && queues.len() > 1 {
            served.push(&queues[(k + 1) % queues.len()]);
        }
        let mut skills: Vec<AgentSkill> = Vec::new();
        for q in &served {
            for r in &q.queue.required_skills {
                if !skills.iter().any(|s| s.skill_id == r.skill_id) {
                    skills.push(AgentSkill { skill_id: r.skill_id, level: r.min_level.max(7) });
                }
            }
        }
        let agent = Agent {
            user_id: None,
            name: format!("History agent {k}"),
            extension,
            sip_password: None,
            vip_tier: model::VipTier(if k % 5 == 0 { 2 } else { 0 }),
            skills,
            queues: served
                .iter()
                .enumerate()
                .map(|(i, q)| QueueMembership { queue_id: q.id, weight: if i == 0 { 100 } else { 50 } })
                .collect(),
            device: AgentDevice::Registered,
            mobile_number: None,
        };
        agents::create(pool, tenant, &agent).await.with_context(|| format!("agent {}", agent.name))?;
        added += 1;
    }
    Ok(added)
}

/// How many calls the tenant has from local day `first` to `until`.
pub async fn calls_between(
    pool: &PgPool,
    tenant: TenantId,
    plan: &Plan,
    first: NaiveDate,
    until: NaiveDate,
) -> anyhow::Result<i64> {
    let midnight = |d: NaiveDate| plan.tz.from_local_datetime(&d.and_time(NaiveTime::MIN)).earliest();
    let (Some(from), Some(to)) = (midnight(first), until.succ_opt().and_then(midnight)) else { return Ok(0) };
    let (n,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM calls WHERE tenant_id = $1 AND arrived_at >= $2 AND arrived_at < $3")
            .bind(tenant.as_uuid())
            .bind(from.with_timezone(&chrono::Utc))
            .bind(to.with_timezone(&chrono::Utc))
            .fetch_one(pool)
            .await
            .context("cannot count the calls already there")?;
    Ok(n)
}
