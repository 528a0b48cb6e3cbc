//! The SIP registrar (RFC 3261 §10, RFC 5626 outbound), sans-IO.
//!
//! The transaction layer hands a REGISTER's server transaction to the
//! user; the user calls [`Registrar::handle_register`] with the request,
//! the [`Flow`] it came over and `now`, and sends the returned response
//! with `TransactionLayer::respond`. `None` means the source is blocked:
//! the request is dropped unanswered, so a scanner learns nothing.
//!
//! Bindings expire through [`Registrar::poll_timeout`] /
//! [`Registrar::handle_timeout`]; every change is a [`BindingEvent`] from
//! [`Registrar::poll_event`], for the ACD. Poll events after each
//! `handle_*` call, and call `handle_timeout` when `poll_timeout` is due
//! (it changes only after a `handle_*` call).
//!
//! ```
//! use std::collections::HashMap;
//! use std::time::Instant;
//! use sip::auth::Credentials;
//! use sip::layer::{LayerEvent, TransactionLayer};
//! use sip::registrar::{Config, Flow, Registrar, Transport};
//!
//! let users = HashMap::from([("alice".to_owned(), Credentials::from_password("alice", "switchboard", "pw"))]);
//! let mut registrar = Registrar::new(Config::default(), users, b"server secret", Instant::now(), 1_700_000_000);
//! // In the shell, for each layer event (a REGISTER's server transaction):
//! fn on_event<C: sip::registrar::CredentialStore>(
//!     registrar: &mut Registrar<C>, layer: &mut TransactionLayer, event: LayerEvent, now: Instant,
//! ) {
//!     if let LayerEvent::Request { key, request, source } = event {
//!         let flow = Flow { source, transport: Transport::Udp };
//!         if let Some(response) = registrar.handle_register(&request, flow, now) {
//!             let _ = layer.respond(&key, response, now);
//!         }
//!         while let Some(_change) = registrar.poll_event() { /* tell the ACD */ }
//!     }
//! }
//! // And when `registrar.poll_timeout()` is due:
//! registrar.handle_timeout(Instant::now());
//! ```
//!
//! Answers: 401 with one challenge per algorithm (no or stale
//! credentials, or a nonce not ours), 403 for wrong credentials of a
//! known user (counted toward blocking the source), 404 for an unknown
//! user (also counted), 423 with Min-Expires below the minimum, 400 for a
//! bad Contact/Expires/Authorization or a digest `uri` other than
//! the Request-URI, 500 for an out-of-order CSeq on the
//! same Call-ID (§10.3 step 7), 403 "Too Many Contacts" past
//! `max_bindings_per_aor`, 200 listing every current binding with
//! its expiry and a Date header.

mod binding;
mod blocker;
mod config;
mod contact;
mod credentials;
mod date;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::time::{Duration, Instant};

pub use binding::{Binding, BindingEvent, Flow, Transport};
pub use config::Config;
pub use credentials::CredentialStore;

use crate::auth::{Authorization, DigestServer, Verdict};
use crate::message::{Request, Response, StatusCode};
use blocker::Blocker;
use contact::{Contacts, Requested};

/// Holds the bindings of every address-of-record and answers REGISTERs.
#[derive(Debug)]
pub struct Registrar<C> {
    config: Config,
    digest: DigestServer,
    credentials: C,
    /// `now` at construction and the Unix time it stands for: the core's
    /// only link to the calendar (for Date and nonce timestamps).
    start: Instant,
    start_unix: u64,
    bindings: HashMap<String, Vec<Binding>>,
    /// RegistrationExpiry deadlines with their AOR; an entry left behind by
    /// a refresh or removal fires without effect (checked against the
    /// bindings), so the heap needs no removal.
    expiries: BinaryHeap<Reverse<(Instant, String)>>,
    blocker: Blocker,
    events: VecDeque<BindingEvent>,
    blocked_drops: u64,
}

impl<C: CredentialStore> Registrar<C> {
    /// A registrar with `credentials`, nonces under `secret`; `start` is
    /// the current `Instant` and `start_unix` the Unix seconds it stands
    /// for (the shell reads both clocks once).
    pub fn new(config: Config, credentials: C, secret: &[u8], start: Instant, start_unix: u64) -> Registrar<C> {
        let digest = DigestServer::new(&config.realm, &config.algorithms, secret, config.nonce_lifetime.as_secs());
        let blocker = Blocker::new(config.max_failures, config.failure_window, config.block_for);
        Registrar {
            config,
            digest,
            credentials,
            start,
            start_unix,
            bindings: HashMap::new(),
            expiries: BinaryHeap::new(),
            blocker,
            events: VecDeque::new(),
            blocked_drops: 0,
        }
    }

