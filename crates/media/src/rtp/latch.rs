//! Symmetric RTP latching: the peer's address is the source of the packets
//! it sends (the NAT case), learnt from its first packets and followed to a
//! new source only after a run of packets from there.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// A sequence step still counted as "consecutive" in a candidate run
/// (allows a lost packet or two).
const MAX_RUN_STEP: u16 = 3;

/// How many packets, over how long, move the latch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatchRule {
    /// Consecutive packets (same source, same SSRC, sequence advancing)
    /// that latch a first peer.
    pub learn_packets: u8,
    /// Consecutive packets from a new source, with no packet from the
    /// current peer among them, that move the latch.
    pub move_packets: u8,
    /// The least time between the first and last packet of a run that
    /// moves the latch: a burst cannot hijack the stream.
    pub move_span: Duration,
}

impl Default for LatchRule {
    fn default() -> Self {
        Self { learn_packets: 2, move_packets: 5, move_span: Duration::from_millis(60) }
    }
}

/// Packets from one source that may take the latch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    source: SocketAddr,
    ssrc: u32,
    last_seq: u16,
    count: u8,
    since: Instant,
}

impl Run {
    fn start(source: SocketAddr, ssrc: u32, seq: u16, now: Instant) -> Self {
        Self { source, ssrc, last_seq: seq, count: 1, since: now }
    }

    /// Extends the run with a packet, or starts a new one from it.
    fn extend(run: Option<Self>, source: SocketAddr, ssrc: u32, seq: u16, now: Instant) -> Self {
        match run {
            Some(mut r)
                if r.source == source
                    && r.ssrc == ssrc
                    && (1..=MAX_RUN_STEP).contains(&seq.wrapping_sub(r.last_seq)) =>
            {
                r.count = r.count.saturating_add(1);
                r.last_seq = seq;
                r
            }
            _ => Self::start(source, ssrc, seq, now),
        }
    }
}

/// Where the peer is, as far as we know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Latch {
    /// No peer latched yet: send to `expected` (the SDP address) if known.
    Learning {
        /// The address the signalling gave.
        expected: Option<SocketAddr>,
        /// The run that may latch.
        run: Option<Run>,
    },
    /// Following `peer`.
    Latched {
        /// Source of the peer's packets, and where we send.
        peer: SocketAddr,
        /// A run from elsewhere that may move the latch.
        run: Option<Run>,
    },
}

/// What the latch made of one RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// From the peer: accept.
    Accept,
    /// This packet latched the first peer: accept.
    Learnt(SocketAddr),
    /// This packet moved the latch from the old address: accept.
    Moved(SocketAddr),
    /// Not yet enough packets to latch a first peer: drop.
    Pending,
    /// From elsewhere: drop.
    Foreign,
}

impl Latch {
    /// Where to send, if anywhere.
    pub(crate) fn destination(&self) -> Option<SocketAddr> {
        match self {
            Self::Learning { expected, .. } => *expected,
            Self::Latched { peer, .. } => Some(*peer),
        }
    }

    /// The latched peer.
    pub(crate) fn peer(&self) -> Option<SocketAddr> {
        match self {
            Self::Learning { .. } => None,
            Self::Latched { peer, .. } => Some(*peer),
        }
    }

    /// Runs the rule for an RTP packet from `source`.
    pub(crate) fn on_rtp(
        &mut self,
        rule: &LatchRule,
        source: SocketAddr,
        ssrc: u32,
        seq: u16,
        now: Instant,
    ) -> Verdict {
        match self {
            Self::Learning { run, .. } => {
                let r = Run::extend(*run, source, ssrc, seq, now);
                if r.count >= rule.learn_packets.max(1) {
                    *self = Self::Latched { peer: source, run: None };
                    Verdict::Learnt(source)
                } else {
                    *run = Some(r);
                    Verdict::Pending
                }
            }
            Self::Latched { peer, run } if *peer == source => {
                *run = None;
                Verdict::Accept
            }
            Self::Latched { peer, run } => {
                let r = Run::extend(*run, source, ssrc, seq, now);
                let span = now.saturating_duration_since(r.since);
                if r.count >= rule.move_packets.max(1) && span >= rule.move_span {
                    let from = *peer;
                    *self = Self::Latched { peer: source, run: None };
                    Verdict::Moved(from)
                } else {
                    *run = Some(r);
                    Verdict::Foreign
                }
            }
        }
    }
}
