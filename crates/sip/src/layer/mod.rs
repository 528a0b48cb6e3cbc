//! The transaction layer: owns every transaction, matches incoming
//! messages to them (RFC 3261 §17.1.3, §17.2.3), creates server
//! transactions for new requests, answers what no transaction takes
//! (CANCEL without INVITE: 481; malformed request: 400 when it can be
//! routed), and collects what to send where. Sans-IO like the
//! transactions: `handle_*(.., now)`, `poll_transmit`, `poll_event`,
//! `poll_timeout`.

mod entry;
mod merge;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use entry::{Entry, Machine};
use merge::MergeKey;

use crate::message::{Limits, Message, Method, Request, Response, StatusCode, parse_datagram};
use crate::transaction::{
    AcceptedInvite, CancelOutcome, ClientInput, ClientInvite, ClientNonInvite, Config, Event, ServerInput,
    ServerInvite, ServerNonInvite, TransactionError, TransactionKey,
};

/// A message to send to `to`.
#[derive(Debug, Clone)]
pub struct Transmit {
    /// The destination.
    pub to: SocketAddr,
    /// The message.
    pub message: Message,
    /// The transaction that sent it; report a failed send with
    /// [`TransactionLayer::handle_transport_error`].
    pub key: Option<TransactionKey>,
}

/// What the layer tells the transaction user (the dialog and call layers).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum LayerEvent {
    /// A new request; answer it with [`TransactionLayer::respond`] and `key`.
    Request {
        /// The server transaction it created.
        key: TransactionKey,
        /// The request, top Via marked with received/rport.
        request: Request,
        /// Where it came from.
        source: SocketAddr,
    },
    /// An ACK that matched no transaction: the ACK of a 2xx, for the dialog.
    Ack {
        /// The ACK.
        request: Request,
        /// Where it came from.
        source: SocketAddr,
    },
    /// A CANCEL matched a pending INVITE, which was answered 487.
    Cancelled {
        /// The INVITE's server transaction.
        key: TransactionKey,
    },
    /// A response for a client transaction.
    Response {
        /// The client transaction.
        key: TransactionKey,
        /// The response.
        response: Response,
    },
    /// A response that matched no transaction (e.g. a retransmitted 2xx
    /// to an INVITE), for the dialog.
    StrayResponse {
        /// The response.
        response: Response,
        /// Where it came from.
        source: SocketAddr,
    },
    /// A transaction timed out, failed to send, or ended.
    Transaction {
        /// The transaction.
        key: TransactionKey,
        /// What happened (Timeout, TransportError, Terminated…).
        event: Event,
    },
}

/// Counters of what the layer dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Datagrams that did not parse and could not be answered.
    pub malformed: u64,
    /// Messages without an RFC 3261 branch, or a second request creating
    /// a key already in use by another method.
    pub unmatched: u64,
    /// Requests answered 503 because the layer was full.
    pub shed: u64,
    /// Requests from known scanner user agents, dropped unanswered.
    pub scanners: u64,
}

/// User-Agent fragments of SIP scanners (case-insensitive): their requests
/// are dropped without an answer, so the scan learns nothing.
pub const SCANNER_USER_AGENTS: [&str; 6] =
    ["friendly-scanner", "sipvicious", "sipcli", "sip-scan", "sipsak", "sundayddr"];

/// Live transactions a layer holds unless told otherwise.
pub const DEFAULT_MAX_TRANSACTIONS: usize = 200_000;

/// Owns and drives every transaction of one transport.
#[derive(Debug)]
pub struct TransactionLayer {
    config: Config,
    limits: Limits,
    transactions: HashMap<TransactionKey, Entry>,
    /// Deadlines, earliest on top; an entry whose transaction is gone or
    /// rescheduled is skipped when it comes up.
    wakeups: BinaryHeap<Reverse<(Instant, TransactionKey)>>,
    /// Live server transactions by From tag, Call-ID and CSeq (§8.2.2.2).
    merges: HashMap<MergeKey, TransactionKey>,
    /// Accepted INVITEs by Call-ID and CSeq number, for their ACK.
    acks: HashMap<(String, u32), TransactionKey>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<LayerEvent>,
    tag_seed: u64,
    tag_counter: u64,
    dropped: Dropped,
    max_transactions: usize,
}

