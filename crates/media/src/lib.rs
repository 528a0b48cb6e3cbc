//! Switchboard's media engine: everything that touches audio.
//!
//! Sans-IO cores driven by a shard task that owns the sockets and a frame
//! clock: nothing here reads the clock, spawns, locks or holds a channel
//! unless its module says it is a shell. The mixer runs at 16 kHz mono in
//! 20 ms frames ([`FRAME_SAMPLES`] samples).
//!
//! Modules are added by issue 5 as they land; see docs/architecture.md.
//!
//! - [`dtmf_detect`]: in-band DTMF detection on 8 kHz audio (Goertzel).
//! - [`g711`]: μ-law and A-law encode/decode (tables, no allocation).
//! - [`goertzel`]: the energy of one frequency in a block.
//! - [`plc`]: packet-loss concealment for G.711 legs (repeat and fade).
//! - [`resample`]: 8 kHz ↔ 16 kHz with a polyphase half-band FIR.
//! - [`tone`]: ringback, busy, beep, DTMF and silence generators.
//! - [`wav`]: a PCM WAV reader and a crash-safe stereo recorder.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The mixer's sample rate, in Hz.
pub const SAMPLE_RATE: u32 = 16_000;

/// One frame of the mixer: 20 ms at [`SAMPLE_RATE`].
pub const FRAME_SAMPLES: usize = 320;

pub mod dtmf_detect;
pub mod g711;
pub mod goertzel;
pub mod plc;
pub mod resample;
pub mod tone;
pub mod wav;
