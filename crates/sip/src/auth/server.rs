//! Server side of digest authentication: challenges and verification.

use std::collections::HashMap;

use super::hash::{Algorithm, Credentials, constant_time_eq, hmac_sha256, to_hex};
use super::header::{Authorization, quote};
use super::nonce::{NonceCheck, Nonces};

/// The outcome of checking an `Authorization` against credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The response is correct and the nonce fresh.
    Authenticated,
    /// The response is correct but the nonce expired: challenge again with
    /// `stale=true` (the client retries without asking the user).
    Stale,
    /// Wrong response, wrong realm, replayed nonce count, or an algorithm
    /// the user has no HA1 for: the credentials are wrong.
    Wrong,
    /// The nonce is not one of ours (forged, or from before a secret
    /// change): challenge again, without counting a failure.
    UnknownNonce,
}

/// Live nonces whose counts are remembered before old ones are pruned.
const MAX_TRACKED_NONCES: usize = 100_000;

/// Builds challenges and verifies responses for one realm.
#[derive(Debug, Clone)]
pub struct DigestServer {
    realm: String,
    algorithms: Vec<Algorithm>,
    nonces: Nonces,
    opaque: String,
    /// Highest nonce count seen per nonce still alive.
    counts: HashMap<String, u32>,
    /// Nonces issued so far (the nonce serial).
    issued: u64,
}

impl DigestServer {
    /// A server for `realm` offering `algorithms` in that order (RFC 8760
    /// §2.4: most preferred first), nonces under `secret` valid for
    /// `nonce_lifetime_secs`.
    pub fn new(realm: &str, algorithms: &[Algorithm], secret: &[u8], nonce_lifetime_secs: u64) -> DigestServer {
        DigestServer {
            realm: realm.to_owned(),
            algorithms: algorithms.to_vec(),
            nonces: Nonces::new(secret, nonce_lifetime_secs),
            opaque: to_hex(&hmac_sha256(secret, b"opaque")[..8]),
            counts: HashMap::new(),
            issued: 0,
        }
    }

    /// The realm.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// `WWW-Authenticate` values, one per algorithm, with a nonce issued at
    /// `now_secs`; `stale` marks a retry after an expired nonce.
    pub fn challenges(&mut self, now_secs: u64, stale: bool) -> Vec<String> {
        self.issued += 1;
        let nonce = self.nonces.issue(now_secs, self.issued);
        self.algorithms
            .iter()
            .map(|algorithm| {
                let mut value = format!(
                    "Digest realm={}, nonce=\"{nonce}\", opaque=\"{}\", algorithm={}, qop=\"auth\"",
                    quote(&self.realm),
                    self.opaque,
                    algorithm.as_str()
                );
                if stale {
                    value.push_str(", stale=true");
                }
                value
            })
            .collect()
    }

    /// Checks `auth` for a request with `method`, given the user's stored
    /// credentials, at `now_secs`.
    pub fn verify(&mut self, auth: &Authorization, method: &str, credentials: &Credentials, now_secs: u64) -> Verdict {
        let nonce = self.nonces.check(&auth.nonce, now_secs);
        if nonce == NonceCheck::Invalid {
            return Verdict::UnknownNonce;
        }
        let offered = self.algorithms.contains(&auth.algorithm);
        let Some(ha1) = credentials.ha1(auth.algorithm).filter(|_| offered && auth.realm == self.realm) else {
            return Verdict::Wrong;
        };
        let expected = expected_response(auth, method, ha1);
        if !constant_time_eq(expected.as_bytes(), auth.response.as_bytes()) {
            return Verdict::Wrong;
        }
        if nonce == NonceCheck::Stale {
            self.counts.remove(&auth.nonce);
            return Verdict::Stale;
        }
        if let Some(qop) = &auth.qop {
            self.prune(now_secs);
            let last = self.counts.entry(auth.nonce.clone()).or_insert(0);
            if qop.nc <= *last {
                return Verdict::Wrong;
            }
            *last = qop.nc;
        }
        Verdict::Authenticated
    }

    /// Forgets counts of expired nonces when the table is full.
    fn prune(&mut self, now_secs: u64) {
        if self.counts.len() >= MAX_TRACKED_NONCES {
            let nonces = &self.nonces;
            self.counts.retain(|n, _| nonces.check(n, now_secs) == NonceCheck::Fresh);
        }
    }
}

/// The `response` a client knowing `ha1` sends (RFC 7616 §3.4.1; without
/// qop, RFC 2069's H(HA1:nonce:HA2)).
pub fn expected_response(auth: &Authorization, method: &str, ha1: &str) -> String {
    let algorithm = auth.algorithm;
    let ha2 = algorithm.hex(&format!("{method}:{}", auth.uri));
    match &auth.qop {
        Some(q) => algorithm.hex(&format!("{ha1}:{}:{}:{}:auth:{ha2}", auth.nonce, q.nc_text, q.cnonce)),
        None => algorithm.hex(&format!("{ha1}:{}:{ha2}", auth.nonce)),
    }
}
