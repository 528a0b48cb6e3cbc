//! The live feed's messages and the snapshot they carry (JSON, documented
//! in the OpenAPI document).

use chrono::{DateTime, Utc};
use model::event::{Event, SupervisionMode};
use model::{AgentId, AgentState, CallId, ContactId, QueueId, UserId, VipTier};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Everything live in a tenant: calls, agents, queue figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LiveSnapshot {
    /// Calls in progress.
    pub calls: Vec<LiveCall>,
    /// Agents and their routing state.
    pub agents: Vec<LiveAgent>,
    /// Each queue's figures now.
    pub queues: Vec<QueueFigures>,
}

/// Where a live call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiveCallState {
    /// Arrived, not yet in a flow or queue.
    Arrived,
    /// In the IVR menus.
    Ivr,
    /// Waiting in a queue.
    Queued,
    /// Waiting in place for a callback (the caller hung up).
    Callback,
    /// Ringing at an agent.
    Ringing,
    /// Talking to an agent.
    Connected,
    /// Held by the agent.
    Held,
}

/// A supervisor on a live call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LiveSupervisor {
    /// The supervisor.
    pub supervisor_id: UserId,
    /// How they take part.
    pub mode: SupervisionMode,
}

/// A call in progress, as the feed knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LiveCall {
    /// The call.
    pub call_id: CallId,
    /// Where it is.
    pub state: LiveCallState,
    /// Since when it is there (`None` when only the call layer knows it).
    pub since: Option<DateTime<Utc>>,
    /// When it arrived.
    pub arrived_at: Option<DateTime<Utc>>,
    /// The caller's number.
    pub from: Option<String>,
    /// The dialled number.
    pub to: Option<String>,
    /// The CRM contact matched by the caller's number.
    pub contact_id: Option<ContactId>,
    /// The caller's VIP tier.
    pub vip_tier: Option<VipTier>,
    /// The queue it waits in or was answered from.
    pub queue_id: Option<QueueId>,
    /// Its place in the queue (1 = next) while it waits.
    pub position: Option<u32>,
    /// The agent ringing or talking.
    pub agent_id: Option<AgentId>,
    /// Supervisors taking part.
    pub supervisors: Vec<LiveSupervisor>,
}

impl LiveCall {
    /// A call known only by its id, in `state`.
    pub fn bare(call_id: CallId, state: LiveCallState) -> Self {
        LiveCall {
            call_id,
            state,
            since: None,
            arrived_at: None,
            from: None,
            to: None,
            contact_id: None,
            vip_tier: None,
            queue_id: None,
            position: None,
            agent_id: None,
            supervisors: Vec::new(),
        }
    }
}

/// An agent's live state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LiveAgent {
    /// The agent.
    pub agent_id: AgentId,
    /// The routing state (with its reason when not ready).
    pub state: AgentState,
    /// Since when, if the feed saw the change.
    pub since: Option<DateTime<Utc>>,
    /// The queues the agent serves.
    pub queues: Vec<QueueId>,
    /// The call ringing or connected at the agent.
    pub call_id: Option<CallId>,
}

/// A queue's agents by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgentsByState {
    /// Available.
    pub available: u32,
    /// Ringing.
    pub ringing: u32,
    /// On a call.
    pub on_call: u32,
    /// In wrap-up.
    pub wrap_up: u32,
    /// Not ready, any reason.
    pub not_ready: u32,
    /// Do not disturb.
    pub do_not_disturb: u32,
    /// Logged out.
    pub logged_out: u32,
}

/// A queue's live figures (today's counters since the ACD's day began).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QueueFigures {
    /// The queue.
    pub queue_id: QueueId,
    /// Live callers waiting.
    pub waiting: u32,
    /// Callbacks waiting in place.
    pub callbacks_waiting: u32,
    /// The longest current wait, in whole seconds.
    pub longest_wait_secs: u64,
    /// Member agents by state.
    pub agents: AgentsByState,
    /// Calls that joined today.
    pub offered: u64,
    /// Calls answered today.
    pub answered: u64,
    /// Calls abandoned today.
    pub abandoned: u64,
    /// Calls overflowed today.
    pub overflowed: u64,
    /// Answered within the target, in percent of answered and abandoned.
    pub service_level_percent: Option<f64>,
    /// Average speed of answer today, in whole seconds.
    pub average_speed_of_answer_secs: Option<u64>,
    /// Estimated wait of a caller joining now, in whole seconds.
    pub estimated_wait_secs: Option<u64>,
}

/// One message of `GET /api/v1/live`, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveMessage {
    /// The first message: what is live now.
    Snapshot {
        /// What is live.
        snapshot: LiveSnapshot,
    },
    /// A domain event of the tenant, as stored, once durable.
    Event {
        /// The event.
        event: Box<Event>,
    },
    /// A queue's figures changed.
    Queue {
        /// The new figures.
        queue: QueueFigures,
    },
    /// The client fell behind and missed events: start again from this.
    Resync {
        /// Events the client missed.
        missed: u64,
        /// What is live now.
        snapshot: LiveSnapshot,
    },
}
