//! What the engine asks the outside world to do, drained with [`crate::Engine::poll_action`].

use std::time::Duration;

use model::{AgentId, AgentState, CallId, OfferReason, OverflowTarget, QueueId};

/// What an offer asks the agent to handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskKind {
    /// A caller waiting on the line.
    Call,
    /// A callback: dial the agent first, then the customer.
    Callback,
}

/// Why a call left its queue for the overflow destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OverflowReason {
    /// It waited the queue's maximum wait.
    MaxWait,
    /// The queue held its maximum number of callers.
    QueueFull,
    /// No agent was logged in (join-empty or leave-empty policy).
    NoAgents,
    /// Overflow hops between queues exceeded the limit (a loop in configuration).
    TooManyHops,
}

/// How a call left the engine; every call gets exactly one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An agent answered.
    Answered {
        /// The agent.
        agent: AgentId,
        /// Time from joining the first queue to the answer.
        wait: Duration,
    },
    /// The caller hung up (or the callback was cancelled) before an answer.
    Abandoned {
        /// Time from joining the first queue to hanging up.
        wait: Duration,
        /// Whether an agent was being rung at that moment.
        while_ringing: bool,
    },
    /// It went to an overflow destination outside the engine.
    Overflowed {
        /// Why.
        reason: OverflowReason,
    },
}

/// An output of the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Ring this agent with this call.
    Offer {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
        /// The queue the call was taken from.
        queue: QueueId,
        /// A live caller or a callback.
        task: TaskKind,
        /// Why this agent: strategy, expansion step, skills matched.
        reason: OfferReason,
    },
    /// Stop ringing this agent for this call.
    CancelOffer {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
    },
    /// The agent's routing state changed.
    AgentStateChanged {
        /// The agent.
        agent: AgentId,
        /// The new state.
        state: AgentState,
    },
    /// Tell a waiting caller their position and estimated wait.
    Announce {
        /// The call.
        call: CallId,
        /// 1 = next.
        position: u32,
        /// Estimated wait; `None` while no agent serves the queue.
        ewt: Option<Duration>,
    },
    /// Offer the caller a callback that keeps their place.
    OfferCallback {
        /// The call.
        call: CallId,
        /// The estimated wait that triggered the offer.
        ewt: Duration,
    },
    /// Send the call to the queue's overflow destination. For a queue target the
    /// engine has already moved the call; for a callback target the call stays in
    /// place as a callback; otherwise the call has left the engine.
    Overflow {
        /// The call.
        call: CallId,
        /// The queue it left.
        from: QueueId,
        /// Why.
        reason: OverflowReason,
        /// The destination; `None` means hang up with the default closed message.
        target: Option<OverflowTarget>,
    },
    /// The call left the engine.
    Finished {
        /// The call.
        call: CallId,
        /// The queue it was in last.
        queue: QueueId,
        /// How it ended.
        outcome: Outcome,
    },
}
