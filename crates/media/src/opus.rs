//! Opus at the mixer's rate: 16 kHz mono, 20 ms frames, complexity 5,
//! in-band FEC on, and packet-loss concealment on the decoding side.
//!
//! Opening libopus at 16 kHz means Opus legs need no resampler: the codec
//! runs at 16 kHz internally (wideband) whatever the RTP clock says (always
//! 48 kHz for Opus, RFC 7587 §4.1). One encoder and one decoder per leg; both
//! work in the caller's buffers, so nothing is allocated per frame.
//!
//! ```
//! use media::opus::{OpusDecoder, OpusEncoder, MAX_PACKET_BYTES};
//! use media::FRAME_SAMPLES;
//!
//! let mut encoder = OpusEncoder::new().unwrap();
//! let mut decoder = OpusDecoder::new().unwrap();
//! let mut packet = [0u8; MAX_PACKET_BYTES];
//! let mut pcm = [0i16; FRAME_SAMPLES];
//!
//! let len = encoder.encode(&[0; FRAME_SAMPLES], &mut packet).unwrap();
//! assert_eq!(decoder.decode(&packet[..len], &mut pcm).unwrap(), FRAME_SAMPLES);
//! // The next packet went missing: conceal it (PLC, no later packet at hand).
//! decoder.conceal(None, &mut pcm).unwrap();
//! ```

use crate::{FRAME_SAMPLES, SAMPLE_RATE};

/// Largest Opus packet we produce or accept, in bytes (RFC 6716 §3.4, R2).
pub const MAX_PACKET_BYTES: usize = 1275;

/// Most samples one packet can carry at 16 kHz: 120 ms (RFC 6716 §3.2.5).
pub const MAX_PACKET_SAMPLES: usize = 1920;

/// What went wrong encoding or decoding.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpusError {
    /// The packet was empty: an Opus packet holds at least its TOC byte.
    #[error("empty Opus packet")]
    EmptyPacket,
    /// The packet is longer than [`MAX_INPUT_BYTES`].
    #[error("Opus packet of {0} bytes is longer than {MAX_INPUT_BYTES}")]
    PacketTooLong(usize),
    /// The packet is not valid Opus (bad TOC, frame lengths or padding).
    #[error("invalid Opus packet")]
    InvalidPacket,
    /// The packet holds more audio than the output buffer has room for.
    #[error("Opus packet holds {samples} samples, the buffer {room}")]
    BufferTooSmall {
        /// Samples the packet decodes to.
        samples: usize,
        /// Samples the buffer holds.
        room: usize,
    },
    /// libopus refused a call for another reason.
    #[error("libopus {call}: {reason}")]
    Codec {
        /// The libopus function that failed.
        call: &'static str,
        /// libopus's description of the failure.
        reason: &'static str,
    },
}

impl From<::opus::Error> for OpusError {
    fn from(err: ::opus::Error) -> Self {
        match err.code() {
            ::opus::ErrorCode::InvalidPacket => OpusError::InvalidPacket,
            code => OpusError::Codec { call: err.function(), reason: code.description() },
        }
    }
}

/// Encoder settings: [`OpusConfig::default`], or [`OpusConfig::transcoding`]
/// for the Opus side of a call bridged to G.711.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpusConfig {
    /// Target bitrate in bits per second. The default, 20 kbit/s, still
    /// carries FEC (at 16 kbit/s libopus leaves it out) and costs a fifth
    /// less to encode than 24 kbit/s (docs/benchmarks.md).
    pub bitrate: i32,
    /// libopus complexity, 0 (cheapest) to 10.
    pub complexity: i32,
    /// Whether each packet carries a low-bitrate copy of the previous frame.
    pub inband_fec: bool,
    /// The loss the encoder plans FEC for, in percent (0 to 100).
    pub expected_loss_percent: i32,
}

impl Default for OpusConfig {
    fn default() -> Self {
        OpusConfig { bitrate: 20_000, complexity: 5, inband_fec: true, expected_loss_percent: 10 }
    }
}

impl OpusConfig {
    /// The encoder of the Opus side of a transcoded call (an Opus leg
    /// bridged to a G.711 one): complexity 1 at 26 kbit/s, FEC for 10 %
    /// loss. It costs 0.4 of the default's encoding time, which takes a
    /// transcoded call from about 158 to about 385 per core
    /// (docs/benchmarks.md, "Transcoded calls"), with the same mediumband
    /// audio, FEC still carried and no lower SNR on the speech-like bench
    /// signal; the price is 6 kbit/s more on the wire. Below complexity 2
    /// libopus needs about 24 kbit/s to keep FEC at 10 % loss (at 20 kbit/s
    /// it silently sends none); 26 leaves a margin.
    #[must_use]
    pub fn transcoding() -> Self {
        OpusConfig { bitrate: 26_000, complexity: 1, ..OpusConfig::default() }
    }
}

/// An Opus encoder for one leg: 16 kHz mono speech in 20 ms frames.
pub struct OpusEncoder {
    inner: ::opus::Encoder,
}

impl std::fmt::Debug for OpusEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusEncoder").finish_non_exhaustive()
    }
}

