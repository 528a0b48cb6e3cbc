//! The media crate's tests, one binary with a module per subject.

mod clock;
mod dtmf_detect;
mod frame;
mod g711;
mod g711_reference;
mod goertzel;
mod mixer;
mod mixer_matrix;
mod player;
mod plc;
mod ports;
mod prompts;
mod resample;
mod seed;
mod signal;
mod tone;
mod wav;
