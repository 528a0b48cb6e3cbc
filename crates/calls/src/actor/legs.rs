//! The call's legs: answering the caller's offer with our RTP leg, ringing
//! an agent's devices with a second one, and what happens when the agent
//! answers, refuses or is cancelled.
//!
//! An agent's devices are rung with the offer their transport wants: a
//! desk phone or softphone registered over UDP, TCP or TLS gets a plain
//! RTP offer (G.711); a browser registered over the WebSocket of `GET
//! /sip` (WS or WSS) gets a WebRTC one from the media engine (ICE-lite,
//! DTLS-SRTP, rtcp-mux, Opus, telephone-event). An agent with both kinds
//! is rung with two INVITEs, one per kind (`forks`); the first to answer
//! takes the call and the other is cancelled.

use media::offer_answer::{LocalMedia, Negotiator};
use media::sdp::{Direction, SessionDescription};
use media::session::{LegId as MediaLeg, RtpLegSpec};
use media::shard::CallHandle;
use model::{AgentId, EventPayload, TenantId, VipTier};
use sip::edge::{IncomingCall, LegId as SipLeg, Originate, Target};
use sip::message::{Address, StatusCode, Uri};
use sip::registrar::Transport;
use sqlx::PgPool;

use super::{Actor, Routing, Stage};
use crate::error::CallsError;
use crate::runtime::Shared;

/// An agent's leg: the SIP leg rung and its media leg.
#[derive(Debug)]
pub(crate) struct AgentLeg {
    pub agent: AgentId,
    pub sip: SipLeg,
    pub media: MediaLeg,
    /// The leg's id in the events.
    pub event_id: model::LegId,
    /// Whether the agent holds the call (their re-INVITE said so).
    pub on_hold: bool,
    /// For an agent rung on their mobile, how far the acceptance is.
    pub mobile: Option<super::mobile::MobileStep>,
    /// What was offered on `sip`, which says how its answer and re-offers
    /// are taken.
    offer: LegOffer,
    /// While it rings, the agent's devices of the other kind, rung with
    /// their own offer (`forks`).
    pub(super) sibling: Option<Fork>,
}

/// What a leg to an agent's device was offered.
#[derive(Debug)]
pub(crate) enum LegOffer {
    /// Plain RTP: our offer/answer state (boxed: it is large, and most
    /// legs of a call are in the stage enum).
    Rtp(Box<Negotiator>),
    /// WebRTC: the media engine's leg keeps the state (its SDP is str0m's).
    WebRtc,
}

/// One INVITE to an agent's devices of one kind, with its own media leg.
#[derive(Debug)]
pub(crate) struct Fork {
    pub sip: SipLeg,
    pub media: MediaLeg,
    pub offer: LegOffer,
}

impl AgentLeg {
    /// A leg to an agent, placed.
    pub(super) fn placed(agent: AgentId, placed: Placed, mobile: Option<super::mobile::MobileStep>) -> AgentLeg {
        let Placed { sip, media, negotiator } = placed;
        let fork = Fork { sip, media, offer: LegOffer::Rtp(Box::new(negotiator)) };
        AgentLeg::forked(agent, fork, None, mobile)
    }

    /// A leg to an agent rung as `first` and, while it rings, `sibling`.
    fn forked(agent: AgentId, first: Fork, sibling: Option<Fork>, mobile: Option<super::mobile::MobileStep>) -> Self {
        let Fork { sip, media, offer } = first;
        AgentLeg { agent, sip, media, event_id: model::LegId::new(), on_hold: false, mobile, offer, sibling }
    }

    /// The leg's offer/answer state (for the peer's re-INVITEs); `None`
    /// for a WebRTC leg, whose re-offers go to the media engine.
    pub fn negotiator_mut(&mut self) -> Option<&mut Negotiator> {
        match &mut self.offer {
            LegOffer::Rtp(negotiator) => Some(negotiator),
            LegOffer::WebRtc => None,
        }
    }

