//! The media crate's tests, one binary with a module per subject.

mod frame;
mod offer_answer;
mod sdp;
mod seed;
