//! One browser leg over WebRTC, on [str0m]: ICE-lite with host candidates,
//! DTLS-SRTP, rtcp-mux, Opus and telephone-event (RFC 4733) at 48 kHz.
//!
//! Sans-IO like str0m itself: the shell feeds UDP datagrams
//! ([`WebRtcLeg::handle_datagram`]) and the time ([`WebRtcLeg::handle_timeout`]
//! at [`WebRtcLeg::poll_timeout`]), sends what [`WebRtcLeg::poll_transmit`]
//! gives, and exchanges audio as 20 ms frames of 16 kHz PCM:
//! [`WebRtcLeg::send_frame`] encodes with [`crate::opus`],
//! [`WebRtcLeg::poll_frame`] gives the remote audio decoded, with lost
//! packets concealed (PLC, or FEC from the next packet). One UDP port can
//! serve many legs: give a datagram to the leg whose
//! [`WebRtcLeg::accepts`] says yes.
//!
//! After each call that takes `now`, and after the SDP calls, poll
//! transmits, events and frames until they are empty, then wait until
//! `poll_timeout` or the next datagram or frame.
//!
//! ```
//! use media::webrtc::{LegConfig, WebRtcLeg};
//! use std::time::Instant;
//!
//! let now = Instant::now();
//! let config = LegConfig::new(vec!["192.0.2.10:40000".parse().unwrap()]);
//! let mut leg = WebRtcLeg::new(&config, now).unwrap();
//! // Offer to the browser; its answer goes to `accept_answer`.
//! let offer = leg.create_offer().unwrap();
//! assert!(offer.contains("a=ice-lite"));
//! assert!(offer.contains("opus/48000/2"));
//! while let Some(transmit) = leg.poll_transmit() {
//!     // socket.send_to(&transmit.contents, transmit.destination)
//! #   let _ = transmit;
//! }
//! ```

mod receive;

pub use receive::{FrameSource, MAX_QUEUED_FRAMES, ReceiveStats, ReceivedFrame};

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::{Codec, CodecExtra, FormatParams};
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid, Pt, TelephoneEvent};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcConfig};

use crate::FRAME_SAMPLES;
use crate::opus::{MAX_PACKET_BYTES, OpusConfig, OpusEncoder, OpusError};
use receive::{DtmfEdge, Receiver, TICKS_PER_FRAME};

/// The payload type we offer for telephone-event at 48 kHz (Chrome's
/// choice for the same format; an answer may name another).
const TELEPHONE_EVENT_PT: u8 = 110;

/// Packets str0m holds back waiting for a missing earlier one before it
/// hands on the later ones (its default, 15, would hold 300 ms). Two give a
/// reordered packet 40 ms; a lost one is then concealed here, with FEC from
/// the packet after it.
const AUDIO_REORDER_PACKETS: usize = 2;

/// Gap str0m asks between two telephone events sent (libwebrtc's too).
const DTMF_GAP: Duration = Duration::from_millis(50);

/// Errors from str0m's outputs one drain skips over at most (each a bad
/// packet from the peer); past that it stops until the next call.
const MAX_DRAIN_ERRORS: u32 = 64;

/// What went wrong with a WebRTC leg.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebRtcError {
    /// The SDP text does not parse.
    #[error("SDP does not parse: {0}")]
    Sdp(#[from] str0m::error::SdpError),
    /// The description has no audio with Opus that we could accept.
    #[error("no audio line with Opus in the negotiation")]
    NoOpus,
    /// The call does not fit the leg's state.
    #[error("{call} is not possible while the leg is {state}")]
    WrongState {
        /// The method called.
        call: &'static str,
        /// The state the leg was in.
        state: &'static str,
    },
    /// Audio or DTMF was given before ICE and DTLS completed.
    #[error("the leg is not connected yet")]
    NotConnected,
    /// The datagram is not STUN, DTLS, RTP or RTCP.
    #[error("datagram is not STUN, DTLS, RTP or RTCP")]
    Unrecognised,
    /// A telephone event was started while another is still being sent.
    #[error("a telephone event is still being sent")]
    DtmfBusy,
    /// A host candidate address is not usable (unspecified, multicast…).
    #[error("bad host candidate {0}")]
    BadCandidate(SocketAddr),
    /// str0m refused an input or a call.
    #[error("webrtc: {0}")]
    Rtc(#[from] str0m::RtcError),
    /// The Opus codec failed.
    #[error(transparent)]
    Opus(#[from] OpusError),
}

/// How to set a leg up.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LegConfig {
    /// Our host candidates: the addresses of the UDP sockets the leg's
    /// datagrams arrive at (one port may serve many legs).
    pub host_candidates: Vec<SocketAddr>,
    /// The Opus encoder's settings for audio we send.
    pub opus: OpusConfig,
}

impl LegConfig {
    /// A configuration with these host candidates and default Opus.
    pub fn new(host_candidates: Vec<SocketAddr>) -> Self {
        LegConfig { host_candidates, opus: OpusConfig::default() }
    }
}

/// A datagram that arrived on one of our sockets.
#[derive(Debug, Clone, Copy)]
pub struct Datagram<'a> {
    /// Where it came from.
    pub source: SocketAddr,
    /// The local address it arrived at (one of the host candidates).
    pub destination: SocketAddr,
    /// Its payload.
    pub contents: &'a [u8],
}

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The local address to send it from.
    pub source: SocketAddr,
    /// Where to send it.
    pub destination: SocketAddr,
    /// Its payload.
    pub contents: Vec<u8>,
}

