//! The transports one edge serves, how it names itself on each, and the
//! messages it hands the shell to send.

use std::net::SocketAddr;

use crate::message::{Message, Via};
use crate::registrar::Transport;
use crate::transaction::TransactionKey;

/// A transport of the edge: its index in the list given to
/// [`Edge::new`](super::Edge::new).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportId(pub u8);

/// One transport as the edge advertises it: in the Via sent-by of the
/// requests it sends and in its Contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTransport {
    /// UDP, TCP, TLS, WS or WSS.
    pub kind: Transport,
    /// The host written in Via and Contact (an IP literal or a name).
    pub host: String,
    /// The port written in Via and Contact.
    pub port: u16,
}

impl LocalTransport {
    /// A transport of `kind` advertised as `host:port`.
    pub fn new(kind: Transport, host: &str, port: u16) -> LocalTransport {
        LocalTransport { kind, host: host.to_owned(), port }
    }

    /// The Via of a request sent over this transport, with `branch`.
    pub fn via(&self, branch: &str) -> Via {
        Via::new(token(self.kind), &self.host, Some(self.port), branch)
    }

    /// Our Contact on this transport (`<sip:user@host:port;transport=..>`).
    pub fn contact(&self, user: &str) -> String {
        let host = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.kind {
            Transport::Udp => format!("<sip:{user}@{host}:{}>", self.port),
            kind => format!("<sip:{user}@{host}:{};transport={}>", self.port, token(kind).to_ascii_lowercase()),
        }
    }

    /// Whether the transport delivers reliably (no retransmissions).
    pub fn is_reliable(&self) -> bool {
        self.kind != Transport::Udp
    }
}

/// The Via transport token of `kind` (RFC 3261 §20.42, RFC 7118 §5.2).
pub fn token(kind: Transport) -> &'static str {
    match kind {
        Transport::Udp => "UDP",
        Transport::Tcp => "TCP",
        Transport::Tls => "TLS",
        Transport::Ws => "WS",
        Transport::Wss => "WSS",
    }
}

/// A message for the shell to send over `transport` to `to`.
#[derive(Debug, Clone)]
pub struct EdgeTransmit {
    /// The transport to send it over.
    pub transport: TransportId,
    /// The destination (for a stream transport, the peer of the flow).
    pub to: SocketAddr,
    /// The message.
    pub message: Message,
    /// The transaction that sent it: report a failed send with
    /// [`Edge::handle_transport_error`](super::Edge::handle_transport_error).
    pub key: Option<TransactionKey>,
}
