//! Opus encode and decode cost with the `opus` crate (libopus 1.6 built by
//! cmake): 20 ms frames of a 16 kHz mono speech-like signal, complexity 5,
//! in-band FEC on. `opus_audiopus.rs` measures `audiopus` the same way; the
//! two cannot share one binary (both link a static libopus under the same
//! symbol names, so one library would serve both).
//!
//! Run both: `cargo bench -p media --bench opus --bench opus_audiopus`.
#![allow(missing_docs, reason = "criterion's macros generate undocumented items")]

#[path = "common/cpu_time.rs"]
mod cpu_time;
#[path = "common/speech.rs"]
mod speech;

use cpu_time::ThreadCpu;
use criterion::{Criterion, criterion_group, criterion_main};
use speech::{FRAME, FRAMES, RATE, speech_like};
use std::hint::black_box;

fn encode_decode(c: &mut Criterion<ThreadCpu>) {
    let pcm = speech_like();
    let mut enc = opus::Encoder::new(RATE, opus::Channels::Mono, opus::Application::Voip).unwrap();
    enc.set_complexity(5).unwrap();
    enc.set_inband_fec(true).unwrap();
    enc.set_packet_loss_perc(10).unwrap();
    let mut out = [0u8; 1500];
    let packets: Vec<Vec<u8>> = pcm
        .chunks(FRAME)
        .map(|f| {
            let n = enc.encode(f, &mut out).unwrap();
            out[..n].to_vec()
        })
        .collect();
    let id = format!("opus {}", opus::version());

    let mut i = 0;
    c.bench_function(&format!("opus_encode_16k_20ms_c5/{id}"), |b| {
        b.iter(|| {
            let frame = &pcm[i * FRAME..(i + 1) * FRAME];
            i = (i + 1) % FRAMES;
            black_box(enc.encode(black_box(frame), &mut out).unwrap())
        })
    });

    let mut dec = opus::Decoder::new(RATE, opus::Channels::Mono).unwrap();
    let mut pcm_out = [0i16; FRAME];
    let mut i = 0;
    c.bench_function(&format!("opus_decode_16k_20ms/{id}"), |b| {
        b.iter(|| {
            let packet = &packets[i];
            i = (i + 1) % FRAMES;
            black_box(dec.decode(black_box(packet), &mut pcm_out, false).unwrap())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = encode_decode
}
criterion_main!(benches);
