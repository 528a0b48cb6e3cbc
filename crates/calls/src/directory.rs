//! What the call layer knows of each tenant's configuration, read from the
//! database at start-up and again on reload: numbers and their entry
//! points, IVR flows, queues, agents with the AOR their devices register,
//! and the trunks outbound calls go through.

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
    /// The trunks that carry the tenant's outbound calls, in failover
    /// order (lowest priority first).
    pub trunks: Vec<sip::trunk::Outbound>,
}

impl TenantConfig {
    /// The number outbound calls present when nothing says otherwise: the
    /// tenant's first number (by E.164), or `anonymous`.
    #[must_use]
    pub fn caller_id(&self) -> String {
        self.numbers.values().map(|(e164, _)| e164.as_str()).min().unwrap_or("anonymous").to_owned()
    }
}

/// Where a tenant's trunk sends outbound calls, as the SIP edge takes it.
#[must_use]
pub fn outbound_of(trunk: &model::Trunk) -> sip::trunk::Outbound {
    let transport = match trunk.transport {
        model::SipTransport::Udp => sip::registrar::Transport::Udp,
        model::SipTransport::Tcp => sip::registrar::Transport::Tcp,
        model::SipTransport::Tls => sip::registrar::Transport::Tls,
    };
    let auth = trunk.outbound_credentials.as_ref().map(|c| sip::trunk::OutboundAuth {
        username: c.username.clone(),
        secret: sip::auth::ClientSecret::Password(c.password.clone()),
    });
    sip::trunk::Outbound { host: trunk.host.clone(), port: trunk.port, transport, auth, priority: trunk.priority }
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
            let mut trunks: Vec<_> =
                store::repo::trunks::list(pool, tenant.id).await?.iter().map(|r| outbound_of(&r.data)).collect();
            trunks.sort_by_key(|t| t.priority);
            config.trunks = trunks;
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
