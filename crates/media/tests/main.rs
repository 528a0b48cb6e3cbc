//! The media crate's tests, one binary with a module per subject.

mod clock;
mod frame;
mod mixer;
mod mixer_matrix;
mod player;
mod ports;
mod prompts;
mod seed;
