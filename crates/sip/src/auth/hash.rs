//! Digest hashes (RFC 7616 §3.4.1) and HMAC-SHA-256 for nonces.

use md5::Md5;
use sha2::{Digest, Sha256};

/// A digest algorithm (RFC 8760 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5`, for old phones (RFC 2617).
    Md5,
    /// `SHA-256` (RFC 7616, RFC 8760).
    Sha256,
}

impl Algorithm {
    /// Parses the `algorithm` parameter (case-insensitive); a missing one
    /// means MD5. Session variants (`-sess`) are not supported.
    pub fn parse(name: &str) -> Option<Algorithm> {
        match name.to_ascii_uppercase().as_str() {
            "MD5" => Some(Algorithm::Md5),
            "SHA-256" => Some(Algorithm::Sha256),
            _ => None,
        }
    }

    /// The name as written in headers.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    /// Lowercase hex of the hash of `data`.
    pub fn hex(self, data: &str) -> String {
        match self {
            Algorithm::Md5 => to_hex(&Md5::digest(data.as_bytes())),
            Algorithm::Sha256 => to_hex(&Sha256::digest(data.as_bytes())),
        }
    }

    /// HA1 = H(username:realm:password) (RFC 7616 §3.4.2).
    pub fn ha1(self, username: &str, realm: &str, password: &str) -> String {
        self.hex(&format!("{username}:{realm}:{password}"))
    }
}

/// What the registrar stores for one user: HA1 per algorithm, never the
/// password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// H(username:realm:password) with MD5, if MD5 is allowed for the user.
    pub ha1_md5: Option<String>,
    /// H(username:realm:password) with SHA-256.
    pub ha1_sha256: Option<String>,
}

impl Credentials {
    /// Both HA1s from a clear password (for provisioning and tests).
    pub fn from_password(username: &str, realm: &str, password: &str) -> Credentials {
        Credentials {
            ha1_md5: Some(Algorithm::Md5.ha1(username, realm, password)),
            ha1_sha256: Some(Algorithm::Sha256.ha1(username, realm, password)),
        }
    }

    /// The stored HA1 for `algorithm`.
    pub fn ha1(&self, algorithm: Algorithm) -> Option<&str> {
        match algorithm {
            Algorithm::Md5 => self.ha1_md5.as_deref(),
            Algorithm::Sha256 => self.ha1_sha256.as_deref(),
        }
    }
}

/// Lowercase hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// HMAC-SHA-256 (RFC 2104) of `message` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut padded = [0u8; BLOCK];
    if key.len() > BLOCK {
        padded[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        padded[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(padded.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(padded.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Equality that takes the same time wherever the first difference is.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
