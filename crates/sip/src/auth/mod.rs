//! HTTP Digest authentication for SIP (RFC 8760, RFC 7616, RFC 2617 and
//! RFC 2069 compatibility), both sides, sans-IO.
//!
//! Server side:
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
//! Client side:
//! - [`DigestClient`] reads the challenges of a 401 (`WWW-Authenticate`)
//!   or 407 (`Proxy-Authenticate`, see [`ChallengeKind`]), chooses one it
//!   can answer (SHA-256 before MD5), and writes the `Authorization` or
//!   `Proxy-Authorization` value: `qop=auth` with a cnonce and a nonce
//!   count per nonce, or the RFC 2069 form when no qop is offered. It
//!   knows a password or stored HA1s ([`ClientSecret`]); cnonces come
//!   from a seed the caller gives (or are passed in), never from an RNG
//!   read here. [`Challenge::parse`] never panics.
//!
//! Browser softphones register with short-lived logins derived from the
//! account's password ([`mint_web_login`]; see `web_login.rs`).
//!
//! Time comes in as seconds on the server's own clock (the caller maps its
//! `Instant` onto it); nothing here reads the clock.

mod client;
mod hash;
mod header;
mod nonce;
mod server;
mod web_login;

pub use client::{Challenge, ChallengeError, ChallengeKind, ClientSecret, DigestClient, format_authorization};
pub use hash::{Algorithm, Credentials};
pub use header::{AuthError, Authorization, QopAuth};
pub use nonce::{NonceCheck, Nonces};
pub use server::{DigestServer, Verdict, expected_response};
pub use web_login::{
    MAX_LIFETIME_SECS, SEPARATOR, WebLogin, mint_web_login, web_login_expiry, web_login_key, web_login_password,
};