/// Something the leg reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegEvent {
    /// ICE and DTLS-SRTP completed: audio flows both ways.
    Connected,
    /// ICE lost the browser (no checks for a while); it may come back.
    Disconnected,
    /// A telephone event (RFC 4733) began: a key went down.
    DtmfStarted {
        /// Its code: digits 0-9, `*` 10, `#` 11, A-D 12-15.
        event: u8,
    },
    /// The telephone event ended.
    DtmfEnded {
        /// Its code.
        event: u8,
        /// How long it lasted.
        duration: Duration,
    },
    /// The leg was closed and has sent its last datagram.
    Closed,
}

/// The negotiated audio line.
#[derive(Debug, Clone, Copy)]
struct Audio {
    mid: Mid,
    opus_pt: Pt,
}

/// Where the leg stands.
enum State {
    /// No description exchanged yet.
    Idle,
    /// We offered this audio line and wait for the answer.
    Offered { mid: Mid, pending: SdpPendingOffer },
    /// Descriptions agreed; ICE and DTLS are under way.
    Negotiated(Audio),
    /// Media flows.
    Connected(Audio),
    /// [`WebRtcLeg::close`] was called; str0m sends its last datagrams.
    Closing,
    /// Closed: nothing more comes in or out.
    Closed,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Offered { .. } => "waiting for an answer",
            State::Negotiated(_) => "negotiated",
            State::Connected(_) => "connected",
            State::Closing => "closing",
            State::Closed => "closed",
        }
    }

    fn audio(&self) -> Option<Audio> {
        match self {
            State::Negotiated(audio) | State::Connected(audio) => Some(*audio),
            _ => None,
        }
    }
}

/// One browser leg: a str0m `Rtc` as ICE-lite, with its Opus codec.
pub struct WebRtcLeg {
    rtc: Rtc,
    state: State,
    encoder: OpusEncoder,
    receiver: Receiver,
    transmits: VecDeque<Transmit>,
    events: VecDeque<LegEvent>,
    timeout: Option<Instant>,
    /// The latest time given.
    now: Instant,
    /// RTP time (48 kHz) of the next frame we send.
    send_time: u64,
    /// When the telephone event being sent is over, gap included.
    dtmf_free_at: Option<Instant>,
    packet: [u8; MAX_PACKET_BYTES],
    input_errors: u64,
}

impl std::fmt::Debug for WebRtcLeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebRtcLeg").field("state", &self.state.name()).finish_non_exhaustive()
    }
}

impl WebRtcLeg {
    /// A new leg at time `now`, with its host candidates.
    pub fn new(config: &LegConfig, now: Instant) -> Result<Self, WebRtcError> {
        let mut rtc_config = RtcConfig::new()
            .set_ice_lite(true)
            .set_reordering_size_audio(AUDIO_REORDER_PACKETS)
            .clear_codecs()
            .enable_opus(true, false);
        rtc_config.codec_config().add_config(
            TELEPHONE_EVENT_PT.into(),
            None,
            Codec::Tele,
            Frequency::FORTY_EIGHT_KHZ,
            None,
            FormatParams::default(),
        );
        let mut rtc = rtc_config.build(now);
        for &addr in &config.host_candidates {
            let candidate = Candidate::host(addr, "udp").map_err(|_| WebRtcError::BadCandidate(addr))?;
            rtc.add_local_candidate(candidate);
        }
        let mut leg = WebRtcLeg {
            rtc,
            state: State::Idle,
            encoder: OpusEncoder::with_config(config.opus)?,
            receiver: Receiver::new()?,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            timeout: None,
            now,
            send_time: 0,
            dtmf_free_at: None,
            packet: [0; MAX_PACKET_BYTES],
            input_errors: 0,
        };
        leg.drain();
        Ok(leg)
    }

