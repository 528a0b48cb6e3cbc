//! Any datagram as RTP: parsing returns a packet or an error, never panics;
//! a parsed packet rebuilt from its fields parses to the same fields; the
//! leg session and the relay take it without panicking, and a packet the
//! relay forwards still parses, with the relay's SSRC and its payload
//! untouched.
#![no_main]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use media::relay::{Relay, RelayConfig};
use media::rtp::packet::write_rtp;
use media::rtp::{Config, RtpHeader, RtpSession};

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = RtpHeader::parse(data) {
        let mut out = vec![0; 12 + header.payload.len()];
        let n = write_rtp(&header, &mut out).expect("a parsed header fits its own size");
        let again = RtpHeader::parse(&out[..n]).expect("a rebuilt packet parses");
        assert_eq!(again, header);
    }
    let t0 = Instant::now();
    let peer: SocketAddr = "192.0.2.1:4000".parse().unwrap();
    let mut leg = RtpSession::new(Config::new(1, 1), t0);
    for (i, piece) in data.chunks(64).enumerate() {
        let _ = leg.handle_packet(piece, peer, t0 + Duration::from_millis(20 * i as u64));
    }
    let _ = leg.handle_packet(data, peer, t0 + Duration::from_secs(1));
    leg.handle_timeout(t0 + Duration::from_secs(5));
    while leg.poll_transmit().is_some() {}
    let mut relay = Relay::new(RelayConfig::new(0xfeed, 1, 1, 8_000));
    let mut packet = data.to_vec();
    let before = RtpHeader::parse(data).ok().map(|h| h.payload.to_vec());
    if relay.rewrite(&mut packet, t0).is_ok() {
        let after = RtpHeader::parse(&packet).expect("a forwarded packet parses");
        assert_eq!(after.ssrc, 0xfeed);
        assert_eq!(Some(after.payload.to_vec()), before);
    }
});
