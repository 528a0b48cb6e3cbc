//! Edge settings: identity, protection limits and session timers.

use std::time::Duration;

/// How the edge names itself and protects itself.
#[derive(Debug, Clone)]
pub struct EdgeConfig {
    /// The `User-Agent`/`Server` value.
    pub user_agent: String,
    /// The user part of our Contact.
    pub contact_user: String,
    /// Live calls (legs) above which new INVITEs get 503 with Retry-After.
    pub max_live_legs: usize,
    /// New incoming INVITEs admitted per second on average...
    pub setup_rate: u32,
    /// ...with bursts up to this many.
    pub setup_burst: u32,
    /// Retry-After (seconds) on a 503 for overload.
    pub retry_after_secs: u32,
    /// The shortest session interval we accept (RFC 4028 Min-SE; 90 s is
    /// the RFC's floor).
    pub min_session_expires: u32,
}

impl Default for EdgeConfig {
    fn default() -> EdgeConfig {
        EdgeConfig {
            user_agent: "Switchboard".to_owned(),
            contact_user: "sb".to_owned(),
            max_live_legs: 50_000,
            setup_rate: 2_000,
            setup_burst: 4_000,
            retry_after_secs: 5,
            min_session_expires: 90,
        }
    }
}

impl EdgeConfig {
    /// The time one setup token takes to come back.
    pub(crate) fn token_interval(&self) -> Duration {
        Duration::from_secs(1) / self.setup_rate.max(1)
    }
}
