//! Tags, branches and Call-IDs the edge invents: unique across restarts
//! through a seed the shell draws once, and reproducible in tests.

use crate::message::BRANCH_MAGIC_COOKIE;

/// Makes identifiers from a seed and a counter; a little xorshift for
/// the random parts of timers (glare back-off), so the core reads no RNG.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    seed: u64,
    counter: u64,
    random: u64,
}

impl Ids {
    /// Identifiers from `seed` (draw it from the OS in the shell).
    pub(crate) fn new(seed: u64) -> Ids {
        Ids { seed, counter: 0, random: seed | 1 }
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A From/To tag.
    pub(crate) fn tag(&mut self) -> String {
        let n = self.next();
        format!("sb{:x}{n:x}", self.seed & 0xffff_ffff)
    }

    /// An RFC 3261 branch (§8.1.1.7).
    pub(crate) fn branch(&mut self) -> String {
        let n = self.next();
        format!("{BRANCH_MAGIC_COOKIE}sb{:x}.{n:x}", self.seed)
    }

    /// A Call-ID for a call we place.
    pub(crate) fn call_id(&mut self, host: &str) -> String {
        let n = self.next();
        format!("{:x}-{n:x}@{host}", self.seed)
    }

    /// A pseudo-random number in `0..bound` (xorshift64).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        let mut x = self.random;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.random = x;
        x % bound.max(1)
    }
}
