//! Warm (attended) transfer: the agent consults another agent or a number
//! while the caller is on hold with music, then completes the transfer
//! (the caller is bridged to the party consulted and the agent leaves, to
//! wrap-up) or cancels it (back to the caller). Hanging up once the party
//! consulted has answered completes it, as on a desk phone.
//!
//! A consulted agent is put on the consultation in the ACD as on a call of
//! their own (`Outbound`), so no offer reaches them meanwhile; on
//! completion the ACD hands them the caller's call (`TransferToAgent`,
//! then `Answered`).

use media::player::Player;
use media::session::Hearing;
use model::{AgentId, CallId, EventPayload, TransferKind, TransferTarget};
use sip::edge::LegId as SipLeg;

use super::legs::AgentLeg;
use super::outside::OutsideLeg;
use super::{Actor, Stage};
use crate::error::CallsError;
use crate::runtime::Transferor;

/// The party consulted.
#[derive(Debug)]
pub(crate) enum ConsultLeg {
    /// An agent of the tenant, on the consultation in the ACD as `call`.
    Agent { leg: AgentLeg, call: CallId },
    /// A number outside.
    Outside(OutsideLeg),
}

/// A consultation under way.
#[derive(Debug)]
pub(crate) struct Consult {
    target: TransferTarget,
    leg: ConsultLeg,
    answered: bool,
}

impl Consult {
    fn sip(&self) -> SipLeg {
        match &self.leg {
            ConsultLeg::Agent { leg, .. } => leg.sip,
            ConsultLeg::Outside(leg) => leg.sip,
        }
    }

    fn media(&self) -> media::session::LegId {
        match &self.leg {
            ConsultLeg::Agent { leg, .. } => leg.media,
            ConsultLeg::Outside(leg) => leg.media,
        }
    }

    /// The consulted agent's leg while it rings (`forks`).
    pub(super) fn ringing_agent_mut(&mut self) -> Option<&mut AgentLeg> {
        match &mut self.leg {
            ConsultLeg::Agent { leg, .. } if !self.answered => Some(leg),
            _ => None,
        }
    }
}

impl Actor {
    /// The agent (or a supervisor) starts consulting `target`: the caller
    /// is held with music, the target rung.
    pub(super) async fn start_consult(&mut self, by: Transferor, target: TransferTarget) -> Result<(), CallsError> {
        let Stage::Connected { agent, supervisor: None } = &self.stage else {
            return Err(match self.stage {
                Stage::Connected { .. } => CallsError::Refused("a supervisor is on the call".into()),
                _ => CallsError::NotConnected,
            });
        };
        let agent_id = agent.agent;
        if let Transferor::Agent(asking) = by
            && asking != agent_id
        {
            return Err(CallsError::NotYourCall);
        }
        if self.consult.is_some() {
            return Err(CallsError::Refused("a consultation is already under way".into()));
        }
        let leg = match &target {
            TransferTarget::Queue { .. } => {
                return Err(CallsError::Refused("a queue cannot be consulted; transfer to it blind".into()));
            }
            TransferTarget::Agent { agent_id: other } if *other == agent_id => {
                return Err(CallsError::Refused("the call is already with this agent".into()));
            }
            TransferTarget::Agent { agent_id: other } => self.ring_consulted_agent(*other).await?,
            TransferTarget::Number { number } => {
                if self.tenant.trunks.is_empty() {
                    return Err(CallsError::NoTrunk);
                }
                let caller_id = self.tenant.caller_id();
                ConsultLeg::Outside(self.dial_out(number, &caller_id).await?)
            }
        };
        let _ = self.media.play(self.caller_media, Player::looping([self.shared.prompts.music()])).await;
        self.events.emit(EventPayload::Held { agent_id }).await;
        self.consult = Some(Consult { target, leg, answered: false });
        Ok(())
    }

