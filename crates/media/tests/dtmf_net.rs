//! DTMF over a lossy network on a virtual clock: a sender's packets go
//! through a seeded network that loses, duplicates and reorders them; the
//! receiver must report each digit that got through once, in order.

use std::time::{Duration, Instant};

use media::dtmf::{Digit, DtmfEvent, DtmfReceiver, DtmfSender, Ending, ReceiverConfig, SenderConfig};
use proptest::prelude::*;

use crate::lossy::Lossy;

/// One telephone-event RTP packet on the wire.
#[derive(Debug, Clone)]
struct Wire {
    timestamp: u32,
    sequence: u16,
    marker: bool,
    payload: [u8; 4],
    /// Which digit of the dialled string it belongs to.
    digit_index: usize,
}

/// Sends `digits`, `tone_ms` each, at `rate` Hz, polled every 10 ms; the
/// RTP timestamp and sequence number start near their wrap.
fn send(digits: &str, tone_ms: u32, rate: u32) -> Vec<(Duration, Wire)> {
    let mut sender = DtmfSender::new(SenderConfig::new(rate));
    let first_ts = u32::MAX - rate; // wraps a second in
    for c in digits.chars() {
        sender.send(Digit::from_char(c).expect("a key"), tone_ms * rate / 1000, first_ts).expect("queued");
    }
    let mut wire = Vec::new();
    let mut sequence: u16 = 65_500;
    let mut digit_index = 0;
    let step = rate / 100;
    for tick in 0..(digits.len() as u32 * (tone_ms + 200) / 10 + 100) {
        let now = first_ts.wrapping_add(tick * step);
        while let Some(p) = sender.poll_packet(now) {
            if p.marker && !wire.is_empty() {
                digit_index += 1;
            }
            let packet = Wire { timestamp: p.timestamp, sequence, marker: p.marker, payload: p.payload(), digit_index };
            wire.push((Duration::from_millis(10 * u64::from(tick)), packet));
            sequence = sequence.wrapping_add(1);
        }
    }
    wire
}

/// What the receiver reports from the packets that arrive.
fn receive(arrivals: &[(Duration, usize, Wire)], rate: u32) -> Vec<DtmfEvent> {
    let start = Instant::now();
    let mut rx = DtmfReceiver::new(ReceiverConfig::new(rate));
    let mut events = Vec::new();
    for (at, _, w) in arrivals {
        let now = start + *at;
        if rx.poll_timeout().is_some_and(|deadline| deadline <= now) {
            rx.handle_timeout(now);
        }
        rx.handle_packet(w.timestamp, w.sequence, w.marker, &w.payload, now).expect("valid payload");
        events.extend(std::iter::from_fn(|| rx.poll_event()));
    }
    if let Some(deadline) = rx.poll_timeout() {
        rx.handle_timeout(deadline);
    }
    events.extend(std::iter::from_fn(|| rx.poll_event()));
    events
}

/// Runs the dialled string through a network; checks every digit with at
/// least one packet delivered is reported once, in order, and that a digit
/// whose end packet arrived has its full duration.
fn check(seed: u64, loss: u64, max_delay_ms: u64, digits: &str, tone_ms: u32, rate: u32) -> Result<(), String> {
    let sent = send(digits, tone_ms, rate);
    let arrivals = Lossy::new(seed, loss, Duration::from_millis(max_delay_ms)).carry(&sent);
    let events = receive(&arrivals, rate);
    let keys: Vec<char> = digits.chars().collect();
    let mut expected: Vec<usize> = arrivals.iter().map(|(_, _, w)| w.digit_index).collect();
    expected.dedup();
    let reported: String = events.iter().map(|e| e.digit.as_char()).collect();
    let wanted: String = expected.iter().map(|i| keys[*i]).collect();
    if reported != wanted {
        return Err(format!("seed {seed}: reported {reported:?}, expected {wanted:?}"));
    }
    let full = tone_ms * rate / 1000;
    for (e, index) in events.iter().zip(&expected) {
        let end_arrived = arrivals.iter().any(|(_, _, w)| w.digit_index == *index && w.payload[1] & 0x80 != 0);
        if end_arrived && (e.ending, e.samples) != (Ending::EndPacket, full) {
            return Err(format!(
                "seed {seed}: digit {} ended {:?} after {} samples",
                e.digit.as_char(),
                e.ending,
                e.samples
            ));
        }
        if !end_arrived && e.ending == Ending::EndPacket {
            return Err(format!("seed {seed}: digit {} has no end packet", e.digit.as_char()));
        }
    }
    Ok(())
}

#[test]
fn every_digit_that_gets_through_is_reported_once_and_in_order() {
    for seed in 0..200 {
        check(seed, 15, 40, "0123456789*#ABCD", 100, 8000).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn the_same_holds_for_long_digits_at_48_khz_beside_opus() {
    for seed in 0..40 {
        check(seed, 15, 40, "159#", 1800, 48000).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn without_loss_every_digit_arrives_with_its_full_duration() {
    let sent = send("2580", 120, 8000);
    let arrivals = Lossy::new(1, 0, Duration::from_millis(30)).carry(&sent);
    let events = receive(&arrivals, 8000);
    let seen: Vec<(char, u32, Ending)> = events.iter().map(|e| (e.digit.as_char(), e.samples, e.ending)).collect();
    assert_eq!(
        seen,
        [
            ('2', 960, Ending::EndPacket),
            ('5', 960, Ending::EndPacket),
            ('8', 960, Ending::EndPacket),
            ('0', 960, Ending::EndPacket)
        ]
    );
}

#[test]
fn a_burst_that_takes_every_end_packet_still_reports_the_digit_by_timeout() {
    let sent = send("7", 200, 8000);
    let kept: Vec<(Duration, Wire)> = sent.into_iter().filter(|(_, w)| w.payload[1] & 0x80 == 0).collect();
    let arrivals = Lossy::new(3, 0, Duration::ZERO).carry(&kept);
    let events = receive(&arrivals, 8000);
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].digit, events[0].ending), (Digit::D7, Ending::Timeout));
    assert!(events[0].samples >= 1200, "the last update's duration: {}", events[0].samples);
}

proptest! {
    #![proptest_config(crate::seed::fixed_seed())]

    #[test]
    fn digits_survive_any_loss_rate_and_jitter_up_to_50_ms(
        seed in any::<u64>(),
        loss in 0u64..60,
        max_delay_ms in 0u64..50,
        digits in "[0-9*#A-D]{1,8}",
    ) {
        check(seed, loss, max_delay_ms, &digits, 100, 8000).map_err(TestCaseError::fail)?;
    }
}
