//! Why a command was refused. A refused command changes nothing.

use model::{AgentId, CallId, QueueId};

/// A command the engine refused; the engine's state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AcdError {
    /// No queue with this id is configured.
    #[error("unknown queue {0}")]
    UnknownQueue(QueueId),
    /// No agent with this id has logged in since the engine started.
    #[error("unknown agent {0}")]
    UnknownAgent(AgentId),
    /// No call with this id is in the engine.
    #[error("unknown call {0}")]
    UnknownCall(CallId),
    /// A call with this id is already in the engine.
    #[error("call {0} is already queued")]
    DuplicateCall(CallId),
    /// The agent is already logged in.
    #[error("agent {0} is already logged in")]
    AlreadyLoggedIn(AgentId),
    /// The agent is logged out.
    #[error("agent {0} is logged out")]
    LoggedOut(AgentId),
    /// The agent has a call offered or connected, so the state cannot change now.
    #[error("agent {0} is busy with a call")]
    AgentBusy(AgentId),
    /// The agent is not available for an assignment.
    #[error("agent {0} is not available")]
    AgentNotAvailable(AgentId),
    /// The agent may not take this call (VIP tier floor).
    #[error("agent {agent} may not take call {call}")]
    NotEligible {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
    },
    /// The call is not waiting in a queue (it is ringing or connected).
    #[error("call {0} is not waiting")]
    NotWaiting(CallId),
    /// The call is not offered to this agent.
    #[error("call {call} is not offered to agent {agent}")]
    NotOffered {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
    },
    /// The call is not connected to an agent.
    #[error("call {0} is not connected")]
    NotConnected(CallId),
    /// The queue configuration is invalid; the errors name the fields.
    #[error("invalid queue configuration: {0}")]
    InvalidQueue(model::FieldErrors),
    /// A skill or weight in the command is out of range.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}