impl TransactionLayer {
    /// A layer with transaction `config` and message `limits`; `tag_seed`
    /// makes the To tags it invents (for 487) unique across restarts.
    pub fn new(config: Config, limits: Limits, tag_seed: u64) -> TransactionLayer {
        TransactionLayer {
            config,
            limits,
            transactions: HashMap::new(),
            wakeups: BinaryHeap::new(),
            merges: HashMap::new(),
            acks: HashMap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            tag_seed,
            tag_counter: 0,
            dropped: Dropped::default(),
            max_transactions: DEFAULT_MAX_TRANSACTIONS,
        }
    }

    /// Caps the live transactions. When full, a new request is answered
    /// 503 with Retry-After outside any transaction, and
    /// [`TransactionLayer::send_request`] fails: memory never grows past
    /// the cap, and existing transactions go on.
    #[must_use]
    pub fn with_max_transactions(mut self, max: usize) -> TransactionLayer {
        self.max_transactions = max;
        self
    }

    /// What was dropped so far.
    pub fn dropped(&self) -> Dropped {
        self.dropped
    }

    /// Live transactions.
    pub fn len(&self) -> usize {
        self.transactions.len()
    }

    /// Whether no transaction is live.
    pub fn is_empty(&self) -> bool {
        self.transactions.is_empty()
    }

    /// Feeds one datagram received from `source`.
    pub fn handle_datagram(&mut self, datagram: &[u8], source: SocketAddr, now: Instant) {
        match parse_datagram(datagram, &self.limits) {
            Ok(Message::Request(request)) => self.handle_request(request, source, now),
            Ok(Message::Response(response)) => self.handle_response(response, source, now),
            Err(error) => match crate::message::reject(datagram, &error) {
                Some(response) => {
                    self.transmits.push_back(Transmit { to: source, message: Message::Response(response), key: None })
                }
                None => self.dropped.malformed += 1,
            },
        }
    }

    /// Feeds a parsed request received from `source`.
    pub fn handle_request(&mut self, mut request: Request, source: SocketAddr, now: Instant) {
        if is_scanner(&request) {
            self.dropped.scanners += 1;
            return;
        }
        mark_received(&mut request, source);
        let Some(key) = TransactionKey::for_server(&request) else {
            self.dropped.unmatched += 1;
            return;
        };
        if let Some(entry) = self.transactions.get_mut(&key) {
            let result = match &mut entry.machine {
                Machine::InviteServer(t) => t.handle(ServerInput::Request(request.clone()), now),
                Machine::NonInviteServer(t) => t.handle(ServerInput::Request(request.clone()), now),
                Machine::Accepted(t) => {
                    t.handle_request(&request, now);
                    Ok(())
                }
                _ => Err(TransactionError::Mismatch),
            };
            if result.is_err() {
                self.dropped.unmatched += 1;
            }
            let ack_of_2xx = matches!(entry.machine, Machine::Accepted(_)) && *request.method() == Method::Ack;
            self.drain(&key);
            if ack_of_2xx {
                // Some UAs reuse the INVITE's branch for the 2xx ACK: still the user's.
                self.events.push_back(LayerEvent::Ack { request, source });
            }
            return;
        }
        match request.method() {
            Method::Ack => {
                self.absorb_ack(&request, now);
                self.events.push_back(LayerEvent::Ack { request, source });
            }
            Method::Cancel => self.handle_cancel(key, request, source, now),
            _ if self.transactions.len() >= self.max_transactions => self.shed(&request, source),
            _ => self.new_server_transaction(key, request, source, now),
        }
    }

