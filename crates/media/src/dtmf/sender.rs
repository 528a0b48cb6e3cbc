//! The sender: a digit and a duration in, the RFC 4733 packets out.

use std::collections::VecDeque;

use super::{Digit, DtmfError, TelephoneEvent, at_or_after};

/// The longest duration one packet can say; a longer event is sent in
/// segments of this length (RFC 4733 §2.5.1.3).
const SEGMENT: u32 = u16::MAX as u32;

/// How a sender is set up; times are in RTP timestamp units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderConfig {
    /// The telephone-event clock rate in Hz.
    pub clock_rate: u32,
    /// Between two packets of a digit under way (50 ms by default).
    pub update_interval: u32,
    /// How many packets with the E bit end a digit (3, RFC 4733 §2.5.1.4).
    pub end_packets: u8,
    /// Between two of those end packets (20 ms by default).
    pub end_interval: u32,
    /// From one digit's end to the next one's start (100 ms by default).
    pub gap: u32,
    /// The power level sent, in -dBm0 (10 by default).
    pub volume: u8,
    /// The most digits waiting to be sent (32 by default).
    pub max_queue: usize,
}

impl SenderConfig {
    /// The defaults at `clock_rate` Hz.
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate,
            update_interval: clock_rate / 20,
            end_packets: 3,
            end_interval: clock_rate / 50,
            gap: clock_rate / 10,
            volume: 10,
            max_queue: 32,
        }
    }
}

/// One packet to send with the telephone-event payload type; the RTP
/// session gives it the next sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtmfPacket {
    /// The RTP timestamp: the event's (or long event segment's) start.
    pub timestamp: u32,
    /// The RTP marker bit: set on an event's first packet only.
    pub marker: bool,
    /// The payload's contents.
    pub event: TelephoneEvent,
}

impl DtmfPacket {
    /// The 4-byte payload.
    pub fn payload(&self) -> [u8; 4] {
        self.event.to_bytes()
    }
}

/// A digit being sent.
#[derive(Debug, Clone, Copy)]
struct Tone {
    digit: Digit,
    /// The event's start and its whole duration.
    start: u32,
    total: u32,
    /// The current segment's timestamp, and the duration before it.
    segment: u32,
    before: u32,
    /// When the next packet is due.
    next_at: u32,
    first: bool,
}

/// Where the sender stands.
#[derive(Debug, Clone, Copy)]
enum State {
    /// No digit under way; the next may start at `ready_at`.
    Idle { ready_at: Option<u32> },
    /// A digit under way.
    Playing(Tone),
    /// A digit's end packets, `left` more to send.
    Ending { tone: Tone, left: u8 },
}

/// Sends queued digits as RFC 4733 packets, one RTP timestamp per event.
///
/// [`send`](Self::send) queues a digit; call
/// [`poll_packet`](Self::poll_packet) with the leg's current RTP timestamp
/// on every frame (or at [`poll_timeout`](Self::poll_timeout)) until it
/// gives `None`. A digit is its first packet (marker set, duration 0), an
/// update every [`SenderConfig::update_interval`] with the duration so far,
/// then [`SenderConfig::end_packets`] packets with the E bit and the final
/// duration. While [`is_active`](Self::is_active), the leg sends no audio.
#[derive(Debug)]
pub struct DtmfSender {
    config: SenderConfig,
    queue: VecDeque<(Digit, u32)>,
    state: State,
    last_now: Option<u32>,
}

impl DtmfSender {
    /// A sender with `config`.
    pub fn new(config: SenderConfig) -> Self {
        let queue = VecDeque::with_capacity(config.max_queue);
        Self { config, queue, state: State::Idle { ready_at: None }, last_now: None }
    }

    /// Queues `digit` for `samples` RTP timestamp units (e.g. 800 for
    /// 100 ms at 8000 Hz); `now` is the leg's current RTP timestamp.
    pub fn send(&mut self, digit: Digit, samples: u32, now: u32) -> Result<(), DtmfError> {
        if samples == 0 {
            return Err(DtmfError::ZeroDuration);
        }
        if self.queue.len() >= self.config.max_queue {
            return Err(DtmfError::QueueFull { max: self.config.max_queue });
        }
        self.queue.push_back((digit, samples));
        self.last_now = Some(now);
        Ok(())
    }

