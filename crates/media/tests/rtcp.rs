//! RTCP between two RTP sessions over a virtual link: SR/RR contents, the
//! round-trip time, the peer's view of our loss, BYE.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::rtp::{Config, DropReason, EndReason, Event, Handled, RtpSession, Transmit};

const A: &str = "10.0.0.1:20000";
const B: &str = "10.0.0.2:30000";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Two legs facing each other, each sending G.711 every 20 ms; the link
/// delays every datagram by `delay` and drops A's RTP packets for which
/// `drop_a` says so.
struct Link {
    t0: Instant,
    a: RtpSession,
    b: RtpSession,
    delay: Duration,
    drop_a: fn(u32) -> bool,
    /// (arrival, to_b, from, bytes), in arrival order.
    wire: Vec<(Instant, bool, SocketAddr, Vec<u8>)>,
    sent: u32,
}

impl Link {
    fn new(delay: Duration, drop_a: fn(u32) -> bool) -> Self {
        let t0 = Instant::now();
        let mut ca = Config::new(0xaaaa, 1);
        ca.remote = Some(addr(B));
        let mut cb = Config::new(0xbbbb, 1);
        cb.remote = Some(addr(A));
        Self { t0, a: RtpSession::new(ca, t0), b: RtpSession::new(cb, t0), delay, drop_a, wire: Vec::new(), sent: 0 }
    }

    fn put(&mut self, at: Instant, to_b: bool, from: SocketAddr, bytes: Vec<u8>) {
        let arrival = at + self.delay;
        let i = self.wire.partition_point(|w| w.0 <= arrival);
        self.wire.insert(i, (arrival, to_b, from, bytes));
    }

    fn deliver_until(&mut self, now: Instant) {
        while self.wire.first().is_some_and(|w| w.0 <= now) {
            let (at, to_b, from, bytes) = self.wire.remove(0);
            let leg = if to_b { &mut self.b } else { &mut self.a };
            let _ = leg.handle_packet(&bytes, from, at);
        }
    }

    fn flush_transmits(&mut self, now: Instant) {
        while let Some(t) = self.a.poll_transmit() {
            self.put(now, true, addr(A), t.contents);
        }
        while let Some(t) = self.b.poll_transmit() {
            self.put(now, false, addr(B), t.contents);
        }
    }

    /// Runs both legs for `duration` in 20 ms steps.
    fn run(&mut self, duration: Duration) {
        let steps = duration.as_millis() / 20;
        for _ in 0..steps {
            let now = self.t0 + Duration::from_millis(20 * u64::from(self.sent));
            self.deliver_until(now);
            let mut buf = [0u8; 200];
            let ts = self.sent * 160;
            if let Some(n) = self.a.write_rtp(0, false, ts, &[0xd5; 160], now, &mut buf)
                && !(self.drop_a)(self.sent)
            {
                self.put(now, true, addr(A), buf[..n].to_vec());
            }
            if let Some(n) = self.b.write_rtp(0, false, ts, &[0xd5; 160], now, &mut buf) {
                self.put(now, false, addr(B), buf[..n].to_vec());
            }
            for leg in [&mut self.a, &mut self.b] {
                if leg.poll_timeout().is_some_and(|at| at <= now) {
                    leg.handle_timeout(now);
                }
            }
            self.flush_transmits(now);
            self.sent += 1;
        }
    }
}

/// The RTCP packet types in a compound packet, in order.
fn packet_types(t: &Transmit) -> Vec<u8> {
    rtcp_types::Compound::parse(&t.contents)
        .unwrap()
        .map(|p| {
            use rtcp_types::RtcpPacketParserExt;
            p.unwrap().type_()
        })
        .collect()
}

#[test]
fn round_trip_time_is_measured_from_reports() {
    let mut link = Link::new(Duration::from_millis(30), |_| false);
    link.run(Duration::from_secs(12));
    for leg in [&link.a, &link.b] {
        let rtt = leg.stats().round_trip.expect("an RR or SR answered our SR");
        let ms = rtt.as_secs_f64() * 1000.0;
        assert!((59.0..=61.0).contains(&ms), "round trip {rtt:?} over a 30 ms link");
    }
}

