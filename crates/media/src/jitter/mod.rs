//! An adaptive jitter buffer for a decoded leg, sans-IO.
//!
//! Packets go in as they arrive ([`JitterBuffer::push`], with the arrival
//! time); the frame clock takes one 20 ms frame out per tick
//! ([`JitterBuffer::poll_playout`]): a packet to decode, a frame to
//! conceal ([`Playout::Lost`] when its packet is missing, late or lost;
//! [`Playout::Stretch`] when the delay grows in the middle of speech), or
//! nothing (before the first packet is due, and in pauses of the stream).
//! [`JitterBuffer::peek_next`] shows the packet the next tick will play
//! without taking it: the one whose FEC can rebuild a lost frame.
//!
//! Playout follows the timestamps: a packet is played at its media time
//! plus the fastest transit seen plus the target delay. The target follows
//! the spread of transit times (see `delay.rs`) between
//! [`JitterConfig::min_delay`] and [`JitterConfig::max_delay`]: it grows at
//! once (the buffer stretches one frame per tick until it is reached) and
//! shrinks slowly (frames are skipped in pauses of the stream at once, in
//! speech at most one a second). A marker bit after a pause re-anchors
//! playout at the target delay; a big jump of sequence number or timestamp
//! (another source) starts over. Reordering within the buffer is absorbed;
//! late packets and duplicates are dropped and counted. Payloads are
//! copied into slots allocated once: no allocation per frame once every
//! slot has held the largest payload.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use media::jitter::{JitterBuffer, JitterConfig, Playout};
//!
//! let t0 = Instant::now();
//! let mut jb = JitterBuffer::new(JitterConfig::new(8_000));
//! jb.push(1, 160, false, &[0xd5; 160], t0);
//! assert!(matches!(jb.poll_playout(t0), Playout::Nothing)); // not due yet
//! let later = t0 + Duration::from_millis(20);
//! assert!(matches!(jb.poll_playout(later), Playout::Frame { sequence: 1, .. }));
//! ```

mod delay;

use std::time::{Duration, Instant};

use delay::DelayEstimator;

/// Slots in the buffer: 1.28 s of 20 ms packets, well above the largest
/// delay, so reordering and a consumer that falls behind both fit.
const SLOTS: usize = 64;
/// Frames concealed in a row before a silent stream counts as a pause.
const MAX_CONCEAL_RUN: u32 = 10;
/// Ticks between two frames skipped in speech to shrink the delay.
const SKIP_SPACING: u32 = 50;
/// A sequence jump this far forward (or [`MAX_MISORDER`] back) is another
/// stream (RFC 3550 A.1's limits).
const MAX_DROPOUT: i64 = 3000;
/// See [`MAX_DROPOUT`].
const MAX_MISORDER: i64 = 100;

/// How the buffer is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct JitterConfig {
    /// The codec's RTP clock rate, in Hz.
    pub clock_rate: u32,
    /// One frame (and packet): 20 ms.
    pub frame: Duration,
    /// The least target delay.
    pub min_delay: Duration,
    /// The largest target delay.
    pub max_delay: Duration,
    /// A timestamp jump (either way) larger than this starts over.
    pub resync_jump: Duration,
}

impl JitterConfig {
    /// 20 ms frames, target delay between 20 and 200 ms, resync on jumps
    /// over 10 s.
    #[must_use]
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate: clock_rate.max(1),
            frame: Duration::from_millis(20),
            min_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            resync_jump: Duration::from_secs(10),
        }
    }
}

/// What to play for one frame tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Playout<'a> {
    /// Decode and play this packet.
    Frame {
        /// Its sequence number.
        sequence: u16,
        /// Its timestamp.
        timestamp: u32,
        /// Its marker bit.
        marker: bool,
        /// Its payload.
        payload: &'a [u8],
    },
    /// The packet due now is missing (lost or late): conceal one frame.
    Lost {
        /// The timestamp it would have had.
        timestamp: u32,
    },
    /// The delay grows: conceal one frame, the due packet waits a tick.
    Stretch,
    /// Nothing to play: not started, or a pause in the stream.
    Nothing,
}

