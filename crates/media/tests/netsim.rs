//! A small seeded network simulator for virtual-time tests: delay, jitter,
//! loss, reordering and duplication.

use std::time::{Duration, Instant};

/// SplitMix64: a tiny seeded generator, so every run is the same.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// What the network does to each packet.
#[derive(Debug, Clone, Copy)]
pub struct Netem {
    /// Fixed one-way delay.
    pub delay: Duration,
    /// Extra delay, uniform in [0, jitter].
    pub jitter: Duration,
    /// Probability a packet is lost.
    pub loss: f64,
    /// Probability a packet is held back by `reorder_by` (so later ones overtake it).
    pub reorder: f64,
    /// How long a reordered packet is held back.
    pub reorder_by: Duration,
    /// Probability a packet arrives twice.
    pub duplicate: f64,
}

impl Netem {
    pub fn clean(delay: Duration) -> Self {
        Self { delay, jitter: Duration::ZERO, loss: 0.0, reorder: 0.0, reorder_by: Duration::ZERO, duplicate: 0.0 }
    }
}

/// A link carrying items of type `T` with the given [`Netem`].
#[derive(Debug)]
pub struct Link<T> {
    pub netem: Netem,
    rng: Rng,
    /// (arrival, order sent, item), kept sorted by arrival then order.
    queue: Vec<(Instant, u64, T)>,
    sent: u64,
}

impl<T: Clone> Link<T> {
    pub fn new(netem: Netem, seed: u64) -> Self {
        Self { netem, rng: Rng::new(seed), queue: Vec::new(), sent: 0 }
    }

    fn arrival(&mut self, now: Instant) -> Instant {
        let mut at = now + self.netem.delay + self.netem.jitter.mul_f64(self.rng.unit());
        if self.rng.chance(self.netem.reorder) {
            at += self.netem.reorder_by;
        }
        at
    }

    fn enqueue(&mut self, at: Instant, item: T) {
        self.sent += 1;
        let key = (at, self.sent);
        let i = self.queue.partition_point(|q| (q.0, q.1) <= key);
        self.queue.insert(i, (at, self.sent, item));
    }

    /// Sends `item` at `now`; returns whether the network lost it.
    pub fn send(&mut self, item: T, now: Instant) -> bool {
        if self.rng.chance(self.netem.loss) {
            return true;
        }
        let at = self.arrival(now);
        if self.rng.chance(self.netem.duplicate) {
            let again = self.arrival(now);
            self.enqueue(again, item.clone());
        }
        self.enqueue(at, item);
        false
    }

    /// The next item that has arrived by `now`, with its arrival time.
    pub fn receive(&mut self, now: Instant) -> Option<(Instant, T)> {
        if self.queue.first().is_some_and(|q| q.0 <= now) {
            let (at, _, item) = self.queue.remove(0);
            return Some((at, item));
        }
        None
    }
}
