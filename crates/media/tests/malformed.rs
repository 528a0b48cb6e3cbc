//! The RTP and RTCP parsers against bad input: the fuzz seed corpus
//! (`fuzz/corpus/rtp`, `fuzz/corpus/rtcp`, `ok-*` must be accepted and
//! `bad-*` rejected) and random, truncated and bit-flipped packets.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use media::relay::{Relay, RelayConfig};
use media::rtp::packet::write_rtp;
use media::rtp::{Config, DropReason, Handled, RtpHeader, RtpSession};
use proptest::prelude::*;

fn corpus(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(dir);
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("seed corpus {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap())
        })
        .collect();
    seeds.sort();
    seeds
}

fn peer() -> SocketAddr {
    "192.0.2.1:4000".parse().unwrap()
}

/// A session latched to [`peer`] with SSRC 7.
fn latched(t0: Instant) -> RtpSession {
    let mut leg = RtpSession::new(Config::new(1, 1), t0);
    for seq in 0..3u16 {
        let _ = leg.handle_packet(&super::rtp::rtp(7, seq, &[0; 8]), peer(), t0);
    }
    assert_eq!(leg.peer(), Some(peer()));
    leg
}

/// Everything a datagram can go through; panics only on a broken
/// invariant.
fn check_any(data: &[u8]) {
    if let Ok(header) = RtpHeader::parse(data) {
        assert!(header.payload.len() <= data.len().saturating_sub(12));
        let mut out = vec![0; 12 + header.payload.len()];
        let n = write_rtp(&header, &mut out).expect("fits");
        assert_eq!(RtpHeader::parse(&out[..n]).expect("rebuilt packet parses"), header);
    }
    let t0 = Instant::now();
    let mut leg = latched(t0);
    let _ = leg.handle_packet(data, peer(), t0 + Duration::from_millis(20));
    let mut forced = data.to_vec();
    if forced.len() >= 2 {
        forced[0] = 0x80 | (forced[0] & 0x3f);
        forced[1] = 192 + forced[1] % 32;
    }
    let _ = leg.handle_packet(&forced, peer(), t0 + Duration::from_millis(40));
    leg.handle_timeout(t0 + Duration::from_secs(5));
    leg.close(t0 + Duration::from_secs(6));
    while leg.poll_transmit().is_some() {}
    let mut relay = Relay::new(RelayConfig::new(0xfeed, 1, 1, 8_000));
    let mut packet = data.to_vec();
    if relay.rewrite(&mut packet, t0).is_ok() {
        let after = RtpHeader::parse(&packet).expect("a forwarded packet parses");
        assert_eq!(after.payload, RtpHeader::parse(data).unwrap().payload);
    } else {
        assert_eq!(packet, data, "a refused packet is left as it was");
    }
}

#[test]
fn rtp_seeds_parse_or_fail_as_named() {
    let seeds = corpus("rtp");
    assert!(seeds.len() >= 10, "rtp seed corpus is missing");
    for (name, bytes) in seeds {
        let parsed = RtpHeader::parse(&bytes);
        if name.starts_with("ok-") {
            assert!(parsed.is_ok(), "{name}: {parsed:?}");
        } else {
            assert!(name.starts_with("bad-") && parsed.is_err(), "{name} parsed: {parsed:?}");
        }
        check_any(&bytes);
    }
}

#[test]
fn rtcp_seeds_are_consumed_or_dropped_as_named() {
    let seeds = corpus("rtcp");
    assert!(seeds.len() >= 8, "rtcp seed corpus is missing");
    for (name, bytes) in seeds {
        let t0 = Instant::now();
        let mut leg = latched(t0);
        let got = leg.handle_packet(&bytes, peer(), t0 + Duration::from_millis(20));
        if name.starts_with("ok-") {
            assert_eq!(got, Handled::Rtcp, "{name}");
        } else {
            assert!(name.starts_with("bad-"), "{name}");
            assert_eq!(got, Handled::Dropped(DropReason::Malformed), "{name}");
        }
        check_any(&bytes);
    }
}

#[test]
fn the_bye_seed_ends_the_leg_with_its_reason() {
    let (_, bytes) = corpus("rtcp").into_iter().find(|(n, _)| n == "ok-sr-sdes-bye-reason.bin").unwrap();
    let t0 = Instant::now();
    let mut leg = latched(t0);
    assert_eq!(leg.handle_packet(&bytes, peer(), t0), Handled::Rtcp);
    let events: Vec<_> = std::iter::from_fn(|| leg.poll_event()).collect();
    let ended = media::rtp::Event::Ended(media::rtp::EndReason::Bye(Some("bye now".into())));
    assert_eq!(events.last(), Some(&ended));
}

/// A seed, cut and with bits flipped, or plain random bytes.
fn mangled() -> impl Strategy<Value = Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = corpus("rtp").into_iter().map(|s| s.1).collect();
    seeds.extend(corpus("rtcp").into_iter().map(|s| s.1));
    let n = seeds.len();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        (0..n, any::<prop::sample::Index>(), prop::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..6))
            .prop_map(move |(i, cut, flips)| {
                let mut bytes = seeds[i].clone();
                let keep = cut.index(bytes.len() + 1);
                bytes.truncate(keep);
                for (at, bit) in flips {
                    if !bytes.is_empty() {
                        let k = at.index(bytes.len());
                        bytes[k] ^= 1 << bit;
                    }
                }
                bytes
            }),
    ]
}

proptest! {
    #![proptest_config(super::fixed_seed())]

    #[test]
    fn random_truncated_and_bit_flipped_packets_never_panic(bytes in mangled()) {
        check_any(&bytes);
    }
}
