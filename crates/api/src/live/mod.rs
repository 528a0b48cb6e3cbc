//! The live feed, `GET /api/v1/live`: a WebSocket per client pushing its
//! tenant's live calls, agent states, queue figures and domain events,
//! filtered by role.
//!
//! The [`LiveHub`] (one per process, [`crate::AppState::with_live_feed`])
//! subscribes to the event writer's bus and keeps the live calls
//! ([`projection`]); each connection ([`socket`]) subscribes too, sends a
//! `snapshot` (the call layer's agents, queues and waiting calls, merged
//! with the hub's calls), then every event its [`viewer`] admits, and the
//! figures of a queue when they change. A client that falls behind the bus
//! gets a `resync` with a fresh snapshot.

pub mod projection;
pub mod socket;
pub mod types;
pub mod viewer;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use model::{AgentId, CallId, TenantId};
use store::writer::{BusError, EventBus};

pub use types::{
    AgentsByState, LiveAgent, LiveCall, LiveCallState, LiveMessage, LiveSnapshot, LiveSupervisor, QueueFigures,
};

use crate::state::AppState;
use projection::{Projection, TenantLive};

/// Timings of the live feed.
#[derive(Clone, Debug)]
pub struct LiveConfig {
    /// A WebSocket ping goes out this often; a client that has not answered
    /// the previous one by then is closed.
    pub ping_interval: Duration,
    /// Queue figures are re-read at most this often after events.
    pub queue_interval: Duration,
    /// Queue figures are re-read this often even without events (waits grow).
    pub refresh_interval: Duration,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            ping_interval: Duration::from_secs(30),
            queue_interval: Duration::from_millis(500),
            refresh_interval: Duration::from_secs(5),
        }
    }
}

/// The process's live state: the bus and the live calls seen on it.
#[derive(Debug)]
pub struct LiveHub {
    bus: EventBus,
    projection: Arc<Mutex<Projection>>,
    lagged: Arc<AtomicU64>,
}

impl LiveHub {
    /// Subscribes to `bus` and follows the live calls in a task of the
    /// current tokio runtime, until the bus closes.
    pub fn start(bus: EventBus) -> Arc<LiveHub> {
        let projection = Arc::new(Mutex::new(Projection::new()));
        let lagged = Arc::new(AtomicU64::new(0));
        if let Some(mut sub) = bus.subscribe() {
            let (projection, lagged) = (Arc::clone(&projection), Arc::clone(&lagged));
            tokio::spawn(async move {
                loop {
                    match sub.recv().await {
                        Ok(event) => projection.lock().unwrap_or_else(PoisonError::into_inner).apply(&event),
                        Err(BusError::Lagged(n)) => {
                            lagged.fetch_add(n, Ordering::Relaxed);
                            tracing::warn!(missed = n, "the live hub fell behind the event bus");
                        }
                        Err(_) => break,
                    }
                }
            });
        }
        Arc::new(LiveHub { bus, projection, lagged })
    }

    /// Events the hub itself missed (its live calls may be stale since).
    pub fn missed(&self) -> u64 {
        self.lagged.load(Ordering::Relaxed)
    }

    fn tenant(&self, tenant: TenantId) -> TenantLive {
        self.projection.lock().unwrap_or_else(PoisonError::into_inner).tenant(tenant)
    }
}

/// The call layer's snapshot (empty without one), or `None` when it failed.
pub(crate) async fn layer_snapshot(state: &AppState, tenant: TenantId) -> LiveSnapshot {
    let Some(calls) = state.calls.as_deref() else { return LiveSnapshot::default() };
    match calls.snapshot(tenant).await {
        Ok(snapshot) => snapshot,
        Err(error) => {
            tracing::warn!(%error, "the call layer gave no live snapshot");
            LiveSnapshot::default()
        }
    }
}

/// What is live in `tenant`: the call layer's view merged with the hub's.
pub(crate) async fn snapshot(state: &AppState, hub: &LiveHub, tenant: TenantId) -> LiveSnapshot {
    let layer = layer_snapshot(state, tenant).await;
    merge(layer, hub.tenant(tenant))
}

/// The call layer's agents, queues and waiting calls with the calls and
/// state times seen on the bus.
pub fn merge(layer: LiveSnapshot, live: TenantLive) -> LiveSnapshot {
    let mut calls = live.calls;
    for call in layer.calls {
        match calls.get_mut(&call.call_id) {
            Some(known) => known.position = call.position.or(known.position),
            None => {
                calls.insert(call.call_id, call);
            }
        }
    }
    let mut calls: Vec<LiveCall> = calls.into_values().collect();
    calls.sort_by_key(|a| (a.arrived_at, a.call_id));
    let mut agents = layer.agents;
    for agent in &mut agents {
        agent.since = agent.since.or_else(|| live.agent_since.get(&agent.agent_id).copied());
        agent.call_id = agent.call_id.or_else(|| current_call(&calls, agent.agent_id));
    }
    agents.sort_by_key(|a| a.agent_id);
    let mut queues = layer.queues;
    queues.sort_by_key(|q| q.queue_id);
    LiveSnapshot { calls, agents, queues }
}

fn current_call(calls: &[LiveCall], agent: AgentId) -> Option<CallId> {
    let busy = |c: &&LiveCall| {
        c.agent_id == Some(agent)
            && matches!(c.state, LiveCallState::Ringing | LiveCallState::Connected | LiveCallState::Held)
    };
    calls.iter().find(busy).map(|c| c.call_id)
}