/// The buffer's counters and delays, a snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JitterStats {
    /// Packets taken in (duplicates not counted).
    pub received: u64,
    /// Packets played.
    pub played: u64,
    /// [`Playout::Lost`] frames.
    pub concealed: u64,
    /// [`Playout::Stretch`] frames.
    pub stretched: u64,
    /// Packets dropped because their time had passed.
    pub late: u64,
    /// Packets dropped as duplicates.
    pub duplicates: u64,
    /// Packets dropped because the buffer was full.
    pub overflow: u64,
    /// Frames skipped in speech to shrink the delay.
    pub skipped: u64,
    /// Times playout started over (a new stream).
    pub resyncs: u64,
    /// The target delay.
    pub target_delay: Duration,
    /// The delay of the last frame played beyond the fastest transit.
    pub playout_delay: Duration,
}

/// One packet held for playout.
#[derive(Debug, Clone, Default)]
struct Slot {
    seq: i64,
    ts: i64,
    marker: bool,
    /// Holds a packet not yet played.
    filled: bool,
    /// Its packet was played (or skipped): a copy is a duplicate.
    played: bool,
    payload: Vec<u8>,
}

/// Where playout is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No packet yet.
    Empty,
    /// Packets held, waiting for the first one (lowest sequence) to be due.
    Buffering { seq: i64, ts: i64 },
    /// Playing: the next tick plays media time `ts`, expecting `seq`.
    Playing { seq: i64, ts: i64, concealed_run: u32, since_skip: u32 },
}

/// What the next tick finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    /// The packet with the expected sequence, due now.
    Packet,
    /// The expected packet is missing and due now (or nothing is held).
    Missing,
    /// The next packet is due later: a pause.
    Silence,
}

/// The adaptive jitter buffer. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct JitterBuffer {
    config: JitterConfig,
    /// Timestamp units per frame.
    frame_ts: i64,
    slots: Vec<Slot>,
    state: State,
    estimator: DelayEstimator,
    /// Arrival times are counted from the first packet.
    epoch: Option<Instant>,
    /// Highest extended sequence number and timestamp seen.
    top: Option<(i64, i64)>,
    stats: JitterStats,
}

impl JitterBuffer {
    /// An empty buffer.
    #[must_use]
    pub fn new(mut config: JitterConfig) -> Self {
        config.clock_rate = config.clock_rate.max(1);
        let frame_ts = (u128::from(config.clock_rate) * config.frame.as_nanos() / 1_000_000_000).max(1);
        Self {
            frame_ts: i64::try_from(frame_ts).unwrap_or(i64::MAX),
            slots: vec![Slot::default(); SLOTS],
            state: State::Empty,
            estimator: DelayEstimator::new(config.min_delay, config.max_delay),
            epoch: None,
            top: None,
            stats: JitterStats { target_delay: config.min_delay, ..JitterStats::default() },
            config,
        }
    }

    /// The figures now.
    #[must_use]
    pub fn stats(&self) -> JitterStats {
        let mut stats = self.stats;
        stats.target_delay = Duration::from_micros(u64::try_from(self.estimator.target()).unwrap_or(0));
        stats
    }

    fn half_frame(&self) -> i64 {
        self.frame_ts / 2
    }

    fn ts_micros(&self, ts: i64) -> i64 {
        ts.saturating_mul(1_000_000) / i64::from(self.config.clock_rate)
    }

    fn micros_since_epoch(&self, now: Instant) -> i64 {
        self.epoch.map_or(0, |e| i64::try_from(now.saturating_duration_since(e).as_micros()).unwrap_or(i64::MAX))
    }

    /// How late media time `ts` plays at `now`, beyond the fastest transit.
    fn delay_of(&self, ts: i64, now: Instant) -> i64 {
        self.micros_since_epoch(now).saturating_sub(self.ts_micros(ts)).saturating_sub(self.estimator.fastest())
    }

    fn slot_index(seq: i64) -> usize {
        // SLOTS is a power of two and rem_euclid is never negative.
        seq.rem_euclid(SLOTS as i64) as usize
    }

    /// Sequence number and timestamp extended against the highest seen.
    fn extend(&self, seq: u16, ts: u32) -> (i64, i64) {
        match self.top {
            None => (i64::from(seq), i64::from(ts)),
            Some((top_seq, top_ts)) => (
                top_seq + i64::from(seq.wrapping_sub(top_seq as u16) as i16),
                top_ts + i64::from(ts.wrapping_sub(top_ts as u32) as i32),
            ),
        }
    }

