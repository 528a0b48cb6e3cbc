//! One leg's offer/answer state: what was agreed, what waits for an answer.

use super::offer::{self, SentOffer};
use super::{CodecKey, LocalMedia, Negotiated, OfferAnswerError, answer};
use crate::sdp::{Connection, Direction, MediaDescription, Origin, SessionDescription};

/// Where a leg's offer/answer stands.
#[derive(Debug, Clone)]
enum State {
    /// Nothing offered or agreed yet.
    Idle,
    /// Our offer waits for its answer; `previous` still holds meanwhile.
    OfferSent { offer: Box<SentOffer>, previous: Option<Negotiated> },
    /// The last exchange's outcome.
    Negotiated(Negotiated),
}

/// The offer/answer of one SIP leg (see the module documentation).
///
/// Sans-IO: descriptions in, descriptions out. The session id of our `o=`
/// line is given (draw it once from a seeded generator in the shell).
#[derive(Debug, Clone)]
pub struct Negotiator {
    local: LocalMedia,
    session_id: u64,
    version: u64,
    last_sent: Option<SessionDescription>,
    /// Payload types in use in the session, per codec (RFC 3264 §8.3.2).
    learned: Vec<(CodecKey, u8)>,
    /// The sections of the last exchange, as we sent them, and which one
    /// is the audio stream.
    layout: Option<(Vec<MediaDescription>, usize)>,
    state: State,
}

impl Negotiator {
    /// A leg with our side `local` and `session_id` for our `o=` line.
    pub fn new(local: LocalMedia, session_id: u64) -> Self {
        Self { local, session_id, version: 1, last_sent: None, learned: Vec::new(), layout: None, state: State::Idle }
    }

    /// Our side of the stream.
    pub fn local(&self) -> &LocalMedia {
        &self.local
    }

    /// What the last completed exchange agreed on (still in force while a
    /// new offer of ours waits for its answer).
    pub fn negotiated(&self) -> Option<&Negotiated> {
        match &self.state {
            State::Idle => None,
            State::OfferSent { previous, .. } => previous.as_ref(),
            State::Negotiated(n) => Some(n),
        }
    }

    /// Whether an offer of ours waits for its answer.
    pub fn offer_pending(&self) -> bool {
        matches!(self.state, State::OfferSent { .. })
    }

    /// Our offer (a first one, or a re-offer: `SendOnly` to hold the peer,
    /// `SendRecv` to resume). Fails with `OfferPending` while one waits.
    pub fn create_offer(&mut self, direction: Direction) -> Result<SessionDescription, OfferAnswerError> {
        if self.offer_pending() {
            return Err(OfferAnswerError::OfferPending);
        }
        let layout = self.layout.as_ref().map(|(sections, audio)| (sections.as_slice(), *audio));
        let (sections, audio_index, codecs) = offer::sections(&self.local, layout, &self.learned, direction);
        let sdp = self.stamp(sections);
        let previous = match std::mem::replace(&mut self.state, State::Idle) {
            State::Negotiated(n) => Some(n),
            _ => None,
        };
        let rtcp_mux = self.local.rtcp_mux;
        let sent = SentOffer { sdp: sdp.clone(), audio_index, direction, codecs, rtcp_mux };
        self.state = State::OfferSent { offer: Box::new(sent), previous };
        Ok(sdp)
    }

    /// Takes the answer to our offer. On an error the previous agreement
    /// (if any) stays in force and the offer is dropped.
    pub fn handle_answer(&mut self, answer: &SessionDescription) -> Result<Negotiated, OfferAnswerError> {
        let (offer, previous) = match std::mem::replace(&mut self.state, State::Idle) {
            State::OfferSent { offer, previous } => (offer, previous),
            other => {
                self.state = other;
                return Err(OfferAnswerError::NoOfferPending);
            }
        };
        match offer::take_answer(&self.local, &offer, answer) {
            Ok(negotiated) => {
                self.learn(&negotiated);
                self.layout = Some((offer.sdp.media, offer.audio_index));
                self.state = State::Negotiated(negotiated.clone());
                Ok(negotiated)
            }
            Err(e) => {
                self.state = previous.map_or(State::Idle, State::Negotiated);
                Err(e)
            }
        }
    }

    /// Our answer to the peer's offer (`wish` is what we want: `SendRecv`,
    /// or `SendOnly` while we hold the peer). On an error nothing changes:
    /// the previous agreement stays in force (RFC 3264 §8).
    pub fn handle_offer(
        &mut self,
        offer: &SessionDescription,
        wish: Direction,
    ) -> Result<SessionDescription, OfferAnswerError> {
        if self.offer_pending() {
            return Err(OfferAnswerError::OfferPending);
        }
        let (sections, negotiated) = answer::answer(&self.local, offer, wish)?;
        let sdp = self.stamp(sections);
        self.learn(&negotiated);
        self.layout = Some((sdp.media.clone(), negotiated.media_index));
        self.state = State::Negotiated(negotiated);
        Ok(sdp)
    }

    /// Drops our waiting offer (its request failed: 488, 491, a timeout);
    /// the previous agreement stays in force.
    pub fn cancel_offer(&mut self) {
        if let State::OfferSent { previous, .. } = &mut self.state {
            self.state = previous.take().map_or(State::Idle, State::Negotiated);
        }
    }

    /// The description we send: our `o=` (version up by one if anything
    /// changed since the last one sent), `c=` and `sections`.
    fn stamp(&mut self, sections: Vec<MediaDescription>) -> SessionDescription {
        let ip = self.local.address;
        let origin = Origin {
            username: "-".to_owned(),
            session_id: self.session_id.to_string(),
            session_version: self.version,
            net_type: "IN".to_owned(),
            addr_type: if ip.is_ipv4() { "IP4" } else { "IP6" }.to_owned(),
            address: ip.to_string(),
        };
        let mut sdp = SessionDescription::new(origin);
        sdp.connection = Some(Connection::for_ip(ip));
        sdp.media = sections;
        if self.last_sent.as_ref().is_some_and(|last| *last != sdp) {
            self.version = self.version.wrapping_add(1);
            sdp.origin.session_version = self.version;
        }
        self.last_sent = Some(sdp.clone());
        sdp
    }

    fn learn(&mut self, negotiated: &Negotiated) {
        for codec in negotiated.codecs.iter().chain(&negotiated.telephone_event) {
            let key = CodecKey { encoding: codec.encoding, clock_rate: codec.clock_rate };
            self.learned.retain(|(k, pt)| *k != key && *pt != codec.payload_type);
            self.learned.push((key, codec.payload_type));
        }
    }
}
