//! Mixer cost per participant per 20 ms frame, for calls of 2, 3, 5 and 10
//! participants where everyone hears everyone else (a bridge, a barge, 5- and
//! 10-party conferences: the densest matrix), plus a whisper call, beside a
//! naive mixer measured in the same run: inputs copied into a `HashMap` of
//! `Vec`s, a gain looked up in a `HashMap` per (source, listener), an `f32`
//! multiply per sample, and a fresh `Vec` per listener per frame.
//!
//! One iteration is one frame of a call: every participant's input handed
//! in, the mix, every listener's output read.
//!
//! Run: `cargo bench -p media --bench mixer`. Prints criterion's time per
//! frame (throughput in participants), then a table of time per participant
//! per frame (thread CPU time from /proc/thread-self/schedstat, and wall
//! time), the share of one core it is, and the mix time percentiles that add
//! to the mixer's structural one-frame delay.

use std::collections::HashMap;
use std::f64::consts::PI;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use media::mixer::{Frame, Mixer, Mode, ParticipantId};
use media::{FRAME_SAMPLES, SAMPLE_RATE};

const SIZES: [usize; 4] = [2, 3, 5, 10];
const FRAME_BUDGET_US: f64 = 20_000.0;

/// A call's worth of input: one tone frame per participant.
fn inputs(n: usize) -> Vec<Frame> {
    (0..n)
        .map(|p| {
            let freq = 300.0 + 170.0 * p as f64;
            let mut frame = [0; FRAME_SAMPLES];
            for (i, s) in frame.iter_mut().enumerate() {
                *s = (8_000.0 * (2.0 * PI * freq * i as f64 / f64::from(SAMPLE_RATE)).sin()) as i16;
            }
            frame
        })
        .collect()
}

/// The switchboard mixer holding one call.
struct Call {
    mixer: Mixer,
    ids: Vec<ParticipantId>,
    inputs: Vec<Frame>,
}

impl Call {
    fn new(n: usize, whisper: bool) -> Call {
        let mut mixer = Mixer::new();
        let ids: Vec<ParticipantId> = (0..n).map(|_| mixer.add_participant().unwrap()).collect();
        let mode = if whisper {
            Mode::Whisper { caller: ids[0], agent: ids[1], supervisor: ids[2] }
        } else {
            Mode::Conference
        };
        mixer.set_mode(mode).unwrap();
        Call { mixer, ids, inputs: inputs(n) }
    }

    fn frame(&mut self) -> i64 {
        for (id, input) in self.ids.iter().zip(&self.inputs) {
            self.mixer.push_input(*id, black_box(input)).unwrap();
        }
        self.mixer.mix();
        let mut sum = 0i64;
        while let Some(out) = self.mixer.poll_output() {
            sum += i64::from(black_box(out.samples)[7]);
        }
        sum
    }
}

/// The baseline: the obvious mixer, allocating and hashing per frame.
struct Naive {
    ids: Vec<u32>,
    gains: HashMap<(u32, u32), f32>,
    pending: HashMap<u32, Vec<i16>>,
    sources: Vec<Frame>,
}

impl Naive {
    fn new(n: usize, whisper: bool) -> Naive {
        let ids: Vec<u32> = (0..n as u32).collect();
        let mut gains = HashMap::new();
        for &s in &ids {
            for &l in &ids {
                // Whisper: the caller (0) does not hear the supervisor (2), nobody else hears it either but the agent (1).
                let heard = s != l && !(whisper && s == 2 && l != 1);
                gains.insert((s, l), if heard { 1.0 } else { 0.0 });
            }
        }
        Naive { ids, gains, pending: HashMap::new(), sources: inputs(n) }
    }

    fn mix(&mut self) -> HashMap<u32, Vec<i16>> {
        let mut outputs = HashMap::new();
        for &listener in &self.ids {
            let mut acc = vec![0i32; FRAME_SAMPLES];
            for (&source, input) in &self.pending {
                let gain = self.gains[&(source, listener)];
                if source == listener || gain == 0.0 {
                    continue;
                }
                for (a, &x) in acc.iter_mut().zip(input) {
                    *a += (f32::from(x) * gain) as i32;
                }
            }
            outputs.insert(listener, acc.iter().map(|&a| a.clamp(-32_768, 32_767) as i16).collect());
        }
        self.pending.clear();
        outputs
    }

    fn frame(&mut self) -> i64 {
        for (id, input) in self.ids.iter().zip(&self.sources) {
            self.pending.insert(*id, black_box(input).to_vec());
        }
        let outputs = self.mix();
        outputs.values().map(|out| i64::from(black_box(out)[7])).sum()
    }
}

