//! Client side of digest authentication: reading the `WWW-Authenticate`
//! (401) or `Proxy-Authenticate` (407) challenges of a response and
//! answering one with an `Authorization` or `Proxy-Authorization` value.

use std::fmt;

use super::hash::{Algorithm, Credentials, hmac_sha256, to_hex};
use super::header::{Authorization, QopAuth, parse_params, quote};
use super::server::expected_response;

/// Why a challenge cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChallengeError {
    /// The response carried no challenge at all.
    #[error("no authentication challenge")]
    NoChallenge,
    /// The only challenges are of another scheme (`Basic`, `Negotiate`...).
    #[error("no Digest challenge (scheme {0} offered)")]
    NotDigest(String),
    /// A parameter is not `name=value`, a quoted string is unterminated, or
    /// a value holds a control character.
    #[error("malformed digest challenge")]
    Malformed,
    /// A required parameter (`realm`, `nonce`) is missing.
    #[error("digest challenge without {0}")]
    Missing(&'static str),
    /// Every digest challenge names an algorithm other than MD5 and SHA-256
    /// (such as `SHA-512-256` or a `-sess` variant); lists what was offered.
    #[error("no supported digest algorithm: offered {0}; supported SHA-256, MD5")]
    UnsupportedAlgorithm(String),
    /// The challenge's `qop` list does not include `auth` (only `auth-int`).
    #[error("no supported qop: offered {0:?}; supported auth")]
    UnsupportedQop(String),
    /// The stored HA1s are for another realm, or lack the algorithm.
    #[error("no credentials for realm {realm:?} with {algorithm}")]
    NoCredentials {
        /// The challenge's realm.
        realm: String,
        /// The challenge's algorithm.
        algorithm: &'static str,
    },
    /// The username, digest-uri or cnonce holds a control character.
    #[error("{0} holds a control character")]
    ControlCharacter(&'static str),
    /// The nonce was answered 2^32 - 1 times: ask for a new one.
    #[error("nonce count exhausted")]
    NonceCountExhausted,
}

/// Which challenge a response carries, and so which header answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChallengeKind {
    /// 401: `WWW-Authenticate`, answered by `Authorization`.
    Www,
    /// 407: `Proxy-Authenticate`, answered by `Proxy-Authorization`.
    Proxy,
}

impl ChallengeKind {
    /// The kind a status code asks for: 401 or 407, else `None`.
    pub fn from_status(code: u16) -> Option<ChallengeKind> {
        match code {
            401 => Some(ChallengeKind::Www),
            407 => Some(ChallengeKind::Proxy),
            _ => None,
        }
    }

    /// The response header carrying the challenges.
    pub fn challenge_header(self) -> &'static str {
        match self {
            ChallengeKind::Www => "WWW-Authenticate",
            ChallengeKind::Proxy => "Proxy-Authenticate",
        }
    }

    /// The request header carrying the answer.
    pub fn answer_header(self) -> &'static str {
        match self {
            ChallengeKind::Www => "Authorization",
            ChallengeKind::Proxy => "Proxy-Authorization",
        }
    }
}

/// One parsed `Digest` challenge (RFC 7616 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `realm`, unquoted.
    pub realm: String,
    /// `nonce`, unquoted.
    pub nonce: String,
    /// `algorithm` (MD5 when absent).
    pub algorithm: Algorithm,
    /// Whether `qop` offers `auth`; `false` is the RFC 2069 form (no qop,
    /// no cnonce, no nonce count).
    pub qop_auth: bool,
    /// `opaque`, echoed in the answer.
    pub opaque: Option<String>,
    /// `stale=true`: the nonce expired but the credentials were right.
    pub stale: bool,
}

impl Challenge {
    /// Parses one challenge such as `Digest realm="r", nonce="n", qop="auth"`.
    /// Unknown parameters (`domain`, `charset`, ...) are ignored.
    pub fn parse(text: &str) -> Result<Challenge, ChallengeError> {
        let text = text.trim();
        let (scheme, rest) = text.split_at(text.find(|c: char| c.is_ascii_whitespace()).unwrap_or(text.len()));
        if scheme.is_empty() || !scheme.chars().all(is_token_char) {
            return Err(ChallengeError::Malformed);
        }
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Err(ChallengeError::NotDigest(scheme.to_owned()));
        }
        let params = parse_params(rest).map_err(|_| ChallengeError::Malformed)?;
        if params.iter().any(|(_, value)| value.chars().any(char::is_control)) {
            return Err(ChallengeError::Malformed);
        }
        let get = |name: &str| params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let realm = get("realm").ok_or(ChallengeError::Missing("realm"))?;
        let nonce = get("nonce").ok_or(ChallengeError::Missing("nonce"))?;
        let algorithm = match get("algorithm") {
            None => Algorithm::Md5,
            Some(name) => {
                Algorithm::parse(name).ok_or_else(|| ChallengeError::UnsupportedAlgorithm(name.to_owned()))?
            }
        };
        let qop_auth = match get("qop") {
            None => false,
            Some(list) if list.split(',').any(|q| q.trim().eq_ignore_ascii_case("auth")) => true,
            Some(list) => return Err(ChallengeError::UnsupportedQop(list.to_owned())),
        };
        Ok(Challenge {
            realm: realm.to_owned(),
            nonce: nonce.to_owned(),
            algorithm,
            qop_auth,
            opaque: get("opaque").map(str::to_owned),
            stale: get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
        })
    }

    /// Every challenge in one header value: RFC 7235 §4.1 lets a value list
    /// several, comma-separated (`Digest realm="a", ..., Basic realm="b"`).
    pub fn parse_all(value: &str) -> Vec<Result<Challenge, ChallengeError>> {
        split_challenges(value).into_iter().map(Challenge::parse).collect()
    }

    /// Whether to send the request again with an answer to this challenge:
    /// always when the challenged request carried none; after an answer,
    /// only when the nonce was `stale` (otherwise the credentials were
    /// refused, and sending them again would only be refused again).
    pub fn allows_retry(&self, request_carried_answer: bool) -> bool {
        !request_carried_answer || self.stale
    }
}

