//! Agents' SIP accounts as the SIP edge needs them: who may register, in
//! which tenant, with what password. Only agents with a SIP password are
//! accounts; the password is the clear one the edge derives HA1 from
//! (`migrations/0006_agent_sip_secret.sql` says why it is kept in clear).

use std::fmt;

use model::{AgentId, TenantId};
use sqlx::PgExecutor;

use super::RepoError;

/// One agent's SIP account.
#[derive(Clone, PartialEq, Eq)]
pub struct SipAccount {
    /// The agent's tenant.
    pub tenant_id: TenantId,
    /// That tenant's slug: the first label of its SIP domain.
    pub tenant_slug: String,
    /// The agent.
    pub agent_id: AgentId,
    /// The agent's extension: the user part of its AOR and digest username.
    pub extension: String,
    /// The digest password, in clear.
    pub password: String,
}

impl SipAccount {
    /// The tenant's SIP domain (and digest realm) on a platform whose SIP
    /// domain is `platform_domain`; see [`model::sip_domain`].
    pub fn domain(&self, platform_domain: &str) -> String {
        model::sip_domain(&self.tenant_slug, platform_domain)
    }

    /// The AOR the agent registers: `sip:<extension>@<tenant domain>`.
    pub fn aor(&self, platform_domain: &str) -> String {
        model::agent_aor(&self.extension, &self.domain(platform_domain))
    }
}

/// Never prints the password, so an account can be logged.
impl fmt::Debug for SipAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SipAccount")
            .field("tenant_id", &self.tenant_id)
            .field("tenant_slug", &self.tenant_slug)
            .field("agent_id", &self.agent_id)
            .field("extension", &self.extension)
            .field("password", &"<redacted>")
            .finish()
    }
}

type Row = (uuid::Uuid, String, uuid::Uuid, String, String);

const SELECT: &str = "SELECT t.id, t.slug, a.id, a.extension, a.sip_password FROM agents a \
     JOIN tenants t ON t.id = a.tenant_id WHERE a.sip_password IS NOT NULL";

fn account((tenant_id, tenant_slug, agent_id, extension, password): Row) -> SipAccount {
    SipAccount { tenant_id: tenant_id.into(), tenant_slug, agent_id: agent_id.into(), extension, password }
}

/// Every agent SIP account of every tenant, by tenant slug and extension:
/// what the edge loads at start and on refresh.
pub async fn all(db: impl PgExecutor<'_>) -> Result<Vec<SipAccount>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY t.slug, a.extension")).fetch_all(db).await?;
    Ok(rows.into_iter().map(account).collect())
}

/// The SIP accounts of one tenant's agents, by extension.
pub async fn of_tenant(db: impl PgExecutor<'_>, tenant: TenantId) -> Result<Vec<SipAccount>, RepoError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} AND a.tenant_id = $1 ORDER BY a.extension"))
        .bind(tenant.0)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(account).collect())
}

/// The SIP account of the agent with `extension` in the tenant with
/// `tenant_slug`, if that agent exists and has a SIP password.
pub async fn find(
    db: impl PgExecutor<'_>,
    tenant_slug: &str,
    extension: &str,
) -> Result<Option<SipAccount>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} AND t.slug = $1 AND a.extension = $2"))
        .bind(tenant_slug)
        .bind(extension)
        .fetch_optional(db)
        .await?;
    Ok(row.map(account))
}

/// The SIP account of one agent of a tenant; `None` when the agent has
/// no SIP password (or is not the tenant's).
pub async fn of_agent(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    agent: AgentId,
) -> Result<Option<SipAccount>, RepoError> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} AND a.tenant_id = $1 AND a.id = $2"))
        .bind(tenant.0)
        .bind(agent.0)
        .fetch_optional(db)
        .await?;
    Ok(row.map(account))
}