    /// Stops the 2xx retransmissions an end-to-end ACK answers.
    fn absorb_ack(&mut self, ack: &Request, now: Instant) {
        let index = (ack.headers().call_id().to_owned(), ack.headers().cseq().seq);
        let Some(key) = self.acks.get(&index).cloned() else { return };
        if let Some(Entry { machine: Machine::Accepted(accepted), .. }) = self.transactions.get_mut(&key)
            && accepted.is_acked_by(ack)
        {
            accepted.handle_request(ack, now);
            self.drain(&key);
        }
    }

    /// Answers 503 with Retry-After without keeping any state.
    fn shed(&mut self, request: &Request, source: SocketAddr) {
        self.dropped.shed += 1;
        let tag = self.next_tag();
        let mut response = request.response(StatusCode::SERVICE_UNAVAILABLE, Some(&tag));
        let _ = response.headers_mut().push("Retry-After", "5");
        self.transmits.push_back(Transmit { to: source, message: Message::Response(response), key: None });
    }

    /// Starts the server transaction of a new request and hands the request
    /// to the user, or answers 482 when it is a merged copy of a request
    /// that another transaction is handling.
    fn new_server_transaction(&mut self, key: TransactionKey, request: Request, source: SocketAddr, now: Instant) {
        let merge = MergeKey::of(&request);
        let merged = merge.as_ref().and_then(|m| self.merges.get(m)).is_some_and(|k| self.transactions.contains_key(k));
        let machine = match request.method() {
            Method::Invite => Machine::InviteServer(ServerInvite::new(request.clone(), self.config, now)),
            _ => Machine::NonInviteServer(ServerNonInvite::new(request.clone(), self.config, now)),
        };
        self.insert(key.clone(), machine, source);
        if merged {
            let tag = self.next_tag();
            let _ = self.respond(&key, request.response(StatusCode::LOOP_DETECTED, Some(&tag)), now);
            return;
        }
        if let Some(merge) = merge {
            self.merges.insert(merge.clone(), key.clone());
            if let Some(entry) = self.transactions.get_mut(&key) {
                entry.merge = Some(merge);
            }
        }
        self.events.push_back(LayerEvent::Request { key, request, source });
    }

    /// A CANCEL gets its own transaction: 200 and a 487 on the INVITE when
    /// it is still pending, 481 when no INVITE matches (RFC 3261 §9.2).
    fn handle_cancel(&mut self, key: TransactionKey, request: Request, source: SocketAddr, now: Instant) {
        let tag = self.next_tag();
        let invite_key = key.cancelled_invite();
        let status = match invite_key.as_ref().and_then(|k| self.transactions.get_mut(k).map(|e| (k, e))) {
            Some((invite_key, entry)) => {
                if let Machine::InviteServer(invite) = &mut entry.machine
                    && invite.cancel(&tag, now) == CancelOutcome::Cancelled
                {
                    self.events.push_back(LayerEvent::Cancelled { key: invite_key.clone() });
                }
                StatusCode::OK
            }
            None => StatusCode::CALL_DOES_NOT_EXIST,
        };
        let response = request.response(status, Some(&tag));
        let mut txn = ServerNonInvite::new(request, self.config, now);
        // A new transaction in Trying accepts its first response.
        let _ = txn.handle(ServerInput::Respond(response), now);
        self.insert(key, Machine::NonInviteServer(txn), source);
        // The CANCEL's 200 goes out before the INVITE's 487 (RFC 3665 §3.8).
        if let Some(invite_key) = &invite_key {
            self.drain(invite_key);
        }
    }

