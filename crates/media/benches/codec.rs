//! G.711 and resampler cost, each beside its baseline in the same run.
//!
//! - G.711: one second (8,000 samples) of a speech-like signal encoded and
//!   decoded with the crate's tables (`Law::encode_into` /
//!   `Law::decode_into`), with its table-free segment search
//!   (`Law::encode_computed` / `Law::decode_computed`), and with the
//!   baseline: the formulas as the tests write them from the G.711 tables
//!   (`tests/g711_reference.rs`, included here), a segment loop per sample.
//! - Resampler: one 20 ms frame 8 → 16 kHz (160 → 320 samples) and
//!   16 → 8 kHz (320 → 160) with `Upsampler` / `Downsampler` (polyphase
//!   half-band), beside the baseline: the same 47-tap filter as a direct
//!   form over the zero-stuffed (up) or full-rate (down) signal: all 47
//!   products for every 16 kHz sample (the zeros of the zero-stuffing and
//!   of the half-band taps included), and every output before decimating.
//!
//! Run: `cargo bench -p media --bench codec`.

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use media::g711::Law;
use media::resample::{Downsampler, Upsampler};

#[path = "../tests/g711_reference.rs"]
mod reference;

/// One second at 8 kHz: three partials and a deterministic noise floor, spanning most segments.
fn speech_like(n: usize) -> Vec<i16> {
    let mut seed = 0x2545_f491_u32;
    (0..n)
        .map(|i| {
            let t = i as f64 / 8000.0;
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = f64::from((seed >> 16) as i16 as i32) / 8.0;
            let envelope = 0.5 + 0.5 * (std::f64::consts::TAU * 3.0 * t).sin();
            let v = envelope
                * (9000.0 * (std::f64::consts::TAU * 180.0 * t).sin()
                    + 5000.0 * (std::f64::consts::TAU * 720.0 * t).sin()
                    + 2000.0 * (std::f64::consts::TAU * 2300.0 * t).sin())
                + noise;
            v.clamp(-32_768.0, 32_767.0) as i16
        })
        .collect()
}

fn g711(c: &mut Criterion) {
    let samples = speech_like(8000);
    for (law, name, encode_ref, decode_ref) in [
        (Law::Ulaw, "ulaw", reference::ulaw_encode as fn(i16) -> u8, reference::ulaw_decode as fn(u8) -> i16),
        (Law::Alaw, "alaw", reference::alaw_encode, reference::alaw_decode),
    ] {
        let mut codes = vec![0u8; samples.len()];
        law.encode_into(&samples, &mut codes);
        let mut out = vec![0i16; samples.len()];
        let mut group = c.benchmark_group(format!("g711_{name}"));
        group.throughput(Throughput::Elements(samples.len() as u64));
        group.bench_function("encode_table", |b| {
            b.iter(|| law.encode_into(black_box(&samples), black_box(&mut codes)));
        });
        group.bench_function("encode_segment_search", |b| {
            b.iter(|| {
                for (c, &s) in codes.iter_mut().zip(black_box(&samples)) {
                    *c = law.encode_computed(s);
                }
            });
        });
        group.bench_function("encode_formula_baseline", |b| {
            b.iter(|| {
                for (c, &s) in codes.iter_mut().zip(black_box(&samples)) {
                    *c = encode_ref(s);
                }
            });
        });
        group.bench_function("decode_table", |b| {
            b.iter(|| law.decode_into(black_box(&codes), black_box(&mut out)));
        });
        group.bench_function("decode_computed", |b| {
            b.iter(|| {
                for (o, &c) in out.iter_mut().zip(black_box(&codes)) {
                    *o = law.decode_computed(c);
                }
            });
        });
        group.bench_function("decode_formula_baseline", |b| {
            b.iter(|| {
                for (o, &c) in out.iter_mut().zip(black_box(&codes)) {
                    *o = decode_ref(c);
                }
            });
        });
        group.finish();
    }
}

use media::resample::HALF_BAND;

/// The full 47-tap impulse response.
fn full_taps() -> [f32; 47] {
    let mut taps = [0.0f32; 47];
    taps[23] = 0.5;
    for (j, &h) in HALF_BAND.iter().enumerate() {
        taps[23 - (2 * j + 1)] = h;
        taps[23 + 2 * j + 1] = h;
    }
    taps
}

