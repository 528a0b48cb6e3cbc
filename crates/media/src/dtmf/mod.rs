//! RFC 4733 telephone-events: the payload, a receiver and a sender.
//!
//! [`TelephoneEvent`] reads and writes the 4-byte payload (event, E bit,
//! volume, duration). [`DtmfReceiver`] is fed each telephone-event RTP
//! packet of a leg (timestamp, sequence number, marker, payload, arrival
//! time) and reports each digit once with its duration, whatever was lost,
//! repeated or reordered; [`DtmfSender`] turns a digit and a duration into
//! the packets to send. Both are sans-IO: the receiver's time is an
//! [`Instant`](std::time::Instant) given by the caller, the sender's is the
//! leg's RTP clock (a sample count).
//!
//! Not handled: several events in one packet (RFC 4733 §2.5.1.5; only the
//! first is read) and events other than DTMF 0-9, `*`, `#`, A-D and flash
//! (they are ignored).

mod receiver;
mod sender;

pub use receiver::{DtmfEvent, DtmfReceiver, Ending, ReceiverConfig};
pub use sender::{DtmfPacket, DtmfSender, SenderConfig};

use crate::tone::DtmfDigit;

/// A DTMF key (RFC 4733 §3.2 events 0-16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Digit {
    /// `0`.
    D0,
    /// `1`.
    D1,
    /// `2`.
    D2,
    /// `3`.
    D3,
    /// `4`.
    D4,
    /// `5`.
    D5,
    /// `6`.
    D6,
    /// `7`.
    D7,
    /// `8`.
    D8,
    /// `9`.
    D9,
    /// `*` (event 10).
    Star,
    /// `#` (event 11).
    Hash,
    /// `A` (event 12).
    A,
    /// `B` (event 13).
    B,
    /// `C` (event 14).
    C,
    /// `D` (event 15).
    D,
    /// Hook flash (event 16), written `!`.
    Flash,
}

const DIGITS: [Digit; 17] = [
    Digit::D0,
    Digit::D1,
    Digit::D2,
    Digit::D3,
    Digit::D4,
    Digit::D5,
    Digit::D6,
    Digit::D7,
    Digit::D8,
    Digit::D9,
    Digit::Star,
    Digit::Hash,
    Digit::A,
    Digit::B,
    Digit::C,
    Digit::D,
    Digit::Flash,
];

impl Digit {
    /// The digit of event code `event`, if it is a DTMF one (0-16).
    pub fn from_event(event: u8) -> Option<Self> {
        DIGITS.get(usize::from(event)).copied()
    }

    /// The event code, 0-16.
    pub fn event(self) -> u8 {
        // The enum's order is the event order.
        self as u8
    }

    /// The key as a character: `0`-`9`, `*`, `#`, `A`-`D`, `!` for flash.
    pub fn as_char(self) -> char {
        b"0123456789*#ABCD!"[usize::from(self.event())].into()
    }

    /// The digit for a character (`a`-`d` as well as `A`-`D`).
    pub fn from_char(c: char) -> Option<Self> {
        let upper = c.to_ascii_uppercase();
        b"0123456789*#ABCD!".iter().position(|b| char::from(*b) == upper).and_then(|i| DIGITS.get(i).copied())
    }
}

impl From<DtmfDigit> for Digit {
    /// The event of a key with tones (events 0-15 are the keys, in order).
    fn from(key: DtmfDigit) -> Self {
        DIGITS[usize::from(key.event_code())]
    }
}

impl TryFrom<Digit> for DtmfDigit {
    type Error = DtmfError;

    /// The key with tones of an event: every one but the flash.
    fn try_from(digit: Digit) -> Result<Self, DtmfError> {
        DtmfDigit::from_event_code(digit.event()).ok_or(DtmfError::NoTones)
    }
}

/// A payload that is not an RFC 4733 event, or a digit the sender refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DtmfError {
    /// The payload is not a whole number of 4-byte events (or is empty).
    #[error("a telephone-event payload is 4 bytes per event, this one is {len}")]
    BadLength {
        /// The payload's length.
        len: usize,
    },
    /// A digit of no duration was asked for.
    #[error("a digit needs a duration above zero")]
    ZeroDuration,
    /// The sender's queue of digits is full.
    #[error("the sender already has {max} digits queued")]
    QueueFull {
        /// The queue's size.
        max: usize,
    },
    /// The hook flash has no tones to play in band.
    #[error("a hook flash has no tones")]
    NoTones,
}

/// One RFC 4733 event payload (§2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// The event code (0-16 for DTMF).
    pub event: u8,
    /// The E bit: this is the event's end.
    pub end: bool,
    /// The power level in -dBm0, 0 to 63.
    pub volume: u8,
    /// The duration so far, in RTP timestamp units.
    pub duration: u16,
}

impl TelephoneEvent {
    /// The size of one event in a payload.
    pub const LEN: usize = 4;

    /// Reads the payload's first event (the reserved bit is ignored).
    pub fn parse(payload: &[u8]) -> Result<Self, DtmfError> {
        let [event, flags, d0, d1, ..] = *payload else {
            return Err(DtmfError::BadLength { len: payload.len() });
        };
        if !payload.len().is_multiple_of(Self::LEN) {
            return Err(DtmfError::BadLength { len: payload.len() });
        }
        Ok(Self { event, end: flags & 0x80 != 0, volume: flags & 0x3f, duration: u16::from_be_bytes([d0, d1]) })
    }

    /// The payload bytes; a volume above 63 is written as 63.
    pub fn to_bytes(self) -> [u8; 4] {
        let flags = if self.end { 0x80 } else { 0 } | self.volume.min(63);
        let [d0, d1] = self.duration.to_be_bytes();
        [self.event, flags, d0, d1]
    }
}

/// Whether RTP time `a` is at or after `b` (serial arithmetic, RFC 1982).
fn at_or_after(a: u32, b: u32) -> bool {
    a.wrapping_sub(b) < 0x8000_0000
}
