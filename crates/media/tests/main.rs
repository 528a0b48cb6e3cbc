//! The media crate's tests, one binary with a module per subject.

mod frame;
mod opus_codec;
mod webrtc_leg;