    /// The current bindings of `aor` (`sip:user@host`).
    pub fn bindings(&self, aor: &str) -> &[Binding] {
        self.bindings.get(aor).map_or(&[], Vec::as_slice)
    }

    /// REGISTERs dropped because their source was blocked.
    pub fn blocked_drops(&self) -> u64 {
        self.blocked_drops
    }

    /// Answers a REGISTER that came over `flow`; `None`: drop it (blocked
    /// source).
    #[must_use]
    pub fn handle_register(&mut self, request: &Request, flow: Flow, now: Instant) -> Option<Response> {
        let ip = flow.source.ip();
        if self.blocker.is_blocked(ip, now) {
            self.blocked_drops += 1;
            return None;
        }
        let Some((aor, user)) = aor_of(request.headers().to().uri().as_str()) else {
            return Some(reply(request, 400, "Bad To URI"));
        };
        let Some(credentials) = self.credentials.lookup(&user) else {
            self.blocker.fail(ip, now);
            return Some(reply(request, 404, "Not Found"));
        };
        let now_secs = self.unix_secs(now);
        let Some(value) = self.authorization_for_realm(request) else {
            return Some(self.challenge(request, now_secs, false));
        };
        let auth = match Authorization::parse(&value) {
            Ok(auth) => auth,
            Err(_) => return Some(reply(request, 400, "Bad Authorization")),
        };
        if auth.uri != request.uri().as_str() {
            // RFC 7616 §3.4.6: the digest-uri must be the request's URI.
            return Some(reply(request, 400, "Digest URI Mismatch"));
        }
        if auth.username != user {
            self.blocker.fail(ip, now);
            return Some(reply(request, 403, "Forbidden"));
        }
        match self.digest.verify(&auth, request.method().as_str(), &credentials, now_secs) {
            Verdict::Authenticated => self.blocker.succeed(ip),
            Verdict::Stale => return Some(self.challenge(request, now_secs, true)),
            Verdict::UnknownNonce => return Some(self.challenge(request, now_secs, false)),
            Verdict::Wrong => {
                self.blocker.fail(ip, now);
                return Some(reply(request, 403, "Forbidden"));
            }
        }
        Some(self.update(request, &aor, flow, now))
    }

    /// Applies an authenticated REGISTER to `aor`'s bindings.
    fn update(&mut self, request: &Request, aor: &str, flow: Flow, now: Instant) -> Response {
        let contacts = match contact::requested(request, self.config.default_expires) {
            Ok(contacts) => contacts,
            Err(reason) => return reply(request, 400, reason),
        };
        match contacts {
            Contacts::Query => {}
            Contacts::RemoveAll => {
                for binding in self.bindings.remove(aor).unwrap_or_default() {
                    self.events.push_back(BindingEvent::Removed { aor: aor.to_owned(), binding });
                }
            }
            Contacts::Bind(list) => {
                if list.iter().any(|r| r.expires != 0 && r.expires < self.config.min_expires) {
                    let mut response = reply(request, 423, "Interval Too Brief");
                    let _ = response.headers_mut().push("Min-Expires", &self.config.min_expires.to_string());
                    return response;
                }
                let (call_id, cseq) = (request.headers().call_id(), request.headers().cseq().seq);
                let out_of_order =
                    list.iter().any(|r| self.find(aor, r).is_some_and(|b| b.call_id == call_id && cseq <= b.cseq));
                if out_of_order {
                    return reply(request, 500, "Out Of Order CSeq");
                }
                let new = list.iter().filter(|r| r.expires != 0 && self.find(aor, r).is_none()).count();
                if self.bindings(aor).len() + new > self.config.max_bindings_per_aor {
                    return reply(request, 403, "Too Many Contacts");
                }
                for requested in list {
                    self.bind(aor, requested, flow, call_id, cseq, now);
                }
            }
        }
        self.ok(request, aor, now)
    }

    fn find(&self, aor: &str, r: &Requested) -> Option<&Binding> {
        self.bindings(aor).iter().find(|b| b.same_as(r.instance.as_deref(), r.reg_id, r.contact.uri().as_str()))
    }

