//! `switchboard demo`: stores the demo tenant of [`demo_data`] once (its
//! agents with their weekly shifts, and the supervisor's phone).
//!
//! Idempotent: when the tenant exists, nothing is changed and the command
//! says so. The tenant row is created first and the rest after it; a run cut
//! short leaves a tenant that `switchboard demo` reports as already there, so
//! delete it (or the database) to seed again.

use std::collections::HashMap;

use anyhow::Context;
use api::bootstrap::{self, BootstrapError};
use model::{AgentId, NewUser, QueueId, QueueMembership, SkillId, TenantId, User};
use sqlx::PgPool;
use store::repo::{agents, contacts, ivr_flows, numbers, queues, shifts, skills, trunks};

use crate::demo_data::{self, AGENT_PASSWORD, AGENTS, STAFF, SUPERVISOR_PHONE};

/// What `seed` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Seeded {
    /// The tenant was created with all its content.
    Created,
    /// The tenant already existed; nothing was changed.
    AlreadyThere,
}

/// Stores the demo tenant unless it exists.
pub async fn seed(pool: &PgPool) -> anyhow::Result<Seeded> {
    let tenant = match bootstrap::create_tenant(pool, demo_data::TENANT_SLUG, demo_data::TENANT_NAME).await {
        Ok(tenant) => tenant.id,
        Err(BootstrapError::AlreadyExists(_)) => return Ok(Seeded::AlreadyThere),
        Err(e) => return Err(e).context("cannot create the demo tenant"),
    };
    // Reports group days and hours where the demo's business hours are.
    store::repo::tenants::set_time_zone(pool, tenant, &demo_data::business_hours().time_zone)
        .await
        .context("cannot set the demo tenant's time zone")?;
    let mut supervisor = None;
    for user in &STAFF {
        let id = add_user(pool, tenant, user.username, user.display_name, user.role, user.password).await?;
        if user.role == model::Role::Supervisor {
            supervisor = Some((id, user.display_name));
        }
    }

    let mut skill_ids = HashMap::new();
    for skill in demo_data::skills() {
        let stored = skills::create(pool, tenant, &skill).await.with_context(|| format!("skill {}", skill.name))?;
        skill_ids.insert(skill.name.clone(), stored.id);
    }
    let skill = |name: &str| skill_ids.get(name).copied().unwrap_or_else(SkillId::new);

    let mut queue_ids: HashMap<String, QueueId> = HashMap::new();
    for queue in demo_data::queues(skill) {
        let stored = queues::create(pool, tenant, &queue).await.with_context(|| format!("queue {}", queue.name))?;
        queue_ids.insert(queue.name.clone(), stored.id);
    }

    let mut agent_ids: HashMap<&str, AgentId> = HashMap::new();
    for agent in &AGENTS {
        let user = add_user(pool, tenant, agent.username, agent.name, model::Role::Agent, AGENT_PASSWORD).await?;
        let profile = model::Agent {
            user_id: Some(user),
            name: agent.name.into(),
            extension: agent.username.into(),
            sip_password: Some(agent.sip_password.into()),
            vip_tier: model::VipTier(agent.vip_tier),
            skills: demo_data::agent_skills(agent, skill),
            queues: agent
                .queues
                .iter()
                .filter_map(|(name, weight)| {
                    queue_ids.get(*name).map(|&queue_id| QueueMembership { queue_id, weight: *weight })
                })
                .collect(),
            device: model::AgentDevice::Registered,
            mobile_number: None,
        };
        let stored = agents::create(pool, tenant, &profile).await.with_context(|| format!("agent {}", agent.name))?;
        shifts::replace(pool, tenant, stored.id, &demo_data::roster(agent))
            .await
            .with_context(|| format!("{}'s shifts", agent.name))?;
        agent_ids.insert(agent.username, stored.id);
    }

    if let Some((user, name)) = supervisor {
        let (extension, sip_password) = SUPERVISOR_PHONE;
        let phone = model::Agent {
            user_id: Some(user),
            name: name.into(),
            extension: extension.into(),
            sip_password: Some(sip_password.into()),
            vip_tier: model::VipTier::REGULAR,
            skills: Vec::new(),
            queues: Vec::new(),
            device: model::AgentDevice::Registered,
            mobile_number: None,
        };
        agents::create(pool, tenant, &phone).await.context("the supervisor's phone")?;
    }

    let (sales, support) = (queue_ids["sales"], queue_ids["support"]);
    let flow =
        ivr_flows::create(pool, tenant, &demo_data::ivr_flow(sales, support, skill)).await.context("IVR flow")?;
    numbers::create(pool, tenant, &demo_data::number(flow.id)).await.context("the demo number")?;
    trunks::create(pool, tenant, &demo_data::trunk()).await.context("the demo trunk")?;
    for contact in demo_data::contacts(|username| agent_ids.get(username).copied()) {
        contacts::create(pool, tenant, &contact).await.with_context(|| format!("contact {}", contact.name))?;
    }
    Ok(Seeded::Created)
}

