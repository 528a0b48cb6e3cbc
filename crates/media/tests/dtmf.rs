//! RFC 4733: the payload, the sender's packet sequence, and the receiver
//! reporting each digit once whatever is lost, repeated or reordered.

use std::time::{Duration, Instant};

use media::dtmf::{
    Digit, DtmfError, DtmfPacket, DtmfReceiver, DtmfSender, Ending, ReceiverConfig, SenderConfig, TelephoneEvent,
};
use proptest::prelude::*;

#[test]
fn payload_reads_event_end_bit_volume_and_duration() {
    let event = TelephoneEvent::parse(&[5, 0x8a, 0x03, 0x20]).expect("an event");
    assert_eq!(event, TelephoneEvent { event: 5, end: true, volume: 10, duration: 800 });
    assert_eq!(event.to_bytes(), [5, 0x8a, 0x03, 0x20]);
    let reserved = TelephoneEvent::parse(&[5, 0x4a, 0, 0]).expect("the reserved bit is ignored");
    assert_eq!((reserved.end, reserved.volume), (false, 10));
    let loud = TelephoneEvent { event: 1, end: false, volume: 200, duration: 0 };
    assert_eq!(loud.to_bytes()[1], 63, "a volume above 63 is written as 63");
}

#[test]
fn a_payload_that_is_not_whole_events_is_an_error() {
    for len in [0, 1, 3, 5, 7] {
        assert_eq!(TelephoneEvent::parse(&vec![0; len]), Err(DtmfError::BadLength { len }));
    }
    let two = TelephoneEvent::parse(&[1, 0x80, 0, 160, 2, 0, 0, 0]).expect("two events: the first is read");
    assert_eq!((two.event, two.end, two.duration), (1, true, 160));
}

#[test]
fn digits_map_to_event_codes_and_characters() {
    let keys = "0123456789*#ABCD!";
    for (code, c) in keys.chars().enumerate() {
        let digit = Digit::from_event(code as u8).expect("a DTMF event");
        assert_eq!((digit.event(), digit.as_char()), (code as u8, c));
        assert_eq!(Digit::from_char(c), Some(digit));
    }
    assert_eq!(Digit::from_char('b'), Some(Digit::B));
    assert_eq!((Digit::from_event(17), Digit::from_char('x')), (None, None));
}

/// Every packet `sender` gives when polled every `step` units from `from`
/// until it has been idle for `idle_after` units.
fn drain(sender: &mut DtmfSender, from: u32, step: u32, until: u32) -> Vec<(u32, DtmfPacket)> {
    let mut packets = Vec::new();
    let mut now = from;
    while now.wrapping_sub(from) <= until {
        while let Some(packet) = sender.poll_packet(now) {
            packets.push((now, packet));
        }
        now = now.wrapping_add(step);
    }
    packets
}

#[test]
fn a_digit_is_a_marked_start_updates_every_50_ms_and_three_end_packets() {
    let mut sender = DtmfSender::new(SenderConfig::new(8000));
    sender.send(Digit::D5, 800, 1000).expect("queued");
    let packets = drain(&mut sender, 1000, 80, 4000);
    let seen: Vec<(u32, u32, bool, bool, u16)> =
        packets.iter().map(|(at, p)| (*at, p.timestamp, p.marker, p.event.end, p.event.duration)).collect();
    assert_eq!(
        seen,
        [
            (1000, 1000, true, false, 0),
            (1400, 1000, false, false, 400),
            (1800, 1000, false, true, 800),
            (1960, 1000, false, true, 800),
            (2120, 1000, false, true, 800),
        ]
    );
    assert!(packets.iter().all(|(_, p)| p.event.event == 5 && p.event.volume == 10));
    assert_eq!(packets[0].1.payload(), [5, 10, 0, 0]);
}

#[test]
fn the_next_digit_waits_for_the_gap_and_has_its_own_timestamp() {
    let mut sender = DtmfSender::new(SenderConfig::new(8000));
    sender.send(Digit::D1, 800, 0).expect("queued");
    sender.send(Digit::D2, 800, 0).expect("queued");
    let packets = drain(&mut sender, 0, 80, 8000);
    let starts: Vec<(u32, u8)> =
        packets.iter().filter(|(_, p)| p.marker).map(|(_, p)| (p.timestamp, p.event.event)).collect();
    assert_eq!(starts, [(0, 1), (1600, 2)], "800 samples of tone, then 100 ms (800) of gap");
    let second: Vec<u32> = packets.iter().filter(|(_, p)| p.event.event == 2).map(|(_, p)| p.timestamp).collect();
    assert!(second.iter().all(|ts| *ts == 1600), "one timestamp per event: {second:?}");
}

