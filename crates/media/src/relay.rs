//! The fast path: one direction of a bridge whose two legs share a codec
//! and that nobody else listens to. Each packet is forwarded with only its
//! header rewritten, in place, with no decode and no copy:
//!
//! - the SSRC becomes ours (the outgoing leg's);
//! - the sequence number is the incoming one plus an offset, so gaps
//!   (loss) and reordering pass through as they are, and a new source (a
//!   re-INVITE, a new SSRC, a sequence restart) continues right after the
//!   highest number sent;
//! - the timestamp is the incoming one plus an offset, re-based at a
//!   source switch to the highest timestamp sent plus the time elapsed
//!   (at least one packet's worth), so it never goes back;
//! - the marker bit is set on the first packet after a switch (a new talk
//!   spurt for the receiver's jitter buffer), and the payload type can be
//!   renumbered (the legs may have chosen different numbers).
//!
//! RFC 4733 telephone-event packets share the stream's SSRC and sequence
//! space and go through the same rewriting; their payload is untouched.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use media::relay::{Relay, RelayConfig};
//!
//! let mut relay = Relay::new(RelayConfig::new(0xfeed, 1000, 50_000, 8_000));
//! let mut packet = [0x80, 0, 0, 7, 0, 0, 0, 160, 0, 0, 0, 9, 0xff];
//! let out = relay.rewrite(&mut packet, Instant::now()).unwrap();
//! assert_eq!((out.sequence, out.timestamp), (1000, 50_000));
//! assert_eq!(&packet[8..12], &0xfeed_u32.to_be_bytes());
//! ```

use std::time::{Duration, Instant};

use thiserror::Error;

use crate::rtp::PacketError;
use crate::rtp::packet::RtpHeaderMut;

/// A forward jump larger than this is not the same stream going on.
const MAX_DROPOUT: u16 = 3000;
/// A packet up to this far behind the highest is a reordered one.
const MAX_MISORDER: u16 = 100;
/// The replaced source takes the stream back only after the current one
/// has been quiet this long (its packets reordered across the switch must
/// not make the stream flap).
const SWITCH_BACK_QUIET: Duration = Duration::from_millis(100);

/// How a relay direction starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RelayConfig {
    /// The SSRC written into every packet (the outgoing leg's).
    pub ssrc: u32,
    /// The sequence number of the first packet forwarded.
    pub initial_sequence: u16,
    /// The timestamp of the first packet forwarded.
    pub initial_timestamp: u32,
    /// The codec's RTP clock rate, to turn elapsed time into timestamp units.
    pub clock_rate: u32,
    /// Timestamp units per packet (20 ms by default), the least step at a
    /// source switch.
    pub packet_duration: u32,
}

impl RelayConfig {
    /// A relay with 20 ms packets at `clock_rate`.
    #[must_use]
    pub fn new(ssrc: u32, initial_sequence: u16, initial_timestamp: u32, clock_rate: u32) -> Self {
        Self { ssrc, initial_sequence, initial_timestamp, clock_rate, packet_duration: (clock_rate / 50).max(1) }
    }
}

/// Why a packet was not forwarded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RelayDrop {
    /// Not an RTP packet.
    #[error("malformed RTP: {0}")]
    Malformed(#[from] PacketError),
    /// Far from the stream's sequence; the next packet in sequence with it
    /// restarts the stream (RFC 3550 A.1).
    #[error("sequence number far off the stream")]
    SequenceJump,
    /// A late packet of the source that was replaced, too late to fit
    /// before the new one.
    #[error("late packet of a replaced source")]
    Stale,
}

/// What was forwarded: the header as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Forwarded {
    /// Sequence number written.
    pub sequence: u16,
    /// Timestamp written.
    pub timestamp: u32,
    /// Payload type written.
    pub payload_type: u8,
    /// Marker bit written.
    pub marker: bool,
    /// Payload length, for the outgoing leg's sender report.
    pub payload_len: usize,
    /// Whether this packet began a new source.
    pub switched: bool,
}

/// How one incoming source maps onto our stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mapping {
    ssrc: u32,
    seq_offset: u16,
    ts_offset: u32,
    /// Highest incoming sequence number seen.
    max_seq: u16,
    /// Our sequence number of its first packet.
    first_out: u16,
    /// Our highest sequence number before it began (none for the first
    /// source): its reordered packets from before its first must not
    /// reuse numbers already sent.
    floor: Option<u16>,
}

impl Mapping {
    fn out_seq(&self, seq: u16) -> u16 {
        seq.wrapping_add(self.seq_offset)
    }
}

/// The highest point of our stream so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Top {
    sequence: u16,
    timestamp: u32,
    at: Instant,
}

/// Where the relay is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing forwarded yet.
    Idle,
    /// Forwarding `current`; `previous` is the source it replaced, whose
    /// late packets still fit before it.
    Forwarding { current: Mapping, previous: Option<Mapping>, top: Top, bad_seq: Option<u16> },
}

/// One direction of a relayed bridge. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Relay {
    config: RelayConfig,
    payload_types: [u8; 128],
    state: State,
}

/// Whether `a` is after `b` in wrapping 16-bit order.
fn seq_after(a: u16, b: u16) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000
}

/// Whether `a` is after `b` in wrapping 32-bit order.
fn ts_after(a: u32, b: u32) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000_0000
}

