//! The sip crate's tests, one binary with a module per subject.

mod framer;
mod message;
