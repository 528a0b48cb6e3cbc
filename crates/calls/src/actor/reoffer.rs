//! A peer's re-INVITE or UPDATE on a leg of the call: a session refresh
//! (the same SDP again), hold (`sendonly`/`inactive`) or resume, a new
//! address or codec. Each is answered from the leg's own offer/answer
//! state and applied to its media leg; an agent holding gets `held` and
//! music on hold is played to the caller until `resumed`.
//!
//! A browser's leg (WebRTC) keeps its offer/answer state in the media
//! engine: its re-INVITE is answered by str0m (hold, resume, ICE restart
//! alike), and the offer's audio direction says whether the agent holds.
//! An offer the engine cannot take gets 488 and the session goes on as it
//! was.

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
        if let Some(media_leg) = self.webrtc_leg_of(&side) {
            self.on_webrtc_reoffer(leg, media_leg, &side, offer.as_deref()).await;
            return;
        }
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
                Some((agent.negotiator_mut()?, media))
            }
            (Side::Supervisor, Stage::Connected { supervisor: Some(s), .. }) => {
                let media = s.leg.media;
                Some((s.leg.negotiator_mut()?, media))
            }
            _ => None,
        }
    }

    /// The media leg of `side` when it is a browser's (WebRTC).
    fn webrtc_leg_of(&self, side: &Side) -> Option<MediaLeg> {
        let leg = match (side, &self.stage) {
            (Side::Agent, Stage::Connected { agent, .. }) => agent,
            (Side::Supervisor, Stage::Connected { supervisor: Some(s), .. }) => &s.leg,
            _ => return None,
        };
        leg.is_webrtc().then_some(leg.media)
    }

    /// A browser's re-INVITE, answered by the media engine's WebRTC leg.
    async fn on_webrtc_reoffer(&mut self, leg: SipLeg, media_leg: MediaLeg, side: &Side, offer: Option<&[u8]>) {
        let Some(text) = offer.and_then(|bytes| std::str::from_utf8(bytes).ok()).filter(|t| !t.is_empty()) else {
            let _ = self.shared.edge.reject_reoffer(leg, StatusCode::NOT_ACCEPTABLE_HERE).await;
            return;
        };
        let answer = match self.media.accept_webrtc_offer(media_leg, text.to_owned()).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::info!(%error, "a browser's re-INVITE could not be answered");
                let _ = self.shared.edge.reject_reoffer(leg, StatusCode::NOT_ACCEPTABLE_HERE).await;
                return;
            }
        };
        if matches!(side, Side::Agent) {
            self.agent_hold_changed(browser_holds(text.as_bytes())).await;
        }
        let _ = self.shared.edge.accept_reoffer(leg, answer.into_bytes()).await;
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

/// Whether a browser's offer holds the call: its audio line does not
/// receive (`sendonly` or `inactive`). An offer our parser cannot read
/// (str0m took it) is taken as not holding.
fn browser_holds(offer: &[u8]) -> bool {
    let Ok(sdp) = SessionDescription::parse(offer) else { return false };
    let Some(audio) = sdp.media.iter().position(|m| m.kind == "audio" && m.port != 0) else { return false };
    !sdp.direction_for(audio).receives()
}