/// Direct-form FIR baseline at 16 kHz: all 47 taps (zeros and symmetry not exploited) for every
/// sample at the high rate, over a contiguous buffer of history then the frame.
struct DirectForm {
    taps: [f32; 47],
    /// 46 samples of history at 16 kHz, then up to 640 new ones.
    line: [f32; 46 + 640],
}

impl DirectForm {
    fn new() -> Self {
        DirectForm { taps: full_taps(), line: [0.0; 46 + 640] }
    }

    /// Filters the `n` new samples in `line[46..46 + n]`, then keeps every `keep`-th output in `out`.
    fn run(&mut self, n: usize, gain: f32, keep: usize, out: &mut [i16]) {
        let mut all = [0i16; 640];
        for (k, o) in all[..n].iter_mut().enumerate() {
            let window = &self.line[k..k + 47];
            let acc: f32 = window.iter().rev().zip(&self.taps).map(|(&v, &t)| v * t).sum();
            *o = (gain * acc).round() as i16;
        }
        for (o, &v) in out.iter_mut().zip(all[keep - 1..n].iter().step_by(keep)) {
            *o = v;
        }
        self.line.copy_within(n..n + 46, 0);
    }

    /// 8 → 16 kHz: zero-stuff, filter every sample with gain 2.
    fn up(&mut self, input: &[i16], output: &mut [i16]) {
        for (chunk, out) in input.chunks(320).zip(output.chunks_mut(640)) {
            for (i, &x) in chunk.iter().enumerate() {
                self.line[46 + 2 * i] = f32::from(x);
                self.line[46 + 2 * i + 1] = 0.0;
            }
            self.run(2 * chunk.len(), 2.0, 1, out);
        }
    }

    /// 16 → 8 kHz: filter every sample, keep every second output.
    fn down(&mut self, input: &[i16], output: &mut [i16]) {
        for (chunk, out) in input.chunks(640).zip(output.chunks_mut(320)) {
            for (slot, &x) in self.line[46..].iter_mut().zip(chunk) {
                *slot = f32::from(x);
            }
            self.run(chunk.len(), 1.0, 2, out);
        }
    }
}

fn resample(c: &mut Criterion) {
    let narrow = speech_like(160);
    let mut wide = vec![0i16; 320];
    Upsampler::new().process(&narrow, &mut wide).expect("room");
    let mut group = c.benchmark_group("resample_20ms_frame");
    let mut up = Upsampler::new();
    let mut down = Downsampler::new();
    let mut direct = DirectForm::new();
    let (mut out_wide, mut out_narrow) = (vec![0i16; 320], vec![0i16; 160]);
    group.bench_function("up_8_to_16_polyphase", |b| {
        b.iter(|| up.process(black_box(&narrow), black_box(&mut out_wide)));
    });
    group.bench_function("up_8_to_16_direct_baseline", |b| {
        b.iter(|| direct.up(black_box(&narrow), black_box(&mut out_wide)));
    });
    group.bench_function("down_16_to_8_polyphase", |b| {
        b.iter(|| down.process(black_box(&wide), black_box(&mut out_narrow)));
    });
    group.bench_function("down_16_to_8_direct_baseline", |b| {
        b.iter(|| direct.down(black_box(&wide), black_box(&mut out_narrow)));
    });
    group.finish();
}

/// The baseline computes the same signal (within rounding), so the comparison is like for like.
fn check_baseline() {
    let input = speech_like(1600);
    let (mut a, mut b) = (vec![0i16; 3200], vec![0i16; 3200]);
    Upsampler::new().process(&input, &mut a).expect("room");
    DirectForm::new().up(&input, &mut b);
    // The direct form is one sample ahead (its odd outputs are the copies).
    let up_error = a[1..].iter().zip(&b).map(|(&x, &y)| (i32::from(x) - i32::from(y)).abs()).max().unwrap_or(0);
    let (mut c, mut d) = (vec![0i16; 1600], vec![0i16; 1600]);
    Downsampler::new().process(&a, &mut c).expect("room");
    DirectForm::new().down(&a, &mut d);
    let down_error = c.iter().zip(&d).map(|(&x, &y)| (i32::from(x) - i32::from(y)).abs()).max().unwrap_or(0);
    assert!(up_error <= 1 && down_error <= 1, "baseline differs: up {up_error}, down {down_error}");
}

fn main() {
    check_baseline();
    let mut c = Criterion::default().configure_from_args();
    g711(&mut c);
    resample(&mut c);
    c.final_summary();
}
