//! Short-lived SIP logins for browser softphones.
//!
//! A browser must register over the SIP WebSocket, but an agent's SIP
//! password is write-only in the API and should not sit in a web page. So
//! the API mints, for a signed-in agent, a login that registers the same
//! address-of-record until a set time: the digest username is
//! `<user>~<expiry in Unix seconds>` and the password an HMAC-SHA-256 of
//! the domain, user and expiry under a key derived from the account's SIP
//! password. The registrar recomputes it from the same account, so no
//! state is shared between the two; the login stops working at its expiry
//! and as soon as the SIP password changes, and it tells nothing about
//! the password itself.

use super::hash::{hmac_sha256, to_hex};
use sha2::{Digest, Sha256};

/// Between the user and the expiry in a web login's digest username.
pub const SEPARATOR: char = '~';

/// The longest a web login may be valid for (a long shift).
pub const MAX_LIFETIME_SECS: u64 = 24 * 3600;

/// A browser's login for one address-of-record.
#[derive(Clone, PartialEq, Eq)]
pub struct WebLogin {
    /// The digest username: `<user>~<expiry>`.
    pub authorization_user: String,
    /// The digest password.
    pub password: String,
    /// When it stops working (Unix seconds).
    pub expires_unix: u64,
}

impl std::fmt::Debug for WebLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebLogin")
            .field("authorization_user", &self.authorization_user)
            .field("password", &"<redacted>")
            .field("expires_unix", &self.expires_unix)
            .finish()
    }
}

/// The key web logins of an account are made with, from its SIP password
/// (what the registrar keeps instead of the password).
pub fn web_login_key(account_password: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"switchboard web sip login v1\0");
    hash.update(account_password.as_bytes());
    hash.finalize().into()
}

/// The login of `user` in `domain` (lowercased) valid until `expires_unix`.
pub fn mint_web_login(account_password: &str, domain: &str, user: &str, expires_unix: u64) -> WebLogin {
    let key = web_login_key(account_password);
    WebLogin {
        authorization_user: format!("{user}{SEPARATOR}{expires_unix}"),
        password: web_login_password(&key, domain, user, expires_unix),
        expires_unix,
    }
}

/// The password of the web login of `user` in `domain` expiring at
/// `expires_unix`, under `key` ([`web_login_key`]).
pub fn web_login_password(key: &[u8; 32], domain: &str, user: &str, expires_unix: u64) -> String {
    let message = format!("{}\n{user}\n{expires_unix}", domain.to_ascii_lowercase());
    to_hex(&hmac_sha256(key, message.as_bytes())[..16])
}

/// The expiry a digest username claims for `user`'s web login, when it is
/// one (`<user>~<digits>`) and still valid at `now_unix` for no longer
/// than [`MAX_LIFETIME_SECS`]; `None` otherwise.
pub fn web_login_expiry(authorization_user: &str, user: &str, now_unix: u64) -> Option<u64> {
    let rest = authorization_user.strip_prefix(user)?.strip_prefix(SEPARATOR)?;
    if rest.is_empty() || rest.len() > 20 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let expires: u64 = rest.parse().ok()?;
    (expires > now_unix && expires - now_unix <= MAX_LIFETIME_SECS).then_some(expires)
}
