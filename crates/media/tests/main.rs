//! The media crate's tests, one binary with a module per subject.

mod dtmf_detect;
mod frame;
mod g711;
mod g711_reference;
mod goertzel;
mod plc;
mod resample;
mod signal;
mod tone;
mod wav;
