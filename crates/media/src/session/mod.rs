//! One call's media: its legs (plain RTP or WebRTC), the mix with its
//! hearing matrix, the fast path, players, DTMF and the recording.
//!
//! Sans-IO: the shell owns a socket per leg and gives every datagram to
//! [`CallMedia::handle_datagram`], calls [`CallMedia::handle_timeout`] at
//! [`CallMedia::poll_timeout`], and sends what [`CallMedia::poll_transmit`]
//! gives; the call layer changes the legs and the [`Hearing`] and reads
//! [`CallMedia::poll_event`].
//!
//! The session picks its [`MediaPath`] after every change:
//!
//! - **Relay** when there are exactly two RTP legs with one codec (and
//!   both or neither with telephone-event), bridged to each other, with
//!   nothing played to them and no digit being sent: each packet is
//!   forwarded at once with its header rewritten ([`crate::relay`]), in the
//!   caller's buffer, without decoding. A recording then taps the stream:
//!   the packets also go to each leg's decoder and the frame clock writes
//!   the file, but nothing is mixed or encoded.
//! - **Mix** otherwise: every 20 ms ([`crate::clock`]) each leg's audio is
//!   pulled (jitter buffer, decode or concealment, 16 kHz), mixed by the
//!   hearing ([`crate::mixer`], mix-minus), replaced by a player's audio
//!   for a leg being played to, and encoded and sent per leg (G.711, or
//!   Opus on a WebRTC leg: the transcoding path). In-band DTMF is detected
//!   here on RTP legs without telephone-event.
//!
//! Switching keeps each outgoing stream continuous: the mixer's packets
//! carry on from the relay's last sequence number and timestamp, and the
//! relay from the mixer's.

mod codec;
mod frame;
mod path;
mod rtp_leg;
mod types;

pub use types::{
    DtmfSource, Hearing, LegEnd, LegId, MediaPath, Received, RtpCodec, RtpLegSpec, SessionError, SessionEvent, Transmit,
};

use std::collections::VecDeque;
use std::fs::File;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::clock::{FrameClock, Tick};
use crate::dtmf::Digit;
use crate::mixer::{Frame, Mixer, ParticipantId};
use crate::player::Player;
use crate::relay::Relay;
use crate::rtp;
use crate::tone::{DtmfDigit, ToneGenerator};
use crate::wav::WavWriter;
use crate::webrtc::{Datagram, WebRtcLeg};
use crate::{FRAME_SAMPLES, SAMPLE_RATE};
use rtp_leg::RtpLeg;

/// Frames between two flushes of the recording (one second): a crash
/// loses at most this much.
const RECORDING_FLUSH_FRAMES: u64 = 50;

/// A leg's transport and codec.
#[derive(Debug)]
enum LegKind {
    Rtp(Box<RtpLeg>),
    WebRtc(Box<WebRtcLeg>),
}

/// One leg of the call.
#[derive(Debug)]
struct Leg {
    id: LegId,
    participant: ParticipantId,
    kind: LegKind,
    /// Played to the leg instead of what it hears, while it lasts, with
    /// its play number.
    player: Option<(Player, u64)>,
}

/// The two directions of a relayed bridge.
#[derive(Debug)]
struct FastPath {
    a: LegId,
    b: LegId,
    /// Packets from `a`, forwarded on `b`.
    a_to_b: Relay,
    /// Packets from `b`, forwarded on `a`.
    b_to_a: Relay,
}

/// The recording being written.
#[derive(Debug)]
struct Recording {
    path: PathBuf,
    writer: WavWriter<File>,
    /// The recorded leg (the caller's): its voice goes left, what it hears
    /// goes right (on the relay, the leg relayed with it).
    leg: LegId,
    frames: u64,
    left_frame: Frame,
    right_frame: Frame,
}

/// One call's media. See the [module docs](self).
#[derive(Debug)]
pub struct CallMedia {
    legs: Vec<Leg>,
    next_leg: u32,
    mixer: Mixer,
    hearing: Hearing,
    path: MediaPath,
    fast: Option<FastPath>,
    clock: Option<FrameClock>,
    recording: Option<Recording>,
    events: VecDeque<SessionEvent>,
    transmits: VecDeque<Transmit>,
    rng: u64,
    scratch: Frame,
    /// The number of the last play started.
    plays: u64,
    /// RFC 4733 digits received on the mixed path, to send on to the legs
    /// that hear their leg (the relay forwards the packets themselves).
    heard_digits: Vec<(LegId, Digit, Duration)>,
}

