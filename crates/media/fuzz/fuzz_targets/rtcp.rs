//! Any datagram as RTCP from the latched peer (the first two bytes are
//! forced into the RTCP range of RFC 5761): the session consumes or drops
//! it, never panics, and still reports and ends cleanly afterwards.
#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use media::rtp::packet::write_rtp;
use media::rtp::{Config, RtpHeader, RtpSession};

fuzz_target!(|data: &[u8]| {
    let t0 = Instant::now();
    let peer: SocketAddr = "192.0.2.1:4000".parse().unwrap();
    let mut leg = RtpSession::new(Config::new(1, 1), t0);
    for seq in 0..3u16 {
        let mut buf = [0u8; 32];
        let header = RtpHeader {
            payload_type: 0,
            marker: false,
            sequence: seq,
            timestamp: 160 * u32::from(seq),
            ssrc: 7,
            payload: &[0; 8],
        };
        let n = write_rtp(&header, &mut buf).unwrap();
        let _ = leg.handle_packet(&buf[..n], peer, t0 + Duration::from_millis(20 * u64::from(seq)));
    }
    let mut packet = data.to_vec();
    if packet.len() >= 2 {
        packet[0] = 0x80 | (packet[0] & 0x3f);
        packet[1] = 192 + packet[1] % 32;
    }
    let _ = leg.handle_packet(&packet, peer, t0 + Duration::from_millis(100));
    let _ = leg.handle_packet(data, peer, t0 + Duration::from_millis(120));
    while leg.poll_event().is_some() {}
    leg.handle_timeout(t0 + Duration::from_secs(5));
    leg.close(t0 + Duration::from_secs(6));
    while leg.poll_transmit().is_some() {}
});