#[test]
fn is_active_only_while_a_digit_is_being_sent() {
    let mut sender = DtmfSender::new(SenderConfig::new(8000));
    assert!(!sender.is_active() && sender.poll_timeout().is_none());
    sender.send(Digit::Hash, 400, 50).expect("queued");
    assert_eq!(sender.poll_timeout(), Some(50), "due at once");
    assert!(sender.poll_packet(50).is_some() && sender.is_active());
    drain(&mut sender, 50, 80, 2000);
    assert!(!sender.is_active() && sender.poll_timeout().is_none());
}

#[test]
fn zero_duration_and_a_full_queue_are_refused() {
    let mut sender = DtmfSender::new(SenderConfig { max_queue: 2, ..SenderConfig::new(8000) });
    assert_eq!(sender.send(Digit::D1, 0, 0), Err(DtmfError::ZeroDuration));
    sender.send(Digit::D1, 800, 0).expect("one");
    sender.send(Digit::D2, 800, 0).expect("two");
    assert_eq!(sender.send(Digit::D3, 800, 0), Err(DtmfError::QueueFull { max: 2 }));
}

fn base() -> Instant {
    Instant::now()
}

/// Feeds `(timestamp, sequence, marker, payload)` packets 10 ms apart.
fn feed(
    receiver: &mut DtmfReceiver,
    start: Instant,
    packets: &[(u32, u16, bool, [u8; 4])],
) -> Vec<media::dtmf::DtmfEvent> {
    let mut events = Vec::new();
    for (i, (ts, seq, marker, payload)) in packets.iter().enumerate() {
        receiver
            .handle_packet(*ts, *seq, *marker, payload, start + Duration::from_millis(10 * i as u64))
            .expect("valid");
        while let Some(e) = receiver.poll_event() {
            events.push(e);
        }
    }
    events
}

fn ev(event: u8, end: bool, duration: u16) -> [u8; 4] {
    TelephoneEvent { event, end, volume: 10, duration }.to_bytes()
}

fn receiver() -> DtmfReceiver {
    DtmfReceiver::new(ReceiverConfig::new(8000))
}

#[test]
fn a_digit_is_reported_once_with_its_duration() {
    let packets = [
        (1000, 1, true, ev(7, false, 0)),
        (1000, 2, false, ev(7, false, 400)),
        (1000, 3, false, ev(7, true, 800)),
        (1000, 4, false, ev(7, true, 800)),
        (1000, 5, false, ev(7, true, 800)),
    ];
    let events = feed(&mut receiver(), base(), &packets);
    assert_eq!(events.len(), 1, "{events:?}");
    let e = events[0];
    assert_eq!((e.digit, e.timestamp, e.samples, e.ending), (Digit::D7, 1000, 800, Ending::EndPacket));
    assert_eq!(e.duration(), Duration::from_millis(100));
}

#[test]
fn a_digit_whose_first_packets_are_lost_is_still_reported_once() {
    let packets =
        [(1000, 3, false, ev(3, false, 480)), (1000, 4, false, ev(3, true, 800)), (1000, 5, false, ev(3, true, 800))];
    let events = feed(&mut receiver(), base(), &packets);
    assert_eq!(events.iter().map(|e| (e.digit, e.samples)).collect::<Vec<_>>(), [(Digit::D3, 800)]);
}

#[test]
fn a_digit_of_which_only_the_end_packets_arrive_is_reported_once() {
    let packets = [(5000, 9, false, ev(11, true, 640)), (5000, 10, false, ev(11, true, 640))];
    let events = feed(&mut receiver(), base(), &packets);
    assert_eq!(
        events.iter().map(|e| (e.digit, e.samples, e.ending)).collect::<Vec<_>>(),
        [(Digit::Hash, 640, Ending::EndPacket)]
    );
}

#[test]
fn reordered_packets_give_one_report_with_the_final_duration() {
    let packets = [
        (1000, 1, true, ev(1, false, 0)),
        (1000, 4, false, ev(1, true, 800)),
        (1000, 3, false, ev(1, false, 720)),
        (1000, 2, false, ev(1, false, 400)),
        (1000, 5, false, ev(1, true, 800)),
    ];
    let events = feed(&mut receiver(), base(), &packets);
    assert_eq!(events.iter().map(|e| e.samples).collect::<Vec<_>>(), [800]);

    // No end packet at all, updates out of order: the longest one counts.
    let mut rx = receiver();
    let start = base();
    let updates =
        [(1000, 1, true, ev(1, false, 0)), (1000, 3, false, ev(1, false, 720)), (1000, 2, false, ev(1, false, 400))];
    assert!(feed(&mut rx, start, &updates).is_empty());
    rx.handle_timeout(start + Duration::from_secs(6));
    assert_eq!(rx.poll_event().map(|e| (e.samples, e.ending)), Some((720, Ending::Timeout)));
}

