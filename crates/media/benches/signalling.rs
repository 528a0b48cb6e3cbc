//! Cost of the signalling side of a call's media: reading an SDP, answering
//! an offer, receiving a DTMF digit; each beside a baseline measured in the
//! same run (sdp-types parsing the same bytes; parsing alone; the payloads
//! alone).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use media::dtmf::{DtmfReceiver, ReceiverConfig, TelephoneEvent};
use media::offer_answer::{LocalMedia, Negotiator};
use media::sdp::{Direction, SessionDescription};

fn seed(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/sdp").join(name);
    std::fs::read(path).expect("seed")
}

fn sdp_parse(c: &mut Criterion) {
    for name in ["ok-chrome-webrtc-offer.sdp", "ok-carrier-offer.sdp"] {
        let bytes = seed(name);
        let mut group = c.benchmark_group(format!("sdp_parse/{name}"));
        group
            .bench_function("media::sdp", |b| b.iter(|| SessionDescription::parse(black_box(&bytes)).expect("parses")));
        group.bench_function("sdp-types (baseline)", |b| {
            b.iter(|| sdp_types::Session::parse(black_box(&bytes)).expect("parses"))
        });
        group.finish();
    }
}

fn answer(c: &mut Criterion) {
    let bytes = seed("ok-carrier-offer.sdp");
    let local = LocalMedia::new("192.0.2.1".parse().expect("ip"), 4000);
    let mut group = c.benchmark_group("answer/carrier offer");
    group.bench_function("parse + answer + write", |b| {
        b.iter(|| {
            let offer = SessionDescription::parse(black_box(&bytes)).expect("parses");
            let mut leg = Negotiator::new(local.clone(), 1);
            leg.handle_offer(&offer, Direction::SendRecv).expect("answer").to_string()
        })
    });
    group.bench_function("parse alone (baseline)", |b| {
        b.iter(|| SessionDescription::parse(black_box(&bytes)).expect("parses"))
    });
    group.finish();
}

fn dtmf_digit(c: &mut Criterion) {
    let payloads: Vec<[u8; 4]> = [(false, 0), (false, 400), (true, 800), (true, 800), (true, 800)]
        .iter()
        .map(|(end, duration)| TelephoneEvent { event: 5, end: *end, volume: 10, duration: *duration }.to_bytes())
        .collect();
    let start = Instant::now();
    let mut group = c.benchmark_group("dtmf/one digit (5 packets)");
    let mut receiver = DtmfReceiver::new(ReceiverConfig::new(8000));
    let mut timestamp = 0u32;
    let mut sequence = 0u16;
    group.bench_function("receiver", |b| {
        b.iter(|| {
            timestamp = timestamp.wrapping_add(1600);
            for (i, payload) in payloads.iter().enumerate() {
                sequence = sequence.wrapping_add(1);
                let now = start + Duration::from_millis(u64::from(timestamp / 8) + 20 * i as u64);
                receiver.handle_packet(timestamp, sequence, i == 0, black_box(payload), now).expect("valid");
            }
            receiver.poll_event().expect("one digit")
        })
    });
    group.bench_function("payload parsing alone (baseline)", |b| {
        b.iter(|| payloads.iter().map(|p| TelephoneEvent::parse(black_box(p)).expect("valid").duration).sum::<u16>())
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    sdp_parse(&mut c);
    answer(&mut c);
    dtmf_digit(&mut c);
    c.final_summary();
}