impl Relay {
    /// A relay direction with payload types passed as they are.
    #[must_use]
    pub fn new(config: RelayConfig) -> Self {
        let mut payload_types = [0; 128];
        for (pt, slot) in (0u8..).zip(payload_types.iter_mut()) {
            *slot = pt;
        }
        Self { config, payload_types, state: State::Idle }
    }

    /// Renumbers payload type `from` (the incoming leg's) to `to` (the
    /// outgoing leg's), e.g. telephone-event 101 to 96.
    pub fn map_payload_type(&mut self, from: u8, to: u8) {
        self.payload_types[usize::from(from & 0x7f)] = to & 0x7f;
    }

    /// The SSRC this relay writes.
    #[must_use]
    pub fn ssrc(&self) -> u32 {
        self.config.ssrc
    }

    /// The highest sequence number and timestamp sent so far and when,
    /// for whoever continues the stream after the relay (the mixer).
    #[must_use]
    pub fn last_sent(&self) -> Option<(u16, u32, Instant)> {
        match self.state {
            State::Idle => None,
            State::Forwarding { top, .. } => Some((top.sequence, top.timestamp, top.at)),
        }
    }

    /// Rewrites the header of the RTP packet in `packet`, received at
    /// `now`, for the outgoing leg. On an error the packet is left as it
    /// was and must not be sent.
    pub fn rewrite(&mut self, packet: &mut [u8], now: Instant) -> Result<Forwarded, RelayDrop> {
        let mut header = RtpHeaderMut::parse(packet)?;
        let (ssrc, seq, ts) = (header.ssrc(), header.sequence(), header.timestamp());
        let (mapping, switched) = self.map(ssrc, seq, ts, now)?;
        let sequence = mapping.out_seq(seq);
        let timestamp = ts.wrapping_add(mapping.ts_offset);
        if let State::Forwarding { top, .. } = &mut self.state {
            if seq_after(sequence, top.sequence) {
                top.sequence = sequence;
            }
            if ts_after(timestamp, top.timestamp) {
                top.timestamp = timestamp;
            }
            top.at = now;
        }
        let payload_type = self.payload_types[usize::from(header.payload_type())];
        let marker = header.marker() || switched;
        header.set(self.config.ssrc, sequence, timestamp, payload_type, marker);
        Ok(Forwarded { sequence, timestamp, payload_type, marker, payload_len: header.payload_len(), switched })
    }

    /// The mapping for a packet, and whether it starts a new one.
    fn map(&mut self, ssrc: u32, seq: u16, ts: u32, now: Instant) -> Result<(Mapping, bool), RelayDrop> {
        let State::Forwarding { current, previous, top, bad_seq } = &mut self.state else {
            let first = Self::mapping(ssrc, seq, ts, self.config.initial_sequence, self.config.initial_timestamp);
            let top = Top { sequence: first.first_out, timestamp: self.config.initial_timestamp, at: now };
            self.state = State::Forwarding { current: first, previous: None, top, bad_seq: None };
            return Ok((first, false));
        };
        if current.ssrc == ssrc {
            let delta = seq.wrapping_sub(current.max_seq);
            if delta < MAX_DROPOUT {
                current.max_seq = seq;
                *bad_seq = None;
                return Ok((*current, false));
            }
            if delta > u16::MAX - MAX_MISORDER {
                if current.floor.is_some_and(|floor| !seq_after(current.out_seq(seq), floor)) {
                    return Err(RelayDrop::Stale);
                }
                return Ok((*current, false));
            }
            if *bad_seq != Some(seq) {
                *bad_seq = Some(seq.wrapping_add(1));
                return Err(RelayDrop::SequenceJump);
            }
            // Two in sequence far away: the same SSRC restarted.
        } else if let Some(prev) = previous.filter(|p| p.ssrc == ssrc) {
            if (1..=MAX_MISORDER).contains(&current.first_out.wrapping_sub(prev.out_seq(seq))) {
                return Ok((prev, false));
            }
            if now.saturating_duration_since(top.at) < SWITCH_BACK_QUIET {
                return Err(RelayDrop::Stale);
            }
            // The old source is back after a pause: a switch like any.
        }
        let elapsed = now.saturating_duration_since(top.at).as_nanos() * u128::from(self.config.clock_rate);
        let step = u32::try_from(elapsed / 1_000_000_000).unwrap_or(u32::MAX).max(self.config.packet_duration);
        let mut next = Self::mapping(ssrc, seq, ts, top.sequence.wrapping_add(1), top.timestamp.wrapping_add(step));
        next.floor = Some(top.sequence);
        let old = if current.ssrc == ssrc { None } else { Some(*current) };
        self.state = State::Forwarding { current: next, previous: old, top: *top, bad_seq: None };
        Ok((next, true))
    }

    /// A mapping that sends incoming (`seq`, `ts`) as (`out_seq`, `out_ts`).
    fn mapping(ssrc: u32, seq: u16, ts: u32, out_seq: u16, out_ts: u32) -> Mapping {
        Mapping {
            ssrc,
            seq_offset: out_seq.wrapping_sub(seq),
            ts_offset: out_ts.wrapping_sub(ts),
            max_seq: seq,
            first_out: out_seq,
            floor: None,
        }
    }
}
