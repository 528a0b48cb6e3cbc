//! Failed authentications per source IP; a source over the limit is
//! blocked for a while and its requests are dropped unanswered.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Sources tracked before entries that no longer matter are pruned.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    window_started: Instant,
    blocked_until: Option<Instant>,
}

/// Counts failures per IP within a window and blocks noisy sources.
#[derive(Debug, Clone)]
pub(crate) struct Blocker {
    max_failures: u32,
    window: Duration,
    block_for: Duration,
    entries: HashMap<IpAddr, Entry>,
}

impl Blocker {
    pub(crate) fn new(max_failures: u32, window: Duration, block_for: Duration) -> Blocker {
        Blocker { max_failures, window, block_for, entries: HashMap::new() }
    }

    /// Whether `ip` is blocked at `now`.
    pub(crate) fn is_blocked(&self, ip: IpAddr, now: Instant) -> bool {
        self.entries.get(&ip).and_then(|e| e.blocked_until).is_some_and(|until| now < until)
    }

    /// Records a failed authentication from `ip`.
    pub(crate) fn fail(&mut self, ip: IpAddr, now: Instant) {
        if self.entries.len() >= PRUNE_AT {
            let window = self.window;
            self.entries.retain(|_, e| {
                e.blocked_until.is_some_and(|u| now < u) || now.saturating_duration_since(e.window_started) < window
            });
        }
        let entry = self.entries.entry(ip).or_insert(Entry { failures: 0, window_started: now, blocked_until: None });
        if now.saturating_duration_since(entry.window_started) >= self.window
            || entry.blocked_until.is_some_and(|u| now >= u)
        {
            *entry = Entry { failures: 0, window_started: now, blocked_until: None };
        }
        entry.failures += 1;
        if entry.failures >= self.max_failures {
            entry.blocked_until = Some(now + self.block_for);
        }
    }

    /// Forgets `ip`'s failures after a successful authentication.
    pub(crate) fn succeed(&mut self, ip: IpAddr) {
        self.entries.remove(&ip);
    }
}
