//! The sip crate's tests, one binary with a module per subject.

mod certs;
mod client_invite;
mod client_non_invite;
mod dialog;
mod digest;
mod framer;
mod harness;
mod interop;
mod interop_register;
mod interop_uac;
mod key;
mod layer;
mod message;
mod no_panic;
mod registrar;
mod server_invite;
mod server_non_invite;
mod tcp_limits;
mod tls;
mod ws;
mod wss;