#[test]
fn a_digit_without_end_packets_times_out_after_5_s_of_silence() {
    let start = base();
    let mut rx = receiver();
    let events = feed(&mut rx, start, &[(1000, 1, true, ev(9, false, 0)), (1000, 2, false, ev(9, false, 400))]);
    assert!(events.is_empty());
    let last = start + Duration::from_millis(10);
    assert_eq!(rx.poll_timeout(), Some(last + Duration::from_secs(5)));
    rx.handle_timeout(last + Duration::from_millis(4999));
    assert!(rx.poll_event().is_none(), "not before 5 s");
    rx.handle_timeout(last + Duration::from_secs(5));
    let e = rx.poll_event().expect("timed out");
    assert_eq!((e.digit, e.samples, e.ending), (Digit::D9, 400, Ending::Timeout));
    assert!(rx.poll_timeout().is_none() && rx.poll_event().is_none());
}

#[test]
fn a_new_digit_ends_the_previous_one_whose_end_was_lost() {
    let packets = [
        (1000, 1, true, ev(4, false, 0)),
        (1000, 2, false, ev(4, false, 400)),
        (2600, 6, true, ev(2, false, 0)),
        (2600, 7, false, ev(2, true, 800)),
    ];
    let events = feed(&mut receiver(), base(), &packets);
    let seen: Vec<(Digit, u32, Ending)> = events.iter().map(|e| (e.digit, e.samples, e.ending)).collect();
    assert_eq!(seen, [(Digit::D4, 400, Ending::NextEvent), (Digit::D2, 800, Ending::EndPacket)]);
}

#[test]
fn the_same_digit_pressed_twice_is_reported_twice() {
    let packets = [
        (1000, 1, true, ev(1, false, 0)),
        (1000, 2, false, ev(1, true, 800)),
        (2600, 3, false, ev(1, false, 400)),
        (2600, 4, false, ev(1, true, 800)),
    ];
    let events = feed(&mut receiver(), base(), &packets);
    assert_eq!(events.iter().map(|e| e.timestamp).collect::<Vec<_>>(), [1000, 2600]);
}

#[test]
fn late_packets_of_an_older_digit_are_ignored() {
    let packets = [
        (1000, 1, true, ev(1, false, 0)),
        (1000, 2, false, ev(1, true, 800)),
        (2600, 5, true, ev(2, false, 0)),
        (1000, 3, false, ev(1, true, 800)),
        (1000, 4, false, ev(1, false, 400)),
        (2600, 6, false, ev(2, true, 800)),
        (1000, 3, false, ev(1, true, 800)),
    ];
    let events = feed(&mut receiver(), base(), &packets);
    assert_eq!(events.iter().map(|e| e.digit).collect::<Vec<_>>(), [Digit::D1, Digit::D2]);
}

#[test]
fn a_sender_restarting_its_timestamps_still_starts_a_new_digit() {
    // Newer by sequence number, older by timestamp: the stream restarted
    // (a new SSRC behind a B2BUA, say), not a late packet.
    let packets = [
        (900_000, 10, true, ev(6, false, 0)),
        (900_000, 11, false, ev(6, true, 800)),
        (160, 12, true, ev(8, true, 640)),
    ];
    let events = feed(&mut receiver(), base(), &packets);
    assert_eq!(events.iter().map(|e| e.digit).collect::<Vec<_>>(), [Digit::D6, Digit::D8]);
}

#[test]
fn non_dtmf_events_and_bad_payloads_change_nothing() {
    let mut rx = receiver();
    let now = base();
    assert_eq!(rx.handle_packet(1, 1, true, &[1, 2, 3], now), Err(DtmfError::BadLength { len: 3 }));
    rx.handle_packet(100, 2, true, &ev(36, true, 800), now).expect("a fax tone event is valid");
    assert!(rx.poll_event().is_none() && rx.poll_timeout().is_none());
}

#[test]
fn a_receiver_left_unpolled_keeps_the_32_newest_digits() {
    let mut rx = receiver();
    let now = base();
    for i in 0..40u32 {
        rx.handle_packet(1000 + i * 2000, i as u16, true, &ev((i % 10) as u8, true, 800), now).expect("valid");
    }
    assert_eq!(rx.dropped(), 8);
    let first = rx.poll_event().expect("kept");
    assert_eq!(first.timestamp, 1000 + 8 * 2000);
    assert_eq!(std::iter::from_fn(|| rx.poll_event()).count(), 31);
}

