//! Switchboard's media engine: everything that touches audio.
//!
//! Sans-IO cores driven by a shard task that owns the sockets and a frame
//! clock: nothing here reads the clock, spawns, locks or holds a channel
//! unless its module says it is a shell. The mixer runs at 16 kHz mono in
//! 20 ms frames ([`FRAME_SAMPLES`] samples).
//!
//! - [`clock`]: the frame clock, frame `n` due at `start + n × 20 ms`, late
//!   wake-ups skip to now.
//! - [`dtmf_detect`]: in-band DTMF detection on 8 kHz audio (Goertzel).
//! - [`dtmf`]: RFC 4733 telephone-events: payload, a receiver that reports
//!   each digit once under loss and reordering, a sender.
//! - [`g711_leg`]: a decoded G.711 leg: jitter buffer, decoding or
//!   concealment, 8 ↔ 16 kHz, encoding.
//! - [`g711`]: μ-law and A-law encode/decode (tables, no allocation).
//! - [`goertzel`]: the energy of one frequency in a block.
//! - [`jitter`]: the adaptive jitter buffer of a decoded leg.
//! - [`mixer`]: a call's mix with a hearing matrix (bridge, monitor, whisper,
//!   barge, conference), i32 sums clamped once, mix-minus, no allocation per frame.
//! - [`offer_answer`]: RFC 3264 offer/answer for SIP legs: codecs, DTMF,
//!   ptime, hold and resume, what was agreed.
//! - [`opus`]: Opus encoder and decoder at 16 kHz mono, 20 ms frames, FEC and
//!   packet-loss concealment.
//! - [`opus_leg`]: a decoded Opus leg over plain RTP: jitter buffer at
//!   48 kHz, decoding, FEC or PLC for lost frames, encoding.
//! - [`player`]: prompts and music on hold, clip after clip, frame by frame.
//! - [`plc`]: packet-loss concealment for G.711 legs (repeat and fade).
//! - [`ports`]: RTP/RTCP port pairs from the configured range.
//! - [`prompts`]: the demo voice prompts and the position and wait
//!   announcements built from them.
//! - [`relay`]: the fast path, packets forwarded with their header
//!   rewritten (SSRC, continuous sequence, monotonic timestamps).
//! - [`resample`]: 8 kHz ↔ 16 kHz with a polyphase half-band FIR.
//! - [`rtp`]: one RTP leg's session (RFC 3550): symmetric latching,
//!   appendix A statistics, SR/RR and BYE.
//! - [`sdp`]: SDP (RFC 4566) parsing and writing, every line kept, errors
//!   naming the line for a 488.
//! - [`session`]: one call's media: RTP and WebRTC legs, the hearing,
//!   relay or mix chosen by itself, players, DTMF, the recording.
//! - [`shard`]: the tokio shell: shard threads, one task per shard owning
//!   its calls and their legs' sockets, the call layer's handle.
//! - [`tone`]: ringback, busy, beep, DTMF and silence generators.
//! - [`wav`]: a PCM WAV reader and a crash-safe stereo recorder.
//! - [`webrtc`]: one browser leg on str0m (ICE-lite, DTLS-SRTP, Opus,
//!   telephone-event), exchanging 16 kHz PCM frames.
//!
//! Modules are added by issue 5 as they land; see docs/architecture.md.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
pub mod dtmf;
pub mod dtmf_detect;
pub mod g711;
pub mod g711_leg;
pub mod goertzel;
pub mod jitter;
pub mod mixer;
pub mod offer_answer;
pub mod opus;
pub mod opus_leg;
pub mod player;
pub mod plc;
pub mod ports;
pub mod prompts;
pub mod relay;
pub mod resample;
pub mod rtp;
pub mod sdp;
pub mod session;
pub mod shard;
pub mod tone;
pub mod wav;
pub mod webrtc;

/// The mixer's sample rate, in Hz.
pub const SAMPLE_RATE: u32 = 16_000;

/// One frame of the mixer: 20 ms at [`SAMPLE_RATE`].
pub const FRAME_SAMPLES: usize = 320;
