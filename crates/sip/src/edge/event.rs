//! What the edge tells the call layer about its legs.

use std::fmt;
use std::net::SocketAddr;

use super::transport::TransportId;
use crate::message::{Address, StatusCode, Uri};
use crate::registrar::BindingEvent;

/// One side of a B2BUA call: an incoming INVITE's dialog, or an
/// outgoing call the edge placed (with its forks and failover attempts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LegId(pub u64);

impl fmt::Display for LegId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "leg-{}", self.0)
    }
}

/// Why a leg ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndCause {
    /// The peer sent BYE.
    RemoteBye,
    /// The call layer hung up (BYE, CANCEL or a final response was sent).
    LocalHangup,
    /// The caller cancelled an incoming INVITE before it was answered.
    CallerCancelled,
    /// Every target of every attempt answered with a final non-2xx; the
    /// status is the best one seen (RFC 3261 §16.7 step 6 order).
    Rejected(StatusCode),
    /// No final response came (Timer B), or no ACK of our 2xx (Timer L).
    Timeout,
    /// The transport could not deliver a request of the leg.
    TransportError,
    /// The session timer ran out without a refresh (RFC 4028 §10).
    SessionExpired,
}

impl EndCause {
    /// Which side ended the leg: `true` when the far end did (a BYE, a
    /// CANCEL, a rejection), `false` for our side or the network.
    pub fn by_peer(self) -> bool {
        matches!(self, EndCause::RemoteBye | EndCause::CallerCancelled | EndCause::Rejected(_))
    }
}

/// An incoming call, as the call layer sees it.
#[derive(Debug, Clone)]
pub struct IncomingCall {
    /// The leg to answer, ring or reject.
    pub leg: LegId,
    /// The Request-URI (the dialled number or extension).
    pub request_uri: Uri,
    /// From (the caller).
    pub from: Address,
    /// To (the called party as the caller wrote it).
    pub to: Address,
    /// The SIP Call-ID, for logs and CDRs.
    pub call_id: String,
    /// Where it came from.
    pub source: SocketAddr,
    /// The transport it came over.
    pub transport: TransportId,
    /// What the directory said about its origin (trunk, tenant, entry).
    pub route: super::directory::InboundRoute,
    /// The SDP offer, if the INVITE had one.
    pub offer: Option<Vec<u8>>,
}

/// What happened to a leg, or to a registration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EdgeEvent {
    /// A new incoming INVITE was admitted: ring, answer or reject it.
    Incoming(IncomingCall),
    /// An outgoing leg got a provisional response (180, 183…), with its
    /// early-media SDP if it had one.
    Progress {
        /// The leg.
        leg: LegId,
        /// The status (180 Ringing, 183 Session Progress…).
        status: StatusCode,
        /// Early-media SDP answer.
        early_media: Option<Vec<u8>>,
    },
    /// An outgoing leg was answered (the ACK is sent; other forks are
    /// being cancelled).
    Answered {
        /// The leg.
        leg: LegId,
        /// The SDP answer.
        answer: Option<Vec<u8>>,
    },
    /// An incoming leg's 2xx was acknowledged: the call is up both ways.
    Confirmed {
        /// The leg.
        leg: LegId,
    },
    /// The peer sent a re-INVITE or UPDATE (hold, resume, codec change):
    /// answer with [`Edge::accept_reoffer`](super::Edge::accept_reoffer)
    /// or [`Edge::reject_reoffer`](super::Edge::reject_reoffer).
    Reoffer {
        /// The leg.
        leg: LegId,
        /// The new offer (`None`: the peer asks us to offer, answer with ours).
        offer: Option<Vec<u8>>,
    },
    /// Our re-INVITE was answered.
    ReofferAnswered {
        /// The leg.
        leg: LegId,
        /// The peer's SDP answer.
        answer: Option<Vec<u8>>,
    },
    /// Our re-INVITE was refused (the session goes on as before).
    ReofferFailed {
        /// The leg.
        leg: LegId,
        /// The final status.
        status: StatusCode,
    },
    /// An INFO arrived in the dialog (DTMF relay and the like); it was
    /// answered 200.
    Info {
        /// The leg.
        leg: LegId,
        /// Its Content-Type.
        content_type: Option<String>,
        /// Its body.
        body: Vec<u8>,
    },
    /// The peer asked to transfer the call (REFER, RFC 3515); it was
    /// accepted with 202. Report progress with
    /// [`Edge::notify_refer`](super::Edge::notify_refer).
    TransferRequested {
        /// The leg.
        leg: LegId,
        /// Refer-To.
        target: Uri,
    },
    /// A NOTIFY reported the progress of our REFER: the status line of
    /// the transfer target's response.
    TransferProgress {
        /// The leg.
        leg: LegId,
        /// The transferee's status (100, 180, 200, 486…).
        status: StatusCode,
        /// Whether this is the last NOTIFY (subscription terminated).
        last: bool,
    },
    /// Our REFER was refused (the transfer did not start).
    TransferRefused {
        /// The leg.
        leg: LegId,
        /// The final status.
        status: StatusCode,
    },
    /// The leg is over; its id will not be used again.
    Ended {
        /// The leg.
        leg: LegId,
        /// Why.
        cause: EndCause,
    },
    /// A registration binding changed (agents reachable or not).
    Binding(BindingEvent),
}
