//! Switchboard's SIP signalling edge.
//!
//! - [`message`]: the facade over `ezk-sip-types`: parse datagrams, frame
//!   streams, typed access to the headers transactions need, build
//!   responses, ACK and CANCEL, serialise.
//! - [`transaction`]: the four RFC 3261 §17 transactions as sans-IO state
//!   machines driven by `handle*(.., now)`, `poll_transmit()`,
//!   `poll_event()` and `poll_timeout()`.
//! - [`dialog`]: RFC 3261 §12 dialogs: identity, route set, remote
//!   target, CSeq spaces; builds in-dialog requests and checks received ones.
//! - [`edge`]: the sans-IO B2BUA edge over every transport's layer: legs,
//!   their dialogs, the leg API for the call layer (answer, ring, reject,
//!   originate with forking and failover, re-INVITE, REFER), protection.
//! - [`layer`]: the sans-IO transaction layer that owns the transactions,
//!   matches incoming messages to them and answers what none takes.
//! - [`runner`]: the tokio shell of an [`edge::Edge`]: UDP socket,
//!   WebSocket flows, clock, and the [`runner::EdgeHandle`] the call layer
//!   drives legs with.
//! - [`auth`]: digest authentication, server (challenge, verify) and
//!   client (answer a 401/407).
//! - [`trunk`]: carrier trunks: which trunk an inbound request comes from
//!   (IP allow-list or digest username), outbound targets and failover.
//! - [`udp`]: the thin tokio shell: a UDP socket driving a layer.
//! - [`tcp`]: the tokio shell for SIP over TCP and TLS: a listener, a
//!   reader task per connection, caps on connections and idle time.
//! - [`stream`]: reading SIP from any byte stream (TCP, TLS) into a
//!   bounded channel, with an idle timeout.
//! - [`tls`]: PEM certificates and keys into rustls configurations, and a
//!   TLS listener for HTTPS/WSS.
//! - [`ws`]: SIP over WebSocket (RFC 7118): an axum route, one flow per
//!   connection, and a loop routing each message to its flow.
//!
//! Apart from the shells ([`udp`], [`tcp`], [`stream`], [`tls`], [`ws`]), no module reads the clock, spawns, locks or holds a
//! channel: time comes in as an argument.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![allow(
    clippy::large_enum_variant,
    reason = "messages move through inputs, events and states once per transition; boxing them costs an allocation each"
)]

pub mod auth;
pub mod dialog;
pub mod edge;
pub mod layer;
pub mod message;
pub mod registrar;
pub mod runner;
pub mod stream;
pub mod tcp;
pub mod tls;
pub mod transaction;
pub mod trunk;
pub mod udp;
pub mod ws;