    /// What the answer to our RTP offer agreed, as the leg's spec (`None`
    /// for a WebRTC leg: see [`AgentLeg::take_answer`]). A mobile's leg,
    /// through the trunks, is always RTP.
    pub fn agreed(&mut self, answer: Option<&[u8]>) -> Option<RtpLegSpec> {
        match &mut self.offer {
            LegOffer::Rtp(negotiator) => agreed_spec(negotiator, answer),
            LegOffer::WebRtc => None,
        }
    }

    /// The SIP legs ringing the agent's devices: the leg, and while it
    /// rings a device of the other kind, that one's.
    pub fn ringing_legs(&self) -> impl Iterator<Item = SipLeg> + use<> {
        std::iter::once(self.sip).chain(self.sibling.as_ref().map(|f| f.sip))
    }

    /// Whether the leg is a WebRTC one (a browser).
    pub fn is_webrtc(&self) -> bool {
        matches!(self.offer, LegOffer::WebRtc)
    }

    /// Makes `fork` the leg (it answered, or the other ended); the one it
    /// replaces comes back.
    pub(super) fn promote(&mut self, fork: Fork) -> Fork {
        let sip = std::mem::replace(&mut self.sip, fork.sip);
        let media = std::mem::replace(&mut self.media, fork.media);
        let offer = std::mem::replace(&mut self.offer, fork.offer);
        Fork { sip, media, offer }
    }

    /// Takes the answer to our offer into the leg's media (the RTP leg's
    /// agreement, or the browser's answer to the WebRTC leg); `false` when
    /// the answer is unusable.
    pub async fn take_answer(&mut self, media: &CallHandle, answer: Option<&[u8]>) -> bool {
        match &mut self.offer {
            LegOffer::Rtp(negotiator) => {
                let Some(spec) = agreed_spec(negotiator, answer) else { return false };
                if let Err(error) = media.update_rtp_leg(self.media, spec).await {
                    tracing::warn!(%error, "the media leg could not take the answer");
                }
                true
            }
            LegOffer::WebRtc => {
                let Some(sdp) = answer.and_then(|bytes| std::str::from_utf8(bytes).ok()) else { return false };
                match media.accept_webrtc_answer(self.media, sdp.to_owned()).await {
                    Ok(()) => true,
                    Err(error) => {
                        tracing::warn!(%error, "the browser's answer was refused");
                        false
                    }
                }
            }
        }
    }
}

/// A leg the call placed: its SIP leg, its media leg, and the offer/answer
/// state of our offer.
pub(crate) struct Placed {
    pub sip: SipLeg,
    pub media: MediaLeg,
    pub negotiator: Negotiator,
}

/// What the party rung sees of the caller: a display name and extra
/// headers (for an agent: the contact and VIP tier, the screen pop's keys).
#[derive(Debug, Default, Clone)]
pub(crate) struct Shown {
    pub display: Option<String>,
    pub headers: Vec<(String, String)>,
}

/// A display name safe inside a quoted string: no quotes, backslashes or
/// control characters, at most 64 characters.
fn display_name(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '"' | '\\') && !c.is_control()).take(64).collect::<String>().trim().to_owned()
}

/// What the answer to an offer of ours agreed, as a media leg's spec.
pub(crate) fn agreed_spec(negotiator: &mut Negotiator, answer: Option<&[u8]>) -> Option<RtpLegSpec> {
    let sdp = SessionDescription::parse(answer?).ok()?;
    let negotiated = negotiator.handle_answer(&sdp).ok()?;
    RtpLegSpec::from_negotiated(&negotiated).ok()
}

/// The user part of a SIP URI (`sip:+4420…@host` → `+4420…`), or the URI.
pub(crate) fn user_of(uri: &Uri) -> String {
    let text = uri.as_str();
    let rest = text.split_once(':').map_or(text, |(_, rest)| rest);
    rest.split(['@', ';']).next().unwrap_or(rest).to_owned()
}

