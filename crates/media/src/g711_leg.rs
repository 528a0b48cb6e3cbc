//! A decoded G.711 leg, end to end inside the engine: RTP payloads through
//! the adaptive jitter buffer, decoded (or concealed when lost) at 8 kHz
//! and up-sampled to the mixer's 16 kHz frames; the mixer's frames for the
//! leg down-sampled and encoded back to 160-byte payloads. This is the
//! transcoding path a G.711 leg takes whenever the fast-path relay does
//! not apply (a third party listens, or the other leg is Opus).

use std::time::Instant;

use crate::FRAME_SAMPLES;
use crate::g711::Law;
use crate::jitter::{JitterBuffer, JitterConfig, JitterStats, Playout};
use crate::plc::Concealer;
use crate::resample::{Downsampler, Upsampler};

/// Samples of a 20 ms G.711 frame at 8 kHz (and bytes of its payload).
pub const G711_FRAME: usize = FRAME_SAMPLES / 2;

/// What the leg gave for one frame tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pulled {
    /// A packet was decoded.
    Audio,
    /// The packet was missing or late: the frame is concealed.
    Concealed,
    /// Nothing is playing (not started, or a pause): silence.
    Silence,
}

/// One G.711 (μ-law or A-law) leg's receive and send paths.
#[derive(Debug)]
pub struct G711Leg {
    law: Law,
    jitter: JitterBuffer,
    concealer: Concealer,
    up: Upsampler,
    down: Downsampler,
    pcm8: [i16; G711_FRAME],
}

impl G711Leg {
    /// A leg of `law` with the default jitter buffer (20–200 ms).
    pub fn new(law: Law) -> G711Leg {
        G711Leg::with_jitter(law, JitterConfig::new(8_000))
    }

    /// A leg of `law` whose jitter buffer has `jitter` (its clock rate is
    /// G.711's 8 kHz whatever `jitter` says).
    pub fn with_jitter(law: Law, jitter: JitterConfig) -> G711Leg {
        G711Leg {
            law,
            jitter: JitterBuffer::new(JitterConfig { clock_rate: 8_000, ..jitter }),
            // 8 kHz and 160 samples are within the concealer's limits.
            concealer: Concealer::new(8_000, G711_FRAME).unwrap_or_else(|_| unreachable!("160 samples at 8 kHz")),
            up: Upsampler::new(),
            down: Downsampler::new(),
            pcm8: [0; G711_FRAME],
        }
    }

    /// Takes an RTP packet's fields as it arrives.
    pub fn push_packet(&mut self, sequence: u16, timestamp: u32, marker: bool, payload: &[u8], now: Instant) {
        self.jitter.push(sequence, timestamp, marker, payload, now);
    }

    /// The next 20 ms for the mixer, at 16 kHz. A payload shorter than
    /// 160 bytes is padded with silence, a longer one cut.
    pub fn pull(&mut self, now: Instant, out: &mut [i16; FRAME_SAMPLES]) -> Pulled {
        let pulled = match self.jitter.poll_playout(now) {
            Playout::Frame { payload, .. } => {
                let n = self.law.decode_into(payload, &mut self.pcm8);
                self.pcm8[n..].fill(0);
                let _ = self.concealer.good(&mut self.pcm8);
                Pulled::Audio
            }
            Playout::Lost { .. } | Playout::Stretch => {
                let _ = self.concealer.lost(&mut self.pcm8);
                Pulled::Concealed
            }
            _ => {
                self.pcm8.fill(0);
                Pulled::Silence
            }
        };
        // 160 samples in, 320 out: the lengths always fit.
        let _ = self.up.process(&self.pcm8, out);
        pulled
    }

    /// Encodes one mixer frame (16 kHz) for this leg into a 160-byte payload.
    pub fn encode(&mut self, frame: &[i16; FRAME_SAMPLES], payload: &mut [u8; G711_FRAME]) {
        let mut pcm8 = [0i16; G711_FRAME];
        let _ = self.down.process(frame, &mut pcm8);
        self.law.encode_into(&pcm8, payload);
    }

    /// The 8 kHz samples of the last frame pulled, for in-band DTMF detection.
    pub fn last_pcm8(&self) -> &[i16; G711_FRAME] {
        &self.pcm8
    }

    /// The leg's law.
    pub fn law(&self) -> Law {
        self.law
    }

    /// The jitter buffer's figures.
    pub fn jitter_stats(&self) -> JitterStats {
        self.jitter.stats()
    }
}
