//! Who calls: a pool of regular numbers (some call far more often than
//! others), a smaller pool of VIP numbers (the tenant's VIP contacts
//! first), and callers who call again: after an unanswered call or an
//! unresolved one, a caller is due to try again, and an arrival takes a due
//! caller before a fresh one, so repeat callers and first-contact
//! resolution come out of the data. Pure.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::plan::VipContact;
use super::rng::Rng;

/// The share of calls from VIP numbers.
pub const VIP_SHARE: f64 = 0.05;

/// The chance that an arrival is a due caller trying again (when one is due).
const RETRY_TAKES: f64 = 0.7;

/// A retry due more than this long ago is forgotten (ms): the caller gave up.
const STALE_MS: i64 = 3 * 86_400_000;

/// A caller of the pools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Caller {
    /// A regular number, by index.
    Regular(u32),
    /// A VIP number, by index (the tenant's VIP contacts first).
    Vip(u32),
}

/// The pools and the callers due to call again.
#[derive(Clone, Debug)]
pub struct Callers {
    regular: u32,
    vip: u32,
    contacts: Vec<VipContact>,
    due: BinaryHeap<Reverse<(i64, Caller)>>,
}

impl Callers {
    /// Pools sized for `calls_per_day`: 20 days' worth of distinct regular
    /// numbers, and VIP numbers a fiftieth of that (at least the contacts).
    pub fn new(calls_per_day: f64, contacts: Vec<VipContact>) -> Callers {
        let regular = (calls_per_day * 20.0).clamp(500.0, 50_000_000.0) as u32;
        let vip = ((f64::from(regular) / 50.0) as u32).max(contacts.len() as u32).max(20);
        Callers { regular, vip, contacts, due: BinaryHeap::new() }
    }

    /// The caller of a call arriving at `at`: a due caller (most of the
    /// time, when one is due), else a fresh draw.
    pub fn next(&mut self, at: i64, rng: &mut Rng) -> Caller {
        while let Some(Reverse((due, _))) = self.due.peek() {
            if *due < at - STALE_MS {
                self.due.pop();
            } else {
                break;
            }
        }
        if let Some(Reverse((due, caller))) = self.due.peek().copied()
            && due <= at
            && rng.chance(RETRY_TAKES)
        {
            self.due.pop();
            return caller;
        }
        // u² skews towards low indexes: some numbers call often.
        let skew = |n: u32, rng: &mut Rng| {
            let u = rng.f64();
            ((u * u * f64::from(n)) as u32).min(n - 1)
        };
        if rng.chance(VIP_SHARE) { Caller::Vip(skew(self.vip, rng)) } else { Caller::Regular(skew(self.regular, rng)) }
    }

    /// `caller` will call again at `at`.
    pub fn call_again(&mut self, caller: Caller, at: i64) {
        self.due.push(Reverse((at, caller)));
    }

    /// The caller's VIP tier: contacts keep theirs, other VIP numbers are
    /// tier 1 (60 %), 2 (30 %) or 3.
    pub fn tier(&self, caller: Caller) -> u8 {
        match caller {
            Caller::Regular(_) => 0,
            Caller::Vip(i) => match self.contacts.get(i as usize) {
                Some(c) => c.tier,
                None => match i % 10 {
                    0..=5 => 1,
                    6..=8 => 2,
                    _ => 3,
                },
            },
        }
    }

    /// The CRM contact of the caller, if it is one of the tenant's.
    pub fn contact(&self, caller: Caller) -> Option<&VipContact> {
        match caller {
            Caller::Vip(i) => self.contacts.get(i as usize),
            Caller::Regular(_) => None,
        }
    }

    /// Writes the caller's number: a contact's own, or a UK mobile number
    /// (+447 and nine digits) the index maps to one-to-one.
    pub fn write_number(&self, caller: Caller, out: &mut String) {
        use std::fmt::Write;
        if let Some(c) = self.contact(caller) {
            out.push_str(&c.number);
            return;
        }
        // Multiplying by a number prime to 10 permutes 0..10^9, so the
        // numbers look scattered and never collide; VIPs take the top half.
        let index = match caller {
            Caller::Regular(i) => u64::from(i),
            Caller::Vip(i) => 500_000_000 + u64::from(i),
        };
        let digits = (index * 387_420_489) % 1_000_000_000;
        let _ = write!(out, "+447{digits:09}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_due_caller_calls_again_and_vip_share_holds() {
        let mut callers = Callers::new(1000.0, Vec::new());
        let mut rng = Rng::new(3);
        callers.call_again(Caller::Regular(77), 1_000);
        let mut seen = false;
        for t in 0..10 {
            if callers.next(1_000 + t, &mut rng) == Caller::Regular(77) {
                seen = true;
            }
        }
        assert!(seen, "the due caller came back");
        let n = 100_000;
        let vips = (0..n).filter(|_| matches!(callers.next(0, &mut rng), Caller::Vip(_))).count();
        assert!((vips as f64 / n as f64 - VIP_SHARE).abs() < 0.005, "{vips}");
    }

    #[test]
    fn numbers_are_distinct_and_contacts_keep_theirs() {
        let contact = VipContact { id: uuid::Uuid::nil(), number: "+442079460101".into(), tier: 3 };
        let callers = Callers::new(1000.0, vec![contact]);
        let number = |c| {
            let mut s = String::new();
            callers.write_number(c, &mut s);
            s
        };
        assert_eq!(number(Caller::Vip(0)), "+442079460101");
        assert_eq!(callers.tier(Caller::Vip(0)), 3);
        assert_eq!(callers.tier(Caller::Regular(5)), 0);
        let mut all: Vec<String> = (0..5000).map(|i| number(Caller::Regular(i))).collect();
        all.extend((1..500).map(|i| number(Caller::Vip(i))));
        assert!(all.iter().all(|n| n.len() == 13 && n.starts_with("+447")));
        let count = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), count);
    }
}
