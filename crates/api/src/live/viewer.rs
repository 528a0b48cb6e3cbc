//! Who watches the feed, and what they may see of their tenant.
//!
//! Supervisors and admins see everything of their tenant. An agent sees
//! their own agent's events and state, the events of calls from the moment
//! they are offered to them until the call ends or leaves them (rejected,
//! not answered, transferred, taken over by a supervisor — that event they
//! see), and the figures of the queues they serve; never a supervisor's
//! joining or leaving (monitoring is silent).

use std::collections::HashSet;

use model::event::{Event, EventPayload};
use model::{AgentId, CallId, QueueId, TenantId};

use super::types::LiveSnapshot;

/// What one connection may see.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The tenant; nothing of another tenant ever passes.
    pub tenant: TenantId,
    /// The role's scope.
    pub scope: Scope,
}

/// The part of the tenant a viewer sees.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Everything (supervisors, admins).
    Tenant,
    /// One agent's view.
    Agent {
        /// The agent.
        agent: AgentId,
        /// The queues the agent serves.
        queues: HashSet<QueueId>,
        /// The calls now offered to or connected with the agent.
        calls: HashSet<CallId>,
    },
}

impl Viewer {
    /// Whether `event` may be shown; follows the agent's calls as it goes.
    pub fn admit(&mut self, event: &Event) -> bool {
        if event.tenant_id != self.tenant {
            return false;
        }
        let Scope::Agent { agent, calls, .. } = &mut self.scope else { return true };
        let mine = event.agent_id() == Some(*agent);
        let on_my_call = event.call_id.is_some_and(|c| calls.contains(&c));
        let supervision =
            matches!(event.payload, EventPayload::SupervisorJoined { .. } | EventPayload::SupervisorLeft { .. });
        let shown = (mine || on_my_call) && !supervision;
        if let Some(call) = event.call_id {
            match &event.payload {
                EventPayload::CallEnded { .. } => {
                    calls.remove(&call);
                }
                EventPayload::AgentRejected { .. }
                | EventPayload::AgentNoAnswer { .. }
                | EventPayload::Transferred { .. }
                | EventPayload::SupervisorTookOver { .. }
                    if mine =>
                {
                    calls.remove(&call);
                }
                EventPayload::OfferedToAgent { .. }
                | EventPayload::AgentRinging { .. }
                | EventPayload::AgentAnswered { .. }
                | EventPayload::Bridged { .. }
                    if mine =>
                {
                    calls.insert(call);
                }
                _ => {}
            }
        }
        shown
    }

    /// Whether the figures of `queue` may be shown.
    pub fn sees_queue(&self, queue: QueueId) -> bool {
        match &self.scope {
            Scope::Tenant => true,
            Scope::Agent { queues, .. } => queues.contains(&queue),
        }
    }

    /// The part of `snapshot` the viewer may see; an agent's calls in it
    /// are followed from now on.
    pub fn restrict(&mut self, mut snapshot: LiveSnapshot) -> LiveSnapshot {
        let Scope::Agent { agent, queues, calls } = &mut self.scope else { return snapshot };
        let agent = *agent;
        snapshot.agents.retain(|a| a.agent_id == agent);
        snapshot.calls.retain(|c| c.agent_id == Some(agent));
        snapshot.queues.retain(|q| queues.contains(&q.queue_id));
        calls.clear();
        calls.extend(snapshot.calls.iter().map(|c| c.call_id));
        snapshot
    }
}
