//! An agent as the engine sees it: routing state, skills, memberships, today's counters.

use model::{AgentId, AgentState, CallId, NotReadyReason, VipTier};

use crate::time::Instant;

/// The key an idle agent is filed under in a queue's pool; lower is offered first.
pub(crate) type AgentKey = (u64, u64, usize);

/// What the agent is doing; each variant carries what only that state has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Activity {
    /// Not logged in.
    LoggedOut,
    /// Waiting for a call.
    Available,
    /// A call is ringing at the agent.
    Reserved {
        /// The call.
        call: CallId,
    },
    /// Connected to a call.
    OnCall {
        /// The call.
        call: CallId,
    },
    /// After-call work until `until`.
    WrapUp {
        /// When wrap-up ends.
        until: Instant,
    },
    /// Not ready; `BackOffice` agents are the blending pool.
    NotReady(NotReadyReason),
    /// Do not disturb.
    DoNotDisturb,
}

impl Activity {
    /// The state reported to the world.
    pub(crate) fn public(&self) -> AgentState {
        match self {
            Activity::LoggedOut => AgentState::LoggedOut,
            Activity::Available => AgentState::Available,
            Activity::Reserved { .. } => AgentState::Reserved,
            Activity::OnCall { .. } => AgentState::OnCall,
            Activity::WrapUp { .. } => AgentState::WrapUp,
            Activity::NotReady(reason) => AgentState::NotReady { reason: reason.clone() },
            Activity::DoNotDisturb => AgentState::DoNotDisturb,
        }
    }

    /// Which pool an agent in this state is filed in, if any.
    pub(crate) fn pool(&self) -> Option<Pool> {
        match self {
            Activity::Available => Some(Pool::Available),
            Activity::NotReady(NotReadyReason::BackOffice) => Some(Pool::BackOffice),
            _ => None,
        }
    }
}

/// The two pools of idle agents a queue keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pool {
    /// Available agents.
    Available,
    /// Back-office agents, offered calls only while the queue blends.
    BackOffice,
}

/// An agent's membership in one queue.
#[derive(Clone, Debug)]
pub(crate) struct Membership {
    /// The queue's index.
    pub queue: usize,
    /// The queue's weight for this agent (1–100).
    pub weight: u8,
    /// Round-robin turn: the queue's counter when the agent was last offered from it.
    pub rr_turn: u64,
    /// The key the agent is filed under in the queue's pool, while filed.
    pub key: Option<AgentKey>,
}

/// One agent.
#[derive(Clone, Debug)]
pub(crate) struct AgentSlot {
    /// The agent's id.
    pub id: AgentId,
    /// What the agent is doing.
    pub activity: Activity,
    /// Highest VIP tier the agent may take.
    pub tier: VipTier,
    /// Dense skill levels by interned skill index.
    pub levels: Vec<u8>,
    /// Queues served.
    pub memberships: Vec<Membership>,
    /// When the agent last became idle.
    pub idle_since: Instant,
    /// Calls answered today.
    pub calls_today: u32,
    /// Talk time today, in microseconds.
    pub talk_today: u64,
    /// The current call came from back-office mode; return there after wrap-up.
    pub blended: bool,
}

impl AgentSlot {
    /// The membership in queue `q`, if any.
    pub(crate) fn membership(&self, q: usize) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.queue == q)
    }

    /// The state an agent returns to after a call or a withdrawn offer.
    pub(crate) fn idle_activity(&self) -> Activity {
        if self.blended { Activity::NotReady(NotReadyReason::BackOffice) } else { Activity::Available }
    }
}
