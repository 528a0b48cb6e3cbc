//! The B2BUA edge: one sans-IO core over every transport's transaction
//! layer that owns the legs of calls and their dialogs, and gives the call
//! layer a leg API: incoming legs with their SDP offer, ring (180/183 with
//! early media), answer, reject, hang up, re-INVITE, REFER; outgoing legs
//! forked to every registered contact or failed over between trunks.
//!
//! Like the layers beneath it, the edge never reads the clock or touches
//! a socket: feed it with `handle_*(.., now)`, drain
//! [`Edge::poll_transmit`] and [`Edge::poll_event`], and call
//! [`Edge::handle_timeout`] at [`Edge::poll_timeout`].
//!
//! ```
//! use std::time::Instant;
//! use sip::edge::{Edge, EdgeConfig, EdgeEvent, LocalTransport, OpenDirectory, TransportId};
//! use sip::registrar::Transport;
//!
//! let udp = LocalTransport::new(Transport::Udp, "127.0.0.1", 5060);
//! let mut edge = Edge::new(EdgeConfig::default(), vec![udp], Box::new(OpenDirectory), 7);
//! let now = Instant::now();
//! # let datagram = b"";
//! # let source = "127.0.0.1:5070".parse().unwrap();
//! edge.handle_datagram(TransportId(0), datagram, source, now);
//! while let Some(event) = edge.poll_event() {
//!     if let EdgeEvent::Incoming(call) = event {
//!         let _ = edge.answer(call.leg, b"v=0\r\n".to_vec(), now);
//!     }
//! }
//! while let Some(transmit) = edge.poll_transmit() {
//!     let _bytes = transmit.message.to_bytes(); // the shell sends them to transmit.to
//! }
//! let _wake_at = edge.poll_timeout(); // then call edge.handle_timeout(now)
//! ```

mod config;
mod dialog_client;
mod dialog_server;
mod directory;
mod event;
mod ids;
mod incoming;
mod leg;
mod limits;
mod originate;
mod outgoing;
mod session_timer;
mod transport;
mod trunks;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

pub use config::EdgeConfig;
pub use directory::{Admission, Directory, InboundRoute, OpenDirectory};
pub use event::{EdgeEvent, EndCause, IncomingCall, LegId};
pub use originate::{Originate, Target, TargetCredentials};
pub use transport::{EdgeTransmit, LocalTransport, TransportId, token};
pub use trunks::{NumberLookup, TrunkAuthConfig, TrunkDirectory, dialled_number};

use crate::dialog::DialogId;
use crate::layer::{LayerEvent, TransactionLayer};
use crate::message::{Limits, Message, Method, Request, Response, StatusCode};
use crate::registrar::{CredentialStore, Flow, Registrar};
use crate::transaction::{Config, TransactionKey};
use ids::Ids;
use leg::{Branch, Leg, Purpose};
use limits::SetupBucket;

/// Why a leg command could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EdgeError {
    /// No live leg has this id (it ended, or never existed).
    #[error("no live leg {0}")]
    UnknownLeg(LegId),
    /// The command does not fit the leg's state (answering an outgoing
    /// leg, a re-INVITE before the call is up…).
    #[error("{0} cannot do that now: {1}")]
    WrongState(LegId, &'static str),
    /// A re-INVITE or UPDATE is already in flight on the leg.
    #[error("{0} already has a re-INVITE in flight")]
    Busy(LegId),
    /// The originate request has no target, or names an unknown transport.
    #[error("invalid originate request: {0}")]
    BadOriginate(&'static str),
    /// The transaction layer is full.
    #[error("the transaction layer is full")]
    Overloaded,
}

/// Counters of what the edge refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EdgeStats {
    /// INVITEs answered 503 because too many calls were live.
    pub shed_live_calls: u64,
    /// INVITEs answered 503 because the setup rate was exceeded.
    pub shed_setup_rate: u64,
    /// INVITEs the directory refused or dropped.
    pub refused: u64,
    /// Requests answered 481 (no such dialog).
    pub no_dialog: u64,
}

/// A transaction layer and how we name ourselves on its transport.
#[derive(Debug)]
struct Slot {
    local: LocalTransport,
    layer: TransactionLayer,
}

/// The registrar the edge answers REGISTER with.
type BoxedRegistrar = Registrar<Box<dyn CredentialStore + Send>>;

