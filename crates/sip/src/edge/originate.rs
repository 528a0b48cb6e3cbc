//! What the call layer asks for when it places a call.

use std::net::SocketAddr;

use super::transport::TransportId;
use crate::message::{Address, Uri};

/// One place to send an INVITE: the Request-URI, and the transport and
/// address that reach it (for a registered agent, the flow it registered
/// over; for a trunk, the carrier's address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The Request-URI (the agent's Contact, or `sip:number@carrier`).
    pub uri: Uri,
    /// The transport to send over.
    pub transport: TransportId,
    /// The address (or flow peer) to send to.
    pub destination: SocketAddr,
    /// Digest credentials to answer a 401/407 with (a trunk's outbound
    /// credentials); the INVITE is sent again once with the answer.
    pub credentials: Option<TargetCredentials>,
}

impl Target {
    /// A target without credentials.
    pub fn new(uri: Uri, transport: TransportId, destination: SocketAddr) -> Target {
        Target { uri, transport, destination, credentials: None }
    }

    /// The same target, answering challenges as `username` with `password`.
    #[must_use]
    pub fn with_credentials(mut self, username: &str, password: &str) -> Target {
        self.credentials = Some(TargetCredentials { username: username.to_owned(), password: password.to_owned() });
        self
    }
}

/// A username and password for a target that challenges.
#[derive(Clone, PartialEq, Eq)]
pub struct TargetCredentials {
    /// The digest username.
    pub username: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for TargetCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TargetCredentials").field("username", &self.username).finish_non_exhaustive()
    }
}

/// An outgoing leg to place.
///
/// `attempts` are tried in order: the targets of one attempt are rung in
/// parallel (forking to every registered contact of an agent: the first
/// 2xx wins and the others are CANCELled); the next attempt starts only
/// when every target of the current one failed with a 5xx, 408, a
/// timeout or a transport error (trunk failover). Any other failure (4xx,
/// 6xx) ends the leg.
#[derive(Debug, Clone)]
pub struct Originate {
    /// From (our caller id); a tag is added.
    pub from: Address,
    /// To (the called party).
    pub to: Address,
    /// Attempts, each a set of targets rung together.
    pub attempts: Vec<Vec<Target>>,
    /// The SDP offer.
    pub offer: Option<Vec<u8>>,
    /// Extra headers for the INVITEs (e.g. `X-Switchboard-Call`).
    pub headers: Vec<(String, String)>,
}
