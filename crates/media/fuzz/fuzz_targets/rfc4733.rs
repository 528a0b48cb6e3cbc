//! Any bytes as a telephone-event payload, then as a stream of packets for
//! the receiver (11 bytes each: timestamp, sequence, marker and a gap in
//! 10 ms steps, 4 payload bytes) and as digits for the sender: nothing
//! panics, the receiver reports at most two digits per packet, and every
//! packet the sender makes parses back.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use media::dtmf::{Digit, DtmfReceiver, DtmfSender, ReceiverConfig, SenderConfig, TelephoneEvent};

fuzz_target!(|data: &[u8]| {
    let _ = TelephoneEvent::parse(data);

    let mut receiver = DtmfReceiver::new(ReceiverConfig::new(8000));
    let mut now = Instant::now();
    for record in data.chunks_exact(11) {
        let timestamp = u32::from_be_bytes([record[0], record[1], record[2], record[3]]);
        let sequence = u16::from_be_bytes([record[4], record[5]]);
        now += Duration::from_millis(10 * u64::from(record[6] & 0x7f));
        receiver.handle_timeout(now);
        let _ = receiver.handle_packet(timestamp, sequence, record[6] & 0x80 != 0, &record[7..11], now);
        let mut reported = 0;
        while receiver.poll_event().is_some() {
            reported += 1;
        }
        assert!(reported <= 2, "one packet ends at most the digit under way and its own");
    }

    let mut sender = DtmfSender::new(SenderConfig::new(48000));
    for pair in data.chunks_exact(3).take(8) {
        let Some(digit) = Digit::from_event(pair[0] % 17) else { continue };
        let samples = u32::from(u16::from_be_bytes([pair[1], pair[2]])) * 4;
        let _ = sender.send(digit, samples, 0);
    }
    let mut now = 0u32;
    for _ in 0..20_000 {
        while let Some(packet) = sender.poll_packet(now) {
            let parsed = TelephoneEvent::parse(&packet.payload()).expect("the sender's payload parses");
            assert_eq!(parsed, packet.event);
        }
        if sender.poll_timeout().is_none() {
            break;
        }
        now = now.wrapping_add(960);
    }
});
