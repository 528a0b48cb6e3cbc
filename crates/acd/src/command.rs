//! What the outside world tells the engine.

use model::{AgentId, AgentSkill, CallId, NotReadyReason, Queue, QueueId, QueueMembership, VipTier};

use crate::time::Instant;

/// A call entering a queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCall {
    /// The call.
    pub call: CallId,
    /// The queue it joins.
    pub queue: QueueId,
    /// Base priority; higher is served first (set by IVR, CRM or VIP tier).
    pub priority: i32,
    /// The caller's VIP tier: only agents eligible for it may take the call.
    pub vip: VipTier,
    /// A stable caller key (E.164 number or contact id) for the sticky agent.
    pub caller: Option<String>,
    /// Skills this call needs besides the queue's (set in the IVR: a
    /// language, a product), each at every expansion step: only agents who
    /// have them may take it.
    pub skills: Vec<model::SkillRequirement>,
}

/// What the engine needs to know about an agent to route to them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentProfile {
    /// Highest VIP tier the agent may take.
    pub vip_tier: VipTier,
    /// Skills with levels 1–10.
    pub skills: Vec<AgentSkill>,
    /// Queues the agent serves, with a weight (1–100) each.
    pub queues: Vec<QueueMembership>,
}

impl From<&model::Agent> for AgentProfile {
    fn from(a: &model::Agent) -> Self {
        AgentProfile { vip_tier: a.vip_tier, skills: a.skills.clone(), queues: a.queues.clone() }
    }
}

/// A state an agent (or a supervisor for them) may choose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadyState {
    /// Ready for calls.
    Available,
    /// Not ready, with a reason. `BackOffice` makes the agent a blending agent.
    NotReady(NotReadyReason),
    /// Do not disturb.
    DoNotDisturb,
}

/// An input to the engine; see [`crate::Engine::handle`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Create or replace a queue's configuration.
    ConfigureQueue {
        /// The queue.
        queue: QueueId,
        /// Its configuration.
        config: Box<Queue>,
    },
    /// An agent logs in and becomes available.
    LogIn {
        /// The agent.
        agent: AgentId,
        /// Skills, tier and queues.
        profile: AgentProfile,
    },
    /// An agent logs out (refused while on a call; a ringing offer is withdrawn).
    LogOut {
        /// The agent.
        agent: AgentId,
    },
    /// An agent (or a supervisor) sets the agent's state.
    SetAgentState {
        /// The agent.
        agent: AgentId,
        /// The new state.
        state: ReadyState,
    },
    /// A call joins a queue.
    Enqueue(NewCall),
    /// The agent answered the offered call.
    Answered {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
    },
    /// The agent rejected the offer (or their device failed); the call goes to the next agent.
    Rejected {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
    },
    /// The caller hung up before an agent answered (or a callback was cancelled).
    Abandoned {
        /// The call.
        call: CallId,
    },
    /// A connected call ended; the agent goes to wrap-up.
    CallEnded {
        /// The call.
        call: CallId,
    },
    /// The agent finished after-call work early.
    EndWrapUp {
        /// The agent.
        agent: AgentId,
    },
    /// The caller accepted a callback: the call stays in place as a virtual caller.
    AcceptCallback {
        /// The call.
        call: CallId,
    },
    /// Supervisor: move a waiting call to another queue.
    MoveCall {
        /// The call.
        call: CallId,
        /// The destination queue.
        queue: QueueId,
    },
    /// Supervisor: offer a waiting call to this available agent now.
    AssignCall {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
    },
    /// Supervisor: change a call's base priority.
    SetPriority {
        /// The call.
        call: CallId,
        /// The new base priority.
        priority: i32,
    },
    /// A call transferred to a named agent: offered to them at once (the
    /// call joins `call.queue`, where it waits for anyone should the agent
    /// not answer). A call connected to another agent leaves them (they go
    /// to wrap-up, as after `CallEnded`). Refused, changing nothing, when
    /// the named agent is not available or may not take the call's VIP
    /// tier, or the call is waiting or offered.
    TransferToAgent {
        /// The call, as it would be enqueued.
        call: NewCall,
        /// The agent.
        agent: AgentId,
    },
    /// An agent places a call (click-to-call): they are on it from now
    /// (no offers reach them) until `CallEnded`, then in wrap-up as after
    /// any call. Refused while they are logged out or have a call offered
    /// or connected, or when they serve no queue.
    Outbound {
        /// The call.
        call: CallId,
        /// The agent placing it.
        agent: AgentId,
    },
    /// Tell the engine who last served a caller (history from the store, for sticky routing).
    RememberCaller {
        /// The caller key.
        caller: String,
        /// The agent who served them.
        agent: AgentId,
        /// When.
        served_at: Instant,
    },
    /// Start a new day: zero today's counters (queue statistics, agents' calls and talk time).
    ResetDay,
}
