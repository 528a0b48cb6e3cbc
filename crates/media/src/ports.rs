//! RTP port pairs from a configured range (RFC 3550 §11: RTP on an even
//! port, RTCP on the next odd one), handed out and taken back. Sans-IO:
//! the shell binds the sockets and gives back a pair it could not bind.

use std::collections::VecDeque;

/// Why a range cannot be used or no pair is left.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PortError {
    /// The range holds no even/odd pair (`first` > `last`, or one port).
    #[error("the RTP port range {first}-{last} holds no even/odd pair")]
    EmptyRange {
        /// The first port of the range.
        first: u16,
        /// The last port of the range.
        last: u16,
    },
    /// Every pair is in use.
    #[error("all {0} RTP port pairs are in use")]
    Exhausted(usize),
}

/// An RTP port (even) and its RTCP port (RTP + 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortPair {
    /// The RTP port.
    pub rtp: u16,
}

impl PortPair {
    /// The RTCP port (RTP + 1; with rtcp-mux both use `rtp`).
    pub fn rtcp(self) -> u16 {
        self.rtp + 1
    }
}

/// The free pairs of a range, least recently used first, so a pair just
/// given back is not handed out again at once (stray packets of the old
/// call go nowhere).
#[derive(Debug, Clone)]
pub struct PortPool {
    free: VecDeque<PortPair>,
    total: usize,
    in_use: Vec<bool>,
    first: u16,
}

impl PortPool {
    /// The pairs of `first..=last`: every even port whose odd neighbour is
    /// in the range.
    pub fn new(first: u16, last: u16) -> Result<PortPool, PortError> {
        let start = first + first % 2;
        let pairs: VecDeque<PortPair> = (start..last).step_by(2).map(|rtp| PortPair { rtp }).collect();
        if pairs.is_empty() {
            return Err(PortError::EmptyRange { first, last });
        }
        let total = pairs.len();
        Ok(PortPool { free: pairs, total, in_use: vec![false; total], first: start })
    }

    /// A free pair.
    pub fn take(&mut self) -> Result<PortPair, PortError> {
        let pair = self.free.pop_front().ok_or(PortError::Exhausted(self.total))?;
        let index = self.index(pair);
        self.in_use[index] = true;
        Ok(pair)
    }

    /// Gives `pair` back; a pair not taken from this pool (or given back
    /// twice) is ignored.
    pub fn give_back(&mut self, pair: PortPair) {
        let Some(index) = self.checked_index(pair) else { return };
        if self.in_use[index] {
            self.in_use[index] = false;
            self.free.push_back(pair);
        }
    }

    /// Pairs free now.
    pub fn free(&self) -> usize {
        self.free.len()
    }

    /// Pairs in the range.
    pub fn total(&self) -> usize {
        self.total
    }

    fn index(&self, pair: PortPair) -> usize {
        usize::from((pair.rtp - self.first) / 2)
    }

    fn checked_index(&self, pair: PortPair) -> Option<usize> {
        let offset = pair.rtp.checked_sub(self.first)?;
        (offset % 2 == 0 && usize::from(offset / 2) < self.total).then(|| usize::from(offset / 2))
    }
}
