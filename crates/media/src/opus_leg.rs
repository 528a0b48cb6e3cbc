//! A decoded Opus leg over plain RTP (SIP phones and trunks that offer
//! Opus), the counterpart of [`crate::g711_leg::G711Leg`]: RTP payloads
//! through the adaptive jitter buffer at Opus's 48 kHz RTP clock (RFC 7587
//! §4.1: 960 timestamp units per 20 ms), decoded at the mixer's 16 kHz; a
//! lost frame is rebuilt from the next packet's in-band FEC when the buffer
//! already holds that packet ([`JitterBuffer::peek_next`]), else concealed
//! by libopus's PLC. The mixer's frames for the leg are encoded back to
//! Opus packets. No resampler: libopus runs at 16 kHz.
//!
//! The leg expects 20 ms packets (the ptime we offer); a longer packet
//! plays its first 20 ms, a shorter one is padded with silence.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use media::FRAME_SAMPLES;
//! use media::g711_leg::Pulled;
//! use media::opus::{MAX_PACKET_BYTES, OpusConfig};
//! use media::opus_leg::OpusLeg;
//!
//! let mut leg = OpusLeg::new(OpusConfig::default()).unwrap();
//! let mut packet = [0u8; MAX_PACKET_BYTES];
//! let len = leg.encode(&[0; FRAME_SAMPLES], &mut packet).unwrap();
//!
//! let t0 = Instant::now();
//! leg.push_packet(1, 960, true, &packet[..len], t0);
//! let mut frame = [0i16; FRAME_SAMPLES];
//! assert_eq!(leg.pull(t0, &mut frame), Pulled::Silence); // not due yet
//! assert_eq!(leg.pull(t0 + Duration::from_millis(20), &mut frame), Pulled::Audio);
//! ```

use std::time::Instant;

use crate::FRAME_SAMPLES;
use crate::g711_leg::Pulled;
use crate::jitter::{JitterBuffer, JitterConfig, JitterStats, Playout};
use crate::opus::{Concealment, MAX_PACKET_SAMPLES, OpusConfig, OpusDecoder, OpusEncoder, OpusError};

/// Opus's RTP clock rate, whatever the audio bandwidth (RFC 7587 §4.1).
pub const OPUS_RTP_CLOCK: u32 = 48_000;

/// RTP timestamp units in one 20 ms frame at [`OPUS_RTP_CLOCK`].
pub const OPUS_FRAME_TICKS: u32 = 960;

/// Counters of the receiving side of an Opus leg.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpusLegStats {
    /// Frames decoded from a packet that arrived in time.
    pub frames_decoded: u64,
    /// Frames concealed by PLC (missing, late, stretched or invalid).
    pub frames_concealed_plc: u64,
    /// Lost frames rebuilt from the next packet's in-band FEC.
    pub frames_recovered_fec: u64,
    /// Packets that were not valid Opus (their frame concealed by PLC).
    pub packets_invalid: u64,
}

/// One Opus leg's receive and send paths, at 16 kHz.
#[derive(Debug)]
pub struct OpusLeg {
    jitter: JitterBuffer,
    decoder: OpusDecoder,
    encoder: OpusEncoder,
    /// Room for the longest packet (120 ms); the first 20 ms are played.
    scratch: [i16; MAX_PACKET_SAMPLES],
    stats: OpusLegStats,
}

impl OpusLeg {
    /// A leg whose encoder has `config`, with the default jitter buffer
    /// (20–200 ms) at the 48 kHz RTP clock.
    pub fn new(config: OpusConfig) -> Result<OpusLeg, OpusError> {
        OpusLeg::with_jitter(config, JitterConfig::new(OPUS_RTP_CLOCK))
    }

    /// A leg whose encoder has `config` and whose jitter buffer has
    /// `jitter` (at the 48 kHz RTP clock whatever `jitter` says).
    pub fn with_jitter(config: OpusConfig, jitter: JitterConfig) -> Result<OpusLeg, OpusError> {
        Ok(OpusLeg {
            jitter: JitterBuffer::new(JitterConfig { clock_rate: OPUS_RTP_CLOCK, ..jitter }),
            decoder: OpusDecoder::new()?,
            encoder: OpusEncoder::with_config(config)?,
            scratch: [0; MAX_PACKET_SAMPLES],
            stats: OpusLegStats::default(),
        })
    }

    /// Takes an RTP packet's fields as it arrives.
    pub fn push_packet(&mut self, sequence: u16, timestamp: u32, marker: bool, payload: &[u8], now: Instant) {
        self.jitter.push(sequence, timestamp, marker, payload, now);
    }

    /// The next 20 ms for the mixer, at 16 kHz: decoded, rebuilt from FEC,
    /// concealed by PLC, or silence when nothing plays.
    pub fn pull(&mut self, now: Instant, out: &mut [i16; FRAME_SAMPLES]) -> Pulled {
        match self.jitter.poll_playout(now) {
            Playout::Frame { payload, .. } => match self.decoder.decode(payload, &mut self.scratch) {
                Ok(samples) => {
                    let n = samples.min(FRAME_SAMPLES);
                    out[..n].copy_from_slice(&self.scratch[..n]);
                    out[n..].fill(0);
                    self.stats.frames_decoded += 1;
                    Pulled::Audio
                }
                Err(_) => {
                    self.stats.packets_invalid += 1;
                    self.conceal(false, out)
                }
            },
            Playout::Lost { .. } => self.conceal(true, out),
            Playout::Stretch => self.conceal(false, out),
            _ => {
                out.fill(0);
                Pulled::Silence
            }
        }
    }

    /// Conceals one frame: from the next packet's FEC when `lost` and the
    /// buffer holds that packet, else by PLC (silence if even that fails).
    fn conceal(&mut self, lost: bool, out: &mut [i16; FRAME_SAMPLES]) -> Pulled {
        let next = if lost { self.jitter.peek_next() } else { None };
        // A bad next packet cannot give FEC: fall back to PLC.
        let how = self.decoder.conceal(next, out).or_else(|_| self.decoder.conceal(None, out));
        match how {
            Ok(Concealment::Fec) => self.stats.frames_recovered_fec += 1,
            Ok(_) => self.stats.frames_concealed_plc += 1,
            Err(_) => {
                out.fill(0);
                self.stats.frames_concealed_plc += 1;
            }
        }
        Pulled::Concealed
    }

    /// Encodes one mixer frame (16 kHz) for this leg into `out` (which
    /// should hold [`crate::opus::MAX_PACKET_BYTES`]) and returns the
    /// packet's length.
    pub fn encode(&mut self, frame: &[i16; FRAME_SAMPLES], out: &mut [u8]) -> Result<usize, OpusError> {
        self.encoder.encode(frame, out)
    }

    /// Changes the encoder's settings from the next frame on, e.g. to
    /// [`OpusConfig::transcoding`] when the call gains a G.711 leg.
    pub fn set_encoder_config(&mut self, config: OpusConfig) -> Result<(), OpusError> {
        self.encoder.set_config(config)
    }

    /// The jitter buffer's figures.
    pub fn jitter_stats(&self) -> JitterStats {
        self.jitter.stats()
    }

    /// The decode and concealment counters.
    pub fn stats(&self) -> OpusLegStats {
        self.stats
    }
}
