//! The RTP leg session: latching, RFC 3550 appendix A figures, RTCP.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::rtp::packet::write_rtp;
use media::rtp::{Config, DropReason, EndReason, Event, Handled, RtpHeader, RtpSession};

const PEER: &str = "192.0.2.10:40000";
const MOVED: &str = "192.0.2.10:41234";
const ATTACKER: &str = "198.51.100.66:40000";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A G.711 packet: 160 samples of 8 kHz per sequence step.
pub fn rtp(ssrc: u32, seq: u16, payload: &[u8]) -> Vec<u8> {
    rtp_pt(ssrc, seq, u32::from(seq).wrapping_mul(160), 0, payload)
}

pub fn rtp_pt(ssrc: u32, seq: u16, timestamp: u32, payload_type: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0; 12 + payload.len()];
    let header = RtpHeader { payload_type, marker: false, sequence: seq, timestamp, ssrc, payload };
    let n = write_rtp(&header, &mut out).unwrap();
    out.truncate(n);
    out
}

fn events(leg: &mut RtpSession) -> Vec<Event> {
    std::iter::from_fn(|| leg.poll_event()).collect()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Feeds `count` packets from `from` every 20 ms starting at `seq`/`at`.
fn stream(leg: &mut RtpSession, from: SocketAddr, ssrc: u32, seq: u16, count: u16, at: Instant) -> Vec<bool> {
    (0..count)
        .map(|i| {
            let p = rtp(ssrc, seq.wrapping_add(i), &[0xd5; 160]);
            matches!(leg.handle_packet(&p, from, at + ms(20 * u64::from(i))), Handled::Rtp(_))
        })
        .collect()
}

#[test]
fn first_packets_latch_the_peer_then_are_delivered() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    assert_eq!(leg.peer(), None);
    let first = rtp(7, 10, b"abc");
    assert_eq!(leg.handle_packet(&first, addr(PEER), t0), Handled::Dropped(DropReason::Learning));
    let second = rtp(7, 11, b"def");
    match leg.handle_packet(&second, addr(PEER), t0 + ms(20)) {
        Handled::Rtp(h) => assert_eq!((h.sequence, h.ssrc, h.payload), (11, 7, &b"def"[..])),
        other => panic!("second packet not delivered: {other:?}"),
    }
    assert_eq!(leg.peer(), Some(addr(PEER)));
    assert_eq!(leg.destination(), Some(addr(PEER)));
    assert_eq!(events(&mut leg), vec![Event::Latched(addr(PEER))]);
}

#[test]
fn sdp_address_is_the_destination_until_a_peer_is_latched() {
    let t0 = Instant::now();
    let mut config = Config::new(1, 100);
    config.remote = Some(addr("203.0.113.5:5004"));
    let mut leg = RtpSession::new(config, t0);
    assert_eq!(leg.destination(), Some(addr("203.0.113.5:5004")));
    stream(&mut leg, addr(PEER), 7, 0, 3, t0);
    assert_eq!(leg.destination(), Some(addr(PEER)));
}

#[test]
fn spoofed_packets_between_the_peers_cannot_move_the_latch() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    stream(&mut leg, addr(PEER), 7, 0, 5, t0);
    // The attacker guesses SSRC and sequence, and bursts 10 packets between
    // each two of the peer's, for a second.
    let mut seq_attacker = 1000;
    for i in 5..55u16 {
        let at = t0 + ms(20 * u64::from(i));
        for k in 0..10 {
            let p = rtp(7, seq_attacker, b"evil");
            seq_attacker += 1;
            let got = leg.handle_packet(&p, addr(ATTACKER), at + Duration::from_micros(k * 100));
            assert_eq!(got, Handled::Dropped(DropReason::ForeignSource));
        }
        let p = rtp(7, i, b"good");
        assert!(matches!(leg.handle_packet(&p, addr(PEER), at + ms(10)), Handled::Rtp(_)));
    }
    assert_eq!(leg.peer(), Some(addr(PEER)));
    assert_eq!(leg.stats().dropped_foreign, 500);
}

#[test]
fn one_packet_from_elsewhere_is_dropped_and_counted() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    stream(&mut leg, addr(PEER), 7, 0, 3, t0);
    let p = rtp(7, 3, b"x");
    assert_eq!(leg.handle_packet(&p, addr(ATTACKER), t0 + ms(60)), Handled::Dropped(DropReason::ForeignSource));
    assert_eq!(leg.stats().dropped_foreign, 1);
    assert_eq!(leg.peer(), Some(addr(PEER)));
}