    /// Adds, refreshes or removes one binding and reports it.
    fn bind(&mut self, aor: &str, r: Requested, flow: Flow, call_id: &str, cseq: u32, now: Instant) {
        let list = self.bindings.entry(aor.to_owned()).or_default();
        let at = list.iter().position(|b| b.same_as(r.instance.as_deref(), r.reg_id, r.contact.uri().as_str()));
        let aor = aor.to_owned();
        if r.expires == 0 {
            if let Some(i) = at {
                let binding = list.remove(i);
                self.events.push_back(BindingEvent::Removed { aor: aor.clone(), binding });
            }
            if list.is_empty() {
                self.bindings.remove(&aor);
            }
            return;
        }
        let secs = r.expires.min(self.config.max_expires);
        let expires_at = now + Duration::from_secs(u64::from(secs));
        self.expiries.push(Reverse((expires_at, aor.clone())));
        let binding = Binding {
            contact: r.contact,
            expires_at,
            flow,
            instance: r.instance,
            reg_id: r.reg_id,
            outbound: r.outbound,
            call_id: call_id.to_owned(),
            cseq,
        };
        match at {
            Some(i) => {
                list[i] = binding.clone();
                self.events.push_back(BindingEvent::Refreshed { aor, binding });
            }
            None => {
                list.push(binding.clone());
                self.events.push_back(BindingEvent::Added { aor, binding });
            }
        }
    }

    /// 200 with every current binding and the Date.
    fn ok(&self, request: &Request, aor: &str, now: Instant) -> Response {
        let mut response = reply(request, 200, "OK");
        let headers = response.headers_mut();
        let bindings = self.bindings(aor);
        for binding in bindings {
            let _ = headers.push("Contact", &binding.contact_value(now));
        }
        let supports_outbound = request
            .headers()
            .get_all("Supported")
            .iter()
            .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("outbound")));
        if supports_outbound && bindings.iter().any(|b| b.outbound) {
            let _ = headers.push("Require", "outbound");
        }
        let _ = headers.push("Date", &date::http_date(self.unix_secs(now)));
        response
    }

    /// 401 with a challenge per algorithm.
    fn challenge(&mut self, request: &Request, now_secs: u64, stale: bool) -> Response {
        let mut response = reply(request, 401, "Unauthorized");
        for value in self.digest.challenges(now_secs, stale) {
            let _ = response.headers_mut().push("WWW-Authenticate", &value);
        }
        response
    }

    /// The Authorization header for our realm, else the first one.
    fn authorization_for_realm(&self, request: &Request) -> Option<String> {
        let all = request.headers().get_all("Authorization");
        let ours = all.iter().find(|v| Authorization::parse(v).is_ok_and(|a| a.realm == self.digest.realm()));
        ours.or(all.first()).map(|v| (*v).to_owned())
    }

    fn unix_secs(&self, now: Instant) -> u64 {
        self.start_unix + now.saturating_duration_since(self.start).as_secs()
    }

    /// Removes the bindings expired at `now`, reporting each; O(log n) per
    /// due deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(Reverse((at, _))) = self.expiries.peek()
            && *at <= now
        {
            let Some(Reverse((_, aor))) = self.expiries.pop() else { break };
            let Some(list) = self.bindings.get_mut(&aor) else { continue };
            let events = &mut self.events;
            list.retain(|binding| {
                let alive = binding.expires_at > now;
                if !alive {
                    events.push_back(BindingEvent::Expired { aor: aor.clone(), binding: binding.clone() });
                }
                alive
            });
            if list.is_empty() {
                self.bindings.remove(&aor);
            }
        }
    }

    /// When the next binding may expire (RegistrationExpiry). It can be a
    /// deadline a refresh made moot: `handle_timeout` then changes nothing.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.expiries.peek().map(|Reverse((at, _))| *at)
    }

    /// The next binding change, for the ACD.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<BindingEvent> {
        self.events.pop_front()
    }
}

/// A response with `code` and `reason` (no To-tag is needed: REGISTER
/// creates no dialog, but a tag is harmless and RFC 3261 §8.2.6.2 asks
/// for one).
fn reply(request: &Request, code: u16, reason: &str) -> Response {
    let status = StatusCode::new(code).unwrap_or(StatusCode::SERVER_INTERNAL_ERROR);
    let mut response = request.response(status, Some("reg"));
    response.set_reason(reason);
    response
}

/// The address-of-record (`scheme:user@host`, host lowercased, no port or
/// parameters) and user of a To URI.
pub fn aor_of(uri: &str) -> Option<(String, String)> {
    let (scheme, rest) = uri.split_once(':')?;
    let (user, host) = rest.split_once('@')?;
    let user = user.split(';').next()?;
    let host = match host.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next()?),
        None => host.split([';', '?', ':']).next()?.to_owned(),
    }
    .to_ascii_lowercase();
    if user.is_empty() || host.is_empty() {
        return None;
    }
    Some((format!("{}:{user}@{host}", scheme.to_ascii_lowercase()), user.to_owned()))
}
