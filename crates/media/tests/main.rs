//! The media crate's tests, one binary with a module per subject.

mod clock;
mod dtmf_detect;
mod frame;
mod g711;
mod g711_reference;
mod goertzel;
mod jitter;
mod malformed;
mod mixer;
mod mixer_matrix;
mod netsim;
mod player;
mod plc;
mod ports;
mod prompts;
mod relay;
mod resample;
mod rtcp;
mod rtp;
mod seed;
mod signal;
mod tone;
mod wav;

pub use seed::fixed_seed;
