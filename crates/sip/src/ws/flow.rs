//! The flow table: which WebSocket connection (flow) reaches which peer
//! address. Sans-IO: generic over what a flow is reached through (the
//! shell stores a channel sender), so it can be tested without sockets.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;

/// The id of one WebSocket connection, unique for the transport's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowId(pub u64);

impl fmt::Display for FlowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ws-flow-{}", self.0)
    }
}

/// Open flows by the TCP peer address of their connection (the address the
/// transaction layer sends responses to), each with its id and `T`, the
/// handle that reaches it.
#[derive(Debug)]
pub struct FlowTable<T> {
    by_peer: HashMap<SocketAddr, (FlowId, T)>,
}

impl<T> Default for FlowTable<T> {
    fn default() -> Self {
        FlowTable { by_peer: HashMap::new() }
    }
}

impl<T> FlowTable<T> {
    /// An empty table.
    pub fn new() -> FlowTable<T> {
        FlowTable::default()
    }

    /// Records that `flow` reaches `peer` through `handle`; a flow already
    /// recorded for `peer` (a stale one whose close was not yet seen) is
    /// replaced.
    pub fn open(&mut self, flow: FlowId, peer: SocketAddr, handle: T) {
        self.by_peer.insert(peer, (flow, handle));
    }

    /// Forgets `flow` at `peer`; `false` when `peer` is now reached by
    /// another flow (which stays) or by none.
    pub fn close(&mut self, flow: FlowId, peer: SocketAddr) -> bool {
        match self.by_peer.get(&peer) {
            Some((id, _)) if *id == flow => {
                self.by_peer.remove(&peer);
                true
            }
            _ => false,
        }
    }

    /// The flow that reaches `peer` and its handle.
    pub fn get(&self, peer: SocketAddr) -> Option<(FlowId, &T)> {
        self.by_peer.get(&peer).map(|(id, handle)| (*id, handle))
    }

    /// Open flows.
    pub fn len(&self) -> usize {
        self.by_peer.len()
    }

    /// Whether no flow is open.
    pub fn is_empty(&self) -> bool {
        self.by_peer.is_empty()
    }
}