#[test]
fn latch_follows_a_nat_rebinding_after_a_run_of_packets() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    stream(&mut leg, addr(PEER), 7, 0, 10, t0);
    let _ = events(&mut leg);
    // The NAT gives the peer a new port: the same stream goes on from there.
    let delivered = stream(&mut leg, addr(MOVED), 7, 10, 10, t0 + ms(200));
    // Five packets over 60 ms or more move the latch; the fifth is delivered.
    assert_eq!(delivered, [false, false, false, false, true, true, true, true, true, true]);
    assert_eq!(leg.peer(), Some(addr(MOVED)));
    assert_eq!(events(&mut leg), vec![Event::PeerMoved { from: addr(PEER), to: addr(MOVED) }]);
    // The stream's figures go on: 20 sent, 4 of them dropped while moving.
    let stats = leg.stats();
    assert_eq!(stats.expected, 19, "counted from the latching packet (seq 1)");
    assert_eq!(stats.lost, 4);
}

#[test]
fn a_packet_from_the_peer_breaks_a_run_from_elsewhere() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    stream(&mut leg, addr(PEER), 7, 0, 5, t0);
    for i in 0..40u16 {
        let at = t0 + ms(100 + 20 * u64::from(i));
        let p = rtp(7, 5 + i, b"x");
        let from = if i % 4 == 3 { addr(PEER) } else { addr(MOVED) };
        let _ = leg.handle_packet(&p, from, at);
    }
    assert_eq!(leg.peer(), Some(addr(PEER)), "never 5 in a row from the new address");
}

#[test]
fn loss_counts_follow_rfc3550_a3() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    // Sequence 65500.. wraps; every tenth packet is lost.
    for i in 0..200u16 {
        if i % 10 == 9 {
            continue;
        }
        let p = rtp(7, 65_500u16.wrapping_add(i), &[0; 160]);
        let _ = leg.handle_packet(&p, addr(PEER), t0 + ms(20 * u64::from(i)));
    }
    let stats = leg.stats();
    // The first packet only latches: counting starts at the second and
    // ends at the highest received (the 199th, as the 200th is lost).
    assert_eq!(stats.expected, 198);
    assert_eq!(stats.lost, 19);
    assert_eq!(stats.packets_received, 179);
    // The report interval's fraction: 19 of 198, in 1/256.
    leg.handle_timeout(t0 + Duration::from_secs(5));
    assert_eq!(leg.stats().fraction_lost, (19 * 256 / 198) as u8);
}

#[test]
fn duplicates_make_cumulative_loss_negative() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    stream(&mut leg, addr(PEER), 7, 0, 10, t0);
    for seq in 5..9 {
        let _ = leg.handle_packet(&rtp(7, seq, b"dup"), addr(PEER), t0 + ms(300));
    }
    assert_eq!(leg.stats().lost, -4);
}

#[test]
fn jitter_is_zero_on_a_steady_stream() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    stream(&mut leg, addr(PEER), 7, 0, 100, t0 + ms(37));
    assert_eq!(leg.stats().jitter, 0);
}

#[test]
fn jitter_follows_rfc3550_a8_with_the_payload_clock() {
    let t0 = Instant::now();
    // Opus (48 kHz clock, 960 per 20 ms) on a dynamic payload type.
    let mut leg = RtpSession::new(Config::new(1, 100).with_payload(111, 48_000), t0);
    for i in 0..400u16 {
        // Every other packet 10 ms late: |D| = 10 ms = 480 ticks each time.
        let late = if i % 2 == 1 { 10 } else { 0 };
        let p = rtp_pt(7, i, u32::from(i) * 960, 111, &[1; 60]);
        let _ = leg.handle_packet(&p, addr(PEER), t0 + ms(20 * u64::from(i) + late));
    }
    let stats = leg.stats();
    // J converges to |D| from below (J += (|D| - J)/16, integer form).
    assert!((470..=480).contains(&stats.jitter), "jitter {}", stats.jitter);
    let ms_x10 = stats.jitter_time.as_micros() / 100;
    assert!((97..=100).contains(&ms_x10), "jitter time {:?}", stats.jitter_time);
}

#[test]
fn telephone_events_do_not_feed_the_jitter() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100).with_telephone_event(101, 8_000), t0);
    stream(&mut leg, addr(PEER), 7, 0, 20, t0);
    // An event: several packets with the same timestamp, 50 ms apart.
    for k in 0..8u16 {
        let p = rtp_pt(7, 20 + k, 20 * 160, 101, &[1, 0x0a, 0, 160]);
        assert!(matches!(leg.handle_packet(&p, addr(PEER), t0 + ms(400 + 50 * u64::from(k))), Handled::Rtp(_)));
    }
    assert_eq!(leg.stats().jitter, 0);
}

