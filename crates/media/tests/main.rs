//! The media crate's tests, one binary with a module per subject.

mod clock;
mod frame;
mod seed;