    /// Feeds a parsed response received from `source`.
    pub fn handle_response(&mut self, response: Response, source: SocketAddr, now: Instant) {
        if response.headers().vias().len() != 1 {
            // Not for us: a response to our request carries only our Via (§18.1.2).
            self.dropped.unmatched += 1;
            return;
        }
        let key = TransactionKey::for_response(&response);
        let Some((key, entry)) = key.and_then(|k| self.transactions.get_mut(&k).map(|e| (k, e))) else {
            self.events.push_back(LayerEvent::StrayResponse { response, source });
            return;
        };
        let result = match &mut entry.machine {
            Machine::InviteClient(t) => t.handle(ClientInput::Response(response), now),
            Machine::NonInviteClient(t) => t.handle(ClientInput::Response(response), now),
            _ => Err(TransactionError::Mismatch),
        };
        if result.is_err() {
            self.dropped.unmatched += 1;
        }
        self.drain(&key);
    }

    /// Sends `request` to `destination` through a new client transaction.
    /// The request's top Via must carry a fresh RFC 3261 branch.
    pub fn send_request(
        &mut self,
        request: Request,
        destination: SocketAddr,
        now: Instant,
    ) -> Result<TransactionKey, TransactionError> {
        let key = TransactionKey::for_client(&request).ok_or(TransactionError::Mismatch)?;
        if self.transactions.len() >= self.max_transactions {
            return Err(TransactionError::Overloaded);
        }
        if self.transactions.contains_key(&key) {
            return Err(TransactionError::Mismatch);
        }
        let machine = match request.method() {
            Method::Invite => Machine::InviteClient(ClientInvite::new(request, self.config, now)),
            _ => Machine::NonInviteClient(ClientNonInvite::new(request, self.config, now)),
        };
        self.insert(key.clone(), machine, destination);
        Ok(key)
    }

    /// Sends a response through the server transaction `key`.
    ///
    /// Over UDP, a 2xx to an INVITE is then kept by an [`AcceptedInvite`]
    /// under the same key: retransmitted until its ACK, and INVITE
    /// retransmissions answered with it.
    pub fn respond(&mut self, key: &TransactionKey, response: Response, now: Instant) -> Result<(), TransactionError> {
        let entry = self.transactions.get_mut(key).ok_or(TransactionError::Terminated)?;
        let peer = entry.peer;
        let keep = !self.config.reliable
            && response.status().is_success()
            && matches!(entry.machine, Machine::InviteServer(_));
        let kept = keep.then(|| response.clone());
        let result = match &mut entry.machine {
            Machine::InviteServer(t) => t.handle(ServerInput::Respond(response), now),
            Machine::NonInviteServer(t) => t.handle(ServerInput::Respond(response), now),
            _ => Err(TransactionError::Mismatch),
        };
        self.drain(key);
        if result.is_ok()
            && let Some(response) = kept
        {
            self.accept(key, response, peer, now);
        }
        result
    }

    /// Keeps a 2xx to an INVITE alive under the INVITE's key.
    fn accept(&mut self, key: &TransactionKey, response: Response, peer: SocketAddr, now: Instant) {
        let ack = (response.headers().call_id().to_owned(), response.headers().cseq().seq);
        let accepted = AcceptedInvite::new(response, self.config, now);
        self.insert(key.clone(), Machine::Accepted(accepted), peer);
        self.acks.insert(ack.clone(), key.clone());
        if let Some(entry) = self.transactions.get_mut(key) {
            entry.ack = Some(ack);
        }
    }

    /// Drops a server transaction without answering it (a request from a
    /// blocked source): nothing is sent, and a retransmission of the
    /// request starts over.
    pub fn forget(&mut self, key: &TransactionKey) {
        if let Some(entry) = self.transactions.remove(key) {
            if let Some(merge) = entry.merge {
                self.merges.remove(&merge);
            }
            if let Some(ack) = entry.ack {
                self.acks.remove(&ack);
            }
        }
    }

    /// Sends a message outside any transaction (a 2xx retransmission, the
    /// ACK of a 2xx).
    pub fn send_stateless(&mut self, message: Message, to: SocketAddr) {
        self.transmits.push_back(Transmit { to, message, key: None });
    }