    /// Answers the browser's offer: the SDP answer to send back. Also
    /// takes a new offer on a negotiated leg (a re-INVITE).
    pub fn accept_offer(&mut self, offer: &str) -> Result<String, WebRtcError> {
        if matches!(self.state, State::Offered { .. } | State::Closing | State::Closed) {
            return Err(self.wrong_state("accept_offer"));
        }
        let offer = SdpOffer::from_sdp_string(offer)?;
        let answer = self.rtc.sdp_api().accept_offer(offer)?;
        self.drain();
        let mid = answer
            .media_lines
            .iter()
            .filter(|line| !line.disabled)
            .map(|line| line.mid())
            .find(|&mid| self.rtc.media(mid).is_some_and(|m| m.kind() == MediaKind::Audio));
        let audio = mid.and_then(|mid| self.negotiated_audio(mid)).ok_or(WebRtcError::NoOpus)?;
        self.state = match self.state {
            State::Connected(_) => State::Connected(audio),
            _ => State::Negotiated(audio),
        };
        Ok(answer.to_sdp_string())
    }

    /// Makes our offer (one audio line, send and receive) for a browser we
    /// call; its answer goes to [`accept_answer`](Self::accept_answer).
    pub fn create_offer(&mut self) -> Result<String, WebRtcError> {
        if !matches!(self.state, State::Idle) {
            return Err(self.wrong_state("create_offer"));
        }
        let mut change = self.rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().ok_or(WebRtcError::NoOpus)?;
        self.drain();
        self.state = State::Offered { mid, pending };
        Ok(offer.to_sdp_string())
    }

    /// Takes the browser's answer to our offer. An answer str0m refuses
    /// ends the offer: the leg is idle again and may offer anew.
    pub fn accept_answer(&mut self, answer: &str) -> Result<(), WebRtcError> {
        let answer = SdpAnswer::from_sdp_string(answer)?;
        let (mid, pending) = match std::mem::replace(&mut self.state, State::Idle) {
            State::Offered { mid, pending } => (mid, pending),
            other => {
                self.state = other;
                return Err(self.wrong_state("accept_answer"));
            }
        };
        if let Err(err) = self.rtc.sdp_api().accept_answer(pending, answer) {
            self.drain();
            return Err(err.into());
        }
        self.drain();
        let audio = self.negotiated_audio(mid).ok_or(WebRtcError::NoOpus)?;
        self.state = State::Negotiated(audio);
        Ok(())
    }

    /// The audio line `mid` once negotiated, with its Opus payload type.
    fn negotiated_audio(&mut self, mid: Mid) -> Option<Audio> {
        let remote = self.rtc.media(mid)?.remote_pts().to_vec();
        let writer = self.rtc.writer(mid)?;
        let opus_pt = writer.payload_params().find(|p| p.spec().codec == Codec::Opus && remote.contains(&p.pt()))?.pt();
        Some(Audio { mid, opus_pt })
    }

    fn wrong_state(&self, call: &'static str) -> WebRtcError {
        WebRtcError::WrongState { call, state: self.state.name() }
    }

    /// Whether `datagram` belongs to this leg: STUN with our ICE username,
    /// or anything from the browser's address once ICE has chosen it.
    pub fn accepts(&self, datagram: &Datagram<'_>) -> bool {
        match Receive::new(Protocol::Udp, datagram.source, datagram.destination, datagram.contents) {
            Ok(receive) => self.rtc.accepts(&Input::Receive(self.now, receive)),
            Err(_) => false,
        }
    }

    /// Takes a datagram that arrived at `now`.
    pub fn handle_datagram(&mut self, datagram: &Datagram<'_>, now: Instant) -> Result<(), WebRtcError> {
        self.now = self.now.max(now);
        let receive = Receive::new(Protocol::Udp, datagram.source, datagram.destination, datagram.contents)
            .map_err(|_| WebRtcError::Unrecognised)?;
        let result = self.rtc.handle_input(Input::Receive(self.now, receive));
        self.drain();
        Ok(result?)
    }

