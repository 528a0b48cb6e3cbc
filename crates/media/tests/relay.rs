//! The relay fast path: header rewriting only, continuous sequence numbers
//! across a source switch, gaps and reordering kept, monotonic timestamps,
//! payload untouched.

use std::time::{Duration, Instant};

use media::relay::{Forwarded, Relay, RelayConfig, RelayDrop};
use media::rtp::RtpHeader;
use proptest::prelude::*;

use super::rtp::rtp_pt;

const OUT_SSRC: u32 = 0x5151_5151;

fn relay() -> Relay {
    Relay::new(RelayConfig::new(OUT_SSRC, 1000, 7_000_000, 8_000))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A G.711 packet of `ssrc` with sequence `seq`, timestamp `base + 160·k`.
fn pcmu(ssrc: u32, seq: u16, ts: u32) -> Vec<u8> {
    rtp_pt(ssrc, seq, ts, 0, &payload(seq))
}

fn payload(seq: u16) -> [u8; 160] {
    let mut p = [0u8; 160];
    for (i, b) in p.iter_mut().enumerate() {
        *b = (seq as usize * 7 + i) as u8;
    }
    p
}

fn forward(relay: &mut Relay, mut packet: Vec<u8>, at: Instant) -> (Forwarded, Vec<u8>) {
    let f = relay.rewrite(&mut packet, at).expect("forwarded");
    (f, packet)
}

#[test]
fn sequence_stays_continuous_across_a_source_switch() {
    let t0 = Instant::now();
    let mut r = relay();
    let mut out = Vec::new();
    for k in 0..50u16 {
        out.push(forward(&mut r, pcmu(0xa, 100 + k, 3_000 + 160 * u32::from(k)), t0 + ms(20 * u64::from(k))).0);
    }
    // A re-INVITE: a new SSRC whose sequence wraps and whose timestamps
    // start far below.
    for k in 0..50u16 {
        let at = t0 + ms(1000 + 20 * u64::from(k));
        out.push(forward(&mut r, pcmu(0xb, 65_510u16.wrapping_add(k), 10 + 160 * u32::from(k)), at).0);
    }
    let seqs: Vec<u16> = out.iter().map(|f| f.sequence).collect();
    assert_eq!(seqs, (1000..1100).collect::<Vec<u16>>());
    assert!(out[50].switched && out[50].marker, "the switch starts a talk spurt");
    assert!(out.iter().enumerate().all(|(i, f)| i == 50 || !f.switched));
    for pair in out.windows(2) {
        assert!(pair[1].timestamp > pair[0].timestamp, "{pair:?}");
    }
}

#[test]
fn gaps_from_loss_are_kept_not_renumbered() {
    let t0 = Instant::now();
    let mut r = relay();
    let sent: Vec<u16> = (0..40u16).filter(|k| k % 7 != 3).collect();
    let out: Vec<u16> =
        sent.iter().map(|&k| forward(&mut r, pcmu(0xa, 500 + k, 160 * u32::from(k)), t0).0.sequence).collect();
    let expected: Vec<u16> = sent.iter().map(|&k| 1000 + k).collect();
    assert_eq!(out, expected);
}

#[test]
fn reordered_packets_keep_their_place() {
    let t0 = Instant::now();
    let mut r = relay();
    let order = [0u16, 1, 3, 2, 4, 7, 5, 6, 8, 9];
    for k in order {
        let (f, _) = forward(&mut r, pcmu(0xa, 40 + k, 160 * u32::from(k)), t0);
        assert_eq!((f.sequence, f.timestamp), (1000 + k, 7_000_000 + 160 * u32::from(k)));
    }
}

#[test]
fn a_switch_after_a_pause_advances_the_timestamp_by_the_time_elapsed() {
    let t0 = Instant::now();
    let mut r = relay();
    let (last_a, _) = forward(&mut r, pcmu(0xa, 1, 0), t0);
    let (first_b, _) = forward(&mut r, pcmu(0xb, 9, 123_456), t0 + Duration::from_secs(2));
    assert_eq!(first_b.timestamp.wrapping_sub(last_a.timestamp), 16_000, "2 s at 8 kHz");
    // At once after the old source, it still moves on by one packet.
    let (first_c, _) = forward(&mut r, pcmu(0xc, 77, 5), t0 + Duration::from_secs(2));
    assert_eq!(first_c.timestamp.wrapping_sub(first_b.timestamp), 160);
}

#[test]
fn late_packets_of_the_replaced_source_fit_before_the_new_one() {
    let t0 = Instant::now();
    let mut r = relay();
    for k in [0u16, 1, 2, 4] {
        forward(&mut r, pcmu(0xa, k, 160 * u32::from(k)), t0);
    }
    let (b, _) = forward(&mut r, pcmu(0xb, 300, 0), t0 + ms(100));
    assert_eq!(b.sequence, 1005);
    // Packet 3 of the old source, late: it keeps its number, 1003.
    let (late, _) = forward(&mut r, pcmu(0xa, 3, 480), t0 + ms(101));
    assert_eq!((late.sequence, late.switched), (1003, false));
    // A packet of the new source from before its first would reuse 1004
    // (already sent): dropped.
    let mut early = pcmu(0xb, 299, 0);
    assert_eq!(r.rewrite(&mut early, t0 + ms(102)), Err(RelayDrop::Stale));
    assert_eq!(forward(&mut r, pcmu(0xb, 301, 160), t0 + ms(120)).0.sequence, 1006);
}

#[test]
fn a_stray_far_sequence_is_dropped_and_a_restart_is_followed() {
    let t0 = Instant::now();
    let mut r = relay();
    for k in 0..5u16 {
        forward(&mut r, pcmu(0xa, k, 160 * u32::from(k)), t0);
    }
    let mut stray = pcmu(0xa, 20_000, 0);
    let before = stray.clone();
    assert_eq!(r.rewrite(&mut stray, t0), Err(RelayDrop::SequenceJump));
    assert_eq!(stray, before, "a dropped packet is left untouched");
    assert_eq!(forward(&mut r, pcmu(0xa, 5, 800), t0).0.sequence, 1005);
    // The same SSRC restarts its sequence (two in a row far away).
    assert_eq!(r.rewrite(&mut pcmu(0xa, 40_000, 9), t0), Err(RelayDrop::SequenceJump));
    let (restart, _) = forward(&mut r, pcmu(0xa, 40_001, 169), t0 + ms(20));
    assert_eq!((restart.sequence, restart.switched), (1006, true));
    assert_eq!(forward(&mut r, pcmu(0xa, 40_002, 329), t0 + ms(40)).0.sequence, 1007);
}

#[test]
fn only_the_header_is_rewritten() {
    let t0 = Instant::now();
    let mut r = relay();
    // CSRC count 1, extension, padding: everything after the fixed header
    // must come out byte for byte.
    let mut packet = vec![0xb1, 0x00, 0x12, 0x34, 0, 0, 0x10, 0, 0, 0, 0, 0xa];
    packet.extend_from_slice(&0xdead_beef_u32.to_be_bytes());
    packet.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0]);
    packet.extend_from_slice(&payload(3));
    packet.extend_from_slice(&[0, 0, 0, 4]);
    let tail = packet[12..].to_vec();
    let (f, out) = forward(&mut r, packet, t0);
    assert_eq!(&out[12..], &tail[..]);
    let parsed = RtpHeader::parse(&out).unwrap();
    assert_eq!((parsed.ssrc, parsed.sequence, parsed.timestamp), (OUT_SSRC, 1000, 7_000_000));
    assert_eq!(parsed.payload, &payload(3)[..]);
    assert_eq!(f.payload_len, 160);
}

