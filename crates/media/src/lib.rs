//! Switchboard's media engine: everything that touches audio.
//!
//! Sans-IO cores driven by a shard task that owns the sockets and a frame
//! clock: nothing here reads the clock, spawns, locks or holds a channel
//! unless its module says it is a shell. The mixer runs at 16 kHz mono in
//! 20 ms frames ([`FRAME_SAMPLES`] samples).
//!
//! Modules are added by issue 5 as they land; see docs/architecture.md.
//!
//! - [`opus`]: Opus encoder and decoder at 16 kHz mono, 20 ms frames, FEC and
//!   packet-loss concealment.
//! - [`webrtc`]: one browser leg on str0m (ICE-lite, DTLS-SRTP, Opus,
//!   telephone-event), exchanging 16 kHz PCM frames.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod opus;
pub mod webrtc;

/// The mixer's sample rate, in Hz.
pub const SAMPLE_RATE: u32 = 16_000;

/// One frame of the mixer: 20 ms at [`SAMPLE_RATE`].
pub const FRAME_SAMPLES: usize = 320;
