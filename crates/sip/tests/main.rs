//! The sip crate's tests, one binary with a module per subject.

mod client_invite;
mod client_non_invite;
mod dialog;
mod framer;
mod harness;
mod interop;
mod interop_uac;
mod key;
mod layer;
mod message;
mod no_panic;
mod server_invite;
mod server_non_invite;
mod ws;
