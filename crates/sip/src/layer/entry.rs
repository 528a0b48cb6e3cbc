//! One owned transaction of either kind, with the peer it talks to.

use std::net::SocketAddr;
use std::time::Instant;

use crate::message::Message;
use crate::transaction::{
    AcceptedInvite, ClientInvite, ClientNonInvite, Event, ServerInvite, ServerNonInvite, Transaction,
};

/// A transaction owned by the layer.
#[derive(Debug)]
pub(crate) enum Machine {
    InviteClient(ClientInvite),
    NonInviteClient(ClientNonInvite),
    InviteServer(ServerInvite),
    NonInviteServer(ServerNonInvite),
    Accepted(AcceptedInvite),
}

/// A transaction and the address its messages go to.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) machine: Machine,
    pub(crate) peer: SocketAddr,
    /// The deadline queued for it in the layer's wake-up heap.
    pub(crate) scheduled: Option<Instant>,
    /// Its entry in the merged-request index, if any.
    pub(crate) merge: Option<super::merge::MergeKey>,
    /// Its entry in the accepted-INVITE ACK index, if any.
    pub(crate) ack: Option<(String, u32)>,
}

impl Entry {
    fn txn(&mut self) -> &mut dyn Transaction {
        match &mut self.machine {
            Machine::InviteClient(t) => t,
            Machine::NonInviteClient(t) => t,
            Machine::InviteServer(t) => t,
            Machine::NonInviteServer(t) => t,
            Machine::Accepted(t) => t,
        }
    }

    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        match &self.machine {
            Machine::InviteClient(t) => t.poll_timeout(),
            Machine::NonInviteClient(t) => t.poll_timeout(),
            Machine::InviteServer(t) => t.poll_timeout(),
            Machine::NonInviteServer(t) => t.poll_timeout(),
            Machine::Accepted(t) => t.poll_timeout(),
        }
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        self.txn().handle_timeout(now);
    }

    pub(crate) fn poll_transmit(&mut self) -> Option<Message> {
        self.txn().poll_transmit()
    }

    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        self.txn().poll_event()
    }
}
