//! Agents set to mobile: rung through the tenant's trunks at their mobile
//! number, presenting the caller's number. Once the mobile answers, the
//! agent hears "press 1 to accept" and only their 1 takes the call, so a
//! voicemail box that picks up never does: without the key the ACD's ring
//! timeout withdraws the offer as for any agent who does not answer.

use media::player::Player;
use media::session::LegId as MediaLeg;
use model::AgentId;
use sip::edge::LegId as SipLeg;

use super::legs::AgentLeg;
use super::{Actor, Stage};
use crate::error::CallsError;

/// How far a mobile agent's acceptance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MobileStep {
    /// The mobile rings.
    Ringing,
    /// It answered; the agent hears the prompt, the call waits for their 1.
    Confirming,
}

impl Actor {
    /// Rings an agent's mobile through the trunks.
    pub(super) async fn ring_mobile(&mut self, agent: AgentId, number: &str) -> Result<AgentLeg, CallsError> {
        let caller = self.caller_number.clone();
        let placed = self.place_out(number, &caller).await?;
        Ok(AgentLeg::placed(agent, placed, Some(MobileStep::Ringing)))
    }

    /// The agent's leg being offered the call (queue or callback).
    fn offered_leg_mut(&mut self) -> Option<&mut AgentLeg> {
        match &mut self.stage {
            Stage::Waiting { ringing, .. } => ringing.as_mut(),
            Stage::Callback(cb) if !cb.agent_answered => cb.agent.as_mut(),
            _ => None,
        }
    }

    /// A mobile answered: the agent is asked to accept with 1.
    pub(super) async fn mobile_answered(&mut self, leg: SipLeg, answer: Option<Vec<u8>>) -> bool {
        let Some(agent) = self.offered_leg_mut().filter(|a| a.sip == leg && a.mobile == Some(MobileStep::Ringing))
        else {
            return false;
        };
        let Some(spec) = agent.agreed(answer.as_deref()) else {
            // Its end comes as the leg's end: a refusal.
            let _ = self.shared.edge.hangup(leg).await;
            return true;
        };
        agent.mobile = Some(MobileStep::Confirming);
        let media_leg = agent.media;
        if let Err(error) = self.media.update_rtp_leg(media_leg, spec).await {
            tracing::warn!(%error, "the mobile's media leg could not take the answer");
        }
        let prompt = self.shared.prompts.get("accept_call");
        let _ = self.media.play(media_leg, Player::looping([prompt])).await;
        true
    }

    /// A key on an agent's media leg: 1 from a mobile being asked accepts.
    pub(super) async fn agent_digit(&mut self, media_leg: MediaLeg, digit: char) {
        let Some(agent) = self.offered_leg_mut() else { return };
        if agent.media != media_leg || agent.mobile != Some(MobileStep::Confirming) || digit != '1' {
            return;
        }
        agent.mobile = None;
        let _ = self.media.stop_playing(media_leg).await;
        match &mut self.stage {
            Stage::Waiting { ringing, .. } => {
                if let Some(agent) = ringing.take() {
                    self.agent_accepted(agent).await;
                }
            }
            Stage::Callback(_) => self.callback_agent_accepted().await,
            _ => {}
        }
    }
}