/// The sans-IO B2BUA edge. See the module documentation.
pub struct Edge {
    config: EdgeConfig,
    slots: Vec<Slot>,
    directory: Box<dyn Directory + Send>,
    registrar: Option<BoxedRegistrar>,
    legs: HashMap<LegId, Leg>,
    dialogs: HashMap<DialogId, LegId>,
    /// Server transactions a leg must answer (INVITEs, re-INVITEs, UPDATEs).
    server_keys: HashMap<(TransportId, TransactionKey), LegId>,
    /// Our in-dialog client transactions.
    client_keys: HashMap<(TransportId, TransactionKey), (LegId, Purpose)>,
    /// Our outgoing INVITE branches, live or being wound down.
    branches: HashMap<(TransportId, TransactionKey), Branch>,
    /// Leg deadlines; an entry that no longer matches its leg is skipped.
    timers: BinaryHeap<Reverse<(Instant, LegId)>>,
    ids: Ids,
    next_leg: u64,
    bucket: SetupBucket,
    events: VecDeque<EdgeEvent>,
    stats: EdgeStats,
}

impl std::fmt::Debug for Edge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Edge").field("legs", &self.legs.len()).field("stats", &self.stats).finish_non_exhaustive()
    }
}

impl Edge {
    /// An edge serving `transports` (their index is their [`TransportId`]),
    /// admitting calls through `directory`; `seed` makes its tags,
    /// branches and Call-IDs unique (draw it at random in the shell).
    pub fn new(
        config: EdgeConfig,
        transports: Vec<LocalTransport>,
        directory: Box<dyn Directory + Send>,
        seed: u64,
    ) -> Edge {
        let slots = transports
            .into_iter()
            .enumerate()
            .map(|(i, local)| {
                let txn = if local.is_reliable() { Config::reliable() } else { Config::default() };
                let layer = TransactionLayer::new(txn, Limits::default(), seed.wrapping_add(i as u64));
                Slot { local, layer }
            })
            .collect();
        let bucket = SetupBucket::new(config.token_interval(), config.setup_burst);
        Edge {
            config,
            slots,
            directory,
            registrar: None,
            legs: HashMap::new(),
            dialogs: HashMap::new(),
            server_keys: HashMap::new(),
            client_keys: HashMap::new(),
            branches: HashMap::new(),
            timers: BinaryHeap::new(),
            ids: Ids::new(seed),
            next_leg: 1,
            bucket,
            events: VecDeque::new(),
            stats: EdgeStats::default(),
        }
    }

    /// Answers REGISTER with `registrar` (without one, REGISTER gets 405).
    #[must_use]
    pub fn with_registrar(mut self, registrar: BoxedRegistrar) -> Edge {
        self.registrar = Some(registrar);
        self
    }

    /// Replaces the directory (trunks or numbers changed).
    pub fn set_directory(&mut self, directory: Box<dyn Directory + Send>) {
        self.directory = directory;
    }

    /// Replaces the registrar's credentials (accounts changed); bindings
    /// stay until they expire or are refreshed.
    pub fn set_credentials(&mut self, credentials: Box<dyn CredentialStore + Send>) {
        if let Some(registrar) = &mut self.registrar {
            *registrar.credentials_mut() = credentials;
        }
    }

    /// The registrar, to look bindings up.
    pub fn registrar(&self) -> Option<&BoxedRegistrar> {
        self.registrar.as_ref()
    }

    /// The transaction layer of `transport` (counters, limits).
    pub fn layer(&self, transport: TransportId) -> Option<&TransactionLayer> {
        self.slots.get(usize::from(transport.0)).map(|s| &s.layer)
    }

    /// What the edge refused so far.
    pub fn stats(&self) -> EdgeStats {
        self.stats
    }

    /// Live legs.
    pub fn live_legs(&self) -> usize {
        self.legs.len()
    }

    /// The targets that reach every registered contact of `aor`, each over
    /// the transport and flow it registered from.
    pub fn targets_for(&self, aor: &str) -> Vec<Target> {
        let Some(registrar) = &self.registrar else { return Vec::new() };
        registrar
            .bindings(aor)
            .iter()
            .filter_map(|binding| {
                let slot = self.slots.iter().position(|s| s.local.kind == binding.flow.transport)?;
                let transport = TransportId(u8::try_from(slot).ok()?);
                Some(Target::new(binding.contact.uri().clone(), transport, binding.flow.source))
            })
            .collect()
    }

