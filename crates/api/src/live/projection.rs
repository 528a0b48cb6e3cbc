//! Live calls and agents' state changes, projected from the domain events
//! (pure: events in, state out). The hub keeps one per process, fed by the
//! event bus, so that a client connecting mid-call sees the calls already
//! under way.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use model::event::{Event, EventPayload, MoveTarget, SupervisionMode, TransferTarget};
use model::{AgentId, CallId, TenantId};

use super::types::{LiveCall, LiveCallState, LiveSupervisor};

/// At most this many live calls are kept per tenant; past it, the call
/// changed longest ago goes (a call whose end was lost must not stay forever).
pub const MAX_CALLS_PER_TENANT: usize = 20_000;

/// One tenant's live state.
#[derive(Debug, Default, Clone)]
pub struct TenantLive {
    /// Calls in progress.
    pub calls: HashMap<CallId, LiveCall>,
    /// When each agent's state last changed (from the events seen).
    pub agent_since: HashMap<AgentId, DateTime<Utc>>,
}

/// Every tenant's live state.
#[derive(Debug, Default)]
pub struct Projection {
    tenants: HashMap<TenantId, TenantLive>,
}

impl Projection {
    /// An empty projection.
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of one tenant's live state.
    pub fn tenant(&self, tenant: TenantId) -> TenantLive {
        self.tenants.get(&tenant).cloned().unwrap_or_default()
    }

    /// Applies one event.
    pub fn apply(&mut self, event: &Event) {
        let live = self.tenants.entry(event.tenant_id).or_default();
        if let EventPayload::AgentStateChanged { agent_id, .. }
        | EventPayload::AgentLoggedIn { agent_id }
        | EventPayload::AgentLoggedOut { agent_id } = &event.payload
        {
            live.agent_since.insert(*agent_id, event.at);
        }
        let Some(call_id) = event.call_id else { return };
        if matches!(event.payload, EventPayload::CallEnded { .. }) {
            live.calls.remove(&call_id);
            return;
        }
        if !is_live(&event.payload) {
            return;
        }
        if !live.calls.contains_key(&call_id) && live.calls.len() >= MAX_CALLS_PER_TENANT {
            evict_oldest(&mut live.calls);
        }
        let call = live.calls.entry(call_id).or_insert_with(|| LiveCall::bare(call_id, LiveCallState::Arrived));
        apply_to_call(call, event);
    }
}

/// Whether a call event says the call is live (events after the end, and
/// agent bookkeeping, do not bring a call back).
fn is_live(payload: &EventPayload) -> bool {
    !matches!(
        payload,
        EventPayload::SurveyAnswered { .. }
            | EventPayload::DispositionSet { .. }
            | EventPayload::AgentStateChanged { .. }
            | EventPayload::AgentStateSet { .. }
            | EventPayload::AgentLoggedIn { .. }
            | EventPayload::AgentLoggedOut { .. }
            | EventPayload::AgentDeviceRegistered { .. }
            | EventPayload::AgentDeviceUnregistered { .. }
    )
}

fn evict_oldest(calls: &mut HashMap<CallId, LiveCall>) {
    let oldest = calls.values().min_by_key(|c| c.since).map(|c| c.call_id);
    if let Some(id) = oldest {
        calls.remove(&id);
    }
}

fn set_state(call: &mut LiveCall, state: LiveCallState, at: DateTime<Utc>) {
    if call.state != state || call.since.is_none() {
        call.state = state;
        call.since = Some(at);
    }
}

/// What one event of a live call changes.
fn apply_to_call(call: &mut LiveCall, event: &Event) {
    use EventPayload as P;
    let at = event.at;
    match &event.payload {
        P::CallArrived { from, to, contact_id, vip_tier, .. } => {
            call.from = Some(from.clone());
            call.to = Some(to.clone());
            call.contact_id = *contact_id;
            call.vip_tier = Some(*vip_tier);
            call.arrived_at = Some(at);
            set_state(call, LiveCallState::Arrived, at);
        }
        P::IvrEntered { .. } => set_state(call, LiveCallState::Ivr, at),
        P::CallQueued { queue_id, position, .. } => {
            call.queue_id = Some(*queue_id);
            call.position = Some(*position);
            call.agent_id = None;
            set_state(call, LiveCallState::Queued, at);
        }
        P::PositionAnnounced { position, .. } => call.position = Some(*position),
        P::CallMoved { target: MoveTarget::Queue { queue_id }, position, .. } => {
            call.queue_id = Some(*queue_id);
            call.position = *position;
        }
        P::PriorityChanged { position: Some(position), .. } => call.position = Some(*position),
        P::CallbackAccepted { .. } => set_state(call, LiveCallState::Callback, at),
        P::OfferedToAgent { agent_id, .. } | P::AgentRinging { agent_id, .. } => {
            call.agent_id = Some(*agent_id);
            set_state(call, LiveCallState::Ringing, at);
        }
        P::AgentRejected { .. } | P::AgentNoAnswer { .. } => {
            call.agent_id = None;
            let back = if call.state == LiveCallState::Ringing { LiveCallState::Queued } else { call.state };
            set_state(call, back, at);
        }
        P::AgentAnswered { agent_id, .. } | P::Bridged { agent_id } | P::Resumed { agent_id } => {
            call.agent_id = Some(*agent_id);
            call.position = None;
            set_state(call, LiveCallState::Connected, at);
        }
        P::Held { .. } => set_state(call, LiveCallState::Held, at),
        P::Transferred { target: TransferTarget::Queue { queue_id }, .. } => call.queue_id = Some(*queue_id),
        P::Overflowed { .. } => call.position = None,
        P::SupervisorJoined { supervisor_id, mode } => {
            call.supervisors.retain(|s| s.supervisor_id != *supervisor_id);
            call.supervisors.push(LiveSupervisor { supervisor_id: *supervisor_id, mode: *mode });
        }
        P::SupervisorLeft { supervisor_id } => call.supervisors.retain(|s| s.supervisor_id != *supervisor_id),
        P::SupervisorTookOver { supervisor_id, .. } => {
            // The agent is gone; the supervisor talks to the caller.
            call.agent_id = None;
            call.supervisors.retain(|s| s.supervisor_id != *supervisor_id);
            call.supervisors.push(LiveSupervisor { supervisor_id: *supervisor_id, mode: SupervisionMode::TakeOver });
        }
        _ => {}
    }
}
