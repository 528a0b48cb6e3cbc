//! The media crate's tests, one binary with a module per subject.

mod clock;
mod dtmf;
mod dtmf_detect;
mod dtmf_net;
mod frame;
mod fuzz_seeds;
mod g711;
mod g711_leg;
mod g711_reference;
mod goertzel;
mod jitter;
mod lossy;
mod malformed;
mod mixer;
mod mixer_matrix;
mod netsim;
mod offer_answer;
mod opus_codec;
mod player;
mod plc;
mod ports;
mod prompts;
mod relay;
mod resample;
mod rtcp;
mod rtp;
mod rtp_bench;
mod sdp;
mod seed;
mod signal;
mod tone;
mod wav;
mod webrtc_leg;

pub use seed::fixed_seed;
