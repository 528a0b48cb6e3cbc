//! The media crate's tests, one binary with a module per subject.

mod dtmf;
mod dtmf_net;
mod frame;
mod fuzz_seeds;
mod lossy;
mod offer_answer;
mod sdp;
mod seed;
