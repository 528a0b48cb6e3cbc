//! The states an agent moves through, as the ACD and the reports see them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why an agent is not taking calls.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "code", content = "label")]
pub enum NotReadyReason {
    /// A short break.
    Break,
    /// Lunch.
    Lunch,
    /// Training or coaching.
    Training,
    /// Back-office work (e-mail, follow-ups).
    BackOffice,
    /// Set by the ACD after the agent let an offered call ring out (RONA).
    Missed,
    /// A tenant-defined reason code.
    Custom(String),
}

impl NotReadyReason {
    /// The reason code stored with a state interval: the built-in reason's
    /// snake_case name, or the tenant's own code as given.
    pub fn code(&self) -> &str {
        match self {
            NotReadyReason::Break => "break",
            NotReadyReason::Lunch => "lunch",
            NotReadyReason::Training => "training",
            NotReadyReason::BackOffice => "back_office",
            NotReadyReason::Missed => "missed",
            NotReadyReason::Custom(code) => code,
        }
    }
}

/// An agent's routing state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum AgentState {
    /// Not logged in; never offered calls.
    LoggedOut,
    /// Logged in and waiting for a call.
    Available,
    /// A call has been offered and is ringing at the agent.
    Reserved,
    /// Talking (or holding) on a call.
    OnCall,
    /// After-call work; available again when the wrap-up time ends.
    WrapUp,
    /// Logged in but not taking calls, with the reason.
    NotReady {
        /// Why.
        reason: NotReadyReason,
    },
    /// Do not disturb: logged in, takes no calls, no reason asked.
    DoNotDisturb,
}

impl AgentState {
    /// A short stable name for reports and database columns.
    pub fn name(&self) -> &'static str {
        match self {
            AgentState::LoggedOut => "logged_out",
            AgentState::Available => "available",
            AgentState::Reserved => "reserved",
            AgentState::OnCall => "on_call",
            AgentState::WrapUp => "wrap_up",
            AgentState::NotReady { .. } => "not_ready",
            AgentState::DoNotDisturb => "do_not_disturb",
        }
    }

    /// The reason code of a not-ready state, if any.
    pub fn reason_code(&self) -> Option<&str> {
        match self {
            AgentState::NotReady { reason } => Some(reason.code()),
            _ => None,
        }
    }
}
