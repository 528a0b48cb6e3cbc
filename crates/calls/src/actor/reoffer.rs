//! A peer's re-INVITE or UPDATE on a leg of the call: a session refresh
//! (the same SDP again), hold (`sendonly`/`inactive`) or resume, a new
//! address or codec. Each is answered from the leg's own offer/answer
//! state and applied to its media leg; an agent holding gets `held` and
//! music on hold is played to the caller until `resumed`.

use media::offer_answer::Negotiator;
use media::player::Player;
use media::sdp::{Direction, SessionDescription};
use media::session::{LegId as MediaLeg, RtpLegSpec};
use model::EventPayload;
use sip::edge::LegId as SipLeg;
use sip::message::StatusCode;

use super::{Actor, Stage};

/// Which of the call's legs a re-INVITE came on.
enum Side {
    Caller,
    Agent,
    Supervisor,
}

impl Actor {
    /// Answers a re-INVITE on one of the call's legs.
    pub(super) async fn on_reoffer(&mut self, leg: SipLeg, offer: Option<Vec<u8>>) {
        let side = self.side_of(leg);
        let Some(side) = side else { return };
        let Some(offer) = offer.as_deref().and_then(|bytes| SessionDescription::parse(bytes).ok()) else {
            // No offer (we are asked to offer) or one we cannot read: the
            // session goes on as it was.
            let _ = self.shared.edge.reject_reoffer(leg, StatusCode::NOT_ACCEPTABLE_HERE).await;
            return;
        };
        let Some((negotiator, media_leg)) = self.negotiator_of(&side) else { return };
        let answer = match negotiator.handle_offer(&offer, Direction::SendRecv) {
            Ok(answer) => answer,
            Err(error) => {
                tracing::info!(%error, "a re-INVITE could not be answered");
                let status = StatusCode::new(error.sip_status()).unwrap_or(StatusCode::NOT_ACCEPTABLE_HERE);
                let _ = self.shared.edge.reject_reoffer(leg, status).await;
                return;
            }
        };
        let spec = negotiator.negotiated().and_then(|agreed| RtpLegSpec::from_negotiated(agreed).ok());
        if let Some(spec) = spec {
            if let Err(error) = self.media.update_rtp_leg(media_leg, spec).await {
                tracing::warn!(%error, "the media leg could not take the re-INVITE");
            }
            if matches!(side, Side::Agent) {
                self.agent_hold_changed(!spec.sends).await;
            }
        }
        let _ = self.shared.edge.accept_reoffer(leg, answer.to_string().into_bytes()).await;
    }

    fn side_of(&self, leg: SipLeg) -> Option<Side> {
        if leg == self.caller_leg {
            return Some(Side::Caller);
        }
        match &self.stage {
            Stage::Connected { agent, .. } if agent.sip == leg => Some(Side::Agent),
            Stage::Connected { supervisor: Some(s), .. } if s.leg.sip == leg => Some(Side::Supervisor),
            _ => None,
        }
    }

    fn negotiator_of(&mut self, side: &Side) -> Option<(&mut Negotiator, MediaLeg)> {
        match (side, &mut self.stage) {
            (Side::Caller, _) => Some((&mut self.caller_negotiator, self.caller_media)),
            (Side::Agent, Stage::Connected { agent, .. }) => {
                let media = agent.media;
                Some((agent.negotiator_mut(), media))
            }
            (Side::Supervisor, Stage::Connected { supervisor: Some(s), .. }) => {
                let media = s.leg.media;
                Some((s.leg.negotiator_mut(), media))
            }
            _ => None,
        }
    }

    /// The agent put the caller on hold (`held`) or took them back.
    async fn agent_hold_changed(&mut self, holding: bool) {
        let Stage::Connected { agent, .. } = &mut self.stage else { return };
        if agent.on_hold == holding {
            return;
        }
        agent.on_hold = holding;
        let agent_id = agent.agent;
        if holding {
            let _ = self.media.play(self.caller_media, Player::looping([self.shared.prompts.music()])).await;
            self.events.emit(EventPayload::Held { agent_id }).await;
        } else {
            let _ = self.media.stop_playing(self.caller_media).await;
            self.events.emit(EventPayload::Resumed { agent_id }).await;
        }
    }
}