/// This thread's CPU time so far (the first field of schedstat, in ns), if the kernel exposes it.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(text.split_whitespace().next()?.parse().ok()?))
}

/// Wall and CPU time per frame, over batches of frames for at least 300 ms
/// (schedstat may lag by a scheduler tick, a few ms: 1-2 % of that).
fn time_frames(mut frame: impl FnMut() -> i64) -> (Duration, Option<Duration>) {
    let (cpu0, wall0) = (thread_cpu(), Instant::now());
    let (mut sum, mut frames) = (0i64, 0u32);
    while wall0.elapsed() < Duration::from_millis(300) {
        for _ in 0..1_000 {
            sum += frame();
        }
        frames += 1_000;
    }
    let wall = wall0.elapsed();
    black_box(sum);
    let cpu = thread_cpu().zip(cpu0).map(|(end, start)| end.saturating_sub(start));
    (wall / frames, cpu.map(|cpu| cpu / frames))
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn criterion_benches(c: &mut Criterion) {
    let mut cases: Vec<(String, usize, bool)> =
        SIZES.iter().map(|&n| (format!("everyone hears everyone, {n}"), n, false)).collect();
    cases.push(("whisper, 3".to_string(), 3, true));
    for (name, n, whisper) in cases {
        let mut group = c.benchmark_group(format!("mixer frame, {name}"));
        group.throughput(Throughput::Elements(n as u64));
        let mut call = Call::new(n, whisper);
        group.bench_function(BenchmarkId::from_parameter("switchboard"), |b| b.iter(|| call.frame()));
        let mut naive = Naive::new(n, whisper);
        group.bench_function(BenchmarkId::from_parameter("naive"), |b| b.iter(|| naive.frame()));
        group.finish();
    }
}

/// Per participant per frame, both mixers alternating for three rounds; the
/// round with the least CPU time (wall time without schedstat) of each.
fn summary() {
    println!();
    println!(
        "| call | participants | mixer µs/participant/frame, CPU (wall) | share of a core | naive µs/participant/frame, CPU (wall) | naive / mixer, CPU (wall) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let mut cases: Vec<(&str, usize, bool)> = SIZES.iter().map(|&n| ("everyone hears everyone", n, false)).collect();
    cases.push(("whisper", 3, true));
    for (name, n, whisper) in cases {
        let (mut call, mut naive) = (Call::new(n, whisper), Naive::new(n, whisper));
        let key = |t: &(Duration, Option<Duration>)| t.1.unwrap_or(t.0);
        let mut best = [(Duration::MAX, None), (Duration::MAX, None)];
        for _ in 0..3 {
            let m = time_frames(|| call.frame());
            let v = time_frames(|| naive.frame());
            best[0] = if key(&m) < key(&best[0]) { m } else { best[0] };
            best[1] = if key(&v) < key(&best[1]) { v } else { best[1] };
        }
        let per = |d: Duration| micros(d) / n as f64;
        let (m, v) = (best[0], best[1]);
        let cpu = |d: Option<Duration>| d.map_or("n/a".to_string(), |d| format!("{:.3}", per(d)));
        println!(
            "| {name} | {n} | {} ({:.3}) | {:.4} % | {} ({:.3}) | {:.1}x ({:.1}x) |",
            cpu(m.1),
            per(m.0),
            100.0 * per(key(&m)) / FRAME_BUDGET_US,
            cpu(v.1),
            per(v.0),
            key(&v).as_secs_f64() / key(&m).as_secs_f64(),
            v.0.as_secs_f64() / m.0.as_secs_f64()
        );
    }
}

/// Mix time per frame of a 10-party call, percentiles: what adds to the one-frame structural delay.
fn delay() {
    let mut call = Call::new(10, false);
    let mut times: Vec<Duration> = (0..100_000)
        .map(|_| {
            let start = Instant::now();
            black_box(call.frame());
            start.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| micros(times[((times.len() - 1) as f64 * q) as usize]);
    println!();
    println!(
        "10-party frame (push 10 inputs, mix, read 10 outputs): p50 {:.2} µs, p99 {:.2} µs, p99.9 {:.2} µs, max {:.2} µs",
        at(0.5),
        at(0.99),
        at(0.999),
        micros(times[times.len() - 1])
    );
    println!(
        "added delay through the mixer: one frame (20 ms, structural: a frame is mixed once it is complete) + p99 {:.2} µs = {:.3} ms",
        at(0.99),
        20.0 + at(0.99) / 1000.0
    );
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    criterion_benches(&mut c);
    c.final_summary();
    summary();
    delay();
}
