//! The codec path of a plain RTP leg: G.711 or Opus, both to and from the
//! mixer's 16 kHz frames, behind one set of calls.

use std::time::Instant;

use crate::FRAME_SAMPLES;
use crate::g711::Law;
use crate::g711_leg::{G711_FRAME, G711Leg};
use crate::jitter::JitterConfig;
use crate::opus::{MAX_PACKET_BYTES, OpusConfig, OpusError};
use crate::opus_leg::OpusLeg;

use super::RtpCodec;

/// The least playout delay of a mixed leg's jitter buffer beyond the
/// fastest transit seen. The frame clock adds its own wait (0–20 ms) for
/// the next tick, so a packet on a clean network is mixed 5–25 ms after it
/// arrives; jitter raises the target at once (`crate::jitter`), so a
/// worse network is paid for only where it happens.
pub const MIN_PLAYOUT_DELAY: std::time::Duration = std::time::Duration::from_millis(5);

/// A leg's decoder and encoder.
#[derive(Debug)]
pub(crate) enum Codec {
    G711(Box<G711Leg>),
    Opus(Box<OpusLeg>),
}

impl Codec {
    /// The codec of `kind`. Opus legs are transcoded (the mixer encodes
    /// for them), so they use the transcoding settings. The jitter buffer
    /// starts at [`MIN_PLAYOUT_DELAY`] and grows with the jitter it sees.
    pub fn new(kind: RtpCodec) -> Result<Codec, OpusError> {
        let jitter = JitterConfig { min_delay: MIN_PLAYOUT_DELAY, ..JitterConfig::new(Codec::clock_rate(kind)) };
        Ok(match kind {
            RtpCodec::Pcmu => Codec::G711(Box::new(G711Leg::with_jitter(Law::Ulaw, jitter))),
            RtpCodec::Pcma => Codec::G711(Box::new(G711Leg::with_jitter(Law::Alaw, jitter))),
            RtpCodec::Opus => Codec::Opus(Box::new(OpusLeg::with_jitter(OpusConfig::transcoding(), jitter)?)),
        })
    }

    /// The RTP clock rate of the codec (and of its telephone-event).
    pub fn clock_rate(kind: RtpCodec) -> u32 {
        match kind {
            RtpCodec::Pcmu | RtpCodec::Pcma => 8_000,
            RtpCodec::Opus => 48_000,
        }
    }

    /// Timestamp units of one 20 ms frame.
    pub fn frame_ticks(kind: RtpCodec) -> u32 {
        Codec::clock_rate(kind) / 50
    }

    /// Takes an arrived packet into the jitter buffer.
    pub fn push_packet(&mut self, sequence: u16, timestamp: u32, marker: bool, payload: &[u8], now: Instant) {
        match self {
            Codec::G711(leg) => leg.push_packet(sequence, timestamp, marker, payload, now),
            Codec::Opus(leg) => leg.push_packet(sequence, timestamp, marker, payload, now),
        }
    }

    /// The next 20 ms for the mixer.
    pub fn pull(&mut self, now: Instant, out: &mut [i16; FRAME_SAMPLES]) {
        match self {
            Codec::G711(leg) => {
                leg.pull(now, out);
            }
            Codec::Opus(leg) => {
                leg.pull(now, out);
            }
        }
    }

    /// The 8 kHz audio of the last frame pulled, for in-band DTMF (G.711 only).
    pub fn last_pcm8(&self) -> Option<&[i16; G711_FRAME]> {
        match self {
            Codec::G711(leg) => Some(leg.last_pcm8()),
            Codec::Opus(_) => None,
        }
    }

    /// Encodes a mixer frame into `out`; the payload's length, or `None`
    /// when the encoder failed (the frame is lost).
    pub fn encode(&mut self, frame: &[i16; FRAME_SAMPLES], out: &mut [u8; MAX_PACKET_BYTES]) -> Option<usize> {
        match self {
            Codec::G711(leg) => {
                let mut payload = [0u8; G711_FRAME];
                leg.encode(frame, &mut payload);
                out[..G711_FRAME].copy_from_slice(&payload);
                Some(G711_FRAME)
            }
            Codec::Opus(leg) => leg.encode(frame, out).ok(),
        }
    }
}
