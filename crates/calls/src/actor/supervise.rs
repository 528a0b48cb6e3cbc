//! Supervisor actions on a live call: the supervisor's device is rung
//! (their agent profile's registered phone or softphone), and once they
//! answer their leg joins the call's mix with the hearing of the mode —
//! monitor (hears both, heard by none), whisper (heard by the agent only),
//! barge (everyone hears everyone). Switching mode changes only the
//! hearing; leaving (or hanging up) returns the call to the bridge. Take
//! over (`take_over`) bridges the supervisor with the caller and hangs up
//! the agent, from any mode or rung for it.

use media::session::{Hearing, LegId as MediaLeg};
use model::{EventPayload, SupervisionMode, UserId};
use sip::edge::LegId as SipLeg;
use tokio::sync::oneshot;

use super::legs::AgentLeg;
use super::{Actor, Stage};
use crate::error::CallsError;

/// A command to a live call from the API.
#[derive(Debug)]
pub(crate) enum CallCommand {
    /// Join (or switch to) `mode` as `supervisor`.
    Supervise { supervisor: UserId, mode: SupervisionMode, reply: oneshot::Sender<Result<(), CallsError>> },
    /// The supervisor leaves.
    Leave { supervisor: UserId, reply: oneshot::Sender<Result<(), CallsError>> },
    /// The agent (or a supervisor) consults `target` for a warm transfer.
    Consult {
        by: crate::runtime::Transferor,
        target: model::TransferTarget,
        reply: oneshot::Sender<Result<(), CallsError>>,
    },
    /// Completes the warm transfer.
    CompleteConsult { by: crate::runtime::Transferor, reply: oneshot::Sender<Result<(), CallsError>> },
    /// Cancels the consultation.
    CancelConsult { by: crate::runtime::Transferor, reply: oneshot::Sender<Result<(), CallsError>> },
    /// The agent refuses the call offered to them (from the API): answers
    /// whether this call was ringing at them.
    RejectOffer { agent: model::AgentId, reply: oneshot::Sender<Result<bool, CallsError>> },
    /// A blind transfer of the connected call.
    Transfer {
        by: crate::runtime::Transferor,
        target: model::TransferTarget,
        reply: oneshot::Sender<Result<(), CallsError>>,
    },
    /// A supervisor moves the waiting call (`queue_actions`).
    Move { by: UserId, target: model::MoveTarget, reply: oneshot::Sender<Result<(), CallsError>> },
    /// A supervisor changes the waiting call's priority (`queue_actions`).
    Prioritise { by: UserId, priority: i32, reply: oneshot::Sender<Result<(), CallsError>> },
    /// An agent who has left the call (it goes on without them) files
    /// their disposition: written among the call's events, in order.
    FileDisposition {
        agent: model::AgentId,
        code: String,
        notes: String,
        reply: oneshot::Sender<Result<(), CallsError>>,
    },
}

/// A supervisor on the call: their leg and the mode asked.
#[derive(Debug)]
pub(crate) struct SupervisorLeg {
    pub user: UserId,
    pub mode: SupervisionMode,
    pub leg: AgentLeg,
    /// Whether they answered (their leg is in the mix).
    pub joined: bool,
}

/// The hearing of a mode (a take-over's, until the agent's leg is gone:
/// everyone hears everyone).
fn hearing(mode: SupervisionMode, caller: MediaLeg, agent: MediaLeg, supervisor: MediaLeg) -> Hearing {
    match mode {
        SupervisionMode::Monitor => Hearing::Monitor { caller, agent, supervisor },
        SupervisionMode::Whisper => Hearing::Whisper { caller, agent, supervisor },
        SupervisionMode::Barge | SupervisionMode::TakeOver => Hearing::Barge { caller, agent, supervisor },
    }
}

impl Actor {
    /// Carries out a command of the API.
    pub(super) async fn on_command(&mut self, command: CallCommand) {
        match command {
            CallCommand::Supervise { supervisor, mode, reply } => {
                let _ = reply.send(self.supervise(supervisor, mode).await);
            }
            CallCommand::Leave { supervisor, reply } => {
                let _ = reply.send(self.unsupervise(supervisor).await);
            }
            CallCommand::Consult { by, target, reply } => {
                let _ = reply.send(self.start_consult(by, target).await);
            }
            CallCommand::CompleteConsult { by, reply } => {
                let _ = reply.send(self.complete_consult(by).await);
            }
            CallCommand::CancelConsult { by, reply } => {
                let _ = reply.send(self.cancel_consult(by).await);
            }
            CallCommand::RejectOffer { agent, reply } => {
                let _ = reply.send(Ok(self.reject_offer(agent).await));
            }
            CallCommand::Transfer { by, target, reply } => {
                let _ = reply.send(self.transfer(by, target).await);
            }
            CallCommand::Move { by, target, reply } => {
                let _ = reply.send(self.move_waiting(by, target).await);
            }
            CallCommand::Prioritise { by, priority, reply } => {
                let _ = reply.send(self.reprioritise(by, priority).await);
            }
            CallCommand::FileDisposition { agent, code, notes, reply } => {
                let _ = reply.send(self.file_disposition(agent, code, notes).await);
            }
        }
    }

