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
//! One registrar serves every tenant: the domain of a REGISTER's AOR (its
//! To URI's host, e.g. `acme.switchboard.localhost`) names the tenant and
//! is the digest realm, and credentials are looked up by (domain, user)
//! in a [`CredentialStore`] such as [`Accounts`]. The Request-URI is not
//! compared with that domain: a phone set up with the edge's address as
//! its registrar sends `REGISTER sip:<address>`, and only the To URI says
//! which tenant it belongs to.
//!
//! ```
//! use std::time::Instant;
//! use sip::layer::{LayerEvent, TransactionLayer};
//! use sip::registrar::{Accounts, Config, Flow, Registrar, Transport};
//!
//! let accounts = Accounts::from_passwords([("acme.switchboard.localhost", "1001", "pw-of-1001")]);
//! let mut registrar = Registrar::new(Config::default(), accounts, b"server secret", Instant::now(), 1_700_000_000);
//! // In the shell, for each layer event (a REGISTER's server transaction):
//! fn on_event<C: sip::registrar::CredentialStore>(
//!     registrar: &mut Registrar<C>, layer: &mut TransactionLayer, event: LayerEvent, now: Instant,
//! ) {
//!     if let LayerEvent::Request { key, request, source } = event {
//!         let flow = Flow { source, transport: Transport::Udp };
//!         if let Some(response) = registrar.handle_register(&request, flow, now) {
//!             let _ = layer.respond(&key, response, now);
//!         }
//!         while let Some(change) = registrar.poll_event() {
//!             // Tell the ACD: change.domain() is the tenant, change.user() the extension.
//!             let _ = (change.domain(), change.user());
//!         }
//!     }
//! }
//! // And when `registrar.poll_timeout()` is due:
//! registrar.handle_timeout(Instant::now());
//! // To refresh the accounts from the database:
//! *registrar.credentials_mut() = Accounts::from_passwords([("acme.switchboard.localhost", "1001", "new-pw")]);
//! ```
//!
//! Answers: 401 with one challenge per algorithm, realm = the AOR's
//! domain (no or stale credentials, or a nonce not ours), 403 for wrong
//! credentials of a known user (counted toward blocking the source), 404
//! for an unknown user or an unknown domain, the same answer for both so
//! a scanner cannot tell which tenants exist (also counted; RFC 3261
//! §10.3 step 5 answers 404 for an AOR not valid for the domain, and this
//! registrar is no proxy to forward other domains to, step 1), 423 with Min-Expires below the minimum, 400 for a
//! bad Contact/Expires/Authorization or a digest `uri` other than
//! the Request-URI, 500 for an out-of-order CSeq on the
//! same Call-ID (§10.3 step 7), 403 "Too Many Contacts" past
//! `max_bindings_per_aor`, 200 listing every current binding with
//! its expiry and a Date header.

mod aor;
mod binding;
pub(crate) mod blocker;
mod config;
mod contact;
mod credentials;
mod date;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::time::{Duration, Instant};

pub use aor::Aor;
pub use binding::{Binding, BindingEvent, Flow, Transport};
pub use config::Config;
pub use credentials::{Accounts, CredentialStore};

use crate::auth::{Authorization, DigestServer, Verdict};
use crate::message::{Request, Response, StatusCode};
use binding::Change;
use blocker::Blocker;
use contact::{Contacts, Requested};

/// Holds the bindings of every address-of-record of every tenant and
/// answers REGISTERs.
#[derive(Debug)]
pub struct Registrar<C> {
    config: Config,
    /// One digest server per realm (AOR domain), made on the first
    /// REGISTER for a known account of that domain, so there are at most
    /// as many as domains with accounts.
    digests: HashMap<String, DigestServer>,
    /// The nonce secret each realm's digest server is made with.
    secret: Vec<u8>,
    credentials: C,
    /// `now` at construction and the Unix time it stands for: the core's
    /// only link to the calendar (for Date and nonce timestamps).
    start: Instant,
    start_unix: u64,
    bindings: HashMap<String, Registered>,
    /// RegistrationExpiry deadlines with their AOR; an entry left behind by
    /// a refresh or removal fires without effect (checked against the
    /// bindings), so the heap needs no removal.
    expiries: BinaryHeap<Reverse<(Instant, String)>>,
    blocker: Blocker,
    events: VecDeque<BindingEvent>,
    blocked_drops: u64,
}

/// The bindings of one AOR.
#[derive(Debug)]
struct Registered {
    aor: Aor,
    list: Vec<Binding>,
}

