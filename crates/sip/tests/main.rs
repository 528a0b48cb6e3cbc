//! The sip crate's tests, one binary with a module per subject.

mod client_invite;
mod client_non_invite;
mod dialog;
mod digest;
mod edge_dialog;
mod edge_harness;
mod edge_incoming;
mod edge_outgoing;
mod digest_client;
mod framer;
mod harness;
mod interop;
mod interop_baresip;
mod interop_edge;
mod interop_register;
mod interop_uac;
mod key;
mod layer;
mod message;
mod no_panic;
mod registrar;
mod server_invite;
mod server_non_invite;
mod trunk;
mod ws;
mod ws_edge;
