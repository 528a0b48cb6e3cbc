//! Switchboard's media engine: everything that touches audio.
//!
//! Sans-IO cores driven by a shard task that owns the sockets and a frame
//! clock: nothing here reads the clock, spawns, locks or holds a channel
//! unless its module says it is a shell. The mixer runs at 16 kHz mono in
//! 20 ms frames ([`FRAME_SAMPLES`] samples).
//!
//! - [`clock`]: the frame clock, frame `n` due at `start + n × 20 ms`, late
//!   wake-ups skip to now.
//! - [`mixer`]: a call's mix with a hearing matrix (bridge, monitor, whisper,
//!   barge, conference), i32 sums clamped once, mix-minus, no allocation per frame.
//! - [`player`]: prompts and music on hold, clip after clip, frame by frame.
//! - [`ports`]: RTP/RTCP port pairs from the configured range.
//! - [`prompts`]: the demo voice prompts and the position and wait
//!   announcements built from them.
//!
//! Modules are added by issue 5 as they land; see docs/architecture.md.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
pub mod mixer;
pub mod player;
pub mod ports;
pub mod prompts;

/// The mixer's sample rate, in Hz.
pub const SAMPLE_RATE: u32 = 16_000;

/// One frame of the mixer: 20 ms at [`SAMPLE_RATE`].
pub const FRAME_SAMPLES: usize = 320;
