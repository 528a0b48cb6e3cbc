//! The vocabulary of a call's media session: leg ids and specs, the
//! hearing the call layer asks for, what the session reports and sends.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::dtmf::DtmfError;
use crate::mixer::MixerError;
use crate::offer_answer::{Encoding, Negotiated};
use crate::wav::WavError;
use crate::webrtc::WebRtcError;

/// A leg of one session; ids are not reused within a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LegId(pub(crate) u32);

impl LegId {
    /// The id as a number, for logs and the shell's tables.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for LegId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "leg {}", self.0)
    }
}

/// The audio codec of a plain RTP leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RtpCodec {
    /// G.711 μ-law.
    Pcmu,
    /// G.711 A-law.
    Pcma,
    /// Opus (RFC 7587), decoded and encoded by the mixer.
    Opus,
}

/// What was agreed for a plain RTP leg (from the SDP offer/answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RtpLegSpec {
    /// The audio codec.
    pub codec: RtpCodec,
    /// Its payload type on this leg.
    pub payload_type: u8,
    /// The telephone-event payload type, when the peer agreed on RFC 4733.
    pub telephone_event: Option<u8>,
    /// The peer's address from its SDP; symmetric RTP latches to where
    /// its packets really come from.
    pub remote: Option<SocketAddr>,
    /// RTCP on the RTP port (RFC 5761); else on the port above.
    pub rtcp_mux: bool,
    /// The leg ends when the peer sends nothing for this long.
    pub media_timeout: Option<Duration>,
    /// Whether we send to the peer (not when it holds the call with
    /// `sendonly` or `inactive`).
    pub sends: bool,
}

impl RtpLegSpec {
    /// G.711 μ-law on payload type 0, no telephone-event, RTCP on the port above.
    #[must_use]
    pub fn pcmu(remote: Option<SocketAddr>) -> Self {
        RtpLegSpec {
            codec: RtpCodec::Pcmu,
            payload_type: 0,
            telephone_event: None,
            remote,
            rtcp_mux: false,
            media_timeout: None,
            sends: true,
        }
    }

    /// G.711 A-law on payload type 8, no telephone-event, RTCP on the port above.
    #[must_use]
    pub fn pcma(remote: Option<SocketAddr>) -> Self {
        RtpLegSpec { codec: RtpCodec::Pcma, payload_type: 8, ..RtpLegSpec::pcmu(remote) }
    }

    /// Opus on `payload_type` (RFC 7587, 48 kHz RTP clock).
    #[must_use]
    pub fn opus(payload_type: u8, remote: Option<SocketAddr>) -> Self {
        RtpLegSpec { codec: RtpCodec::Opus, payload_type, rtcp_mux: true, ..RtpLegSpec::pcmu(remote) }
    }

    /// With RFC 4733 telephone-event on `payload_type`.
    #[must_use]
    pub fn with_telephone_event(mut self, payload_type: u8) -> Self {
        self.telephone_event = Some(payload_type);
        self
    }

    /// With RTCP multiplexed on the RTP port.
    #[must_use]
    pub fn with_rtcp_mux(mut self, on: bool) -> Self {
        self.rtcp_mux = on;
        self
    }

    /// Sending to the peer or not (hold).
    #[must_use]
    pub fn with_sending(mut self, on: bool) -> Self {
        self.sends = on;
        self
    }

    /// The leg an offer/answer exchange agreed on: its codec, telephone-event,
    /// the peer's address, rtcp-mux and whether we send.
    pub fn from_negotiated(negotiated: &Negotiated) -> Result<Self, SessionError> {
        let codec = match negotiated.codec.encoding {
            Encoding::Pcmu => RtpCodec::Pcmu,
            Encoding::Pcma => RtpCodec::Pcma,
            Encoding::Opus => RtpCodec::Opus,
            other => return Err(SessionError::UnsupportedCodec(other.name())),
        };
        Ok(RtpLegSpec {
            codec,
            payload_type: negotiated.codec.payload_type,
            telephone_event: negotiated.telephone_event.as_ref().map(|te| te.payload_type),
            remote: negotiated.remote_rtp,
            rtcp_mux: negotiated.rtcp_mux,
            media_timeout: None,
            sends: negotiated.direction.sends() && negotiated.remote_rtp.is_some(),
        })
    }

    /// With a media timeout.
    #[must_use]
    pub fn with_media_timeout(mut self, timeout: Duration) -> Self {
        self.media_timeout = Some(timeout);
        self
    }
}

/// Who hears whom in the call, as the call layer asks for it. Legs the
/// hearing does not name hear nothing and are heard by none (a caller in
/// the IVR or queue hears only what is played to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hearing {
    /// Nobody hears anybody.
    Apart,
    /// Caller and agent hear each other.
    Bridge {
        /// The calling party.
        caller: LegId,
        /// The agent.
        agent: LegId,
    },
    /// As bridge; the supervisor hears both and is heard by none.
    Monitor {
        /// The calling party.
        caller: LegId,
        /// The agent.
        agent: LegId,
        /// The supervisor listening.
        supervisor: LegId,
    },
    /// As monitor, and the agent (only) hears the supervisor.
    Whisper {
        /// The calling party.
        caller: LegId,
        /// The agent, who hears the supervisor.
        agent: LegId,
        /// The supervisor coaching.
        supervisor: LegId,
    },
    /// Caller, agent and supervisor all hear each other.
    Barge {
        /// The calling party.
        caller: LegId,
        /// The agent.
        agent: LegId,
        /// The supervisor who joined.
        supervisor: LegId,
    },
    /// Every leg hears every other one.
    Conference,
}