/// Who is calling, from the tenant's contacts: the VIP tier and contact.
pub(crate) async fn caller_routing(pool: &PgPool, tenant: TenantId, number: &str) -> Routing {
    match store::repo::contacts::find_by_number(pool, tenant, number).await {
        Ok(contacts) => match contacts.into_iter().max_by_key(|c| c.data.vip_tier) {
            Some(contact) => Routing {
                vip: contact.data.vip_tier,
                contact: Some(contact.id),
                contact_name: Some(contact.data.name.clone()),
                ..Routing::default()
            },
            None => Routing::default(),
        },
        Err(error) => {
            tracing::warn!(%error, "the caller could not be looked up; routed as a regular caller");
            Routing { vip: VipTier::REGULAR, ..Routing::default() }
        }
    }
}

/// The SIP status for a call that could not be set up.
pub(crate) fn status_for(error: &CallsError) -> StatusCode {
    match error {
        CallsError::OfferAnswer(e) => StatusCode::new(e.sip_status()).unwrap_or(StatusCode::NOT_ACCEPTABLE_HERE),
        CallsError::Sdp(_) => StatusCode::NOT_ACCEPTABLE_HERE,
        _ => StatusCode::SERVER_INTERNAL_ERROR,
    }
}

/// A media leg whose port the SDP needs before the agreement is known.
async fn provisional_leg(media: &CallHandle) -> Result<(MediaLeg, std::net::SocketAddr), CallsError> {
    let info = media.add_rtp_leg(RtpLegSpec::pcmu(None)).await?;
    Ok((info.id, info.local))
}

/// Answers the caller's INVITE: our RTP leg, the SDP answer, the 200.
pub(crate) async fn answer_caller(
    shared: &Shared,
    media: &CallHandle,
    incoming: &IncomingCall,
) -> Result<(MediaLeg, Negotiator), CallsError> {
    let offer = SessionDescription::parse(incoming.offer.as_deref().unwrap_or_default())?;
    let (leg, local) = provisional_leg(media).await?;
    let mut negotiator = Negotiator::new(LocalMedia::new(local.ip(), local.port()), shared.seed());
    let answer = negotiator.handle_offer(&offer, Direction::SendRecv)?;
    if let Some(agreed) = negotiator.negotiated() {
        match RtpLegSpec::from_negotiated(agreed) {
            Ok(spec) => {
                media.update_rtp_leg(leg, spec).await?;
            }
            Err(error) => return Err(CallsError::Media(error.into())),
        }
    }
    shared.edge.answer(incoming.leg, answer.to_string().into_bytes()).await?;
    Ok((leg, negotiator))
}

impl Actor {
    /// Rings the agent the ACD chose on every device it has registered.
    pub(super) async fn ring_agent(&mut self, agent: AgentId) -> Result<AgentLeg, CallsError> {
        let (profile, aor) = self.tenant.agents.get(&agent).ok_or(CallsError::UnknownAgent)?;
        if let (model::AgentDevice::Mobile, Some(number)) = (profile.device, profile.mobile_number.clone()) {
            return self.ring_mobile(agent, &number).await;
        }
        let targets = self.shared.edge.targets_with_transport(aor).await?;
        let (browsers, phones): (Vec<_>, Vec<_>) =
            targets.into_iter().partition(|(_, kind)| matches!(kind, Transport::Ws | Transport::Wss));
        let browsers: Vec<Target> = browsers.into_iter().map(|(target, _)| target).collect();
        let phones: Vec<Target> = phones.into_iter().map(|(target, _)| target).collect();
        let to = Address::parse(&format!("<{aor}>")).ok_or(CallsError::Unreachable)?;
        let from = self.caller_number.clone();
        let mut shown = Shown { display: self.routing.contact_name.clone(), headers: Vec::new() };
        if let Some(contact) = self.routing.contact {
            shown.headers.push(("X-Switchboard-Contact".to_owned(), contact.to_string()));
        }
        shown.headers.push(("X-Switchboard-Vip".to_owned(), self.routing.vip.0.to_string()));
        let mut forks = Vec::new();
        let mut failed = None;
        if !phones.is_empty() {
            match self.place_leg(&from, to.clone(), vec![phones], shown.clone()).await {
                Ok(Placed { sip, media, negotiator }) => {
                    forks.push(Fork { sip, media, offer: LegOffer::Rtp(Box::new(negotiator)) })
                }
                Err(error) => failed = Some(error),
            }
        }
        if !browsers.is_empty() {
            match self.place_webrtc_leg(&from, to, browsers, shown).await {
                Ok(fork) => forks.push(fork),
                Err(error) => failed = failed.or(Some(error)),
            }
        }
        let mut forks = forks.into_iter();
        let Some(first) = forks.next() else { return Err(failed.unwrap_or(CallsError::Unreachable)) };
        Ok(AgentLeg::forked(agent, first, forks.next(), None))
    }