impl OpusEncoder {
    /// An encoder with the default settings (complexity 5, FEC on).
    pub fn new() -> Result<Self, OpusError> {
        Self::with_config(OpusConfig::default())
    }

    /// An encoder with the given settings.
    pub fn with_config(config: OpusConfig) -> Result<Self, OpusError> {
        let inner = ::opus::Encoder::new(SAMPLE_RATE, ::opus::Channels::Mono, ::opus::Application::Voip)?;
        let mut encoder = OpusEncoder { inner };
        encoder.set_config(config)?;
        encoder.inner.set_signal(::opus::Signal::Voice)?;
        Ok(encoder)
    }

    /// Applies new settings from the next frame on (a call that becomes
    /// transcoded, or stops being so); on an error (a value out of range)
    /// the settings before the failing one are applied.
    pub fn set_config(&mut self, config: OpusConfig) -> Result<(), OpusError> {
        self.inner.set_bitrate(::opus::Bitrate::Bits(config.bitrate))?;
        self.inner.set_complexity(config.complexity)?;
        self.inner.set_inband_fec(config.inband_fec)?;
        self.inner.set_packet_loss_perc(config.expected_loss_percent)?;
        Ok(())
    }

    /// Encodes one 20 ms frame into `out` and returns the packet's length.
    ///
    /// `out` should hold [`MAX_PACKET_BYTES`]; a shorter one makes libopus
    /// lower the bitrate of this frame or fail.
    pub fn encode(&mut self, frame: &[i16; FRAME_SAMPLES], out: &mut [u8]) -> Result<usize, OpusError> {
        let room = out.len().min(MAX_PACKET_BYTES);
        Ok(self.inner.encode(frame, &mut out[..room])?)
    }
}

/// How a lost frame was filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Concealment {
    /// From the in-band FEC data of the next packet. libopus falls back to
    /// PLC inside the same call when that packet turns out to hold none.
    Fec,
    /// By packet-loss concealment: extrapolated from the audio before.
    Plc,
}

/// An Opus decoder for one leg, decoding to 16 kHz mono.
pub struct OpusDecoder {
    inner: ::opus::Decoder,
}

impl std::fmt::Debug for OpusDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusDecoder").finish_non_exhaustive()
    }
}

impl OpusDecoder {
    /// A decoder at 16 kHz mono.
    pub fn new() -> Result<Self, OpusError> {
        Ok(OpusDecoder { inner: ::opus::Decoder::new(SAMPLE_RATE, ::opus::Channels::Mono)? })
    }

    /// Decodes one packet into `out` and returns the samples written:
    /// [`FRAME_SAMPLES`] for a 20 ms packet, up to [`MAX_PACKET_SAMPLES`].
    ///
    /// A packet that is not valid Opus is an error and leaves `out` unspecified
    /// (the caller conceals the frame as lost instead).
    pub fn decode(&mut self, packet: &[u8], out: &mut [i16]) -> Result<usize, OpusError> {
        let samples = packet_samples(packet)?;
        if samples > out.len() {
            return Err(OpusError::BufferTooSmall { samples, room: out.len() });
        }
        Ok(self.inner.decode(packet, &mut out[..samples], false)?)
    }

    /// Fills in one lost 20 ms frame: from `next`'s in-band FEC when the
    /// packet after the lost one is at hand and can carry FEC (SILK or
    /// hybrid mode), else by PLC. `next` is not consumed: decode it with
    /// [`decode`](Self::decode) afterwards as usual.
    pub fn conceal(&mut self, next: Option<&[u8]>, out: &mut [i16; FRAME_SAMPLES]) -> Result<Concealment, OpusError> {
        match next {
            Some(packet) if may_carry_fec(packet)? => {
                self.inner.decode(packet, out, true)?;
                Ok(Concealment::Fec)
            }
            _ => {
                self.inner.decode(&[], out, false)?;
                Ok(Concealment::Plc)
            }
        }
    }
}

/// Longest packet accepted, in bytes: more than any datagram carries, and
/// far below the `i32` lengths libopus takes.
pub const MAX_INPUT_BYTES: usize = 65_535;

/// Samples `packet` decodes to at 16 kHz, from its TOC byte and frame count
/// (RFC 6716 §3.1, §3.2); the frame lengths are checked when it is decoded.
pub fn packet_samples(packet: &[u8]) -> Result<usize, OpusError> {
    if packet.is_empty() {
        return Err(OpusError::EmptyPacket);
    }
    if packet.len() > MAX_INPUT_BYTES {
        return Err(OpusError::PacketTooLong(packet.len()));
    }
    let samples = ::opus::packet::get_nb_samples(packet, SAMPLE_RATE)?;
    if samples == 0 || samples > MAX_PACKET_SAMPLES {
        return Err(OpusError::InvalidPacket);
    }
    Ok(samples)
}

/// Whether a valid packet's mode has LBRR (FEC) frames at all: only the
/// SILK and hybrid configurations (TOC config 0 to 15) can.
fn may_carry_fec(packet: &[u8]) -> Result<bool, OpusError> {
    packet_samples(packet)?;
    Ok(packet[0] >> 3 < 16)
}