    /// Reports that a message of transaction `key` could not be sent: the
    /// transaction ends and the user gets `Event::TransportError`
    /// (RFC 3261 §17.1.4, §17.2.4).
    pub fn handle_transport_error(&mut self, key: &TransactionKey, now: Instant) {
        let Some(entry) = self.transactions.get_mut(key) else { return };
        let _ = match &mut entry.machine {
            Machine::InviteClient(t) => t.handle(ClientInput::TransportError, now),
            Machine::NonInviteClient(t) => t.handle(ClientInput::TransportError, now),
            Machine::InviteServer(t) => t.handle(ServerInput::TransportError, now),
            Machine::NonInviteServer(t) => t.handle(ServerInput::TransportError, now),
            // Its 2xx is the user's; losing a retransmission changes nothing.
            Machine::Accepted(_) => Ok(()),
        };
        self.drain(key);
    }

    /// Fires the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(Reverse((at, _))) = self.wakeups.peek()
            && *at <= now
        {
            let Some(Reverse((at, key))) = self.wakeups.pop() else { break };
            let Some(entry) = self.transactions.get_mut(&key) else { continue };
            if entry.scheduled != Some(at) {
                continue;
            }
            entry.scheduled = None;
            entry.handle_timeout(now);
            self.drain(&key);
        }
    }

    /// The next message to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the transaction user.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<LayerEvent> {
        self.events.pop_front()
    }

    /// When to call [`TransactionLayer::handle_timeout`] next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        // May be a stale deadline: the wake-up then finds nothing to do.
        self.wakeups.peek().map(|Reverse((at, _))| *at)
    }

    fn insert(&mut self, key: TransactionKey, machine: Machine, peer: SocketAddr) {
        self.transactions.insert(key.clone(), Entry { machine, peer, scheduled: None, merge: None, ack: None });
        self.drain(&key);
    }

    /// Moves a transaction's output to the layer's queues; removes it once
    /// it has terminated.
    fn drain(&mut self, key: &TransactionKey) {
        let Some(entry) = self.transactions.get_mut(key) else { return };
        while let Some(message) = entry.poll_transmit() {
            self.transmits.push_back(Transmit { to: entry.peer, message, key: Some(key.clone()) });
        }
        let mut terminated = false;
        while let Some(event) = entry.poll_event() {
            match event {
                Event::Response(response) => {
                    self.events.push_back(LayerEvent::Response { key: key.clone(), response });
                }
                Event::Acknowledged => {}
                event => {
                    terminated |= matches!(event, Event::Terminated);
                    self.events.push_back(LayerEvent::Transaction { key: key.clone(), event });
                }
            }
        }
        if terminated {
            if let Some(entry) = self.transactions.remove(key) {
                if let Some(merge) = entry.merge {
                    self.merges.remove(&merge);
                }
                if let Some(ack) = entry.ack {
                    self.acks.remove(&ack);
                }
            }
            return;
        }
        let next = entry.poll_timeout();
        if next != entry.scheduled {
            entry.scheduled = next;
            if let Some(at) = next {
                self.wakeups.push(Reverse((at, key.clone())));
            }
        }
    }

    fn next_tag(&mut self) -> String {
        self.tag_counter += 1;
        format!("{:x}{:x}", self.tag_seed, self.tag_counter)
    }
}

/// Marks the top Via with the source address when it differs from
/// sent-by or when rport was asked for (RFC 3261 §18.2.1, RFC 3581 §4).
fn mark_received(request: &mut Request, source: SocketAddr) {
    let via = request.headers().top_via();
    let ip = source.ip().to_string();
    let host = via.host().trim_start_matches('[').trim_end_matches(']');
    if host != ip || via.rport().is_some() {
        request.headers_mut().set_top_via_received(&ip, source.port());
    }
}

/// Whether the request's User-Agent names a known scanner.
fn is_scanner(request: &Request) -> bool {
    request.headers().get("User-Agent").is_some_and(|agent| {
        let agent = agent.to_ascii_lowercase();
        SCANNER_USER_AGENTS.iter().any(|scanner| agent.contains(scanner))
    })
}