#[test]
fn telephone_events_pass_through_with_the_same_rewriting() {
    let t0 = Instant::now();
    let mut r = relay();
    r.map_payload_type(101, 96);
    let mut out = Vec::new();
    for k in 0..10u16 {
        let packet = if (4..8).contains(&k) {
            // Digit 5, one event: same timestamp, growing duration.
            let duration = (160 * (k - 3)).to_be_bytes();
            rtp_pt(0xa, k, 640, 101, &[5, 0x0a, duration[0], duration[1]])
        } else {
            pcmu(0xa, k, 160 * u32::from(k))
        };
        let payload_in = RtpHeader::parse(&packet).unwrap().payload.to_vec();
        let (f, bytes) = forward(&mut r, packet, t0 + ms(20 * u64::from(k)));
        let parsed = RtpHeader::parse(&bytes).unwrap();
        assert_eq!(parsed.payload, &payload_in[..], "payload untouched");
        out.push((f.sequence, f.payload_type, f.timestamp));
    }
    assert_eq!(out.iter().map(|o| o.0).collect::<Vec<_>>(), (1000..1010).collect::<Vec<_>>());
    assert!(out[4..8].iter().all(|o| o.1 == 96 && o.2 == 7_000_640));
    assert!(out[..4].iter().chain(&out[8..]).all(|o| o.1 == 0));
}

#[test]
fn malformed_packets_are_refused() {
    let t0 = Instant::now();
    let mut r = relay();
    for bytes in [vec![], vec![0x80; 5], vec![0x40; 20], vec![0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]] {
        let mut b = bytes.clone();
        assert!(matches!(r.rewrite(&mut b, t0), Err(RelayDrop::Malformed(_))), "{bytes:?}");
        assert_eq!(b, bytes);
    }
}

