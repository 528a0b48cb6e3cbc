//! What the call layer knows of each tenant's configuration, read from the
//! database at start-up and again on reload: numbers and their entry
//! points, IVR flows, queues, agents with the AOR their devices register.

use std::collections::HashMap;
use std::sync::Arc;

use model::{Agent, AgentId, EntryPoint, IvrFlow, IvrFlowId, NumberId, Queue, QueueId, TenantId};
use sqlx::PgPool;

/// One tenant's configuration, as the call layer uses it.
#[derive(Debug, Clone, Default)]
pub struct TenantConfig {
    /// The tenant.
    pub tenant: TenantId,
    /// Numbers by id, with the E.164 number and where calls go.
    pub numbers: HashMap<NumberId, (String, EntryPoint)>,
    /// IVR flows by id.
    pub flows: HashMap<IvrFlowId, Arc<IvrFlow>>,
    /// Queues by id.
    pub queues: HashMap<QueueId, Queue>,
    /// Agents by id, with their AOR (`sip:ext@tenant-domain`).
    pub agents: HashMap<AgentId, (Agent, String)>,
}

impl TenantConfig {
    /// Whether a call arriving at `wall` on `entry` is outside that entry
    /// point's business hours: a queue's own hours, or the first check of
    /// a flow before it waits for a key ([`crate::ivr::closed_on_arrival`]).
    #[must_use]
    pub fn outside_business_hours(&self, entry: &EntryPoint, wall: chrono::DateTime<chrono::Utc>) -> bool {
        match entry {
            EntryPoint::Queue { queue_id } => {
                self.queues.get(queue_id).is_some_and(|q| !q.business_hours.is_open(wall))
            }
            EntryPoint::Ivr { flow_id } => {
                self.flows.get(flow_id).is_some_and(|f| crate::ivr::closed_on_arrival(f, wall))
            }
        }
    }
}

/// Every tenant's configuration.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Tenants by id.
    pub tenants: HashMap<TenantId, Arc<TenantConfig>>,
}

impl Directory {
    /// Reads every tenant's numbers, flows, queues and agents.
    pub async fn load(pool: &PgPool, platform_domain: &str) -> Result<Directory, store::RepoError> {
        let mut tenants = HashMap::new();
        for tenant in store::repo::tenants::list(pool).await? {
            let mut config = TenantConfig { tenant: tenant.id, ..TenantConfig::default() };
            for record in store::repo::numbers::list(pool, tenant.id).await? {
                config.numbers.insert(record.id, (record.data.e164.clone(), record.data.entry.clone()));
            }
            for record in store::repo::ivr_flows::list(pool, tenant.id).await? {
                config.flows.insert(record.id, Arc::new(record.data));
            }
            for stored in store::repo::queues::list(pool, tenant.id).await? {
                config.queues.insert(stored.id, stored.queue);
            }
            let domain = model::sip_domain(&tenant.tenant.slug, platform_domain);
            for record in store::repo::agents::list(pool, tenant.id).await? {
                let aor = model::agent_aor(&record.data.extension, &domain);
                config.agents.insert(record.id, (record.data, aor));
            }
            tenants.insert(tenant.id, Arc::new(config));
        }
        Ok(Directory { tenants })
    }

    /// A tenant's configuration.
    #[must_use]
    pub fn tenant(&self, id: TenantId) -> Option<Arc<TenantConfig>> {
        self.tenants.get(&id).cloned()
    }
}
