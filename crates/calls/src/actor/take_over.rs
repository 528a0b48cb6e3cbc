//! A supervisor takes a call over: their leg, already in the call's mix
//! (monitor, whisper, barge: no new call to them) or rung for it, is
//! bridged with the caller, and the agent's leg is hung up. The ACD hears
//! that the agent's call ended (they go to wrap-up, as after a transfer);
//! a supervisor who is also a logged-in ACD agent is put on the call
//! (`Outbound`: no offers reach them until it ends), otherwise the ACD no
//! longer has the call. From then the supervisor's leg is the call's
//! agent leg: their hanging up ends the call (`agent_hangup`, or the
//! survey), they may hold or transfer it, and another supervisor may
//! join. `supervisor_took_over` names the supervisor and the agent; the
//! CDR keeps the agent who answered. A call whose agent is consulting
//! (warm transfer) cannot be taken over until the consultation ends.

use media::session::Hearing;
use model::{EventPayload, UserId};

use super::{Actor, Stage};
use crate::error::CallsError;

impl Actor {
    /// Whether `user` already talks to the caller in the agent's place.
    pub(super) fn taken_over_by(&self, user: UserId) -> bool {
        let Stage::Connected { agent, .. } = &self.stage else { return false };
        self.tenant.agents.get(&agent.agent).is_some_and(|(profile, _)| profile.user_id == Some(user))
    }

    /// Why the call cannot be taken over now, if it cannot.
    pub(super) fn take_over_refused(&self) -> Option<CallsError> {
        // The agent's consultation would be left without its agent.
        self.consult.is_some().then(|| CallsError::Refused("a consultation is under way".into()))
    }

    /// The supervisor on the call (answered) takes it from the agent.
    pub(super) async fn take_over(&mut self) -> Result<(), CallsError> {
        if let Some(refused) = self.take_over_refused() {
            return Err(refused);
        }
        let Stage::Connected { supervisor: Some(current), .. } = &self.stage else {
            return Err(CallsError::NotSupervising);
        };
        if !current.joined {
            return Err(CallsError::NotSupervising);
        }
        let Stage::Connected { agent, supervisor: Some(current) } = std::mem::replace(&mut self.stage, Stage::Ended)
        else {
            return Err(CallsError::NotSupervising);
        };
        if agent.on_hold {
            // The agent's hold ends with their leg: the caller hears the supervisor.
            let _ = self.media.stop_playing(self.caller_media).await;
            self.events.emit(EventPayload::Resumed { agent_id: agent.agent }).await;
        }
        // The caller and the supervisor first, so the caller is never alone.
        let bridge = Hearing::Bridge { caller: self.caller_media, agent: current.leg.media };
        if let Err(error) = self.media.set_hearing(bridge).await {
            tracing::warn!(%error, "the caller and the supervisor could not be bridged");
        }
        self.cancel_agent_leg(&agent).await;
        self.acd.tell(acd::Command::CallEnded { call: self.call });
        let seat = current.leg.agent;
        if let Err(error) = self.acd.command(acd::Command::Outbound { call: self.call, agent: seat }).await {
            tracing::debug!(%error, "the supervisor is not an ACD agent on the call");
        }
        self.events.emit(EventPayload::SupervisorTookOver { supervisor_id: current.user, agent_id: agent.agent }).await;
        self.stage = Stage::Connected { agent: current.leg, supervisor: None };
        Ok(())
    }
}