    /// Whether a packet belongs to another stream than the one playing.
    fn is_jump(&self, seq: i64, ts: i64) -> bool {
        let Some((top_seq, top_ts)) = self.top else {
            return false;
        };
        let limit = i64::try_from(u128::from(self.config.clock_rate) * self.config.resync_jump.as_millis() / 1000)
            .unwrap_or(i64::MAX);
        !(-MAX_MISORDER..MAX_DROPOUT).contains(&(seq - top_seq)) || (ts - top_ts).abs() > limit
    }

    fn holds_nothing(&self) -> bool {
        self.slots.iter().all(|s| !s.filled)
    }

    /// Drops every held packet and starts waiting for a first one again.
    fn start_over(&mut self) {
        for slot in &mut self.slots {
            slot.filled = false;
            slot.played = false;
        }
        self.estimator.reset();
        self.top = None;
        self.state = State::Empty;
        self.stats.resyncs += 1;
    }

    /// Takes a packet that arrived at `now`.
    pub fn push(&mut self, sequence: u16, timestamp: u32, marker: bool, payload: &[u8], now: Instant) {
        self.epoch.get_or_insert(now);
        let (mut seq, mut ts) = self.extend(sequence, timestamp);
        if self.is_jump(seq, ts) {
            self.start_over();
            (seq, ts) = self.extend(sequence, timestamp);
        }
        let slot = &self.slots[Self::slot_index(seq)];
        if slot.seq == seq && (slot.filled || slot.played) {
            self.stats.duplicates += 1;
            return;
        }
        self.stats.received += 1;
        self.estimator.push(self.micros_since_epoch(now).saturating_sub(self.ts_micros(ts)));
        self.top = Some(self.top.map_or((seq, ts), |(s, t)| (s.max(seq), t.max(ts))));
        if !self.admit(seq, ts, marker) {
            return;
        }
        let slot = &mut self.slots[Self::slot_index(seq)];
        slot.seq = seq;
        slot.ts = ts;
        slot.marker = marker;
        slot.filled = true;
        slot.played = false;
        slot.payload.clear();
        slot.payload.extend_from_slice(payload);
    }

    /// Decides whether a (non-duplicate) packet is stored, updating the
    /// playout state; counts the ones dropped.
    fn admit(&mut self, seq: i64, ts: i64, marker: bool) -> bool {
        let half = self.half_frame();
        match self.state {
            State::Empty => {
                self.state = State::Buffering { seq, ts };
                true
            }
            State::Buffering { seq: first, .. } => {
                if seq - first >= SLOTS as i64 || first - seq >= SLOTS as i64 {
                    self.stats.overflow += 1;
                    return false;
                }
                if seq < first {
                    self.state = State::Buffering { seq, ts };
                }
                true
            }
            State::Playing { seq: next_seq, ts: next_ts, .. } => {
                if ts < next_ts - half || seq < next_seq {
                    // Its time has passed (or the ones after it are playing).
                    self.stats.late += 1;
                    return false;
                }
                if marker && self.holds_nothing() {
                    // A new talk spurt after a pause: re-anchor playout.
                    self.state = State::Buffering { seq, ts };
                    return true;
                }
                if seq - next_seq >= SLOTS as i64 {
                    self.stats.overflow += 1;
                    return false;
                }
                true
            }
        }
    }

    /// The first held packet after `seq`, within the slots.
    fn next_held(&self, seq: i64) -> Option<(i64, i64)> {
        (seq + 1..seq + SLOTS as i64).find_map(|s| {
            let slot = &self.slots[Self::slot_index(s)];
            (slot.filled && slot.seq == s).then_some((s, slot.ts))
        })
    }