impl<C: CredentialStore> Registrar<C> {
    /// A registrar with `credentials`, nonces under `secret`; `start` is
    /// the current `Instant` and `start_unix` the Unix seconds it stands
    /// for (the shell reads both clocks once).
    pub fn new(config: Config, credentials: C, secret: &[u8], start: Instant, start_unix: u64) -> Registrar<C> {
        let blocker = Blocker::new(config.max_failures, config.failure_window, config.block_for);
        Registrar {
            config,
            digests: HashMap::new(),
            secret: secret.to_vec(),
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

    /// The current bindings of `aor` (`sip:user@host`, host lowercased, as
    /// [`Aor::parse`] makes it).
    pub fn bindings(&self, aor: &str) -> &[Binding] {
        self.bindings.get(aor).map_or(&[], |r| r.list.as_slice())
    }

    /// The credential store.
    pub fn credentials(&self) -> &C {
        &self.credentials
    }

    /// The credential store, to refresh it (e.g. replace it with
    /// [`Accounts`] freshly loaded). Bindings of accounts that disappear
    /// stay until they expire or are un-registered.
    pub fn credentials_mut(&mut self) -> &mut C {
        &mut self.credentials
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
        let Some(aor) = Aor::parse(request.headers().to().uri().as_str()) else {
            return Some(reply(request, 400, "Bad To URI"));
        };
        let Some(credentials) = self.credentials.lookup(&aor.domain, &aor.user) else {
            self.blocker.fail(ip, now);
            return Some(reply(request, 404, "Not Found"));
        };
        let now_secs = self.unix_secs(now);
        let Some(value) = authorization_for_realm(request, &aor.domain) else {
            return Some(self.challenge(request, &aor.domain, now_secs, false));
        };
        let auth = match Authorization::parse(&value) {
            Ok(auth) => auth,
            Err(_) => return Some(reply(request, 400, "Bad Authorization")),
        };
        if auth.uri != request.uri().as_str() {
            // RFC 7616 §3.4.6: the digest-uri must be the request's URI.
            return Some(reply(request, 400, "Digest URI Mismatch"));
        }
        let credentials = if auth.username == aor.user {
            credentials
        } else {
            // Only a browser's web login may use another digest username.
            match self.credentials.lookup_web_login(&aor.domain, &aor.user, &auth.username, now_secs) {
                Some(web) => web,
                None => {
                    self.blocker.fail(ip, now);
                    return Some(reply(request, 403, "Forbidden"));
                }
            }
        };
        let method = request.method().as_str();
        match self.digest_for(&aor.domain).verify(&auth, method, &credentials, now_secs) {
            Verdict::Authenticated => self.blocker.succeed(ip),
            Verdict::Stale => return Some(self.challenge(request, &aor.domain, now_secs, true)),
            Verdict::UnknownNonce => return Some(self.challenge(request, &aor.domain, now_secs, false)),
            Verdict::Wrong => {
                self.blocker.fail(ip, now);
                return Some(reply(request, 403, "Forbidden"));
            }
        }
        Some(self.update(request, &aor, flow, now))
    }

    /// The digest server of `realm`, made on first use.
    fn digest_for(&mut self, realm: &str) -> &mut DigestServer {
        let config = &self.config;
        let secret = &self.secret;
        self.digests
            .entry(realm.to_owned())
            .or_insert_with(|| DigestServer::new(realm, &config.algorithms, secret, config.nonce_lifetime.as_secs()))
    }

    /// Applies an authenticated REGISTER to `aor`'s bindings.
    fn update(&mut self, request: &Request, aor: &Aor, flow: Flow, now: Instant) -> Response {
        let contacts = match contact::requested(request, self.config.default_expires) {
            Ok(contacts) => contacts,
            Err(reason) => return reply(request, 400, reason),
        };
        match contacts {
            Contacts::Query => {}
            Contacts::RemoveAll => {
                for binding in self.bindings.remove(&aor.uri).map(|r| r.list).unwrap_or_default() {
                    self.events.push_back(BindingEvent::of(Change::Removed, aor, binding));
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
                if self.bindings(&aor.uri).len() + new > self.config.max_bindings_per_aor {
                    return reply(request, 403, "Too Many Contacts");
                }
                for requested in list {
                    self.bind(aor, requested, flow, call_id, cseq, now);
                }
            }
        }
        self.ok(request, &aor.uri, now)
    }

    fn find(&self, aor: &Aor, r: &Requested) -> Option<&Binding> {
        self.bindings(&aor.uri).iter().find(|b| b.same_as(r.instance.as_deref(), r.reg_id, r.contact.uri().as_str()))
    }

    /// Adds, refreshes or removes one binding and reports it.
    fn bind(&mut self, aor: &Aor, r: Requested, flow: Flow, call_id: &str, cseq: u32, now: Instant) {
        let entry =
            self.bindings.entry(aor.uri.clone()).or_insert_with(|| Registered { aor: aor.clone(), list: Vec::new() });
        let list = &mut entry.list;
        let at = list.iter().position(|b| b.same_as(r.instance.as_deref(), r.reg_id, r.contact.uri().as_str()));
        if r.expires == 0 {
            if let Some(i) = at {
                let binding = list.remove(i);
                self.events.push_back(BindingEvent::of(Change::Removed, aor, binding));
            }
            if list.is_empty() {
                self.bindings.remove(&aor.uri);
            }
            return;
        }
        let secs = r.expires.min(self.config.max_expires);
        let expires_at = now + Duration::from_secs(u64::from(secs));
        self.expiries.push(Reverse((expires_at, aor.uri.clone())));
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
                self.events.push_back(BindingEvent::of(Change::Refreshed, aor, binding));
            }
            None => {
                list.push(binding.clone());
                self.events.push_back(BindingEvent::of(Change::Added, aor, binding));
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

    /// 401 with a challenge per algorithm for `realm`.
    fn challenge(&mut self, request: &Request, realm: &str, now_secs: u64, stale: bool) -> Response {
        let mut response = reply(request, 401, "Unauthorized");
        for value in self.digest_for(realm).challenges(now_secs, stale) {
            let _ = response.headers_mut().push("WWW-Authenticate", &value);
        }
        response
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
            let Some(registered) = self.bindings.get_mut(&aor) else { continue };
            let events = &mut self.events;
            let owner = &registered.aor;
            registered.list.retain(|binding| {
                let alive = binding.expires_at > now;
                if !alive {
                    events.push_back(BindingEvent::of(Change::Expired, owner, binding.clone()));
                }
                alive
            });
            if registered.list.is_empty() {
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

/// The Authorization header for `realm`, else the first one.
fn authorization_for_realm(request: &Request, realm: &str) -> Option<String> {
    let all = request.headers().get_all("Authorization");
    let ours = all.iter().find(|v| Authorization::parse(v).is_ok_and(|a| a.realm == realm));
    ours.or(all.first()).map(|v| (*v).to_owned())
}