    /// Rings an agent to consult, on the consultation in the ACD.
    async fn ring_consulted_agent(&mut self, other: AgentId) -> Result<ConsultLeg, CallsError> {
        if !self.tenant.agents.contains_key(&other) {
            return Err(CallsError::UnknownAgent);
        }
        let call = CallId::new();
        self.acd.command(acd::Command::Outbound { call, agent: other }).await?;
        match self.ring_agent(other).await {
            Ok(leg) => Ok(ConsultLeg::Agent { leg, call }),
            Err(error) => {
                self.release_consulted(call, other).await;
                Err(error)
            }
        }
    }

    /// A consulted agent who will not take the call is free again.
    async fn release_consulted(&mut self, call: CallId, agent: AgentId) {
        let _ = self.acd.command(acd::Command::CallEnded { call }).await;
        let _ = self.acd.command(acd::Command::EndWrapUp { agent }).await;
    }

    /// The party consulted answered: the agent talks to them.
    pub(super) async fn consult_answered(&mut self, sip: SipLeg, answer: Option<Vec<u8>>) -> bool {
        let Some(consult) = self.consult.as_mut().filter(|c| c.sip() == sip && !c.answered) else { return false };
        let usable = match &mut consult.leg {
            ConsultLeg::Agent { leg, .. } => leg.take_answer(&self.media, answer.as_deref()).await,
            ConsultLeg::Outside(leg) => match leg.agreed(answer.as_deref()) {
                Some(spec) => {
                    if let Err(error) = self.media.update_rtp_leg(leg.media, spec).await {
                        tracing::warn!(%error, "the consulted party's media leg could not take the answer");
                    }
                    true
                }
                None => false,
            },
        };
        if !usable {
            let _ = self.shared.edge.hangup(sip).await;
            return true;
        }
        consult.answered = true;
        let consulted = consult.media();
        if let Stage::Connected { agent, .. } = &self.stage {
            let hearing = Hearing::Bridge { caller: agent.media, agent: consulted };
            if let Err(error) = self.media.set_hearing(hearing).await {
                tracing::warn!(%error, "the agent could not be put through to the party consulted");
            }
        }
        true
    }

    /// The party consulted hung up (or never answered): back to the caller.
    pub(super) async fn consult_ended(&mut self, sip: SipLeg) -> bool {
        if self.consult.as_ref().is_none_or(|c| c.sip() != sip) {
            return false;
        }
        self.end_consult(false).await;
        true
    }

    /// Cancels the consultation: the agent is back with the caller.
    pub(super) async fn cancel_consult(&mut self, by: Transferor) -> Result<(), CallsError> {
        self.check_consult_owner(by)?;
        self.end_consult(true).await;
        Ok(())
    }

    /// Ends the consultation, hanging up the party consulted when `hang_up`.
    async fn end_consult(&mut self, hang_up: bool) {
        let Some(consult) = self.consult.take() else { return };
        if hang_up {
            let _ = self.shared.edge.hangup(consult.sip()).await;
        }
        self.drop_consult_leg(consult.leg).await;
        if let Stage::Connected { agent, .. } = &self.stage {
            let (agent_id, agent_media) = (agent.agent, agent.media);
            let _ = self.media.stop_playing(self.caller_media).await;
            let _ = self.media.set_hearing(Hearing::Bridge { caller: self.caller_media, agent: agent_media }).await;
            self.events.emit(EventPayload::Resumed { agent_id }).await;
        }
    }

    /// Removes the consulted party's legs (and frees a consulted agent).
    async fn drop_consult_leg(&mut self, leg: ConsultLeg) {
        match leg {
            ConsultLeg::Agent { leg, call } => {
                self.drop_agent_leg(&leg).await;
                self.release_consulted(call, leg.agent).await;
            }
            ConsultLeg::Outside(leg) => self.drop_outside_leg(&leg).await,
        }
    }

    /// Whether `by` may complete or cancel the consultation.
    fn check_consult_owner(&self, by: Transferor) -> Result<(), CallsError> {
        let Stage::Connected { agent, .. } = &self.stage else { return Err(CallsError::NotConnected) };
        if let Transferor::Agent(asking) = by
            && asking != agent.agent
        {
            return Err(CallsError::NotYourCall);
        }
        if self.consult.is_none() {
            return Err(CallsError::Refused("no consultation under way".into()));
        }
        Ok(())
    }