async fn add_user(
    pool: &PgPool,
    tenant: TenantId,
    username: &str,
    display_name: &str,
    role: model::Role,
    password: &str,
) -> anyhow::Result<model::UserId> {
    let user = NewUser {
        user: User { username: username.into(), display_name: display_name.into(), role },
        password: password.into(),
    };
    let stored = bootstrap::create_user(pool, tenant, user).await.with_context(|| format!("user {username}"))?;
    Ok(stored.id)
}

/// What the command prints: where to log in and with what, including each
/// agent's SIP login (AOR and password) in the demo tenant's SIP domain
/// under the platform's `sip_domain`.
pub fn credentials(sip_domain: &str) -> String {
    let mut out = format!("demo tenant \"{}\" ({}):\n", demo_data::TENANT_SLUG, demo_data::TENANT_NAME);
    for user in &STAFF {
        out.push_str(&format!("  {:<10} {} / {}\n", role_name(user.role), user.username, user.password));
    }
    let agents: Vec<&str> = AGENTS.iter().map(|a| a.username).collect();
    out.push_str(&format!("  {:<10} {} / {}\n", "agents", agents.join(", "), AGENT_PASSWORD));
    let domain = model::sip_domain(demo_data::TENANT_SLUG, sip_domain);
    out.push_str(&format!("  SIP (digest username = extension, realm {domain}):\n"));
    for agent in &AGENTS {
        out.push_str(&format!("    {:<40} {}\n", model::agent_aor(agent.username, &domain), agent.sip_password));
    }
    let (extension, sip_password) = SUPERVISOR_PHONE;
    out.push_str(&format!(
        "    {:<40} {} (the supervisor's phone, no queue)\n",
        model::agent_aor(extension, &domain),
        sip_password
    ));
    out.push_str(&format!("  number     {} (IVR \"Main line\")\n", demo_data::DEMO_DID));
    out
}

/// The role as written in the API.
pub fn role_name(role: model::Role) -> &'static str {
    match role {
        model::Role::Admin => "admin",
        model::Role::Supervisor => "supervisor",
        model::Role::Agent => "agent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_list_every_agents_sip_login_in_the_demo_tenant_domain() {
        let printed = credentials("sip.example.com");
        for agent in &AGENTS {
            let line = format!("sip:{}@demo.sip.example.com", agent.username);
            let shown = printed.lines().find(|l| l.contains(&line)).unwrap_or_else(|| panic!("{line} in {printed}"));
            assert!(shown.trim_end().ends_with(agent.sip_password), "{shown}");
        }
        assert!(printed.contains("realm demo.sip.example.com"), "{printed}");
        let supervisor = printed.lines().find(|l| l.contains("sip:sam@demo.sip.example.com")).expect("sam's line");
        assert!(supervisor.contains("sam-sip-demo"), "{supervisor}");
    }
}
