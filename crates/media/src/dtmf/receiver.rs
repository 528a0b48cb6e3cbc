//! The receiver: telephone-event packets in, one report per digit out.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{Digit, DtmfError, TelephoneEvent};

/// The most reports kept until polled; beyond, the oldest is dropped.
const MAX_PENDING: usize = 32;

/// How a receiver is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// The telephone-event clock rate in Hz (8000, or 48000 beside Opus).
    pub clock_rate: u32,
    /// How long a digit may go without a packet before it is reported
    /// ended (its end packets lost); also how long an ended digit's
    /// timestamp is remembered to ignore its repeated end packets.
    pub timeout: Duration,
}

impl ReceiverConfig {
    /// `clock_rate` with a timeout of 5 s.
    pub fn new(clock_rate: u32) -> Self {
        Self { clock_rate, timeout: Duration::from_secs(5) }
    }
}

/// What ended a digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// A packet with the E bit.
    EndPacket,
    /// The next event began before an end packet came.
    NextEvent,
    /// No packet came for [`ReceiverConfig::timeout`].
    Timeout,
}

/// One digit received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfEvent {
    /// The key.
    pub digit: Digit,
    /// The RTP timestamp of its start.
    pub timestamp: u32,
    /// Its duration in RTP timestamp units (long events' segments added).
    pub samples: u32,
    /// The clock rate the duration counts in.
    pub clock_rate: u32,
    /// The last reported power level, in -dBm0.
    pub volume: u8,
    /// What ended it.
    pub ending: Ending,
}

impl DtmfEvent {
    /// The duration as time.
    pub fn duration(&self) -> Duration {
        let rate = u64::from(self.clock_rate.max(1));
        Duration::from_micros(u64::from(self.samples) * 1_000_000 / rate)
    }
}

/// A digit being received.
#[derive(Debug, Clone, Copy)]
struct Tone {
    digit: Digit,
    /// The first segment's timestamp: the event's start.
    start: u32,
    /// The current segment's timestamp.
    segment: u32,
    /// The duration of the segments before the current one.
    before: u32,
    /// The current segment's duration so far.
    duration: u16,
    volume: u8,
    last_packet: Instant,
}

/// Where the receiver stands.
#[derive(Debug, Clone, Copy)]
enum State {
    /// No digit under way.
    Idle,
    /// A digit under way.
    Tone(Tone),
}

/// The last digit reported: its packets still coming are ignored.
#[derive(Debug, Clone, Copy)]
struct Ended {
    segment: u32,
    at: Instant,
}

/// Reports each digit of a stream of telephone-event packets once.
///
/// Feed every packet of the telephone-event payload type to
/// [`handle_packet`](Self::handle_packet), call
/// [`handle_timeout`](Self::handle_timeout) at
/// [`poll_timeout`](Self::poll_timeout), and drain
/// [`poll_event`](Self::poll_event) after each. A digit is known by its
/// RTP timestamp (RFC 4733 §2.5.2): a new timestamp starts a new digit
/// even when the first packets were lost (no marker seen), an end packet
/// reports it, its repeats and late updates are ignored, a packet older
/// by sequence number than the newest one seen is ignored unless it
/// belongs to the digit under way, and a long event's next segment
/// (timestamp = previous + its duration, no marker) continues it.
#[derive(Debug)]
pub struct DtmfReceiver {
    config: ReceiverConfig,
    state: State,
    ended: Option<Ended>,
    newest_sequence: Option<u16>,
    events: VecDeque<DtmfEvent>,
    dropped: u64,
}

impl DtmfReceiver {
    /// A receiver with `config`.
    pub fn new(config: ReceiverConfig) -> Self {
        Self {
            config,
            state: State::Idle,
            ended: None,
            newest_sequence: None,
            events: VecDeque::with_capacity(MAX_PENDING),
            dropped: 0,
        }
    }

    /// Takes one telephone-event packet; a payload that is not one is an
    /// error and changes nothing.
    pub fn handle_packet(
        &mut self,
        timestamp: u32,
        sequence: u16,
        marker: bool,
        payload: &[u8],
        now: Instant,
    ) -> Result<(), DtmfError> {
        let event = TelephoneEvent::parse(payload)?;
        let newest = self.newest_sequence.is_none_or(|n| (sequence.wrapping_sub(n) as i16) > 0);
        if newest {
            self.newest_sequence = Some(sequence);
        }
        if self.ended.is_some_and(|e| now.saturating_duration_since(e.at) > self.config.timeout) {
            self.ended = None;
        }
        let Some(digit) = Digit::from_event(event.event) else { return Ok(()) };
        match self.state {
            State::Tone(tone) if tone.segment == timestamp => self.update(tone, &event, now),
            _ if self.ended.is_some_and(|e| e.segment == timestamp) => {}
            State::Tone(tone) if !marker && tone.digit == digit && continues(&tone, timestamp) => {
                let before = tone.before.saturating_add(timestamp.wrapping_sub(tone.segment));
                let next = Tone { segment: timestamp, before, duration: 0, ..tone };
                self.update(next, &event, now);
            }
            _ if !newest => {}
            State::Tone(tone) => {
                self.finish(tone, Ending::NextEvent, now);
                self.begin(digit, timestamp, &event, now);
            }
            State::Idle => self.begin(digit, timestamp, &event, now),
        }
        Ok(())
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called: a
    /// digit under way times out then.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Tone(tone) => tone.last_packet.checked_add(self.config.timeout),
            State::Idle => None,
        }
    }

    /// Ends a digit that had no packet for the timeout.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let State::Tone(tone) = self.state
            && self.poll_timeout().is_none_or(|deadline| now >= deadline)
        {
            self.finish(tone, Ending::Timeout, now);
        }
    }

    /// The next digit received, oldest first.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<DtmfEvent> {
        self.events.pop_front()
    }

    /// How many reports were dropped because [`MAX_PENDING`] (32) were
    /// waiting unpolled.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn begin(&mut self, digit: Digit, timestamp: u32, event: &TelephoneEvent, now: Instant) {
        let tone =
            Tone { digit, start: timestamp, segment: timestamp, before: 0, duration: 0, volume: 0, last_packet: now };
        self.update(tone, event, now);
    }

    fn update(&mut self, mut tone: Tone, event: &TelephoneEvent, now: Instant) {
        tone.duration = tone.duration.max(event.duration);
        tone.volume = event.volume;
        tone.last_packet = now;
        if event.end {
            self.finish(tone, Ending::EndPacket, now);
        } else {
            self.state = State::Tone(tone);
        }
    }

    fn finish(&mut self, tone: Tone, ending: Ending, now: Instant) {
        if self.events.len() == MAX_PENDING {
            self.events.pop_front();
            self.dropped += 1;
        }
        self.events.push_back(DtmfEvent {
            digit: tone.digit,
            timestamp: tone.start,
            samples: tone.before.saturating_add(u32::from(tone.duration)),
            clock_rate: self.config.clock_rate,
            volume: tone.volume,
            ending,
        });
        self.ended = Some(Ended { segment: tone.segment, at: now });
        self.state = State::Idle;
    }
}

/// Whether `timestamp` starts the next segment of `tone` (RFC 4733
/// §2.5.1.3): it follows the current segment's full duration, which is
/// the longest a duration can say (0xFFFF) even when the segment's last
/// packets were lost.
fn continues(tone: &Tone, timestamp: u32) -> bool {
    let offset = timestamp.wrapping_sub(tone.segment);
    offset == u32::from(u16::MAX) || (tone.duration > 0 && offset == u32::from(tone.duration))
}
