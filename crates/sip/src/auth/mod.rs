//! HTTP Digest authentication for SIP, server side (RFC 8760, RFC 7616,
//! RFC 2617 compatibility), sans-IO.
//!
//! - [`DigestServer`] builds `WWW-Authenticate` challenges (one per
//!   configured algorithm, SHA-256 first, `qop="auth"`) and verifies an
//!   [`Authorization`] against stored [`Credentials`] (one HA1 per
//!   algorithm, so no password is kept in clear).
//! - Nonces are stateless: a timestamp and an HMAC-SHA-256 of it under a
//!   server secret; an expired nonce with an otherwise correct response is
//!   reported [`Verdict::Stale`] (answer with `stale=true`).
//! - Nonce counts are remembered per live nonce, so a replayed `nc` is
//!   refused.
//!
//! Time comes in as seconds on the server's own clock (the caller maps its
//! `Instant` onto it); nothing here reads the clock.

mod hash;
mod header;
mod nonce;
mod server;

pub use hash::{Algorithm, Credentials};
pub use header::{AuthError, Authorization, QopAuth};
pub use nonce::{NonceCheck, Nonces};
pub use server::{DigestServer, Verdict, expected_response};