#[test]
fn the_peer_sees_our_loss_through_its_reports() {
    // A's packets 5, 15, 25...: one in ten lost on the way to B.
    let mut link = Link::new(Duration::from_millis(10), |n| n % 10 == 5);
    link.run(Duration::from_secs(11));
    let b_view = link.b.stats();
    let remote = link.a.stats().remote.expect("B reported on A's stream");
    // 1/10 lost: 25 or 26 in 1/256, depending where the interval falls.
    assert!((24..=27).contains(&remote.fraction_lost), "fraction {}", remote.fraction_lost);
    assert!(remote.cumulative_lost > 0 && i64::from(remote.cumulative_lost) <= b_view.lost);
    assert_eq!(remote.jitter, 0, "a steady link has no jitter");
    // And A's own figures of B's stream show no loss.
    assert_eq!(link.a.stats().lost, 0);
}

#[test]
fn a_sender_reports_with_an_sr_and_a_listener_with_an_rr() {
    let t0 = Instant::now();
    let mut leg = RtpSession::new(Config::new(5, 1), t0);
    let peer = addr(B);
    for i in 0..10u16 {
        let p = super::rtp::rtp(9, i, &[0; 160]);
        let _ = leg.handle_packet(&p, peer, t0 + Duration::from_millis(20 * u64::from(i)));
    }
    leg.handle_timeout(t0 + Duration::from_secs(5));
    let rr = leg.poll_transmit().unwrap();
    assert_eq!(packet_types(&rr), [201, 202], "RR then SDES");
    let mut buf = [0; 200];
    let _ = leg.write_rtp(0, false, 0, &[0; 160], t0 + Duration::from_secs(6), &mut buf);
    leg.handle_timeout(t0 + Duration::from_secs(10));
    let sr = leg.poll_transmit().unwrap();
    assert_eq!(packet_types(&sr), [200, 202], "SR then SDES");
    let parsed = rtcp_types::Compound::parse(&sr.contents).unwrap().next().unwrap().unwrap();
    let rtcp_types::Packet::Sr(sr) = parsed else { panic!("not an SR") };
    assert_eq!((sr.ssrc(), sr.packet_count(), sr.octet_count()), (5, 1, 160));
    let block = sr.report_blocks().next().expect("a block about the peer");
    assert_eq!((block.ssrc(), block.extended_sequence_number()), (9, 9));
    // 4 s after the packet sent with timestamp 0, at 8 kHz.
    assert_eq!(sr.rtp_timestamp(), 32_000);
}

#[test]
fn bye_from_the_peer_ends_the_stream() {
    let mut link = Link::new(Duration::from_millis(10), |_| false);
    link.run(Duration::from_secs(1));
    let now = link.t0 + Duration::from_secs(1);
    link.b.close(now);
    assert!(link.b.is_ended());
    let bye = link.b.poll_transmit().expect("a last report with BYE");
    assert_eq!(packet_types(&bye), [200, 202, 203]);
    let _ = std::iter::from_fn(|| link.a.poll_event()).count();
    assert_eq!(link.a.handle_packet(&bye.contents, addr(B), now), Handled::Rtcp);
    assert!(link.a.is_ended());
    let events: Vec<Event> = std::iter::from_fn(|| link.a.poll_event()).collect();
    assert_eq!(events.last(), Some(&Event::Ended(EndReason::Bye(None))));
    let late = super::rtp::rtp(0xbbbb, 60, &[0; 160]);
    assert_eq!(link.a.handle_packet(&late, addr(B), now), Handled::Dropped(DropReason::Ended));
}

#[test]
fn bye_from_another_address_is_ignored() {
    let mut link = Link::new(Duration::from_millis(10), |_| false);
    link.run(Duration::from_secs(1));
    let now = link.t0 + Duration::from_secs(1);
    link.b.close(now);
    let bye = link.b.poll_transmit().unwrap();
    let spoofed = link.a.handle_packet(&bye.contents, addr("10.0.0.99:30000"), now);
    assert_eq!(spoofed, Handled::Dropped(DropReason::ForeignSource));
    assert!(!link.a.is_ended());
}

#[test]
fn without_rtcp_mux_reports_go_to_the_next_port() {
    let t0 = Instant::now();
    let mut config = Config::new(5, 1);
    config.rtcp_mux = false;
    let mut leg = RtpSession::new(config, t0);
    for i in 0..3u16 {
        let _ = leg.handle_packet(&super::rtp::rtp(9, i, &[0; 160]), addr(B), t0);
    }
    leg.handle_timeout(t0 + Duration::from_secs(5));
    let t = leg.poll_transmit().unwrap();
    assert_eq!(t.destination, addr("10.0.0.2:30001"));
}
