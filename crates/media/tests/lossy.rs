//! A small seeded network for virtual-time tests: it drops, duplicates and
//! delays packets (so reorders them), the same way for the same seed.

use std::time::Duration;

/// xorshift64*: enough randomness for a test, the same for the same seed.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value; 0 is moved off the fixed point).
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// What the network does to each packet.
pub struct Lossy {
    rng: Rng,
    /// Percent of packets lost.
    pub loss: u64,
    /// Percent of packets delivered twice.
    pub duplicate: u64,
    /// Each delivery is delayed by up to this much.
    pub max_delay: Duration,
}

impl Lossy {
    /// A network from `seed` losing `loss` percent of packets, duplicating
    /// 10 % and delaying each by up to `max_delay`.
    pub fn new(seed: u64, loss: u64, max_delay: Duration) -> Self {
        Self { rng: Rng::new(seed), loss, duplicate: 10, max_delay }
    }

    /// Carries packets sent at the given times; returns what arrives, with
    /// its arrival time, in arrival order (ties in sending order), each
    /// with the index of the packet sent.
    pub fn carry<T: Clone>(&mut self, sent: &[(Duration, T)]) -> Vec<(Duration, usize, T)> {
        let max_delay = u64::try_from(self.max_delay.as_micros()).unwrap_or(u64::MAX);
        let mut arrivals = Vec::new();
        for (index, (at, packet)) in sent.iter().enumerate() {
            if self.rng.chance(self.loss) {
                continue;
            }
            let copies = if self.rng.chance(self.duplicate) { 2 } else { 1 };
            for _ in 0..copies {
                let delay = Duration::from_micros(self.rng.below(max_delay + 1));
                arrivals.push((*at + delay, index, packet.clone()));
            }
        }
        arrivals.sort_by_key(|(at, index, _)| (*at, *index));
        arrivals
    }
}

#[test]
fn the_same_seed_loses_and_delays_the_same_packets() {
    let sent: Vec<(Duration, u32)> = (0..100).map(|i| (Duration::from_millis(20 * i), i as u32)).collect();
    let once = Lossy::new(7, 20, Duration::from_millis(50)).carry(&sent);
    let again = Lossy::new(7, 20, Duration::from_millis(50)).carry(&sent);
    let other = Lossy::new(8, 20, Duration::from_millis(50)).carry(&sent);
    assert_eq!(once, again);
    assert_ne!(once, other);
    let lost = 100 - once.iter().map(|(_, i, _)| *i).collect::<std::collections::BTreeSet<_>>().len();
    assert!((5..=40).contains(&lost), "about 20 % lost: {lost}");
    assert!(once.windows(2).any(|w| w[0].1 > w[1].1), "some packets overtake others");
}