    /// Completes the warm transfer: the caller is bridged to the party
    /// consulted, the agent leaves (to wrap-up).
    pub(super) async fn complete_consult(&mut self, by: Transferor) -> Result<(), CallsError> {
        self.check_consult_owner(by)?;
        if !self.consult.as_ref().is_some_and(|c| c.answered) {
            return Err(CallsError::Refused("the party consulted has not answered yet".into()));
        }
        let (Some(consult), Stage::Connected { agent, supervisor }) =
            (self.consult.take(), std::mem::replace(&mut self.stage, Stage::Ended))
        else {
            return Err(CallsError::NotConnected);
        };
        let agent_id = agent.agent;
        self.cancel_agent_leg(&agent).await;
        self.drop_supervisor(supervisor).await;
        let _ = self.media.stop_playing(self.caller_media).await;
        let target = consult.target.clone();
        self.events.emit(EventPayload::Resumed { agent_id }).await;
        self.events.emit(EventPayload::Transferred { agent_id, transfer: TransferKind::Warm, target }).await;
        match consult.leg {
            ConsultLeg::Agent { leg, call } => self.hand_to_consulted_agent(leg, call).await,
            ConsultLeg::Outside(leg) => {
                self.acd.tell(acd::Command::CallEnded { call: self.call });
                let bridge = Hearing::Bridge { caller: self.caller_media, agent: leg.media };
                let _ = self.media.set_hearing(bridge).await;
                self.stage = Stage::Outside { leg, answered: true };
            }
        }
        Ok(())
    }

    /// The consulted agent takes the caller's call, in the ACD too.
    async fn hand_to_consulted_agent(&mut self, leg: AgentLeg, consultation: CallId) {
        let other = leg.agent;
        self.release_consulted(consultation, other).await;
        let queue = self
            .queue
            .or_else(|| self.tenant.agents.get(&other).and_then(|(a, _)| a.queues.first()).map(|m| m.queue_id));
        if let Some(queue) = queue {
            let new = acd::NewCall {
                call: self.call,
                queue,
                priority: self.routing.priority,
                vip: self.routing.vip,
                caller: Some(self.caller_number.clone()),
                skills: Vec::new(),
            };
            let handed = match self.acd.command(acd::Command::TransferToAgent { call: new, agent: other }).await {
                Ok(()) => self.acd.command(acd::Command::Answered { call: self.call, agent: other }).await,
                Err(error) => Err(error),
            };
            if let Err(error) = handed {
                tracing::warn!(%error, "the ACD did not take the consulted agent onto the call");
            }
        }
        self.events.emit(EventPayload::AgentAnswered { agent_id: other, leg_id: leg.event_id }).await;
        self.connect(leg).await;
    }

    /// The agent hung up during a consultation: once the party consulted
    /// has answered that completes the transfer; before, it is cancelled.
    /// Whether the consultation took the agent's hang-up.
    pub(super) async fn agent_left_consult(&mut self, sip: SipLeg) -> bool {
        let Stage::Connected { agent, .. } = &self.stage else { return false };
        if agent.sip != sip || self.consult.is_none() {
            return false;
        }
        let agent_id = agent.agent;
        if self.consult.as_ref().is_some_and(|c| c.answered) {
            // The agent's leg is already gone; completing hangs it up again harmlessly.
            if let Err(error) = self.complete_consult(Transferor::Agent(agent_id)).await {
                tracing::warn!(%error, "the consultation could not be completed");
            }
            return true;
        }
        self.end_consult(true).await;
        false
    }

    /// The call ends under a consultation: its party is hung up.
    pub(super) async fn drop_consult(&mut self) {
        if let Some(consult) = self.consult.take() {
            let _ = self.shared.edge.hangup(consult.sip()).await;
            self.drop_consult_leg(consult.leg).await;
        }
    }
}
