//! Switchboard's media engine: everything that touches audio.
//!
//! Sans-IO cores driven by a shard task that owns the sockets and a frame
//! clock: nothing here reads the clock, spawns, locks or holds a channel
//! unless its module says it is a shell. The mixer runs at 16 kHz mono in
//! 20 ms frames ([`FRAME_SAMPLES`] samples).
//!
//! Modules are added by issue 5 as they land; see docs/architecture.md.
//!
//! - [`sdp`]: SDP (RFC 4566) parsing and writing, every line kept, errors
//!   naming the line for a 488.
//! - [`dtmf`]: RFC 4733 telephone-events: payload, a receiver that reports
//!   each digit once under loss and reordering, a sender.
//! - [`offer_answer`]: RFC 3264 offer/answer for SIP legs: codecs, DTMF,
//!   ptime, hold and resume, what was agreed.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dtmf;
pub mod offer_answer;
pub mod sdp;

/// The mixer's sample rate, in Hz.
pub const SAMPLE_RATE: u32 = 16_000;

/// One frame of the mixer: 20 ms at [`SAMPLE_RATE`].
pub const FRAME_SAMPLES: usize = 320;