#[test]
fn a_long_digit_at_48_khz_is_sent_in_segments_and_received_whole() {
    let mut sender = DtmfSender::new(SenderConfig::new(48000));
    sender.send(Digit::D0, 96_000, 10).expect("two seconds");
    let packets = drain(&mut sender, 10, 960, 200_000);
    let segments: Vec<u32> = packets.iter().map(|(_, p)| p.timestamp).fold(Vec::new(), |mut v, ts| {
        if v.last() != Some(&ts) {
            v.push(ts);
        }
        v
    });
    assert_eq!(segments, [10, 10 + 65_535], "a new segment after 0xFFFF units");
    assert_eq!(packets.iter().filter(|(_, p)| p.marker).count(), 1, "one marker: one event");
    let ends: Vec<u16> = packets.iter().filter(|(_, p)| p.event.end).map(|(_, p)| p.event.duration).collect();
    assert_eq!(ends, [30_465; 3]);

    let mut rx = DtmfReceiver::new(ReceiverConfig::new(48000));
    let start = base();
    for (i, (_, p)) in packets.iter().enumerate() {
        rx.handle_packet(p.timestamp, i as u16, p.marker, &p.payload(), start + Duration::from_millis(20 * i as u64))
            .expect("valid");
    }
    let e = rx.poll_event().expect("one digit");
    assert_eq!((e.digit, e.samples, e.duration()), (Digit::D0, 96_000, Duration::from_secs(2)));
    assert!(rx.poll_event().is_none());
}

#[test]
fn a_long_digit_is_received_whole_when_the_last_packets_of_a_segment_are_lost() {
    let packets = [
        (10, 1, true, ev(0, false, 0)),
        (10, 2, false, ev(0, false, 48_000)),
        (10 + 65_535, 9, false, ev(0, false, 20_000)),
        (10 + 65_535, 10, false, ev(0, true, 30_465)),
    ];
    let events = feed(&mut DtmfReceiver::new(ReceiverConfig::new(48000)), base(), &packets);
    assert_eq!(events.iter().map(|e| e.samples).collect::<Vec<_>>(), [96_000]);
}

proptest! {
    #![proptest_config(crate::seed::fixed_seed())]

    #[test]
    fn any_payload_parses_or_fails_and_writes_back(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
        if let Ok(event) = TelephoneEvent::parse(&bytes) {
            let written = event.to_bytes();
            prop_assert_eq!(written[0], bytes[0]);
            prop_assert_eq!(written[1], bytes[1] & 0xbf, "all but the reserved bit");
            prop_assert_eq!(&written[2..], &bytes[2..4]);
        }
    }

    #[test]
    fn any_packet_sequence_never_panics_the_receiver(
        packets in proptest::collection::vec((any::<u32>(), any::<u16>(), any::<bool>(), proptest::collection::vec(any::<u8>(), 0..9), 0u64..10_000), 0..64),
    ) {
        let mut rx = receiver();
        let mut now = base();
        let mut reported = 0;
        for (ts, seq, marker, payload, gap_ms) in packets {
            now += Duration::from_millis(gap_ms);
            rx.handle_timeout(now);
            let _ = rx.handle_packet(ts, seq, marker, &payload, now);
            while rx.poll_event().is_some() {
                reported += 1;
            }
        }
        prop_assert!(reported <= 64 * 2);
    }

    #[test]
    fn any_digits_and_any_polling_times_never_panic_the_sender(
        digits in proptest::collection::vec((0u8..17, any::<u32>()), 0..6),
        times in proptest::collection::vec(any::<u32>(), 0..200),
    ) {
        let mut sender = DtmfSender::new(SenderConfig::new(48000));
        for (event, samples) in digits {
            let _ = sender.send(Digit::from_event(event).expect("0-16"), samples, 0);
        }
        for now in times {
            let mut burst = 0;
            while let Some(packet) = sender.poll_packet(now) {
                prop_assert_eq!(TelephoneEvent::parse(&packet.payload()), Ok(packet.event));
                burst += 1;
                prop_assert!(burst < 70_000, "polling at one time ends");
            }
        }
    }
}

#[test]
fn every_key_with_tones_is_the_event_of_the_same_code_and_flash_has_no_tones() {
    use media::dtmf::{Digit, DtmfError};
    use media::tone::DtmfDigit;
    for key in DtmfDigit::ALL {
        let event = Digit::from(key);
        assert_eq!(event.event(), key.event_code());
        assert_eq!(event.as_char(), key.as_char());
        assert_eq!(DtmfDigit::try_from(event), Ok(key));
    }
    assert_eq!(DtmfDigit::try_from(Digit::Flash), Err(DtmfError::NoTones));
}
