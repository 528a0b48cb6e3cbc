//! Reception statistics of one remote source (RFC 3550 appendix A): source
//! validation and sequence tracking (A.1), expected and lost packets and the
//! fraction lost in an interval (A.3), interarrival jitter (A.8).

/// A sequence jump larger than this (forward) is not taken as the next packet.
const MAX_DROPOUT: u16 = 3000;
/// A packet this far behind the highest one is still a reordered one.
const MAX_MISORDER: u16 = 100;
/// Sequential packets needed before a new source is valid.
const MIN_SEQUENTIAL: u8 = 2;

/// What the sequence check made of one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeqVerdict {
    /// Counted; deliver it.
    Accepted,
    /// The source is still on probation (A.1): counted only once valid.
    Probation,
    /// Too far from the highest sequence number; dropped (a second one in
    /// sequence with it restarts the count).
    Bad,
}

/// Reception state of one SSRC.
#[derive(Debug, Clone)]
pub(crate) struct Receiver {
    ssrc: u32,
    max_seq: u16,
    /// Sequence-number wrap count, shifted left by 16.
    cycles: u32,
    base_seq: u32,
    /// The sequence number after a bad one: a packet with it restarts.
    bad_seq: Option<u32>,
    probation: u8,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    /// Last transit time, in the clock of the payload type (A.8).
    transit: Option<u32>,
    /// Jitter in timestamp units, times 16 (A.8's integer form).
    jitter_q4: u32,
    /// Last clock rate used for the jitter, to convert it to time.
    clock_rate: u32,
}

impl Receiver {
    /// A receiver for `ssrc` whose first packet had `seq`.
    pub(crate) fn new(ssrc: u32, seq: u16) -> Self {
        let mut r = Self {
            ssrc,
            max_seq: seq.wrapping_sub(1),
            cycles: 0,
            base_seq: 0,
            bad_seq: None,
            probation: MIN_SEQUENTIAL,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            transit: None,
            jitter_q4: 0,
            clock_rate: 0,
        };
        r.base_seq = u32::from(seq);
        r
    }

    /// A receiver for a source already shown valid (by the latch's run of
    /// sequential packets), counting from the packet with `seq`.
    pub(crate) fn validated(ssrc: u32, seq: u16) -> Self {
        let mut r = Self::new(ssrc, seq);
        r.probation = 0;
        r.restart(seq);
        r.received = 1;
        r
    }

    /// The source this receiver tracks.
    pub(crate) fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Whether the source has passed probation.
    pub(crate) fn is_valid(&self) -> bool {
        self.probation == 0
    }

    fn restart(&mut self, seq: u16) {
        self.base_seq = u32::from(seq);
        self.max_seq = seq;
        self.bad_seq = None;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
        self.transit = None;
    }

    /// Runs A.1's `update_seq` for a packet with `seq`.
    pub(crate) fn update_seq(&mut self, seq: u16) -> SeqVerdict {
        let delta = seq.wrapping_sub(self.max_seq);
        if self.probation > 0 {
            if seq == self.max_seq.wrapping_add(1) {
                self.probation -= 1;
                self.max_seq = seq;
                if self.probation == 0 {
                    self.restart(seq);
                    self.received += 1;
                    return SeqVerdict::Accepted;
                }
            } else {
                self.probation = MIN_SEQUENTIAL - 1;
                self.max_seq = seq;
            }
            return SeqVerdict::Probation;
        }
        if delta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles = self.cycles.wrapping_add(1 << 16);
            }
            self.max_seq = seq;
        } else if delta <= u16::MAX - MAX_MISORDER + 1 {
            // A very large jump: a restart if the next packet follows it.
            if Some(u32::from(seq)) == self.bad_seq {
                self.restart(seq);
            } else {
                self.bad_seq = Some(u32::from(seq.wrapping_add(1)));
                return SeqVerdict::Bad;
            }
        }
        // else: a duplicate or reordered packet, counted as received.
        self.received = self.received.wrapping_add(1);
        SeqVerdict::Accepted
    }

    /// Updates the interarrival jitter (A.8) with a packet's RTP timestamp
    /// and its arrival time in the same clock (`clock_rate` Hz).
    pub(crate) fn update_jitter(&mut self, rtp_timestamp: u32, arrival: u32, clock_rate: u32) {
        if clock_rate != self.clock_rate {
            // A clock change (another payload type): start over.
            self.clock_rate = clock_rate;
            self.transit = None;
        }
        let transit = arrival.wrapping_sub(rtp_timestamp);
        if let Some(prior) = self.transit {
            // Wrapping difference, read as signed: |D(i-1, i)|.
            let d = (transit.wrapping_sub(prior) as i32).unsigned_abs();
            // J += (|D| - J) / 16, kept as 16·J in integers.
            self.jitter_q4 = self.jitter_q4.saturating_add(d).saturating_sub((self.jitter_q4 + 8) >> 4);
        }
        self.transit = Some(transit);
    }

    /// Highest sequence number received, extended with the wrap count.
    pub(crate) fn extended_max(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }

    /// Packets expected (A.3): extended highest minus first, plus one.
    pub(crate) fn expected(&self) -> u32 {
        if !self.is_valid() {
            return 0;
        }
        self.extended_max().wrapping_sub(self.base_seq).wrapping_add(1)
    }

    /// Cumulative lost (A.3): expected minus received; negative with
    /// duplicates.
    pub(crate) fn lost(&self) -> i64 {
        i64::from(self.expected()) - i64::from(self.received)
    }

    /// Interarrival jitter in timestamp units.
    pub(crate) fn jitter(&self) -> u32 {
        self.jitter_q4 >> 4
    }

    /// Clock rate the jitter is counted in (0 before the first packet).
    pub(crate) fn clock_rate(&self) -> u32 {
        self.clock_rate
    }

    /// Fraction lost since the last call, in 1/256 (A.3), and starts a new
    /// interval.
    pub(crate) fn take_fraction_lost(&mut self) -> u8 {
        let expected = self.expected();
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        self.expected_prior = expected;
        let received_interval = self.received.wrapping_sub(self.received_prior);
        self.received_prior = self.received;
        let lost_interval = i64::from(expected_interval) - i64::from(received_interval);
        if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            u8::try_from((lost_interval << 8) / i64::from(expected_interval)).unwrap_or(u8::MAX)
        }
    }
}
