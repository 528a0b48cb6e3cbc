//! The API's settings.

use std::time::Duration;

/// Argon2id cost parameters for password hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordParams {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism.
    pub parallelism: u32,
}

impl Default for PasswordParams {
    /// OWASP's recommendation for argon2id: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        PasswordParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

impl PasswordParams {
    /// The cheapest parameters argon2 accepts; for tests only.
    pub fn insecure_for_tests() -> Self {
        PasswordParams { memory_kib: 8, iterations: 1, parallelism: 1 }
    }
}

/// Settings of the HTTP API.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// How passwords are hashed.
    pub password: PasswordParams,
    /// How long a login session lasts.
    pub session_ttl: Duration,
    /// The platform operator's bearer token, allowed to create tenants.
    /// `None` leaves only operators stored in the database.
    pub operator_token: Option<String>,
    /// How long `/readyz` waits for the database.
    pub readiness_timeout: Duration,
    /// Failed logins allowed per tenant and username within
    /// `login_lockout` before further attempts get 429; 0 disables.
    pub login_max_failures: u32,
    /// The window over which failed logins are counted.
    pub login_lockout: Duration,
    /// Timings of the live feed.
    pub live: crate::live::LiveConfig,
    /// The built web app (`web/dist`), served at `/` for every path outside
    /// `/api/`; `None` serves no files.
    pub web_dir: Option<std::path::PathBuf>,
    /// The platform's SIP domain (`sip.domain`): a tenant's agents register
    /// as `sip:<extension>@<slug>.<domain>`.
    pub sip_domain: String,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            password: PasswordParams::default(),
            session_ttl: Duration::from_secs(12 * 3600),
            operator_token: None,
            readiness_timeout: Duration::from_secs(2),
            login_max_failures: 10,
            login_lockout: Duration::from_secs(15 * 60),
            sip_domain: "switchboard.localhost".to_owned(),
            live: crate::live::LiveConfig::default(),
            web_dir: None,
        }
    }
}
