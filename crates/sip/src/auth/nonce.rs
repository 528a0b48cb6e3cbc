//! Stateless nonces: `hex(timestamp) . hex(serial) . hex(HMAC(secret,
//! timestamp . serial))`, so any nonce the server issued can be checked
//! without remembering it. The serial makes two nonces issued in the same
//! second differ, so their nonce counts never collide.

use super::hash::{constant_time_eq, hmac_sha256, to_hex};

/// How a nonce checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceCheck {
    /// Issued by us and younger than the lifetime.
    Fresh,
    /// Issued by us but expired: challenge again with `stale=true`.
    Stale,
    /// Not one of ours (bad format or MAC).
    Invalid,
}

/// Issues and checks nonces with a server secret.
#[derive(Debug, Clone)]
pub struct Nonces {
    secret: Vec<u8>,
    lifetime_secs: u64,
}

/// Hex digits of the timestamp and serial part.
const STAMP_HEX: usize = 32;
/// Bytes of the MAC kept in the nonce.
const MAC_BYTES: usize = 16;

impl Nonces {
    /// Nonces under `secret`, valid for `lifetime_secs`.
    pub fn new(secret: &[u8], lifetime_secs: u64) -> Nonces {
        Nonces { secret: secret.to_vec(), lifetime_secs }
    }

    /// A nonce issued at `now_secs`; `serial` tells apart nonces issued in
    /// the same second.
    pub fn issue(&self, now_secs: u64, serial: u64) -> String {
        let stamp = (u128::from(now_secs) << 64 | u128::from(serial)).to_be_bytes();
        format!("{}{}", to_hex(&stamp), to_hex(&self.mac(&stamp)))
    }

    /// The time a valid nonce was issued, if it is one of ours.
    pub fn issued_at(&self, nonce: &str) -> Option<u64> {
        if nonce.len() != STAMP_HEX + 2 * MAC_BYTES || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let stamp = u128::from_str_radix(&nonce[..STAMP_HEX], 16).ok()?.to_be_bytes();
        let expected = to_hex(&self.mac(&stamp));
        let issued = u64::try_from(u128::from_be_bytes(stamp) >> 64).ok()?;
        constant_time_eq(expected.as_bytes(), &nonce.as_bytes()[STAMP_HEX..]).then_some(issued)
    }

    /// Checks `nonce` at `now_secs`.
    pub fn check(&self, nonce: &str, now_secs: u64) -> NonceCheck {
        match self.issued_at(nonce) {
            None => NonceCheck::Invalid,
            Some(at) if at > now_secs || now_secs - at >= self.lifetime_secs => NonceCheck::Stale,
            Some(_) => NonceCheck::Fresh,
        }
    }

    /// The nonce lifetime in seconds.
    pub fn lifetime_secs(&self) -> u64 {
        self.lifetime_secs
    }

    fn mac(&self, stamp: &[u8; 16]) -> [u8; MAC_BYTES] {
        let full = hmac_sha256(&self.secret, stamp);
        let mut out = [0u8; MAC_BYTES];
        out.copy_from_slice(&full[..MAC_BYTES]);
        out
    }
}
