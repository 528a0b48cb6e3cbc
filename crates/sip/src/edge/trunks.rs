//! A [`Directory`] over carrier trunks: an INVITE is taken when its source
//! is on a trunk's allow-list or it answers our digest challenge as a
//! digest trunk's user (407, `Proxy-Authenticate`); then the dialled
//! number is looked up (the call layer's DID table). Failed answers are
//! counted per source, and a source that fails too often is dropped
//! unanswered for a while.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::directory::{Admission, Directory, InboundRoute};
use super::transport::TransportId;
use crate::auth::{Algorithm, Authorization, DigestServer, Verdict};
use crate::message::{Request, StatusCode};
use crate::registrar::blocker::Blocker;
use crate::trunk::TrunkTable;

/// Finds the route of a dialled number arriving on a trunk: the call
/// layer's DID table (`None`: the number is not ours, 404).
pub trait NumberLookup {
    /// The route for `number` (the Request-URI user, e.g. `+4930123`) on `trunk`.
    fn route(&self, trunk: &str, number: &str) -> Option<InboundRoute>;
}

impl<F: Fn(&str, &str) -> Option<InboundRoute>> NumberLookup for F {
    fn route(&self, trunk: &str, number: &str) -> Option<InboundRoute> {
        self(trunk, number)
    }
}

/// How the trunk directory challenges and blocks.
#[derive(Debug, Clone)]
pub struct TrunkAuthConfig {
    /// Our digest realm for carriers.
    pub realm: String,
    /// Algorithms offered, most preferred first.
    pub algorithms: Vec<Algorithm>,
    /// Nonce lifetime in seconds.
    pub nonce_lifetime_secs: u64,
    /// Failed answers from one IP within `failure_window` that block it.
    pub max_failures: u32,
    /// The window failures are counted in.
    pub failure_window: Duration,
    /// How long a blocked source is dropped.
    pub block_for: Duration,
}

impl Default for TrunkAuthConfig {
    fn default() -> TrunkAuthConfig {
        TrunkAuthConfig {
            realm: "switchboard".to_owned(),
            algorithms: vec![Algorithm::Sha256, Algorithm::Md5],
            nonce_lifetime_secs: 300,
            max_failures: 5,
            failure_window: Duration::from_secs(60),
            block_for: Duration::from_secs(300),
        }
    }
}

/// Admits INVITEs from the configured trunks.
pub struct TrunkDirectory<L> {
    trunks: TrunkTable<String>,
    digest: DigestServer,
    numbers: L,
    blocker: Blocker,
    start: Instant,
    start_unix: u64,
}

impl<L> std::fmt::Debug for TrunkDirectory<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrunkDirectory").field("trunks", &self.trunks.trunks().len()).finish_non_exhaustive()
    }
}

impl<L: NumberLookup> TrunkDirectory<L> {
    /// A directory of `trunks` (ids as the call layer names them) and
    /// `numbers`; `start`/`start_unix` tie the clock to the calendar for
    /// nonces, and `secret` keys them.
    pub fn new(
        config: &TrunkAuthConfig,
        trunks: TrunkTable<String>,
        numbers: L,
        secret: &[u8],
        start: Instant,
        start_unix: u64,
    ) -> TrunkDirectory<L> {
        TrunkDirectory {
            trunks,
            digest: DigestServer::new(&config.realm, &config.algorithms, secret, config.nonce_lifetime_secs),
            numbers,
            blocker: Blocker::new(config.max_failures, config.failure_window, config.block_for),
            start,
            start_unix,
        }
    }

    /// Replaces the trunks (after a configuration change).
    pub fn set_trunks(&mut self, trunks: TrunkTable<String>) {
        self.trunks = trunks;
    }

    fn unix(&self, now: Instant) -> u64 {
        self.start_unix + now.saturating_duration_since(self.start).as_secs()
    }

    fn challenge(&mut self, now: Instant, stale: bool) -> Admission {
        let now_secs = self.unix(now);
        let headers = self.digest.challenges(now_secs, stale).into_iter().map(|c| ("Proxy-Authenticate".to_owned(), c));
        Admission::Reject {
            status: StatusCode::new(407).unwrap_or(StatusCode::BAD_REQUEST),
            headers: headers.collect(),
        }
    }

    /// The trunk an INVITE comes from, or the answer that refuses it.
    fn trunk_of(&mut self, invite: &Request, source: SocketAddr, now: Instant) -> Result<String, Admission> {
        if let Some(trunk) = self.trunks.match_source(source.ip()) {
            return Ok(trunk.id.clone());
        }
        let forbidden =
            || Admission::Reject { status: StatusCode::new(403).unwrap_or(StatusCode::BAD_REQUEST), headers: vec![] };
        let Some(value) = invite.headers().get("Proxy-Authorization") else {
            let any_digest =
                self.trunks.trunks().iter().any(|t| matches!(t.inbound, crate::trunk::Inbound::Digest { .. }));
            return Err(if any_digest { self.challenge(now, false) } else { forbidden() });
        };
        let Ok(auth) = Authorization::parse(value) else {
            return Err(Admission::Reject { status: StatusCode::BAD_REQUEST, headers: vec![] });
        };
        let Some((trunk, credentials)) = self.trunks.digest_trunk(&auth.username) else {
            self.blocker.fail(source.ip(), now);
            return Err(forbidden());
        };
        let (id, credentials) = (trunk.id.clone(), credentials.clone());
        if auth.uri != invite.uri().as_str() {
            return Err(Admission::Reject { status: StatusCode::BAD_REQUEST, headers: vec![] });
        }
        match self.digest.verify(&auth, "INVITE", &credentials, self.unix(now)) {
            Verdict::Authenticated => {
                self.blocker.succeed(source.ip());
                Ok(id)
            }
            Verdict::Stale => Err(self.challenge(now, true)),
            Verdict::UnknownNonce => Err(self.challenge(now, false)),
            _ => {
                self.blocker.fail(source.ip(), now);
                Err(forbidden())
            }
        }
    }
}

impl<L: NumberLookup> Directory for TrunkDirectory<L> {
    fn admit(&mut self, invite: &Request, source: SocketAddr, _: TransportId, now: Instant) -> Admission {
        if self.blocker.is_blocked(source.ip(), now) {
            return Admission::Drop;
        }
        let trunk = match self.trunk_of(invite, source, now) {
            Ok(trunk) => trunk,
            Err(refusal) => return refusal,
        };
        let number = dialled_number(invite);
        match self.numbers.route(&trunk, &number) {
            Some(mut route) => {
                route.trunk = Some(trunk);
                Admission::Accept(route)
            }
            None => Admission::Reject { status: StatusCode::NOT_FOUND, headers: vec![] },
        }
    }
}

/// The user part of the Request-URI (`sip:+4930123@host`, `tel:+4930123`),
/// without visual separators (RFC 3966 `-`, `.`, `(`, `)`).
pub fn dialled_number(invite: &Request) -> String {
    let uri = invite.uri().as_str();
    let rest = uri.split_once(':').map_or(uri, |(_, rest)| rest);
    let user = rest.split(['@', ';', '?']).next().unwrap_or_default();
    user.chars().filter(|c| !matches!(c, '-' | '.' | '(' | ')' | ' ')).collect()
}
