//! Opus cost per 20 ms frame of a 16 kHz mono speech-like signal, in thread
//! CPU time: `media::opus` (complexity 5, FEC, 20 kbit/s) beside the bare
//! `opus` crate with the same settings (the wrapper's overhead), at
//! libopus's default complexity 10 (what complexity 5 saves) and at other
//! bitrates, all in one run; then decoding, packet-loss concealment and FEC
//! recovery.
//!
//! Run: `cargo bench -p media --bench opus`.
#![allow(missing_docs, reason = "criterion's macros generate undocumented items")]

#[path = "common/cpu_time.rs"]
mod cpu_time;
#[path = "common/speech.rs"]
mod speech;

use cpu_time::ThreadCpu;
use criterion::{Criterion, criterion_group, criterion_main};
use media::opus::{MAX_PACKET_BYTES, OpusDecoder, OpusEncoder};
use speech::{FRAME, FRAMES, RATE, speech_like};
use std::hint::black_box;

type Frames = Vec<[i16; FRAME]>;

fn frames() -> Frames {
    speech_like().chunks(FRAME).map(|f| f.try_into().expect("whole frames")).collect()
}

fn bare_encoder(complexity: i32, bitrate: opus::Bitrate) -> opus::Encoder {
    let mut enc = opus::Encoder::new(RATE, opus::Channels::Mono, opus::Application::Voip).unwrap();
    enc.set_bitrate(bitrate).unwrap();
    enc.set_complexity(complexity).unwrap();
    enc.set_inband_fec(true).unwrap();
    enc.set_packet_loss_perc(10).unwrap();
    enc.set_signal(opus::Signal::Voice).unwrap();
    enc
}

fn encoding(c: &mut Criterion<ThreadCpu>, pcm: &Frames) {
    let mut out = [0u8; MAX_PACKET_BYTES];
    let mut group = c.benchmark_group("opus_encode_16k_20ms");
    let mut enc = OpusEncoder::new().unwrap();
    let mut i = 0;
    group.bench_function("media::opus c5", |b| {
        b.iter(|| {
            i = (i + 1) % FRAMES;
            black_box(enc.encode(black_box(&pcm[i]), &mut out).unwrap())
        })
    });
    let cases = [
        ("bare opus c5", 5, opus::Bitrate::Bits(20_000)),
        ("bare opus c10", 10, opus::Bitrate::Bits(20_000)),
        ("bare opus c5 24 kbit/s", 5, opus::Bitrate::Bits(24_000)),
        ("bare opus c5 auto bitrate", 5, opus::Bitrate::Auto),
        ("bare opus c5 16 kbit/s (no FEC left)", 5, opus::Bitrate::Bits(16_000)),
    ];

    for (name, complexity, bitrate) in cases {
        let mut enc = bare_encoder(complexity, bitrate);
        group.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % FRAMES;
                black_box(enc.encode(black_box(&pcm[i]), &mut out).unwrap())
            })
        });
    }
    group.finish();
}

fn decoding(c: &mut Criterion<ThreadCpu>, pcm: &Frames) {
    let mut enc = OpusEncoder::new().unwrap();
    let mut out = [0u8; MAX_PACKET_BYTES];
    let packets: Vec<Vec<u8>> = pcm
        .iter()
        .map(|f| {
            let n = enc.encode(f, &mut out).unwrap();
            out[..n].to_vec()
        })
        .collect();
    let mut group = c.benchmark_group("opus_decode_16k_20ms");
    let mut dec = OpusDecoder::new().unwrap();
    let mut frame = [0i16; FRAME];
    let mut i = 0;
    group.bench_function("decode", |b| {
        b.iter(|| {
            i = (i + 1) % FRAMES;
            black_box(dec.decode(black_box(&packets[i]), &mut frame).unwrap())
        })
    });
    // Every other frame lost: conceal it, then decode the next one.
    group.bench_function("lost + next, PLC", |b| {
        b.iter(|| {
            i = (i + 1) % FRAMES;
            black_box(dec.conceal(None, &mut frame).unwrap());
            black_box(dec.decode(black_box(&packets[i]), &mut frame).unwrap())
        })
    });
    group.bench_function("lost + next, FEC", |b| {
        b.iter(|| {
            i = (i + 1) % FRAMES;
            black_box(dec.conceal(Some(&packets[i]), &mut frame).unwrap());
            black_box(dec.decode(black_box(&packets[i]), &mut frame).unwrap())
        })
    });
    group.finish();
}

fn opus_cost(c: &mut Criterion<ThreadCpu>) {
    let pcm = frames();
    encoding(c, &pcm);
    decoding(c, &pcm);
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = opus_cost
}
criterion_main!(benches);