/// Splits a header value at the commas that start a new challenge (a
/// token then whitespace and no `=`, or a lone token), outside quotes.
fn split_challenges(value: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, b) in value.bytes().enumerate() {
        if quoted {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == b',' && starts_challenge(&value[i + 1..]) {
            pieces.push(&value[start..i]);
            start = i + 1;
        }
    }
    pieces.push(&value[start..]);
    pieces.retain(|p| !p.trim().is_empty());
    pieces
}

/// Whether the text after a comma begins a challenge rather than a
/// parameter.
fn starts_challenge(rest: &str) -> bool {
    let rest = rest.trim_start();
    let token = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
    if token == 0 {
        return false;
    }
    let after = &rest[token..];
    let trimmed = after.trim_start();
    if trimmed.len() == after.len() {
        return after.is_empty() || after.starts_with(',');
    }
    !trimmed.starts_with('=')
}

/// RFC 7230 `tchar`.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// What the client proves it knows.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientSecret {
    /// The password in clear: HA1 is computed for whichever realm
    /// challenges.
    Password(String),
    /// Stored HA1s for one realm (see [`Credentials::from_password`]).
    Ha1 {
        /// The realm the HA1s were computed for.
        realm: String,
        /// The HA1 per algorithm.
        credentials: Credentials,
    },
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientSecret::Password(_) => f.write_str("Password(..)"),
            ClientSecret::Ha1 { realm, .. } => write!(f, "Ha1 {{ realm: {realm:?}, .. }}"),
        }
    }
}

/// Nonces whose counts are remembered (most recently used last).
const MAX_NONCES: usize = 16;

/// The last nonce count sent for one nonce.
#[derive(Debug, Clone)]
struct NonceUse {
    realm: String,
    nonce: String,
    nc: u32,
}

/// Answers digest challenges for one username: picks the challenge,
/// makes the cnonce from a seed, counts `nc` per nonce.
#[derive(Debug, Clone)]
pub struct DigestClient {
    username: String,
    secret: ClientSecret,
    seed: Vec<u8>,
    cnonces: u64,
    nonces: Vec<NonceUse>,
}