    /// Rings an agent's browsers (WebSocket flows) with a WebRTC offer
    /// from a new WebRTC leg of the media engine.
    async fn place_webrtc_leg(
        &mut self,
        from_user: &str,
        to: Address,
        targets: Vec<Target>,
        shown: Shown,
    ) -> Result<Fork, CallsError> {
        let (info, offer) = self.media.add_webrtc_leg(None).await?;
        let plan = Originate {
            from: self.presented_as(from_user, shown.display.as_deref())?,
            to,
            attempts: vec![targets],
            offer: Some(offer.into_bytes()),
            headers: self.leg_headers(shown.headers),
        };
        let sip = match self.shared.edge.originate(plan).await {
            Ok(sip) => sip,
            Err(error) => {
                let _ = self.media.remove_leg(info.id).await;
                return Err(error.into());
            }
        };
        self.shared.legs.follow(sip, self.sip_sender());
        Ok(Fork { sip, media: info.id, offer: LegOffer::WebRtc })
    }

    /// Our From for a leg presenting `from_user` (and `display`, the
    /// name the party rung sees).
    fn presented_as(&self, from_user: &str, display: Option<&str>) -> Result<Address, CallsError> {
        let display = display.map(display_name).filter(|d| !d.is_empty());
        display
            .and_then(|d| Address::parse(&format!("\"{d}\" <sip:{from_user}@{}>", self.shared.domain)))
            .or_else(|| Address::parse(&format!("<sip:{from_user}@{}>", self.shared.domain)))
            .or_else(|| Address::parse(&format!("<sip:anonymous@{}>", self.shared.domain)))
            .ok_or(CallsError::Unreachable)
    }

    /// The headers of a leg's INVITE: the call's id, then `shown`'s.
    fn leg_headers(&self, shown: Vec<(String, String)>) -> Vec<(String, String)> {
        [("X-Switchboard-Call".to_owned(), self.call.to_string())].into_iter().chain(shown).collect()
    }

    /// Places a leg of the call: a media leg, our offer, the INVITE to the
    /// attempts' targets presenting `from_user`, its events followed.
    pub(super) async fn place_leg(
        &mut self,
        from_user: &str,
        to: Address,
        attempts: Vec<Vec<Target>>,
        shown: Shown,
    ) -> Result<Placed, CallsError> {
        let (leg, local) = provisional_leg(&self.media).await?;
        let mut negotiator = Negotiator::new(LocalMedia::new(local.ip(), local.port()), self.shared.seed());
        let offer = negotiator.create_offer(Direction::SendRecv)?;
        let from = self.presented_as(from_user, shown.display.as_deref())?;
        let plan = Originate {
            from,
            to,
            attempts,
            offer: Some(offer.to_string().into_bytes()),
            headers: self.leg_headers(shown.headers),
        };
        let sip = match self.shared.edge.originate(plan).await {
            Ok(sip) => sip,
            Err(error) => {
                let _ = self.media.remove_leg(leg).await;
                return Err(error.into());
            }
        };
        self.shared.legs.follow(sip, self.sip_sender());
        Ok(Placed { sip, media: leg, negotiator })
    }

    /// Takes the agent's answer: its SDP, the ACD told, the bridge made.
    pub(super) async fn agent_answered(&mut self, leg: SipLeg, answer: Option<Vec<u8>>) {
        let Stage::Waiting { ringing, .. } = &mut self.stage else { return };
        let Some(mut agent) = ringing.take_if(|a| a.sip == leg) else { return };
        if !agent.take_answer(&self.media, answer.as_deref()).await {
            tracing::warn!(agent = %agent.agent, "the agent's answer has no usable SDP: hung up");
            let _ = self.shared.edge.hangup(leg).await;
            self.drop_agent_leg(&agent).await;
            self.acd.tell(acd::Command::Rejected { call: self.call, agent: agent.agent });
            return;
        }
        self.agent_accepted(agent).await;
    }