impl Hearing {
    /// The legs among `legs` that hear `speaker` in this hearing.
    pub fn hearers_of(self, speaker: LegId, legs: impl Iterator<Item = LegId>) -> Vec<LegId> {
        let hears = |listener: LegId| match self {
            Hearing::Apart => false,
            Hearing::Conference => true,
            Hearing::Bridge { caller, agent } => {
                (speaker == caller && listener == agent) || (speaker == agent && listener == caller)
            }
            // The supervisor hears both and is heard by none.
            Hearing::Monitor { caller, agent, supervisor } => {
                (speaker == caller && [agent, supervisor].contains(&listener))
                    || (speaker == agent && [caller, supervisor].contains(&listener))
            }
            // The supervisor is heard by the agent only.
            Hearing::Whisper { caller, agent, supervisor } => {
                (speaker == caller && [agent, supervisor].contains(&listener))
                    || (speaker == agent && [caller, supervisor].contains(&listener))
                    || (speaker == supervisor && listener == agent)
            }
            Hearing::Barge { caller, agent, supervisor } => {
                [caller, agent, supervisor].contains(&speaker) && [caller, agent, supervisor].contains(&listener)
            }
        };
        legs.filter(|&listener| listener != speaker && hears(listener)).collect()
    }
}

/// How a digit was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DtmfSource {
    /// RFC 4733 telephone-event packets.
    Rfc4733,
    /// Tones in the audio (Goertzel), on a leg without telephone-event.
    InBand,
}

/// Which way the session carries audio now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaPath {
    /// Nothing to carry yet (fewer than one leg).
    Idle,
    /// Two legs with one codec, heard by nobody else: packets relayed with
    /// their headers rewritten, no decoding (unless recording).
    Relay,
    /// Decoded, mixed by the hearing, encoded per leg, every 20 ms.
    Mix,
}

/// Why a leg ended by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegEnd {
    /// The peer's RTCP said BYE.
    Bye,
    /// No media from the peer for the leg's timeout.
    MediaTimeout,
    /// The WebRTC leg closed.
    Closed,
}

/// Something the session reports to the call layer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// A key pressed on a leg.
    Dtmf {
        /// The leg.
        leg: LegId,
        /// `0`-`9`, `*`, `#`, `A`-`D` (or `!` for a flash).
        digit: char,
        /// How long it was held.
        duration: Duration,
        /// How it was heard.
        source: DtmfSource,
    },
    /// What was played to a leg has finished.
    PlayFinished {
        /// The leg.
        leg: LegId,
        /// Which play ended: the number [`super::CallMedia::play`] gave.
        play: u64,
    },
    /// The recording file exists and is being written.
    RecordingStarted {
        /// Its path.
        path: PathBuf,
    },
    /// The recording ended and the file is complete.
    RecordingStopped {
        /// Its path.
        path: PathBuf,
        /// Its length.
        duration: Duration,
    },
    /// Writing the recording failed; what was flushed stays playable.
    RecordingFailed {
        /// Its path.
        path: PathBuf,
        /// What failed.
        error: String,
    },
    /// A RTP leg learnt where its peer's packets come from.
    Latched {
        /// The leg.
        leg: LegId,
        /// The peer's address.
        peer: SocketAddr,
    },
    /// A WebRTC leg completed ICE and DTLS: audio flows.
    Connected {
        /// The leg.
        leg: LegId,
    },
    /// A leg ended by itself; the call layer decides what follows.
    LegEnded {
        /// The leg.
        leg: LegId,
        /// Why.
        reason: LegEnd,
    },
    /// The session switched between relaying and mixing.
    PathChanged(MediaPath),
}

/// A datagram for the shell to send from a leg's socket.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transmit {
    /// The leg whose socket sends it.
    pub leg: LegId,
    /// Where to.
    pub destination: SocketAddr,
    /// Whether it goes out of the leg's RTCP socket (RTP legs without rtcp-mux).
    pub rtcp: bool,
    /// The datagram.
    pub contents: Vec<u8>,
}

/// What became of a datagram given to [`super::CallMedia::handle_datagram`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Received {
    /// Relayed: the buffer now holds the packet for `leg`; send its first
    /// `len` bytes to `destination` from that leg's socket.
    Forward {
        /// The leg to send it on.
        leg: LegId,
        /// Where to.
        destination: SocketAddr,
        /// The packet's length.
        len: usize,
    },
    /// Taken in (buffered for the mixer, RTCP, ICE…), or dropped and counted.
    Consumed,
}

/// What the session refuses.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// No such leg in this session.
    #[error("{0} is not in this call")]
    UnknownLeg(LegId),
    /// The hearing names one leg twice.
    #[error("the hearing gives {0} two roles")]
    RepeatedRole(LegId),
    /// The call's mixer refused (too many legs).
    #[error(transparent)]
    Mixer(#[from] MixerError),
    /// A digit could not be queued on the leg.
    #[error("cannot send the digit: {0}")]
    Dtmf(#[from] DtmfError),
    /// The WebRTC leg refused.
    #[error(transparent)]
    WebRtc(#[from] WebRtcError),
    /// The recording could not be started.
    #[error("cannot start the recording: {0}")]
    Recording(#[from] WavError),
    /// The agreed codec is not one an RTP leg carries.
    #[error("{0} is not carried on RTP legs")]
    UnsupportedCodec(&'static str),
    /// The Opus codec of a leg could not be made.
    #[error(transparent)]
    Opus(#[from] crate::opus::OpusError),
    /// A recording is already being written.
    #[error("the call is already being recorded")]
    AlreadyRecording,
}