    /// [`Edge::targets_for`], each with the kind of transport it goes
    /// over (a browser's WS or WSS flow wants a WebRTC offer, a phone's
    /// UDP, TCP or TLS one plain RTP).
    pub fn targets_with_transport(&self, aor: &str) -> Vec<(Target, crate::registrar::Transport)> {
        self.targets_for(aor)
            .into_iter()
            .filter_map(|target| {
                let kind = self.slots.get(usize::from(target.transport.0))?.local.kind;
                Some((target, kind))
            })
            .collect()
    }

    /// The attempts that place a call to `number` through `trunks`, one
    /// trunk per attempt in failover order, each over the edge's transport
    /// of the trunk's kind with its outbound credentials. A trunk whose
    /// host is not an IP address (DNS is the shell's, not done yet) or
    /// whose transport the edge does not serve is left out.
    pub fn trunk_attempts<T>(&self, trunks: &crate::trunk::TrunkTable<T>, number: &str) -> Vec<Vec<Target>> {
        self.outbound_attempts(trunks.failover_order().map(|(_, outbound)| outbound), number)
    }

    /// The attempts that place a call to `number` through `outbounds`, in
    /// the order given, as [`Edge::trunk_attempts`] does (one attempt per
    /// usable trunk).
    pub fn outbound_attempts<'a>(
        &self,
        outbounds: impl IntoIterator<Item = &'a crate::trunk::Outbound>,
        number: &str,
    ) -> Vec<Vec<Target>> {
        let mut attempts = Vec::new();
        for outbound in outbounds {
            let host = outbound.host.trim_start_matches('[').trim_end_matches(']');
            let Ok(ip) = host.parse::<std::net::IpAddr>() else { continue };
            let Some(slot) = self.slots.iter().position(|s| s.local.kind == outbound.transport) else { continue };
            let Ok(slot) = u8::try_from(slot) else { continue };
            let destination = SocketAddr::new(ip, outbound.port);
            let host = if ip.is_ipv6() { format!("[{ip}]") } else { ip.to_string() };
            let Some(uri) = crate::message::Uri::parse(&format!("sip:{number}@{host}:{}", outbound.port)) else {
                continue;
            };
            let mut target = Target::new(uri, TransportId(slot), destination);
            if let Some(auth) = &outbound.auth
                && let crate::auth::ClientSecret::Password(password) = &auth.secret
            {
                target = target.with_credentials(&auth.username, password);
            }
            attempts.push(vec![target]);
        }
        attempts
    }

    /// Feeds one datagram received on `transport` from `source`.
    pub fn handle_datagram(&mut self, transport: TransportId, datagram: &[u8], source: SocketAddr, now: Instant) {
        if let Some(slot) = self.slots.get_mut(usize::from(transport.0)) {
            slot.layer.handle_datagram(datagram, source, now);
        }
        self.pump(now);
    }

    /// Feeds one message framed from a stream (TCP, TLS, WebSocket).
    pub fn handle_message(&mut self, transport: TransportId, message: Message, source: SocketAddr, now: Instant) {
        if let Some(slot) = self.slots.get_mut(usize::from(transport.0)) {
            match message {
                Message::Request(r) => slot.layer.handle_request(r, source, now),
                Message::Response(r) => slot.layer.handle_response(r, source, now),
            }
        }
        self.pump(now);
    }

    /// Sends a message outside any transaction (a 400 for a bad frame).
    pub fn send_stateless(&mut self, transport: TransportId, message: Message, to: SocketAddr) {
        if let Some(slot) = self.slots.get_mut(usize::from(transport.0)) {
            slot.layer.send_stateless(message, to);
        }
    }

    /// Reports that a message of transaction `key` could not be sent.
    pub fn handle_transport_error(&mut self, transport: TransportId, key: &TransactionKey, now: Instant) {
        if let Some(slot) = self.slots.get_mut(usize::from(transport.0)) {
            slot.layer.handle_transport_error(key, now);
        }
        self.pump(now);
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        for slot in &mut self.slots {
            slot.layer.handle_timeout(now);
        }
        if let Some(registrar) = &mut self.registrar {
            registrar.handle_timeout(now);
        }
        while let Some(Reverse((at, leg))) = self.timers.peek().copied()
            && at <= now
        {
            self.timers.pop();
            let due = self.legs.get(&leg).is_some_and(|l| l.scheduled == Some(at));
            if due {
                if let Some(l) = self.legs.get_mut(&leg) {
                    l.scheduled = None;
                }
                self.fire_leg_timers(leg, now);
            }
        }
        self.pump(now);
    }

    /// The next message to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<EdgeTransmit> {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let Some(t) = slot.layer.poll_transmit() {
                let transport = TransportId(u8::try_from(i).unwrap_or(u8::MAX));
                return Some(EdgeTransmit { transport, to: t.to, message: t.message, key: t.key });
            }
        }
        None
    }

    /// The next event for the call layer.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<EdgeEvent> {
        self.events.pop_front()
    }

    /// When to call [`Edge::handle_timeout`] next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let layers = self.slots.iter().filter_map(|s| s.layer.poll_timeout());
        let registrar = self.registrar.as_ref().and_then(|r| r.poll_timeout());
        let legs = self.timers.peek().map(|Reverse((at, _))| *at);
        layers.chain(registrar).chain(legs).min()
    }

    /// Hands every layer event to its leg until none is left (answering
    /// one may queue more), then the registrar's binding changes.
    fn pump(&mut self, now: Instant) {
        loop {
            let mut idle = true;
            for i in 0..self.slots.len() {
                let transport = TransportId(u8::try_from(i).unwrap_or(u8::MAX));
                while let Some(event) = self.slots[i].layer.poll_event() {
                    idle = false;
                    self.dispatch(transport, event, now);
                }
            }
            if idle {
                break;
            }
        }
        if let Some(registrar) = &mut self.registrar {
            while let Some(binding) = registrar.poll_event() {
                self.events.push_back(EdgeEvent::Binding(binding));
            }
        }
    }

    fn dispatch(&mut self, transport: TransportId, event: LayerEvent, now: Instant) {
        match event {
            LayerEvent::Request { key, request, source } => self.on_request(transport, key, request, source, now),
            LayerEvent::Ack { request, .. } => self.on_ack(&request, now),
            LayerEvent::Cancelled { key } => self.on_cancelled(transport, &key),
            LayerEvent::Response { key, response } => self.on_response(transport, key, response, now),
            LayerEvent::StrayResponse { response, .. } => self.on_stray_response(&response),
            LayerEvent::Transaction { key, event } => self.on_transaction_event(transport, key, event, now),
        }
    }

    fn on_request(&mut self, t: TransportId, key: TransactionKey, request: Request, source: SocketAddr, now: Instant) {
        if request.headers().to().tag().is_some() {
            self.on_in_dialog_request(t, key, request, now);
            return;
        }
        match request.method() {
            Method::Invite => self.on_new_invite(t, key, request, source, now),
            Method::Register => self.on_register(t, key, &request, source, now),
            Method::Options => {
                let response = self.options_response(&request);
                self.respond(t, &key, response, now);
            }
            Method::Bye | Method::Info | Method::Update | Method::Refer | Method::Notify | Method::Prack => {
                self.stats.no_dialog += 1;
                self.respond_status(t, &key, &request, StatusCode::CALL_DOES_NOT_EXIST, now);
            }
            Method::Message | Method::Subscribe | Method::Publish => {
                let mut response = self.response_to(&request, StatusCode::METHOD_NOT_ALLOWED);
                let _ = response.headers_mut().push("Allow", ALLOW);
                self.respond(t, &key, response, now);
            }
            _ => self.respond_status(t, &key, &request, StatusCode::NOT_IMPLEMENTED, now),
        }
    }

    fn on_register(
        &mut self,
        t: TransportId,
        key: TransactionKey,
        request: &Request,
        source: SocketAddr,
        now: Instant,
    ) {
        let kind = self.slots[usize::from(t.0)].local.kind;
        let Some(registrar) = &mut self.registrar else {
            let mut response = self.response_to(request, StatusCode::METHOD_NOT_ALLOWED);
            let _ = response.headers_mut().push("Allow", ALLOW);
            self.respond(t, &key, response, now);
            return;
        };
        match registrar.handle_register(request, Flow { source, transport: kind }, now) {
            Some(response) => self.respond(t, &key, response, now),
            None => self.slots[usize::from(t.0)].layer.forget(&key),
        }
    }

    fn on_transaction_event(
        &mut self,
        t: TransportId,
        key: TransactionKey,
        event: crate::transaction::Event,
        now: Instant,
    ) {
        use crate::transaction::Event;
        let index = (t, key);
        match event {
            Event::Timeout(_) => self.on_failure(index, EndCause::Timeout, now),
            Event::TransportError => self.on_failure(index, EndCause::TransportError, now),
            Event::Terminated => self.on_terminated(&index),
            _ => {}
        }
    }

    /// A transaction ended without a final response (timeout, transport).
    fn on_failure(&mut self, index: (TransportId, TransactionKey), cause: EndCause, now: Instant) {
        if self.branches.contains_key(&index) {
            self.on_branch_failure(index, None, Some(cause), now);
        } else if let Some((leg, purpose)) = self.client_keys.get(&index).copied() {
            self.on_client_failure(leg, purpose, cause, now);
        } else if let Some(leg) = self.server_keys.get(&index).copied() {
            // Our 2xx was never acknowledged (Timer L), or a response of
            // ours could not be sent: the dialog cannot go on.
            self.bye_and_end(leg, cause, now);
        }
    }

    fn on_terminated(&mut self, index: &(TransportId, TransactionKey)) {
        self.client_keys.remove(index);
        if let Some(branch) = self.branches.get(index)
            && branch.leg.is_none()
        {
            self.branches.remove(index);
        }
        if let Some(leg) = self.server_keys.get(index).copied() {
            // An answered INVITE lives on (its 2xx waits for the ACK).
            let waiting_ack = self.legs.get(&leg).is_some_and(|l| {
                matches!(&l.side, leg::Side::Incoming(i) if i.state == leg::IncomingState::Answered && i.key == index.1)
            });
            if !waiting_ack {
                self.server_keys.remove(index);
            }
        }
    }

    /// Answers through the server transaction `key` of transport `t`.
    fn respond(&mut self, t: TransportId, key: &TransactionKey, response: Response, now: Instant) {
        if let Some(slot) = self.slots.get_mut(usize::from(t.0)) {
            let _ = slot.layer.respond(key, response, now);
        }
    }

    fn respond_status(
        &mut self,
        t: TransportId,
        key: &TransactionKey,
        request: &Request,
        status: StatusCode,
        now: Instant,
    ) {
        let response = self.response_to(request, status);
        self.respond(t, key, response, now);
    }

    /// A response to `request` with a fresh To tag and our Server header.
    fn response_to(&mut self, request: &Request, status: StatusCode) -> Response {
        let tag = self.ids.tag();
        let mut response = request.response(status, Some(&tag));
        let _ = response.headers_mut().push("Server", &self.config.user_agent);
        response
    }

    fn options_response(&mut self, request: &Request) -> Response {
        let mut response = self.response_to(request, StatusCode::OK);
        let headers = response.headers_mut();
        let _ = headers.push("Allow", ALLOW);
        let _ = headers.push("Accept", "application/sdp");
        let _ = headers.push("Supported", SUPPORTED);
        response
    }

    /// Sends `request` to `to` over `t` in a new client transaction.
    fn send(
        &mut self,
        t: TransportId,
        request: Request,
        to: SocketAddr,
        now: Instant,
    ) -> Result<TransactionKey, EdgeError> {
        let slot = self.slots.get_mut(usize::from(t.0)).ok_or(EdgeError::BadOriginate("unknown transport"))?;
        slot.layer.send_request(request, to, now).map_err(|_| EdgeError::Overloaded)
    }

    fn new_leg_id(&mut self) -> LegId {
        let id = LegId(self.next_leg);
        self.next_leg += 1;
        id
    }

    /// Puts the leg's next deadline in the timer heap.
    fn schedule(&mut self, leg: LegId) {
        let Some(l) = self.legs.get_mut(&leg) else { return };
        let next = l.next_deadline();
        if next != l.scheduled {
            l.scheduled = next;
            if let Some(at) = next {
                self.timers.push(Reverse((at, leg)));
            }
        }
    }

    /// Removes a leg and reports how it ended.
    fn end(&mut self, leg: LegId, cause: EndCause) {
        let Some(l) = self.legs.remove(&leg) else { return };
        if let Some(dialog) = &l.dialog {
            self.dialogs.remove(dialog.id());
        }
        for branch in self.branches.values_mut() {
            if branch.leg == Some(leg) {
                branch.leg = None;
            }
        }
        self.events.push_back(EdgeEvent::Ended { leg, cause });
    }
}

/// The methods we accept.
const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, REGISTER";

/// The extensions we support.
const SUPPORTED: &str = "timer";
