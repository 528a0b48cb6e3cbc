//! The load tool's generator, receiver, histogram and bencode, compiled in
//! from `src/bin/rtp_bench/` (a binary's modules are not reachable from a
//! test otherwise). A smoke test on 127.0.0.1 with the "direct" backend:
//! no relay, each endpoint sends straight to its peer. Nothing about
//! timing is asserted.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::seed::fixed_seed;

#[path = "../src/bin/rtp_bench/bencode.rs"]
#[allow(dead_code, reason = "the test uses part of the tool's module")]
mod bencode;
#[path = "../src/bin/rtp_bench/generator.rs"]
mod generator;
#[path = "../src/bin/rtp_bench/histogram.rs"]
mod histogram;

use bencode::Value;
use generator::{CALLER, Endpoints, Marking, Schedule};
use histogram::Histogram;

/// Each endpoint sends to its peer's own address.
fn direct_targets(endpoints: &Endpoints, calls: usize) -> Vec<[SocketAddr; 2]> {
    (0..calls).map(|c| [endpoints.addr(c, 1 - CALLER).unwrap(), endpoints.addr(c, CALLER).unwrap()]).collect()
}

fn schedule(warmup_ms: u64, window_ms: u64) -> Schedule {
    let start = Instant::now();
    let window_start = start + Duration::from_millis(warmup_ms);
    let window_end = window_start + Duration::from_millis(window_ms);
    Schedule {
        start,
        window_start,
        window_end,
        stop: window_end + Duration::from_millis(200),
        tick: Duration::from_micros(100),
    }
}

#[test]
fn direct_streams_reach_the_right_call_and_side() {
    // More calls than sockets, so endpoints share sockets as under load.
    let endpoints = Endpoints::bind(IpAddr::V4(Ipv4Addr::LOCALHOST), 2).unwrap();
    let targets = direct_targets(&endpoints, 5);
    let report = generator::run(&endpoints, &targets, &schedule(20, 100), Marking::Stamp).unwrap();
    // 5 calls × 2 sides × about 5 packets in a 100 ms window.
    assert!(report.sent >= 20, "{report:?}");
    assert_eq!(report.received, report.sent, "every packet sent in the window arrives");
    assert_eq!((report.misrouted, report.foreign, report.send_errors), (0, 0, 0));
    assert_eq!(report.delay.count(), report.received);
}

#[test]
fn direct_pulses_are_heard_once_each() {
    // One socket per endpoint, so the source address names the call.
    let endpoints = Endpoints::bind(IpAddr::V4(Ipv4Addr::LOCALHOST), 2).unwrap();
    let targets = direct_targets(&endpoints, 2);
    // The first pulse goes out 500 ms in (packet 25 of each endpoint).
    let report = generator::run(&endpoints, &targets, &schedule(0, 700), Marking::Pulse).unwrap();
    assert_eq!(report.sent, 4, "one pulse per endpoint: {report:?}");
    assert_eq!(report.received, 4, "each pulse heard at the peer: {report:?}");
    assert_eq!(report.misrouted, 0);
}

#[test]
fn histogram_quantiles_fall_in_the_right_bucket() {
    let mut h = Histogram::new();
    for v in 1..=1000u64 {
        h.record(v * 1000); // 1 µs .. 1 ms
    }
    assert_eq!(h.count(), 1000);
    assert_eq!(h.max(), 1_000_000);
    for (q, want) in [(0.5, 500_000u64), (0.99, 990_000), (1.0, 1_000_000)] {
        let got = h.quantile(q);
        assert!(got <= want && want - got <= want / 256, "q{q}: {got} for {want}");
    }
    assert_eq!(Histogram::new().quantile(0.99), 0, "an empty histogram has no delay");
}

#[test]
fn bencode_round_trips_an_ng_command() {
    let offer = Value::dict(&[("command", "offer"), ("call-id", "bench-1"), ("sdp", "v=0\r\n")]);
    let mut bytes = Vec::new();
    offer.encode(&mut bytes);
    assert_eq!(bytes, b"d7:call-id7:bench-17:command5:offer3:sdp5:v=0\r\ne");
    let (decoded, rest) = Value::decode(&bytes).unwrap();
    assert!(rest.is_empty());
    assert_eq!(decoded.get("command").and_then(Value::as_str), Some("offer"));
    assert_eq!(decoded.get("sdp").and_then(Value::as_str), Some("v=0\r\n"));
}

proptest! {
    #![proptest_config(fixed_seed())]

    /// A reply from the control socket is untrusted input.
    #[test]
    fn bencode_decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = Value::decode(&bytes);
    }

    /// Every value recorded falls within 0.4 % below its bucket's bound.
    #[test]
    fn histogram_buckets_are_narrow(value in 0u64..(1 << 40)) {
        let mut h = Histogram::new();
        h.record(value);
        let low = h.quantile(0.5);
        prop_assert!(low <= value && value - low <= value / 256);
    }
}
