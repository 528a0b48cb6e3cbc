//! Builds the generator's [`Plan`] from a tenant's stored configuration
//! (pure: the store's records in, the plan out), so the same code serves
//! the command and the tests.

use std::collections::HashMap;

use chrono_tz::Tz;
use model::{
    Agent, AgentId, BusinessHours, Contact, ContactId, EntryPoint, IvrFlow, IvrFlowId, NumberId, PhoneNumber, QueueId,
    Record,
};
use store::repo::queues::StoredQueue;
use uuid::Uuid;

use super::plan::{AgentSpec, Entry, Flow, Plan, QueueSpec, Route, VipContact};

/// Why a tenant cannot have history.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    /// No number leads anywhere the generator can follow.
    #[error("the tenant has no phone number leading to a queue or an IVR flow")]
    NoEntry,
    /// No agent serves a queue.
    #[error("no agent of the tenant serves a queue (give --agents N to add some)")]
    NoAgent,
}

/// The tenant's configuration, as the store lists it.
pub struct Stored<'a> {
    /// The tenant.
    pub tenant: Uuid,
    /// Its queues.
    pub queues: &'a [StoredQueue],
    /// Its agents.
    pub agents: &'a [Record<AgentId, Agent>],
    /// Its numbers.
    pub numbers: &'a [Record<NumberId, PhoneNumber>],
    /// Its IVR flows.
    pub flows: &'a [Record<IvrFlowId, IvrFlow>],
    /// Its contacts.
    pub contacts: &'a [Record<ContactId, Contact>],
}

/// The plan of `stored`.
pub fn plan(stored: &Stored<'_>) -> Result<Plan, PlanError> {
    let queues: Vec<QueueSpec> = stored.queues.iter().map(|q| QueueSpec::of(q.id.as_uuid(), &q.queue)).collect();
    let queue_index: HashMap<Uuid, usize> = queues.iter().enumerate().map(|(i, q)| (q.id, i)).collect();
    let queue_of = |id: QueueId| queue_index.get(&id.as_uuid()).copied();
    let mut flows: Vec<Flow> = Vec::new();
    let mut entries = Vec::new();
    for number in stored.numbers {
        let route = match number.data.entry {
            EntryPoint::Queue { queue_id } => queue_of(queue_id).map(Route::Queue),
            EntryPoint::Ivr { flow_id } => {
                let at = flows.iter().position(|f| f.id == flow_id.as_uuid());
                let at = at.or_else(|| {
                    let stored = stored.flows.iter().find(|f| f.id == flow_id)?;
                    flows.push(Flow::compile(flow_id.as_uuid(), &stored.data, |q| queue_index.get(&q).copied()));
                    Some(flows.len() - 1)
                });
                at.map(Route::Ivr)
            }
        };
        if let Some(route) = route {
            entries.push(Entry { number_id: number.id.as_uuid(), e164: number.data.e164.clone(), route });
        }
    }
    if entries.is_empty() {
        return Err(PlanError::NoEntry);
    }
    let agents: Vec<AgentSpec> = stored
        .agents
        .iter()
        .map(|a| AgentSpec {
            id: a.id.as_uuid(),
            queues: a.data.queues.iter().filter_map(|m| queue_of(m.queue_id)).collect(),
            vip_tier: a.data.vip_tier.0,
        })
        .filter(|a| !a.queues.is_empty())
        .collect();
    if agents.is_empty() {
        return Err(PlanError::NoAgent);
    }
    let hours: BusinessHours = flows
        .iter()
        .find_map(|f| f.arrival_hours().cloned())
        .or_else(|| queues.first().map(|q| q.hours.clone()))
        .unwrap_or_else(BusinessHours::always_open);
    let tz: Tz = hours.tz();
    let vip_contacts = stored
        .contacts
        .iter()
        .filter(|c| c.data.vip_tier.0 > 0)
        .filter_map(|c| {
            let number = c.data.phone_numbers.first()?.clone();
            Some(VipContact { id: c.id.as_uuid(), number, tier: c.data.vip_tier.0 })
        })
        .collect();
    Ok(Plan { tenant: stored.tenant, tz, hours, entries, queues, agents, flows, vip_contacts })
}
