//! Login throttling: after too many failed logins for one tenant and
//! username within a window, further attempts are refused (429) until the
//! window ends. Per process; each node counts on its own.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most distinct usernames tracked before stale entries are dropped.
const MAX_TRACKED: usize = 100_000;

/// Failed-login counters by `tenant/username`.
#[derive(Debug)]
pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    /// Allows `max_failures` failed logins per `window`; 0 disables throttling.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        LoginThrottle { max_failures, window, failures: Mutex::new(HashMap::new()) }
    }

    fn key(tenant: &str, username: &str) -> String {
        format!("{}/{}", tenant.to_lowercase(), username.to_lowercase())
    }

    /// Whether this tenant and username may try to log in at `now`.
    pub fn allowed(&self, tenant: &str, username: &str, now: Instant) -> bool {
        if self.max_failures == 0 {
            return true;
        }
        let Ok(map) = self.failures.lock() else { return true };
        map.get(&Self::key(tenant, username))
            .is_none_or(|(count, since)| *count < self.max_failures || now.duration_since(*since) >= self.window)
    }

    /// Counts a failed login at `now`.
    pub fn failed(&self, tenant: &str, username: &str, now: Instant) {
        if self.max_failures == 0 {
            return;
        }
        let Ok(mut map) = self.failures.lock() else { return };
        if map.len() >= MAX_TRACKED {
            map.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        }
        let entry = map.entry(Self::key(tenant, username)).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        entry.0 = entry.0.saturating_add(1);
    }

    /// Forgets the failures after a successful login.
    pub fn succeeded(&self, tenant: &str, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&Self::key(tenant, username));
        }
    }
}