    /// The disposition of an agent no longer on the call; refused while
    /// they are (their wrap-up begins when they leave it).
    pub(super) async fn file_disposition(
        &mut self,
        agent: model::AgentId,
        code: String,
        notes: String,
    ) -> Result<(), CallsError> {
        let on_it = match &self.stage {
            Stage::Connected { agent: on, .. } => on.agent == agent,
            Stage::Waiting { ringing: Some(rung), .. } => rung.agent == agent,
            _ => false,
        };
        if on_it {
            return Err(CallsError::CallStillLive);
        }
        self.events.emit(EventPayload::DispositionSet { agent_id: agent, code, notes }).await;
        Ok(())
    }

    async fn supervise(&mut self, user: UserId, mode: SupervisionMode) -> Result<(), CallsError> {
        if self.taken_over_by(user) {
            return Err(CallsError::Refused("the supervisor has taken this call over".into()));
        }
        if mode == SupervisionMode::TakeOver
            && let Some(refused) = self.take_over_refused()
        {
            return Err(refused);
        }
        let Stage::Connected { agent, supervisor } = &mut self.stage else { return Err(CallsError::NotConnected) };
        let agent_media = agent.media;
        if let Some(current) = supervisor.as_mut().filter(|s| s.user == user) {
            // A switch of mode: the hearing only, no new call to the supervisor.
            current.mode = mode;
            if current.joined && mode == SupervisionMode::TakeOver {
                return self.take_over().await;
            }
            if current.joined {
                let supervisor_media = current.leg.media;
                self.media.set_hearing(hearing(mode, self.caller_media, agent_media, supervisor_media)).await?;
                self.events.emit(EventPayload::SupervisorJoined { supervisor_id: user, mode }).await;
            }
            return Ok(());
        }
        if supervisor.is_some() {
            return Err(CallsError::Supervised);
        }
        let profile = self.tenant.agents.iter().find(|(_, (a, _))| a.user_id == Some(user)).map(|(id, _)| *id);
        let profile = profile.ok_or(CallsError::UnknownAgent)?;
        let leg = self.ring_agent(profile).await?;
        if let Stage::Connected { supervisor, .. } = &mut self.stage {
            *supervisor = Some(SupervisorLeg { user, mode, leg, joined: false });
        }
        Ok(())
    }

    async fn unsupervise(&mut self, user: UserId) -> Result<(), CallsError> {
        let Stage::Connected { supervisor, .. } = &mut self.stage else { return Err(CallsError::NotConnected) };
        let Some(current) = supervisor.take_if(|s| s.user == user) else { return Err(CallsError::NotSupervising) };
        let _ = self.shared.edge.hangup(current.leg.sip).await;
        self.supervisor_gone(current).await;
        Ok(())
    }

    /// The supervisor's leg answered: it joins the mix.
    pub(super) async fn supervisor_answered(&mut self, leg: SipLeg, answer: Option<Vec<u8>>) -> bool {
        let Stage::Connected { agent, supervisor: Some(current) } = &mut self.stage else { return false };
        if current.leg.sip != leg {
            return false;
        }
        let (agent_media, mode, user) = (agent.media, current.mode, current.user);
        if !current.leg.take_answer(&self.media, answer.as_deref()).await {
            let _ = self.shared.edge.hangup(leg).await;
            if let Stage::Connected { supervisor, .. } = &mut self.stage
                && let Some(gone) = supervisor.take()
            {
                self.drop_agent_leg(&gone.leg).await;
            }
            return true;
        }
        current.joined = true;
        let supervisor_media = current.leg.media;
        if mode == SupervisionMode::TakeOver {
            // Rung to take the call over: no supervision before it.
            if let Err(error) = self.take_over().await {
                tracing::warn!(%error, "the supervisor could not take the call over: their leg is hung up");
                if let Stage::Connected { supervisor, .. } = &mut self.stage
                    && let Some(gone) = supervisor.take()
                {
                    self.cancel_agent_leg(&gone.leg).await;
                }
            }
            return true;
        }
        if let Err(error) =
            self.media.set_hearing(hearing(mode, self.caller_media, agent_media, supervisor_media)).await
        {
            tracing::warn!(%error, "the supervisor could not be added to the mix");
        }
        self.events.emit(EventPayload::SupervisorJoined { supervisor_id: user, mode }).await;
        true
    }

    /// The supervisor's leg ended (hung up, or never answered).
    pub(super) async fn supervisor_leg_ended(&mut self, leg: SipLeg) -> bool {
        let Stage::Connected { supervisor, .. } = &mut self.stage else { return false };
        let Some(current) = supervisor.take_if(|s| s.leg.sip == leg) else { return false };
        self.supervisor_gone(current).await;
        true
    }

    /// Takes a supervisor out: the bridge again, their leg removed.
    async fn supervisor_gone(&mut self, current: SupervisorLeg) {
        self.drop_agent_leg(&current.leg).await;
        if let Stage::Connected { agent, .. } = &self.stage {
            let bridge = Hearing::Bridge { caller: self.caller_media, agent: agent.media };
            let _ = self.media.set_hearing(bridge).await;
        }
        if current.joined {
            self.events.emit(EventPayload::SupervisorLeft { supervisor_id: current.user }).await;
        }
    }
}
