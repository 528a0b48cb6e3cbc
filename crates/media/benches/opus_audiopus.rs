//! The `audiopus` side of the Opus crate comparison (see `opus.rs`): the same
//! signal, frames and settings, through audiopus and the libopus its
//! `audiopus_sys` links.
#![allow(missing_docs, reason = "criterion's macros generate undocumented items")]

#[path = "common/cpu_time.rs"]
mod cpu_time;
#[path = "common/speech.rs"]
mod speech;

use audiopus::coder::{Decoder, Encoder};
use audiopus::{Application, Channels, SampleRate};
use cpu_time::ThreadCpu;
use criterion::{Criterion, criterion_group, criterion_main};
use speech::{FRAME, FRAMES, speech_like};
use std::hint::black_box;

fn encode_decode(c: &mut Criterion<ThreadCpu>) {
    let pcm = speech_like();
    let mut enc = Encoder::new(SampleRate::Hz16000, Channels::Mono, Application::Voip).unwrap();
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
    let id = format!("audiopus {}", audiopus::version());

    let mut i = 0;
    c.bench_function(&format!("opus_encode_16k_20ms_c5/{id}"), |b| {
        b.iter(|| {
            let frame = &pcm[i * FRAME..(i + 1) * FRAME];
            i = (i + 1) % FRAMES;
            black_box(enc.encode(black_box(frame), &mut out).unwrap())
        })
    });

    let mut dec = Decoder::new(SampleRate::Hz16000, Channels::Mono).unwrap();
    let mut pcm_out = [0i16; FRAME];
    let mut i = 0;
    c.bench_function(&format!("opus_decode_16k_20ms/{id}"), |b| {
        b.iter(|| {
            let packet = audiopus::packet::Packet::try_from(&packets[i][..]).unwrap();
            let signals = audiopus::MutSignals::try_from(&mut pcm_out[..]).unwrap();
            i = (i + 1) % FRAMES;
            black_box(dec.decode(Some(packet), signals, false).unwrap())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = encode_decode
}
criterion_main!(benches);
