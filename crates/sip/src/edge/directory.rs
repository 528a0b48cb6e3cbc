//! How the edge decides whether to take a new incoming call, and which
//! tenant and entry point it belongs to: a lookup the call layer supplies
//! (trunk allow-lists and digest, DID to tenant), called synchronously.

use std::net::SocketAddr;
use std::time::Instant;

use super::transport::TransportId;
use crate::message::{Request, StatusCode};

/// What the directory found about an admitted call's origin; carried in
/// [`IncomingCall`](super::IncomingCall) to the call layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboundRoute {
    /// The trunk it came from, if any (the call layer's id, as text).
    pub trunk: Option<String>,
    /// The tenant the dialled number belongs to.
    pub tenant: Option<String>,
    /// The entry point (number id, IVR flow…), as the call layer names it.
    pub entry: Option<String>,
}

/// The directory's answer for a new INVITE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Take the call.
    Accept(InboundRoute),
    /// Refuse it with `status` and extra headers (a 401/407 challenge
    /// carries `WWW-Authenticate`/`Proxy-Authenticate`).
    Reject {
        /// The status (403, 404, 407…).
        status: StatusCode,
        /// Headers to add to the response.
        headers: Vec<(String, String)>,
    },
    /// Drop it without an answer (a blocked source).
    Drop,
}

/// Decides on new incoming INVITEs. Implemented by the call layer over
/// its trunks and numbers; must not block (keep a cache).
pub trait Directory {
    /// Whether to take `invite`, received from `source` over `transport`.
    fn admit(&mut self, invite: &Request, source: SocketAddr, transport: TransportId, now: Instant) -> Admission;
}

/// Admits every call with an empty route (tests, and an edge without
/// trunks).
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenDirectory;

impl Directory for OpenDirectory {
    fn admit(&mut self, _: &Request, _: SocketAddr, _: TransportId, _: Instant) -> Admission {
        Admission::Accept(InboundRoute::default())
    }
}