impl DigestClient {
    /// A client for `username` knowing `secret`. Its cnonces are
    /// HMAC-SHA-256(`cnonce_seed`, serial): give it random bytes read once
    /// by the shell (two clients with one seed send the same cnonces).
    pub fn new(username: &str, secret: ClientSecret, cnonce_seed: &[u8]) -> DigestClient {
        DigestClient {
            username: username.to_owned(),
            secret,
            seed: cnonce_seed.to_vec(),
            cnonces: 0,
            nonces: Vec::new(),
        }
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The challenge to answer among the values of every challenge header
    /// of a response: of those this client can answer, SHA-256 before MD5
    /// (RFC 8760 §2.4 as a local policy; the first offered on a tie).
    /// The error says why none fits; an unsupported algorithm comes first,
    /// naming every one offered.
    pub fn choose<S: AsRef<str>>(&self, values: &[S]) -> Result<Challenge, ChallengeError> {
        let mut best: Option<Challenge> = None;
        let (mut unsupported, mut digest_error, mut other_scheme) = (Vec::new(), None, None);
        for parsed in values.iter().flat_map(|v| Challenge::parse_all(v.as_ref())) {
            match parsed.and_then(|c| self.check_answerable(c)) {
                Ok(c) => {
                    if best.as_ref().is_none_or(|b| strength(c.algorithm) > strength(b.algorithm)) {
                        best = Some(c);
                    }
                }
                Err(ChallengeError::UnsupportedAlgorithm(name)) => unsupported.push(name),
                Err(e @ ChallengeError::NotDigest(_)) => {
                    other_scheme.get_or_insert(e);
                }
                Err(e) => {
                    digest_error.get_or_insert(e);
                }
            }
        }
        if let Some(challenge) = best {
            return Ok(challenge);
        }
        if !unsupported.is_empty() {
            return Err(ChallengeError::UnsupportedAlgorithm(unsupported.join(", ")));
        }
        Err(digest_error.or(other_scheme).unwrap_or(ChallengeError::NoChallenge))
    }

    /// [`choose`](Self::choose) then [`respond`](Self::respond): the
    /// answer header value for a request with `method` and Request-URI
    /// `uri`.
    pub fn answer<S: AsRef<str>>(&mut self, values: &[S], method: &str, uri: &str) -> Result<String, ChallengeError> {
        let challenge = self.choose(values)?;
        self.respond(&challenge, method, uri)
    }

    /// Answers `challenge` with the next cnonce from the seed. Answering
    /// the same nonce again (a later request reusing the challenge) sends
    /// the next nonce count.
    pub fn respond(&mut self, challenge: &Challenge, method: &str, uri: &str) -> Result<String, ChallengeError> {
        self.cnonces += 1;
        let cnonce = to_hex(&hmac_sha256(&self.seed, &self.cnonces.to_be_bytes())[..16]);
        self.respond_with_cnonce(challenge, method, uri, &cnonce)
    }

    /// Answers `challenge` with the caller's `cnonce` (unused in the RFC
    /// 2069 form).
    pub fn respond_with_cnonce(
        &mut self,
        challenge: &Challenge,
        method: &str,
        uri: &str,
        cnonce: &str,
    ) -> Result<String, ChallengeError> {
        let ha1 = self.ha1(challenge)?;
        for (field, value) in [("username", self.username.as_str()), ("uri", uri), ("cnonce", cnonce)] {
            if value.chars().any(char::is_control) {
                return Err(ChallengeError::ControlCharacter(field));
            }
        }
        let nc = self.next_nc(challenge)?;
        let qop = challenge.qop_auth.then(|| QopAuth { nc, nc_text: format!("{nc:08x}"), cnonce: cnonce.to_owned() });
        let mut auth = Authorization {
            username: self.username.clone(),
            realm: challenge.realm.clone(),
            nonce: challenge.nonce.clone(),
            uri: uri.to_owned(),
            response: String::new(),
            algorithm: challenge.algorithm,
            qop,
            opaque: challenge.opaque.clone(),
        };
        auth.response = expected_response(&auth, method, &ha1);
        if challenge.qop_auth {
            self.record_nc(challenge, nc);
        }
        Ok(format_authorization(&auth))
    }

    /// `challenge` back if this client has credentials for it.
    fn check_answerable(&self, challenge: Challenge) -> Result<Challenge, ChallengeError> {
        self.ha1(&challenge).map(|_| challenge)
    }

    /// HA1 for the challenge's realm and algorithm.
    fn ha1(&self, challenge: &Challenge) -> Result<String, ChallengeError> {
        match &self.secret {
            ClientSecret::Password(password) => Ok(challenge.algorithm.ha1(&self.username, &challenge.realm, password)),
            ClientSecret::Ha1 { realm, credentials } => credentials
                .ha1(challenge.algorithm)
                .filter(|_| *realm == challenge.realm)
                .map(str::to_owned)
                .ok_or_else(|| ChallengeError::NoCredentials {
                    realm: challenge.realm.clone(),
                    algorithm: challenge.algorithm.as_str(),
                }),
        }
    }

    /// The nonce count to send with `challenge`'s nonce.
    fn next_nc(&self, challenge: &Challenge) -> Result<u32, ChallengeError> {
        match self.nonces.iter().find(|u| u.realm == challenge.realm && u.nonce == challenge.nonce) {
            Some(used) => used.nc.checked_add(1).ok_or(ChallengeError::NonceCountExhausted),
            None => Ok(1),
        }
    }

    /// Remembers that `nc` was sent with `challenge`'s nonce.
    fn record_nc(&mut self, challenge: &Challenge, nc: u32) {
        if let Some(i) = self.nonces.iter().position(|u| u.realm == challenge.realm && u.nonce == challenge.nonce) {
            self.nonces.remove(i);
        } else if self.nonces.len() >= MAX_NONCES {
            self.nonces.remove(0);
        }
        self.nonces.push(NonceUse { realm: challenge.realm.clone(), nonce: challenge.nonce.clone(), nc });
    }
}

/// Preference among algorithms: higher is stronger.
fn strength(algorithm: Algorithm) -> u8 {
    match algorithm {
        Algorithm::Md5 => 0,
        Algorithm::Sha256 => 1,
    }
}

/// Writes `auth` as a header value (RFC 7616 §3.4), quoting strings; `nc`
/// is written from [`QopAuth::nc`].
pub fn format_authorization(auth: &Authorization) -> String {
    let mut out = format!(
        "Digest username={}, realm={}, nonce={}, uri={}, response={}, algorithm={}",
        quote(&auth.username),
        quote(&auth.realm),
        quote(&auth.nonce),
        quote(&auth.uri),
        quote(&auth.response),
        auth.algorithm.as_str()
    );
    if let Some(qop) = &auth.qop {
        out.push_str(&format!(", cnonce={}, qop=auth, nc={:08x}", quote(&qop.cnonce), qop.nc));
    }
    if let Some(opaque) = &auth.opaque {
        out.push_str(&format!(", opaque={}", quote(opaque)));
    }
    out
}