/// SplitMix64: SSRCs, first sequence numbers and timestamps from the seed.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl CallMedia {
    /// An empty session; `seed` picks our SSRCs, sequence numbers and
    /// timestamps (RFC 3550 wants them random; the shell seeds from its RNG).
    #[must_use]
    pub fn new(seed: u64) -> CallMedia {
        CallMedia {
            legs: Vec::new(),
            next_leg: 1,
            mixer: Mixer::new(),
            hearing: Hearing::Apart,
            path: MediaPath::Idle,
            fast: None,
            clock: None,
            recording: None,
            events: VecDeque::new(),
            transmits: VecDeque::new(),
            rng: seed,
            scratch: [0; FRAME_SAMPLES],
            plays: 0,
            heard_digits: Vec::new(),
        }
    }

    /// Adds a plain RTP leg as agreed in `spec`.
    pub fn add_rtp_leg(&mut self, spec: RtpLegSpec, now: Instant) -> Result<LegId, SessionError> {
        let random = next_random(&mut self.rng);
        // The low 32 bits are the SSRC, the next 16 the first sequence number.
        let (ssrc, sequence) = (random as u32, (random >> 32) as u16);
        let timestamp = next_random(&mut self.rng) as u32;
        let leg = RtpLeg::new(spec, ssrc, sequence, timestamp, now)?;
        self.add_leg(LegKind::Rtp(Box::new(leg)), now)
    }

    /// Changes an RTP leg to what a new offer/answer agreed (a re-INVITE:
    /// hold with `sendonly`, a new address, another codec).
    pub fn update_rtp_leg(&mut self, leg: LegId, spec: RtpLegSpec, now: Instant) -> Result<(), SessionError> {
        let index = self.index(leg)?;
        let LegKind::Rtp(rtp) = &mut self.legs[index].kind else { return Err(SessionError::UnknownLeg(leg)) };
        rtp.update(spec)?;
        rtp.marker_next = true;
        // The relay's payload type map may be stale: choose the path anew.
        if let Some(fast) = self.fast.take() {
            self.leave_relay(&fast, now);
            self.path = MediaPath::Mix;
            if self.clock.is_none() {
                self.clock = Some(FrameClock::new(now));
            }
        }
        self.update_path(now);
        Ok(())
    }

    /// Adds a WebRTC leg the shell built with its socket's address as host
    /// candidate; negotiate it with [`CallMedia::accept_webrtc_offer`] or
    /// [`CallMedia::create_webrtc_offer`].
    pub fn add_webrtc_leg(&mut self, leg: WebRtcLeg, now: Instant) -> Result<LegId, SessionError> {
        self.add_leg(LegKind::WebRtc(Box::new(leg)), now)
    }

    fn add_leg(&mut self, kind: LegKind, now: Instant) -> Result<LegId, SessionError> {
        let participant = self.mixer.add_participant()?;
        let id = LegId(self.next_leg);
        self.next_leg += 1;
        self.legs.push(Leg { id, participant, kind, player: None });
        self.update_path(now);
        Ok(id)
    }

    /// Answers a browser's SDP offer on a WebRTC leg.
    pub fn accept_webrtc_offer(&mut self, leg: LegId, offer: &str) -> Result<String, SessionError> {
        let index = self.index(leg)?;
        let LegKind::WebRtc(webrtc) = &mut self.legs[index].kind else { return Err(SessionError::UnknownLeg(leg)) };
        let answer = webrtc.accept_offer(offer)?;
        self.drain_leg(index);
        Ok(answer)
    }

    /// Our SDP offer for a WebRTC leg (we call the browser).
    pub fn create_webrtc_offer(&mut self, leg: LegId) -> Result<String, SessionError> {
        let index = self.index(leg)?;
        let LegKind::WebRtc(webrtc) = &mut self.legs[index].kind else { return Err(SessionError::UnknownLeg(leg)) };
        Ok(webrtc.create_offer()?)
    }

    /// The browser's answer to our offer on a WebRTC leg.
    pub fn accept_webrtc_answer(&mut self, leg: LegId, answer: &str) -> Result<(), SessionError> {
        let index = self.index(leg)?;
        let LegKind::WebRtc(webrtc) = &mut self.legs[index].kind else { return Err(SessionError::UnknownLeg(leg)) };
        webrtc.accept_answer(answer)?;
        self.drain_leg(index);
        Ok(())
    }

    /// Removes a leg (the party hung up): an RTP leg sends its RTCP BYE, a
    /// WebRTC leg closes. A hearing that named it ends, and so does the
    /// recording of this leg (the recording of another leg goes on).
    pub fn remove_leg(&mut self, leg: LegId, now: Instant) -> Result<(), SessionError> {
        let index = self.index(leg)?;
        match &mut self.legs[index].kind {
            LegKind::Rtp(rtp) => rtp.session.close(now),
            LegKind::WebRtc(webrtc) => webrtc.close(),
        }
        self.drain_leg(index);
        let removed = self.legs.remove(index);
        let _ = self.mixer.remove_participant(removed.participant);
        if self.hearing_names(leg) {
            self.hearing = Hearing::Apart;
            self.apply_hearing()?;
        }
        if self.recording.as_ref().is_some_and(|r| r.leg == leg) {
            self.stop_recording();
        }
        self.update_path(now);
        Ok(())
    }

    /// Sets who hears whom.
    pub fn set_hearing(&mut self, hearing: Hearing, now: Instant) -> Result<(), SessionError> {
        let previous = std::mem::replace(&mut self.hearing, hearing);
        if let Err(error) = self.apply_hearing() {
            self.hearing = previous;
            self.apply_hearing()?;
            return Err(error);
        }
        self.update_path(now);
        Ok(())
    }

    /// The hearing in force.
    #[must_use]
    pub fn hearing(&self) -> Hearing {
        self.hearing
    }

    /// Plays to a leg instead of what it hears (a prompt, music on hold)
    /// until the player ends ([`SessionEvent::PlayFinished`] with the play
    /// number returned here, so a late end of an earlier play is told
    /// apart) or is stopped.
    pub fn play(&mut self, leg: LegId, player: Player, now: Instant) -> Result<u64, SessionError> {
        let index = self.index(leg)?;
        self.plays += 1;
        self.legs[index].player = Some((player, self.plays));
        self.update_path(now);
        Ok(self.plays)
    }

    /// Stops what is played to a leg; it hears the call again.
    pub fn stop_playing(&mut self, leg: LegId, now: Instant) -> Result<(), SessionError> {
        let index = self.index(leg)?;
        self.legs[index].player = None;
        self.update_path(now);
        Ok(())
    }

    /// Sends a digit on a leg for `duration`: RFC 4733 events where the
    /// peer agreed on them (on WebRTC always), else the tones in band.
    pub fn send_dtmf(
        &mut self,
        leg: LegId,
        digit: Digit,
        duration: Duration,
        now: Instant,
    ) -> Result<(), SessionError> {
        let index = self.index(leg)?;
        let in_band = match &mut self.legs[index].kind {
            LegKind::Rtp(rtp) => !rtp.send_digit(digit, duration)?,
            LegKind::WebRtc(webrtc) => {
                webrtc.send_dtmf(digit.event(), duration, now)?;
                false
            }
        };
        if in_band {
            let tones = DtmfDigit::try_from(digit)?;
            let millis = u32::try_from(duration.as_millis()).unwrap_or(u32::MAX);
            let mut generator = ToneGenerator::dtmf(SAMPLE_RATE, tones, millis, 0);
            let samples = usize::try_from(u64::from(SAMPLE_RATE) * duration.as_millis() as u64 / 1000).unwrap_or(0);
            let mut clip = vec![0; samples];
            generator.fill(&mut clip);
            self.plays += 1;
            self.legs[index].player = Some((Player::once([clip.into()]), self.plays));
        }
        self.drain_leg(index);
        self.update_path(now);
        Ok(())
    }

    /// Starts recording the call into `file` (created by the shell at
    /// `path`): a 16 kHz stereo WAV with `leg`'s voice (the caller) on the
    /// left and what `leg` hears on the right — whoever that is as the call
    /// goes on: the agent, a barging supervisor (not a whisper), the next
    /// agent after a transfer; silence while nobody is heard (music and
    /// prompts played to the leg are not recorded). Flushed every second so
    /// that it plays after a crash; it ends with [`CallMedia::stop_recording`]
    /// or when `leg` is removed.
    pub fn start_recording(&mut self, path: PathBuf, file: File, leg: LegId, now: Instant) -> Result<(), SessionError> {
        if self.recording.is_some() {
            return Err(SessionError::AlreadyRecording);
        }
        self.index(leg)?;
        let writer = WavWriter::new(file, SAMPLE_RATE)?;
        self.events.push_back(SessionEvent::RecordingStarted { path: path.clone() });
        self.recording = Some(Recording {
            path,
            writer,
            leg,
            frames: 0,
            left_frame: [0; FRAME_SAMPLES],
            right_frame: [0; FRAME_SAMPLES],
        });
        if self.clock.is_none() {
            self.clock = Some(FrameClock::new(now));
        }
        Ok(())
    }

    /// Ends the recording, completing its file.
    pub fn stop_recording(&mut self) {
        let Some(recording) = self.recording.take() else { return };
        if self.path != MediaPath::Mix {
            self.clock = None;
        }
        let duration = Duration::from_millis(recording.frames * 20);
        match recording.writer.finish() {
            Ok(_) => self.events.push_back(SessionEvent::RecordingStopped { path: recording.path, duration }),
            Err(error) => {
                self.events.push_back(SessionEvent::RecordingFailed { path: recording.path, error: error.to_string() })
            }
        }
    }

    /// Whether a recording is being written.
    #[must_use]
    pub fn is_recording(&self) -> bool {
        self.recording.is_some()
    }

    /// The path audio takes now.
    #[must_use]
    pub fn path(&self) -> MediaPath {
        self.path
    }

    /// The legs, in the order they were added.
    pub fn legs(&self) -> impl Iterator<Item = LegId> + '_ {
        self.legs.iter().map(|leg| leg.id)
    }

    /// An RTP leg's RFC 3550 figures (loss, jitter, the peer's reports).
    #[must_use]
    pub fn rtp_stats(&self, leg: LegId) -> Option<rtp::LegStats> {
        let index = self.index(leg).ok()?;
        match &self.legs[index].kind {
            LegKind::Rtp(rtp) => Some(rtp.session.stats()),
            LegKind::WebRtc(_) => None,
        }
    }

    /// Reads the state a datagram touches first and returns a value that
    /// means nothing (see [`rtp::RtpSession::warm`]), in stages that each
    /// need the one before in cache: 0 the session itself (the relay, the
    /// queues, where the legs are), 1 the legs (where their RTP state
    /// is), 2 the legs' RTP sessions. A shell warms every call of a batch
    /// at stage 0, then at 1, then at 2, so that the misses of a stage
    /// overlap across calls.
    #[must_use]
    pub fn warm(&self, stage: u8) -> u64 {
        match stage {
            0 => {
                let fast = self.fast.as_ref().map_or(0, |fast| u64::from(fast.a.0) ^ u64::from(fast.b.0));
                fast ^ self.transmits.len() as u64 ^ self.events.len() as u64 ^ self.legs.as_ptr() as u64
            }
            1 => self.legs.iter().fold(0, |value, leg| match &leg.kind {
                LegKind::Rtp(rtp) => value ^ std::ptr::from_ref::<RtpLeg>(rtp) as u64,
                LegKind::WebRtc(_) => value ^ u64::from(leg.id.0),
            }),
            _ => self.legs.iter().fold(0, |value, leg| match &leg.kind {
                LegKind::Rtp(rtp) => value.rotate_left(7) ^ rtp.session.warm(),
                LegKind::WebRtc(_) => value,
            }),
        }
    }

    /// Takes a datagram that arrived at `local` on `leg`'s socket from
    /// `source`. `buffer[..len]` holds it; when it is relayed, the buffer
    /// is rewritten in place and [`Received::Forward`] says where it goes.
    pub fn handle_datagram(
        &mut self,
        leg: LegId,
        buffer: &mut [u8],
        len: usize,
        source: SocketAddr,
        local: SocketAddr,
        now: Instant,
    ) -> Received {
        let Ok(index) = self.index(leg) else { return Received::Consumed };
        let len = len.min(buffer.len());
        let received = match &mut self.legs[index].kind {
            LegKind::Rtp(rtp) => match rtp.receive(&buffer[..len], source, now) {
                Some((arrived, offset)) => {
                    if self.fast.is_none() || self.recording.is_some() {
                        rtp.buffer(&arrived, &buffer[offset..len], now);
                    }
                    self.forward(leg, &mut buffer[..len], now)
                }
                None => Received::Consumed,
            },
            LegKind::WebRtc(webrtc) => {
                // A datagram str0m refuses is counted by the leg; nothing to do.
                let _ = webrtc.handle_datagram(&Datagram { source, destination: local, contents: &buffer[..len] }, now);
                Received::Consumed
            }
        };
        self.drain_leg(index);
        self.send_heard_digits(now);
        received
    }

    /// Relays a packet of `from` on the fast path, if it is on.
    fn forward(&mut self, from: LegId, packet: &mut [u8], now: Instant) -> Received {
        let Some(fast) = &mut self.fast else { return Received::Consumed };
        let (relay, to) = if from == fast.a { (&mut fast.a_to_b, fast.b) } else { (&mut fast.b_to_a, fast.a) };
        let Ok(forwarded) = relay.rewrite(packet, now) else { return Received::Consumed };
        let Some(out) = self.legs.iter_mut().find(|leg| leg.id == to) else { return Received::Consumed };
        let LegKind::Rtp(rtp) = &mut out.kind else { return Received::Consumed };
        rtp.session.record_forwarded(
            forwarded.sequence,
            forwarded.payload_type,
            forwarded.timestamp,
            forwarded.payload_len,
            now,
        );
        match rtp.session.destination() {
            Some(destination) => Received::Forward { leg: to, destination, len: packet.len() },
            None => Received::Consumed,
        }
    }

    /// Fires what is due at `now`: RTCP reports and timeouts, WebRTC
    /// timers, and the frame (mix, or the recording's tap).
    pub fn handle_timeout(&mut self, now: Instant) {
        for index in 0..self.legs.len() {
            match &mut self.legs[index].kind {
                LegKind::Rtp(rtp) => rtp.handle_timeout(now),
                LegKind::WebRtc(webrtc) => {
                    if webrtc.poll_timeout().is_some_and(|at| at <= now) {
                        // A failure is counted by the leg; its timers go on.
                        let _ = webrtc.handle_timeout(now);
                    }
                }
            }
            self.drain_leg(index);
        }
        self.send_heard_digits(now);
        let due = self.clock.as_mut().is_some_and(|clock| matches!(clock.poll(now), Tick::Due { .. }));
        if due {
            match self.path {
                MediaPath::Mix => self.mix_frame(now),
                MediaPath::Relay => self.tap_frame(now),
                MediaPath::Idle => {}
            }
        }
    }

    /// When [`CallMedia::handle_timeout`] is due next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let legs = self.legs.iter().filter_map(|leg| match &leg.kind {
            LegKind::Rtp(rtp) => rtp.poll_timeout(),
            LegKind::WebRtc(webrtc) => webrtc.poll_timeout(),
        });
        legs.chain(self.clock.as_ref().and_then(FrameClock::next_deadline)).min()
    }

    /// The next datagram to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the call layer.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        self.events.pop_front()
    }

    fn index(&self, leg: LegId) -> Result<usize, SessionError> {
        self.legs.iter().position(|l| l.id == leg).ok_or(SessionError::UnknownLeg(leg))
    }

    fn participant(&self, leg: LegId) -> Result<ParticipantId, SessionError> {
        Ok(self.legs[self.index(leg)?].participant)
    }

    /// Sends each digit heard on the mixed path to the legs that hear its
    /// leg (a digit the agent keys reaches the caller, as their voice
    /// does); a leg that cannot take it is passed over.
    fn send_heard_digits(&mut self, now: Instant) {
        if self.heard_digits.is_empty() {
            return;
        }
        let heard = std::mem::take(&mut self.heard_digits);
        for &(from, digit, duration) in &heard {
            let duration = duration.clamp(Duration::from_millis(60), Duration::from_secs(1));
            for to in self.hearing.hearers_of(from, self.legs.iter().map(|l| l.id)) {
                if let Err(error) = self.send_dtmf(to, digit, duration, now) {
                    tracing::debug!(%error, "a digit heard could not be sent on");
                }
            }
        }
        // Keep the allocation, and any digit heard while these were sent.
        let mut heard = heard;
        heard.clear();
        heard.append(&mut self.heard_digits);
        self.heard_digits = heard;
    }

    fn hearing_names(&self, leg: LegId) -> bool {
        match self.hearing {
            Hearing::Apart | Hearing::Conference => false,
            Hearing::Bridge { caller, agent } => leg == caller || leg == agent,
            Hearing::Monitor { caller, agent, supervisor }
            | Hearing::Whisper { caller, agent, supervisor }
            | Hearing::Barge { caller, agent, supervisor } => [caller, agent, supervisor].contains(&leg),
        }
    }
}