    /// Lets time pass up to `now`: retransmissions, keep-alives, RTCP.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), WebRtcError> {
        self.now = self.now.max(now);
        let result = self.rtc.handle_input(Input::Timeout(self.now));
        self.drain();
        Ok(result?)
    }

    /// Encodes and sends one 20 ms frame of our audio, captured at `now`.
    pub fn send_frame(&mut self, frame: &[i16; FRAME_SAMPLES], now: Instant) -> Result<(), WebRtcError> {
        let State::Connected(audio) = self.state else {
            return Err(WebRtcError::NotConnected);
        };
        self.now = self.now.max(now);
        let len = self.encoder.encode(frame, &mut self.packet)?;
        let time = MediaTime::new(self.send_time, Frequency::FORTY_EIGHT_KHZ);
        self.send_time += TICKS_PER_FRAME;
        let writer = self.rtc.writer(audio.mid).ok_or(WebRtcError::NotConnected)?;
        let result = writer.write(audio.opus_pt, self.now, time, &self.packet[..len]);
        self.drain();
        Ok(result?)
    }

    /// Sends one telephone event (RFC 4733) of `duration` (40 ms to 6 s)
    /// starting at `now`, at the RTP time of the next frame; str0m sends
    /// its whole series of packets as the time passes.
    pub fn send_dtmf(&mut self, event: u8, duration: Duration, now: Instant) -> Result<(), WebRtcError> {
        let State::Connected(audio) = self.state else {
            return Err(WebRtcError::NotConnected);
        };
        self.now = self.now.max(now);
        if self.dtmf_free_at.is_some_and(|free| self.now < free) {
            return Err(WebRtcError::DtmfBusy);
        }
        let time = MediaTime::new(self.send_time, Frequency::FORTY_EIGHT_KHZ);
        let report = TelephoneEvent { event, end: true, volume: 10, duration };
        let writer = self.rtc.writer(audio.mid).ok_or(WebRtcError::NotConnected)?;
        let result = writer.telephone_event(report).write(audio.opus_pt, self.now, time, &[][..]);
        self.drain();
        result?;
        self.dtmf_free_at = Some(self.now + duration + DTMF_GAP);
        Ok(())
    }

    /// Closes the leg (RTCP BYE, DTLS close_notify); [`LegEvent::Closed`]
    /// follows once the last datagram is out.
    pub fn close(&mut self) {
        if matches!(self.state, State::Closing | State::Closed) {
            return;
        }
        self.state = State::Closing;
        // str0m's close fails only when already closed.
        let _ = self.rtc.close();
        self.drain();
    }

    /// Next datagram to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// Next event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<LegEvent> {
        self.events.pop_front()
    }

    /// Next 20 ms frame of the browser's audio, decoded or concealed.
    #[must_use]
    pub fn poll_frame(&mut self) -> Option<ReceivedFrame> {
        self.receiver.poll_frame()
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next; `None`
    /// once the leg is closed.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timeout
    }

    /// Whether ICE and DTLS-SRTP have completed and the leg is not closed.
    pub fn is_connected(&self) -> bool {
        matches!(self.state, State::Connected(_))
    }

    /// Counters of the receiving side.
    pub fn receive_stats(&self) -> ReceiveStats {
        self.receiver.stats()
    }

    /// Inputs str0m refused while draining (bad packets from the peer).
    pub fn input_errors(&self) -> u64 {
        self.input_errors
    }

    /// Drains str0m's outputs into our queues until it asks for a timeout
    /// (str0m wants every mutation followed by a full drain).
    fn drain(&mut self) {
        let mut errors = 0;
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(at)) => {
                    self.timeout = self.rtc.is_alive().then_some(at);
                    break;
                }
                Ok(Output::Transmit(t)) => self.transmits.push_back(Transmit {
                    source: t.source,
                    destination: t.destination,
                    contents: t.contents.into(),
                }),
                Ok(Output::Event(event)) => self.on_event(event),
                Err(_) => {
                    // A bad packet from the peer (a malformed telephone
                    // event, say); str0m goes on after it.
                    self.input_errors += 1;
                    errors += 1;
                    if errors >= MAX_DRAIN_ERRORS {
                        break;
                    }
                }
            }
        }
        if matches!(self.state, State::Closing) && !self.rtc.is_alive() {
            self.state = State::Closed;
            self.timeout = None;
            self.events.push_back(LegEvent::Closed);
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Connected => {
                if let Some(audio) = self.state.audio() {
                    self.state = State::Connected(audio);
                    self.events.push_back(LegEvent::Connected);
                }
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.events.push_back(LegEvent::Disconnected);
            }
            Event::MediaData(data) => {
                let Some(audio) = self.state.audio() else {
                    return;
                };
                if data.mid != audio.mid {
                    return;
                }
                match data.codec_extra {
                    CodecExtra::Tele(report) => {
                        let edges = self.receiver.on_telephone_event(
                            data.time.numer(),
                            report.event,
                            report.end,
                            report.duration,
                        );
                        self.events.extend(edges.into_iter().flatten().map(|edge| match edge {
                            DtmfEdge::Started { event } => LegEvent::DtmfStarted { event },
                            DtmfEdge::Ended { event, duration } => LegEvent::DtmfEnded { event, duration },
                        }));
                    }
                    _ if data.pt == audio.opus_pt => self.receiver.on_audio(data.time.numer(), &data.data),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}
