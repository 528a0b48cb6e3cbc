//! RFC 3261 §17 transactions as sans-IO state machines.
//!
//! Each transaction is created with its request and the current time, then
//! driven by `handle(input, now)` and [`Transaction::handle_timeout`]. After
//! every call, drain [`Transaction::poll_transmit`] (messages to send to the
//! transaction's peer) and [`Transaction::poll_event`] (what the transaction
//! user must know), then call `handle_timeout` again at
//! [`Transaction::poll_timeout`]. A transaction ends with
//! [`Event::Terminated`]; drop it after that.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use sip::message::{Message, Request};
//! use sip::transaction::{ClientNonInvite, Config, Event, Transaction};
//!
//! # let text = "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
//! # From: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: doc\r\nCSeq: 1 OPTIONS\r\n\r\n";
//! # let Ok(Message::Request(request)) = Message::parse(text.as_bytes()) else { unreachable!() };
//! let mut now = Instant::now(); // the shell's clock; cores never read it
//! let mut txn = ClientNonInvite::new(request, Config::default(), now);
//! loop {
//!     while let Some(message) = txn.poll_transmit() {
//!         let _bytes = message.to_bytes(); // the shell sends these
//!     }
//!     while let Some(event) = txn.poll_event() {
//!         if matches!(event, Event::Terminated) {
//!             return;
//!         }
//!     }
//!     // The shell sleeps until this deadline or until a response arrives.
//!     let Some(deadline) = txn.poll_timeout() else { return };
//!     now = now.max(deadline);
//!     txn.handle_timeout(now);
//! }
//! ```

mod accepted;
mod client_invite;
mod client_non_invite;
mod error;
mod key;
mod outputs;
mod server_invite;
mod server_non_invite;
mod timer;

use std::time::{Duration, Instant};

use crate::message::{Message, Request, Response};

pub use accepted::AcceptedInvite;
pub use client_invite::ClientInvite;
pub use client_non_invite::ClientNonInvite;
pub use error::TransactionError;
pub use key::TransactionKey;
pub use server_invite::{CancelOutcome, ServerInvite};
pub use server_non_invite::ServerNonInvite;
pub use timer::Timer;

/// Timer values and the kind of transport a transaction runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// T1, the round-trip estimate: 500 ms by default.
    pub t1: Duration,
    /// T2, the longest retransmit interval for non-INVITE requests and
    /// INVITE responses: 4 s by default.
    pub t2: Duration,
    /// T4, the longest time a message stays in the network: 5 s by default.
    pub t4: Duration,
    /// Whether the transport is reliable (TCP, TLS, WebSocket): no
    /// retransmissions, and the wait timers D, I, J, K are zero.
    pub reliable: bool,
}

impl Default for Config {
    /// RFC 3261 defaults over an unreliable transport (UDP).
    fn default() -> Config {
        Config {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            reliable: false,
        }
    }
}

impl Config {
    /// The defaults over a reliable transport.
    pub fn reliable() -> Config {
        Config { reliable: true, ..Config::default() }
    }
}

/// What a transaction tells its user.
#[derive(Debug, Clone)]
pub enum Event {
    /// A response for the transaction user (client transactions): every
    /// provisional, the first final; retransmissions are absorbed.
    Response(Response),
    /// The ACK of the final response arrived (INVITE server, accepted
    /// INVITE).
    Acknowledged,
    /// The transaction timed out: Timer B or F (no final response),
    /// Timer H (no ACK of a non-2xx) or Timer L (no ACK of a 2xx).
    Timeout(Timer),
    /// The transport reported a failure to send.
    TransportError,
    /// The transaction is over; drop it.
    Terminated,
}

/// Input to a client transaction.
#[derive(Debug, Clone)]
pub enum ClientInput {
    /// A response that matched this transaction (§17.1.3).
    Response(Response),
    /// The transport failed to send this transaction's request.
    TransportError,
}

/// Input to a server transaction.
#[derive(Debug, Clone)]
pub enum ServerInput {
    /// A request that matched this transaction (§17.2.3): a
    /// retransmission, or the ACK of an INVITE.
    Request(Request),
    /// A response from the transaction user, to send.
    Respond(Response),
    /// The transport failed to send this transaction's response.
    TransportError,
}

/// What every transaction offers its driver.
pub trait Transaction {
    /// Fires the timers due at `now`.
    fn handle_timeout(&mut self, now: Instant);

    /// The next message to send to the peer. Drain after every `handle*`.
    #[must_use]
    fn poll_transmit(&mut self) -> Option<Message>;

    /// The next event for the user. Drain after every `handle*`.
    #[must_use]
    fn poll_event(&mut self) -> Option<Event>;

    /// When to call [`Transaction::handle_timeout`] next; `None` when no
    /// timer runs (the transaction waits for input, or has ended).
    #[must_use]
    fn poll_timeout(&self) -> Option<Instant>;

    /// Whether the transaction has ended.
    fn is_terminated(&self) -> bool;
}