    /// The agent took the call: the ACD told, the bridge made.
    pub(super) async fn agent_accepted(&mut self, agent: AgentLeg) {
        self.acd.tell(acd::Command::Answered { call: self.call, agent: agent.agent });
        self.events.emit(EventPayload::AgentAnswered { agent_id: agent.agent, leg_id: agent.event_id }).await;
        self.connect(agent).await;
    }

    /// An agent's leg ended: before the answer it is a refusal (the ACD
    /// offers the next agent); after it, the agent hung up.
    pub(super) async fn agent_leg_ended(&mut self, leg: SipLeg, cause: sip::edge::EndCause) {
        let Some(agent_id) = self.agent_of(leg) else { return };
        match &mut self.stage {
            Stage::Waiting { ringing, .. } => {
                let Some(agent) = ringing.take() else { return };
                self.drop_agent_leg(&agent).await;
                self.acd.tell(acd::Command::Rejected { call: self.call, agent: agent_id });
                let payload = match cause {
                    sip::edge::EndCause::Rejected(_) => EventPayload::AgentRejected { agent_id },
                    _ => EventPayload::AgentNoAnswer { agent_id },
                };
                self.events.emit(payload).await;
                self.resume_music().await;
            }
            Stage::Connected { .. } => {
                let Stage::Connected { agent, supervisor } = std::mem::replace(&mut self.stage, Stage::Ended) else {
                    return;
                };
                self.drop_agent_leg(&agent).await;
                self.drop_supervisor(supervisor).await;
                self.acd.tell(acd::Command::CallEnded { call: self.call });
                if self.wants_survey() {
                    // The caller stays on to rate the call.
                    let _ = self.media.set_hearing(media::session::Hearing::Apart).await;
                    self.survey().await;
                } else {
                    let _ = self.shared.edge.hangup(self.caller_leg).await;
                    self.events.emit(EventPayload::CallEnded { cause: model::EndCause::AgentHangup }).await;
                }
            }
            Stage::Outside { .. } | Stage::Callback(_) | Stage::Ended => {}
        }
    }

    /// Hangs up an agent's (or a supervisor's) leg — CANCEL while it rings,
    /// BYE once answered — then drops its legs. The ACD's own `CancelOffer`
    /// for an abandoned call comes after the actor stops listening, so the
    /// actor cancels a ringing leg itself.
    pub(super) async fn cancel_agent_leg(&mut self, agent: &AgentLeg) {
        let _ = self.shared.edge.hangup(agent.sip).await;
        self.drop_agent_leg(agent).await;
    }

    /// The agent refused, over the API, the call ringing at them: as a
    /// refusal on their phone. Whether it was ringing at them.
    pub(super) async fn reject_offer(&mut self, agent: AgentId) -> bool {
        let ringing = match &mut self.stage {
            Stage::Waiting { ringing, .. } => ringing,
            Stage::Callback(cb) if !cb.agent_answered && !cb.outbound => &mut cb.agent,
            _ => return false,
        };
        let Some(leg) = ringing.take_if(|leg| leg.agent == agent) else { return false };
        self.cancel_agent_leg(&leg).await;
        self.acd.tell(acd::Command::Rejected { call: self.call, agent });
        self.events.emit(EventPayload::AgentRejected { agent_id: agent }).await;
        if matches!(self.stage, Stage::Waiting { .. }) {
            self.resume_music().await;
        }
        true
    }

    /// Removes an agent's media leg and stops following its SIP leg; a
    /// device of the other kind still ringing is cancelled.
    pub(super) async fn drop_agent_leg(&mut self, agent: &AgentLeg) {
        let _ = self.media.remove_leg(agent.media).await;
        self.shared.legs.forget(agent.sip);
        if let Some(sibling) = &agent.sibling {
            self.cancel_fork(sibling).await;
        }
    }
}