#[test]
fn a_new_ssrc_from_the_peer_takes_over_after_probation() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    stream(&mut leg, addr(PEER), 7, 0, 10, t0);
    let _ = events(&mut leg);
    // A re-INVITE: the peer's new stream, new SSRC and sequence.
    let delivered = stream(&mut leg, addr(PEER), 99, 5000, 4, t0 + ms(200));
    assert_eq!(delivered, [false, true, true, true], "one packet of probation (RFC 3550 A.1)");
    assert_eq!(events(&mut leg), vec![Event::SourceChanged(99)]);
    assert_eq!(leg.stats().remote_ssrc, Some(99));
    assert_eq!(leg.stats().expected, 3);
}

#[test]
fn a_far_sequence_jump_is_dropped_unless_the_next_follows_it() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    stream(&mut leg, addr(PEER), 7, 0, 10, t0);
    let stray = rtp(7, 30_000, b"x");
    assert_eq!(leg.handle_packet(&stray, addr(PEER), t0 + ms(200)), Handled::Dropped(DropReason::Sequence));
    assert!(matches!(leg.handle_packet(&rtp(7, 10, b"x"), addr(PEER), t0 + ms(201)), Handled::Rtp(_)));
    // A restart: two in a row from far away.
    assert_eq!(
        leg.handle_packet(&rtp(7, 40_000, b"x"), addr(PEER), t0 + ms(220)),
        Handled::Dropped(DropReason::Sequence)
    );
    assert!(matches!(leg.handle_packet(&rtp(7, 40_001, b"x"), addr(PEER), t0 + ms(240)), Handled::Rtp(_)));
    assert_eq!(leg.stats().expected, 1, "counting restarts at the new sequence");
}

#[test]
fn garbage_is_dropped_as_malformed() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    stream(&mut leg, addr(PEER), 7, 0, 3, t0);
    for bytes in [&[][..], &[0x80], &[0x00; 20], &[0x80, 0, 0, 1, 0, 0], &[0x81, 0xc8, 0, 1]] {
        let got = leg.handle_packet(bytes, addr(PEER), t0 + ms(100));
        assert_eq!(got, Handled::Dropped(DropReason::Malformed), "{bytes:?}");
    }
    assert_eq!(leg.stats().dropped_malformed, 5);
}

#[test]
fn reports_fire_every_interval() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    assert_eq!(leg.poll_timeout(), Some(t0 + Duration::from_secs(5)));
    stream(&mut leg, addr(PEER), 7, 0, 10, t0);
    leg.handle_timeout(t0 + Duration::from_secs(5));
    assert!(leg.poll_transmit().is_some_and(|t| t.rtcp && t.destination == addr(PEER)));
    assert_eq!(leg.poll_transmit(), None);
    assert_eq!(leg.poll_timeout(), Some(t0 + Duration::from_secs(10)));
    leg.handle_timeout(t0 + Duration::from_secs(9));
    assert_eq!(leg.poll_transmit(), None, "not due yet");
}

#[test]
fn no_report_is_sent_before_anyone_is_known() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(1, 100), t0);
    leg.handle_timeout(t0 + Duration::from_secs(5));
    assert_eq!(leg.poll_transmit(), None);
    assert_eq!(leg.poll_timeout(), Some(t0 + Duration::from_secs(10)));
}

#[test]
fn media_timeout_ends_the_leg() {
    let t0 = Instant::now();
    let mut config = Config::new(1, 100);
    config.media_timeout = Some(Duration::from_secs(30));
    let mut leg = RtpSession::new(config, t0);
    stream(&mut leg, addr(PEER), 7, 0, 10, t0);
    let _ = events(&mut leg);
    leg.handle_timeout(t0 + Duration::from_secs(30));
    assert!(!leg.is_ended(), "media arrived until 180 ms");
    leg.handle_timeout(t0 + ms(30_180));
    assert!(leg.is_ended());
    assert_eq!(events(&mut leg), vec![Event::Ended(EndReason::Timeout)]);
    assert_eq!(leg.handle_packet(&rtp(7, 10, b"x"), addr(PEER), t0 + ms(30_200)), Handled::Dropped(DropReason::Ended));
    assert_eq!(leg.poll_timeout(), None);
}