    /// Whether a digit is being sent (the leg must not send audio).
    pub fn is_active(&self) -> bool {
        !matches!(self.state, State::Idle { .. })
    }

    /// The RTP time at which the next packet is due, if any is.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u32> {
        match self.state {
            State::Playing(tone) | State::Ending { tone, .. } => Some(tone.next_at),
            State::Idle { .. } if self.queue.is_empty() => None,
            State::Idle { ready_at: Some(at) } => Some(self.last_now.filter(|now| at_or_after(*now, at)).unwrap_or(at)),
            State::Idle { ready_at: None } => Some(self.last_now.unwrap_or(0)),
        }
    }

    /// The next packet due at RTP time `now`, if one is.
    #[must_use]
    pub fn poll_packet(&mut self, now: u32) -> Option<DtmfPacket> {
        self.last_now = Some(now);
        if let State::Idle { ready_at } = self.state {
            if ready_at.is_some_and(|at| !at_or_after(now, at)) {
                return None;
            }
            let (digit, total) = self.queue.pop_front()?;
            let tone = Tone { digit, start: now, total, segment: now, before: 0, next_at: now, first: true };
            self.state = State::Playing(tone);
        }
        match self.state {
            State::Playing(tone) if at_or_after(now, tone.next_at) => Some(self.play(tone, now)),
            State::Ending { tone, left } if at_or_after(now, tone.next_at) => Some(self.end(tone, left, now)),
            _ => None,
        }
    }

    fn play(&mut self, mut tone: Tone, now: u32) -> DtmfPacket {
        let elapsed = now.wrapping_sub(tone.start).min(tone.total);
        let packet = |tone: &Tone, duration: u32, end: bool| DtmfPacket {
            timestamp: tone.segment,
            marker: tone.first,
            event: TelephoneEvent {
                event: tone.digit.event(),
                end,
                volume: self.config.volume,
                duration: u16::try_from(duration).unwrap_or(u16::MAX),
            },
        };
        if elapsed.saturating_sub(tone.before) > SEGMENT {
            // This segment is full: say so, and go on in the next one,
            // due at once.
            let full = packet(&tone, SEGMENT, false);
            tone.before += SEGMENT;
            tone.segment = tone.segment.wrapping_add(SEGMENT);
            tone.first = false;
            self.state = State::Playing(tone);
            return full;
        }
        if elapsed >= tone.total {
            let last = packet(&tone, tone.total - tone.before, true);
            tone.first = false;
            self.after_end_packet(tone, self.config.end_packets.max(1), now);
            return last;
        }
        let update = packet(&tone, elapsed.saturating_sub(tone.before), false);
        tone.first = false;
        let interval = self.config.update_interval.max(1);
        let next = tone.start.wrapping_add((elapsed / interval + 1).saturating_mul(interval).min(tone.total));
        tone.next_at = next;
        self.state = State::Playing(tone);
        update
    }

    fn end(&mut self, tone: Tone, left: u8, now: u32) -> DtmfPacket {
        let packet = DtmfPacket {
            timestamp: tone.segment,
            marker: false,
            event: TelephoneEvent {
                event: tone.digit.event(),
                end: true,
                volume: self.config.volume,
                duration: u16::try_from(tone.total - tone.before).unwrap_or(u16::MAX),
            },
        };
        self.after_end_packet(tone, left, now);
        packet
    }

    /// After one end packet of `left`, sent at `now`: the next one, or idle
    /// until the gap after the digit's end has passed.
    fn after_end_packet(&mut self, mut tone: Tone, left: u8, now: u32) {
        if left <= 1 {
            let end = tone.start.wrapping_add(tone.total);
            self.state = State::Idle { ready_at: Some(end.wrapping_add(self.config.gap)) };
        } else {
            tone.next_at = now.wrapping_add(self.config.end_interval);
            self.state = State::Ending { tone, left: left - 1 };
        }
    }
}