    /// What the tick for (`seq`, `ts`) finds; moves `seq` past packets
    /// whose time has passed without them.
    fn classify(&self, seq: &mut i64, ts: i64) -> Due {
        let half = self.half_frame();
        for _ in 0..SLOTS {
            let slot = &self.slots[Self::slot_index(*seq)];
            if slot.filled && slot.seq == *seq {
                return if slot.ts < ts + half { Due::Packet } else { Due::Silence };
            }
            let Some((s, t)) = self.next_held(*seq) else {
                return Due::Missing;
            };
            let expected = t - (s - *seq) * self.frame_ts;
            if expected >= ts - half {
                return if expected < ts + half { Due::Missing } else { Due::Silence };
            }
            *seq += 1;
        }
        Due::Missing
    }

    /// The payload held for the media time the next tick plays, if it has
    /// arrived: after [`Playout::Lost`], the packet following the lost one,
    /// whose in-band FEC (Opus) can rebuild it. Nothing is consumed; `None`
    /// before playout starts.
    #[must_use]
    pub fn peek_next(&self) -> Option<&[u8]> {
        let State::Playing { ts, .. } = self.state else {
            return None;
        };
        let half = self.half_frame();
        self.slots.iter().find(|s| s.filled && s.ts >= ts - half && s.ts < ts + half).map(|s| s.payload.as_slice())
    }

    /// The frame for the tick at `now`; call once per frame.
    #[must_use]
    pub fn poll_playout(&mut self, now: Instant) -> Playout<'_> {
        let (mut seq, ts, run, since_skip) = match self.state {
            State::Empty => return Playout::Nothing,
            State::Buffering { seq, ts } => {
                if self.delay_of(ts, now) < self.estimator.target() || !self.estimator.is_primed() {
                    return Playout::Nothing;
                }
                (seq, ts, 0, SKIP_SPACING)
            }
            State::Playing { seq, ts, concealed_run, since_skip } => (seq, ts, concealed_run, since_skip),
        };
        let mut due = self.classify(&mut seq, ts);
        let delay = self.delay_of(ts, now);
        let target = self.estimator.target();
        let frame_us = self.ts_micros(self.frame_ts);
        let mut ts = ts;
        let mut since_skip = since_skip.saturating_add(1);
        if delay < target && matches!(self.state, State::Playing { .. }) {
            self.state = State::Playing { seq, ts, concealed_run: run, since_skip };
            if due == Due::Silence || run >= MAX_CONCEAL_RUN {
                return Playout::Nothing;
            }
            self.stats.stretched += 1;
            return Playout::Stretch;
        }
        if delay >= target + frame_us * 3 / 2 {
            match due {
                Due::Silence => ts += self.frame_ts,
                Due::Packet if since_skip >= SKIP_SPACING => {
                    self.slots[Self::slot_index(seq)].filled = false;
                    self.slots[Self::slot_index(seq)].played = true;
                    self.stats.skipped += 1;
                    seq += 1;
                    ts += self.frame_ts;
                    since_skip = 0;
                }
                _ => {}
            }
            due = self.classify(&mut seq, ts);
        }
        self.play(due, seq, ts, run, since_skip, now)
    }

    fn play(&mut self, due: Due, seq: i64, ts: i64, run: u32, since_skip: u32, now: Instant) -> Playout<'_> {
        match due {
            Due::Packet => {
                let index = Self::slot_index(seq);
                let slot_ts = self.slots[index].ts;
                self.state =
                    State::Playing { seq: seq + 1, ts: slot_ts.max(ts) + self.frame_ts, concealed_run: 0, since_skip };
                self.stats.played += 1;
                self.stats.playout_delay =
                    Duration::from_micros(u64::try_from(self.delay_of(slot_ts, now)).unwrap_or(0));
                let slot = &mut self.slots[index];
                slot.filled = false;
                slot.played = true;
                Playout::Frame {
                    sequence: slot.seq as u16,
                    timestamp: slot.ts as u32,
                    marker: slot.marker,
                    payload: &slot.payload,
                }
            }
            Due::Missing => {
                let run = run.saturating_add(1);
                self.state = State::Playing { seq, ts: ts + self.frame_ts, concealed_run: run, since_skip };
                if run > MAX_CONCEAL_RUN {
                    return Playout::Nothing;
                }
                self.stats.concealed += 1;
                Playout::Lost { timestamp: ts as u32 }
            }
            Due::Silence => {
                self.state = State::Playing { seq, ts: ts + self.frame_ts, concealed_run: run, since_skip };
                Playout::Nothing
            }
        }
    }
}
