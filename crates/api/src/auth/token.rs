//! Bearer secrets: random, prefixed by kind, stored only as SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of session tokens.
pub const SESSION_PREFIX: &str = "sbs_";
/// Prefix of API keys.
pub const API_KEY_PREFIX: &str = "sbk_";

/// A new secret: `prefix` then 32 random bytes in URL-safe base64.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 of a secret, as stored.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}
