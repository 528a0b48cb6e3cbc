//! The state the edge keeps per leg. Legs never reference each other; the
//! edge looks them up by [`LegId`] and by dialog id.

use std::net::SocketAddr;
use std::time::Instant;

use super::event::LegId;
use super::originate::Originate;
use super::session_timer::SessionTimer;
use super::transport::TransportId;
use crate::dialog::Dialog;
use crate::message::{Request, StatusCode};
use crate::transaction::TransactionKey;

/// One leg: where it runs, its dialog once there is one, and what is in
/// flight on it.
#[derive(Debug)]
pub(crate) struct Leg {
    /// The transport its requests go over.
    pub(crate) transport: TransportId,
    /// The flow its in-dialog requests go to (the INVITE's source, or the
    /// target we called).
    pub(crate) peer: SocketAddr,
    /// Incoming or outgoing, with what that side needs.
    pub(crate) side: Side,
    /// The dialog, from the first provisional with a tag (incoming) or
    /// the 2xx (outgoing).
    pub(crate) dialog: Option<Dialog>,
    /// The SDP we last offered or answered (session refreshes resend it).
    pub(crate) local_sdp: Option<Vec<u8>>,
    /// A re-INVITE or UPDATE in flight.
    pub(crate) reoffer: Reoffer,
    /// RFC 4028 session timer, when negotiated.
    pub(crate) session: Option<SessionTimer>,
    /// A re-INVITE to send again after a 491 (RFC 3261 §14.1).
    pub(crate) glare_retry: Option<(Instant, Option<Vec<u8>>)>,
    /// The ACK we last sent for a 2xx, resent when the 2xx is.
    pub(crate) last_ack: Option<Request>,
    /// The deadline the edge's timer heap holds for this leg.
    pub(crate) scheduled: Option<Instant>,
}

impl Leg {
    /// A leg with nothing in flight yet.
    pub(crate) fn new(transport: TransportId, peer: SocketAddr, side: Side) -> Leg {
        Leg {
            transport,
            peer,
            side,
            dialog: None,
            local_sdp: None,
            reoffer: Reoffer::Idle,
            session: None,
            glare_retry: None,
            last_ack: None,
            scheduled: None,
        }
    }

    /// The earliest timer of the leg.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let session = self.session.as_ref().map(SessionTimer::deadline);
        let glare = self.glare_retry.as_ref().map(|(at, _)| *at);
        [session, glare].into_iter().flatten().min()
    }

    /// Whether the leg has been answered (2xx sent or received).
    pub(crate) fn is_answered(&self) -> bool {
        match &self.side {
            Side::Incoming(incoming) => incoming.state != IncomingState::Pending,
            Side::Outgoing(outgoing) => outgoing.answered,
        }
    }
}

/// Which way the leg's INVITE went.
#[derive(Debug)]
pub(crate) enum Side {
    /// We received the INVITE.
    Incoming(Incoming),
    /// We sent it.
    Outgoing(Outgoing),
}

/// An incoming leg's INVITE and where its answer stands.
#[derive(Debug)]
pub(crate) struct Incoming {
    /// The INVITE (responses are built from it).
    pub(crate) invite: Request,
    /// Its server transaction.
    pub(crate) key: TransactionKey,
    /// Our To tag.
    pub(crate) local_tag: String,
    /// Pending, answered or confirmed.
    pub(crate) state: IncomingState,
    /// The session interval the caller asked for, negotiated.
    pub(crate) session_request: Option<super::session_timer::Negotiated>,
}

/// Where an incoming leg's answer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IncomingState {
    /// Not answered yet (maybe ringing).
    Pending,
    /// 2xx sent, its ACK not yet received.
    Answered,
    /// ACK received.
    Confirmed,
}

/// An outgoing leg's plan and progress.
#[derive(Debug)]
pub(crate) struct Outgoing {
    /// What to call.
    pub(crate) plan: Originate,
    /// The attempt being tried (index in `plan.attempts`).
    pub(crate) attempt: usize,
    /// Our Call-ID.
    pub(crate) call_id: String,
    /// Our From tag.
    pub(crate) from_tag: String,
    /// The CSeq of the INVITEs of the current attempt.
    pub(crate) cseq: u32,
    /// INVITE branches of the current attempt still without a final response.
    pub(crate) live_branches: usize,
    /// The best final status seen in this attempt.
    pub(crate) best: Option<StatusCode>,
    /// Whether the attempt failed by timeout or transport error only.
    pub(crate) network_failure: Option<super::event::EndCause>,
    /// A branch answered.
    pub(crate) answered: bool,
}

/// A re-INVITE or UPDATE in flight on a leg.
#[derive(Debug)]
pub(crate) enum Reoffer {
    /// Nothing in flight.
    Idle,
    /// We sent one.
    Sent {
        /// The offer it carried.
        offer: Option<Vec<u8>>,
        /// A session-timer refresh (no event for the call layer).
        refresh: bool,
    },
    /// The peer sent one; the call layer answers it.
    Received {
        /// Its server transaction.
        key: TransactionKey,
        /// The request.
        request: Request,
    },
}

/// What an outgoing INVITE branch belongs to.
#[derive(Debug)]
pub(crate) struct Branch {
    /// The leg it rings for; `None` once the leg is answered elsewhere
    /// or hung up (the branch is only being wound down).
    pub(crate) leg: Option<LegId>,
    /// The INVITE (for its CANCEL and the ACK of a 2xx).
    pub(crate) invite: Request,
    /// Where it went.
    pub(crate) destination: SocketAddr,
    /// A provisional response arrived (a CANCEL may be sent, §9.1).
    pub(crate) provisional: bool,
    /// The branch must be cancelled as soon as that is allowed.
    pub(crate) cancel: bool,
    /// The CANCEL was sent.
    pub(crate) cancel_sent: bool,
    /// Credentials to answer a challenge with.
    pub(crate) credentials: Option<super::originate::TargetCredentials>,
    /// The INVITE already carries an answer to a challenge (one retry only).
    pub(crate) authenticated: bool,
}

/// What one of our in-dialog client transactions is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A re-INVITE (offer or session refresh).
    ReInvite,
    /// A BYE.
    Bye,
    /// A REFER.
    Refer,
    /// A NOTIFY of a transfer's progress.
    Notify,
    /// An INFO.
    Info,
    /// A CANCEL of a branch.
    Cancel,
}