/// One run: source A then source B, each 120 packets, with loss and
/// reordering (each packet may swap with a later one up to 3 places away),
/// including across the switch.
fn run_switch(lost: &[bool], swaps: &[u8]) -> Vec<(u32, u16, Forwarded)> {
    let t0 = Instant::now();
    let mut sent: Vec<(u32, u16, u32)> = Vec::new();
    for k in 0..240u16 {
        if lost[usize::from(k)] {
            continue;
        }
        let (ssrc, seq, ts) = if k < 120 {
            (0xa, 30_000 + k, 160 * u32::from(k))
        } else {
            (0xb, 65_400u16.wrapping_add(k), 999 + 160 * u32::from(k))
        };
        sent.push((ssrc, seq, ts));
    }
    for i in 0..sent.len() {
        let j = (i + usize::from(swaps[i % swaps.len()] % 4)).min(sent.len() - 1);
        sent.swap(i, j);
    }
    let mut r = relay();
    let mut out = Vec::new();
    for (i, &(ssrc, seq, ts)) in sent.iter().enumerate() {
        let mut p = pcmu(ssrc, seq, ts);
        if let Ok(f) = r.rewrite(&mut p, t0 + ms(20 * i as u64)) {
            let h = RtpHeader::parse(&p).unwrap();
            assert_eq!(h.payload, &payload(seq)[..], "payload untouched");
            out.push((ssrc, seq, f));
        }
    }
    out
}

proptest! {
    #![proptest_config(super::fixed_seed())]

    #[test]
    fn switch_under_loss_and_reordering_keeps_numbers_unique_gaps_and_order(
        lost in prop::collection::vec(prop::bool::weighted(0.05), 240),
        swaps in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let out = run_switch(&lost, &swaps);
        // Unique output sequence numbers.
        let mut seqs: Vec<u16> = out.iter().map(|o| o.2.sequence).collect();
        seqs.sort_unstable();
        seqs.dedup();
        prop_assert_eq!(seqs.len(), out.len());
        // Per source, one offset: gaps and order are kept.
        for ssrc in [0xa, 0xb] {
            let mut offsets: Vec<u16> = out.iter().filter(|o| o.0 == ssrc).map(|o| o.2.sequence.wrapping_sub(o.1)).collect();
            offsets.dedup();
            prop_assert!(offsets.len() <= 1, "source {:x}: offsets {:?}", ssrc, offsets);
        }
        // Every forwarded packet of B comes after every one of A, in
        // sequence and in timestamp; B continues right after A's highest
        // at the time of the switch.
        let max_a = out.iter().filter(|o| o.0 == 0xa).map(|o| (o.2.sequence, o.2.timestamp)).max();
        let min_b = out.iter().filter(|o| o.0 == 0xb).map(|o| (o.2.sequence, o.2.timestamp)).min();
        if let (Some(a), Some(b)) = (max_a, min_b) {
            prop_assert!(b.0 > a.0 && b.1 > a.1, "A up to {:?}, B from {:?}", a, b);
        }
        let first_b = out.iter().find(|o| o.0 == 0xb).map(|o| o.2);
        if let Some(f) = first_b {
            prop_assert!(f.switched);
            let before: u16 = out.iter().take_while(|o| o.0 == 0xa || !o.2.switched).filter(|o| o.0 == 0xa).map(|o| o.2.sequence).max().unwrap_or(999);
            prop_assert_eq!(f.sequence, before.wrapping_add(1));
        }
        // Within a source, timestamps follow sequence numbers.
        let mut by_seq: Vec<&(u32, u16, Forwarded)> = out.iter().collect();
        by_seq.sort_by_key(|o| o.2.sequence);
        for w in by_seq.windows(2) {
            prop_assert!(w[1].2.timestamp > w[0].2.timestamp, "{:?}", w);
        }
    }
}

#[test]
fn the_far_leg_counts_no_loss_across_a_relayed_source_switch() {
    use media::rtp::{Config, Event, Handled, RtpSession};
    let t0 = Instant::now();
    let mut r = relay();
    let mut far = RtpSession::new(Config::new(9, 1), t0);
    let us: std::net::SocketAddr = "10.0.0.1:20000".parse().unwrap();
    // Three sources in turn (a re-INVITE, then a sequence restart), each
    // with its own sequence and timestamp base.
    let sources = [(0xa, 100u16, 0u32), (0xb, 60_000, 4_000_000_000), (0xb, 7, 12)];
    let mut k = 0u64;
    for (ssrc, seq0, ts0) in sources {
        for i in 0..50u16 {
            let mut packet = pcmu(ssrc, seq0.wrapping_add(i), ts0.wrapping_add(160 * u32::from(i)));
            let at = t0 + ms(20 * k);
            k += 1;
            if r.rewrite(&mut packet, at).is_ok() {
                assert!(matches!(far.handle_packet(&packet, us, at + ms(5)), Handled::Rtp(_)) || k <= 1);
            }
        }
    }
    let stats = far.stats();
    // One SSRC, no loss: the first packet only latched; the restart's
    // first packet was held back by the relay (a lone far-off sequence).
    assert_eq!(stats.remote_ssrc, Some(OUT_SSRC));
    assert_eq!(stats.lost, 0, "{stats:?}");
    assert_eq!(stats.dropped_sequence, 1);
    let events: Vec<Event> = std::iter::from_fn(|| far.poll_event()).collect();
    assert_eq!(events, vec![Event::Latched(us)], "no new source seen by the far leg");
    assert!(stats.jitter < 160, "timestamps follow real time across the switches: jitter {}", stats.jitter);
}
