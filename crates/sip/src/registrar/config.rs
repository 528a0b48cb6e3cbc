//! Registrar settings.

use std::time::Duration;

use crate::auth::Algorithm;

/// How the registrar authenticates, clamps expiries and blocks sources.
/// There is no realm setting: the realm of each REGISTER is its AOR's
/// domain (the tenant's SIP domain).
#[derive(Debug, Clone)]
pub struct Config {
    /// Algorithms offered in challenges, most preferred first.
    pub algorithms: Vec<Algorithm>,
    /// Nonce lifetime; a correct answer to an older nonce gets `stale=true`.
    pub nonce_lifetime: Duration,
    /// Shortest accepted registration (below: 423 with Min-Expires).
    pub min_expires: u32,
    /// Longest granted registration (above: clamped down).
    pub max_expires: u32,
    /// Expiry when the REGISTER names none.
    pub default_expires: u32,
    /// Bindings one AOR may hold; a REGISTER that would exceed it is 403
    /// "Too Many Contacts" and changes nothing.
    pub max_bindings_per_aor: usize,
    /// Failed authentications from one IP within `failure_window` that
    /// block it.
    pub max_failures: u32,
    /// The window failures are counted in.
    pub failure_window: Duration,
    /// How long a source stays blocked (its requests are dropped).
    pub block_for: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            algorithms: vec![Algorithm::Sha256, Algorithm::Md5],
            nonce_lifetime: Duration::from_secs(300),
            min_expires: 60,
            max_expires: 3600,
            default_expires: 3600,
            max_bindings_per_aor: 10,
            max_failures: 5,
            failure_window: Duration::from_secs(60),
            block_for: Duration::from_secs(300),
        }
    }
}
