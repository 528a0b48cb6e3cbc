//! Opus ↔ G.711 transcoded calls per core: the thread CPU time of one call
//! for one 20 ms frame, both directions. The caller's G.711 payload goes
//! into a `G711Leg` (jitter buffer, μ-law decode, 8 → 16 kHz), the browser
//! agent's Opus packet into an `OpusLeg` (jitter buffer, decode); a
//! two-party `Mixer` in `Mode::Bridge` mixes; the agent's frame is Opus
//! encoded, the caller's goes 16 → 8 kHz and to G.711. Calls per core =
//! 20 ms / that cost. The Opus encoder's complexity is varied, 0 to 5 at
//! 20 kbit/s; then 16 kbit/s at complexity 5, and complexities 1 and 0 at
//! the bitrates where libopus keeps FEC for them (24 to 28 kbit/s).
//!
//! Baselines in the same run: (a) the same call with both legs G.711
//! (mixed, no Opus); (b) the Opus work alone at the same settings, one
//! decode of the browser's packet and one encode of what the agent hears.
//!
//! After criterion, a table: per setting, the cost of a call-frame and of
//! the Opus work (thread CPU time, median of rounds; `QUICK=1` for one
//! short round), calls per core, the audio bandwidth libopus chose, and the
//! quality of the speech-like signal after Opus: waveform SNR (beside
//! complexity 5 at 20 kbit/s), and the SNR of the frames lost at 10 % loss
//! when rebuilt from FEC and when concealed by PLC (equal: no FEC sent).
//!
//! Run: `cargo bench -p media --bench transcode -- --warm-up-time 1 --measurement-time 3`.
#![allow(missing_docs, reason = "criterion's macros generate undocumented items")]

#[path = "common/cpu_time.rs"]
mod cpu_time;
#[path = "common/speech.rs"]
mod speech;

use std::hint::black_box;
use std::time::{Duration, Instant};

use cpu_time::{ThreadCpu, on_cpu_ns};
use criterion::{Criterion, Throughput};
use media::FRAME_SAMPLES;
use media::g711::Law;
use media::g711_leg::{G711_FRAME, G711Leg};
use media::mixer::{Mixer, Mode, ParticipantId};
use media::opus::{MAX_PACKET_BYTES, OpusConfig, OpusDecoder, OpusEncoder};
use media::opus_leg::{OPUS_FRAME_TICKS, OpusLeg};
use media::resample::Upsampler;
use speech::{FRAME, FRAMES, speech_like};

type Pcm = [i16; FRAME];

/// One frame's budget, in nanoseconds.
const FRAME_NS: f64 = 20_000_000.0;

fn frames() -> Vec<Pcm> {
    speech_like().chunks(FRAME).map(|f| f.try_into().expect("whole frames")).collect()
}

fn config(complexity: i32, bitrate: i32) -> OpusConfig {
    let mut config = OpusConfig::default();
    config.complexity = complexity;
    config.bitrate = bitrate;
    config
}

/// The speech as the caller's G.711 payloads and the browser's Opus
/// packets (encoded at our default settings), and the caller's speech as
/// the agent hears it (G.711 decoded, 16 kHz): what baseline (b) encodes.
struct Wire {
    g711: Vec<[u8; G711_FRAME]>,
    opus: Vec<Vec<u8>>,
    heard: Vec<Pcm>,
}

impl Wire {
    fn new(pcm: &[Pcm]) -> Wire {
        let mut caller = G711Leg::new(Law::Ulaw);
        let mut browser = OpusEncoder::new().unwrap();
        let mut packet = [0u8; MAX_PACKET_BYTES];
        let mut up = Upsampler::new();
        let g711: Vec<[u8; G711_FRAME]> = pcm
            .iter()
            .map(|f| {
                let mut payload = [0u8; G711_FRAME];
                caller.encode(f, &mut payload);
                payload
            })
            .collect();
        let opus = pcm
            .iter()
            .map(|f| {
                let len = browser.encode(f, &mut packet).unwrap();
                packet[..len].to_vec()
            })
            .collect();
        let heard = g711
            .iter()
            .map(|payload| {
                let mut pcm8 = [0i16; G711_FRAME];
                Law::Ulaw.decode_into(payload, &mut pcm8);
                let mut pcm16 = [0i16; FRAME];
                let _ = up.process(&pcm8, &mut pcm16);
                pcm16
            })
            .collect();
        Wire { g711, opus, heard }
    }
}

/// The agent's side of a call: a browser on Opus or, for baseline (a), a
/// second G.711 leg.
enum Agent {
    Opus(Box<OpusLeg>),
    G711(Box<G711Leg>),
}

/// One call: the caller's G.711 leg, the agent's leg, their bridge, on a
/// virtual clock one frame per iteration.
struct Call {
    caller: G711Leg,
    agent: Agent,
    mixer: Mixer,
    ids: (ParticipantId, ParticipantId),
    t0: Instant,
    n: u64,
    payload: [u8; G711_FRAME],
    packet: [u8; MAX_PACKET_BYTES],
}

impl Call {
    fn new(agent: Agent) -> Call {
        let mut mixer = Mixer::new();
        let caller = mixer.add_participant().unwrap();
        let agent_id = mixer.add_participant().unwrap();
        mixer.set_mode(Mode::Bridge { caller, agent: agent_id }).unwrap();
        Call {
            caller: G711Leg::new(Law::Ulaw),
            agent,
            mixer,
            ids: (caller, agent_id),
            t0: Instant::now(),
            n: 0,
            payload: [0; G711_FRAME],
            packet: [0; MAX_PACKET_BYTES],
        }
    }

    /// One 20 ms frame of the call: both packets in, both legs pulled,
    /// mixed, both frames encoded. Returns the bytes sent, so nothing is
    /// optimised away.
    fn frame(&mut self, wire: &Wire) -> usize {
        let i = (self.n % FRAMES as u64) as usize;
        let now = self.t0 + Duration::from_millis(20 * self.n);
        let (seq, ts) = (self.n as u16, self.n as u32);
        self.n += 1;
        let mut pcm = [0i16; FRAME_SAMPLES];
        self.caller.push_packet(seq, ts.wrapping_mul(G711_FRAME as u32), false, &wire.g711[i], now);
        let _ = self.caller.pull(now, &mut pcm);
        self.mixer.push_input(self.ids.0, &pcm).unwrap();
        match &mut self.agent {
            Agent::Opus(leg) => {
                leg.push_packet(seq, ts.wrapping_mul(OPUS_FRAME_TICKS), false, &wire.opus[i], now);
                let _ = leg.pull(now, &mut pcm);
            }
            Agent::G711(leg) => {
                leg.push_packet(seq, ts.wrapping_mul(G711_FRAME as u32), false, &wire.g711[(i + 50) % FRAMES], now);
                let _ = leg.pull(now, &mut pcm);
            }
        }
        self.mixer.push_input(self.ids.1, &pcm).unwrap();
        self.mixer.mix();
        let to_caller = self.mixer.output(self.ids.0).unwrap().samples;
        self.caller.encode(to_caller, &mut self.payload);
        let to_agent = self.mixer.output(self.ids.1).unwrap().samples;
        let sent = match &mut self.agent {
            Agent::Opus(leg) => leg.encode(to_agent, &mut self.packet).unwrap(),
            Agent::G711(leg) => {
                let mut out = [0u8; G711_FRAME];
                leg.encode(to_agent, &mut out);
                usize::from(out[0])
            }
        };
        sent + usize::from(self.payload[0])
    }
}

/// Baseline (b): one Opus decode and one encode per frame.
struct OpusWork {
    decoder: OpusDecoder,
    encoder: OpusEncoder,
    n: usize,
    pcm: [i16; FRAME_SAMPLES],
    packet: [u8; MAX_PACKET_BYTES],
}

impl OpusWork {
    fn new(config: OpusConfig) -> OpusWork {
        OpusWork {
            decoder: OpusDecoder::new().unwrap(),
            encoder: OpusEncoder::with_config(config).unwrap(),
            n: 0,
            pcm: [0; FRAME_SAMPLES],
            packet: [0; MAX_PACKET_BYTES],
        }
    }

    fn frame(&mut self, wire: &Wire) -> usize {
        let i = self.n % FRAMES;
        self.n += 1;
        let _ = self.decoder.decode(&wire.opus[i], &mut self.pcm).unwrap();
        self.encoder.encode(&wire.heard[i], &mut self.packet).unwrap()
    }
}

/// The settings measured: (complexity, bitrate).
const SETTINGS: [(i32, i32); 11] = [
    (5, 20_000),
    (4, 20_000),
    (3, 20_000),
    (2, 20_000),
    (1, 20_000),
    (0, 20_000),
    (5, 16_000),
    (1, 24_000),
    (1, 26_000),
    (1, 28_000),
    (0, 26_000),
];

fn label(complexity: i32, bitrate: i32) -> String {
    format!("c{complexity} {} kbit/s", bitrate / 1000)
}

fn warm(call: &mut Call, wire: &Wire) {
    for _ in 0..FRAMES {
        black_box(call.frame(wire));
    }
}

fn criterion_runs(c: &mut Criterion<ThreadCpu>, wire: &Wire) {
    let mut group = c.benchmark_group("transcoded_call_frame");
    group.throughput(Throughput::Elements(1));
    let mut g711 = Call::new(Agent::G711(Box::new(G711Leg::new(Law::Ulaw))));
    warm(&mut g711, wire);
    group.bench_function("baseline (a): G.711 <-> G.711, mixed", |b| b.iter(|| black_box(g711.frame(wire))));
    for (complexity, bitrate) in SETTINGS {
        let mut call = Call::new(Agent::Opus(Box::new(OpusLeg::new(config(complexity, bitrate)).unwrap())));
        warm(&mut call, wire);
        let name = format!("call Opus <-> G.711, {}", label(complexity, bitrate));
        group.bench_function(name, |b| b.iter(|| black_box(call.frame(wire))));
        let mut work = OpusWork::new(config(complexity, bitrate));
        let name = format!("baseline (b): Opus decode + encode, {}", label(complexity, bitrate));
        group.bench_function(name, |b| b.iter(|| black_box(work.frame(wire))));
    }
    group.finish();
}

/// Median thread CPU time per frame, in ns, of `rounds` rounds of
/// `frames` calls of `f`.
fn median_ns(mut f: impl FnMut() -> usize, rounds: usize, frames: usize) -> f64 {
    let mut per_frame: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = on_cpu_ns();
            for _ in 0..frames {
                black_box(f());
            }
            (on_cpu_ns() - start) as f64 / frames as f64
        })
        .collect();
    per_frame.sort_by(f64::total_cmp);
    per_frame[rounds / 2]
}

/// What Opus does to the speech at one setting.
struct Quality {
    /// Waveform SNR of the decoded speech, in dB, aligned on the codec's delay.
    snr: f64,
    /// SNR of the frames lost at 10 % loss (every tenth), rebuilt from the
    /// next packet's FEC.
    lost_fec: f64,
    /// The same frames concealed by PLC alone.
    lost_plc: f64,
    /// The audio bandwidth of the last packet (its TOC byte).
    bandwidth: &'static str,
}

/// The audio bandwidth a TOC byte names (RFC 6716 §3.1).
fn bandwidth(toc: u8) -> &'static str {
    match toc >> 3 {
        0..=3 | 16..=19 => "NB",
        4..=7 => "MB",
        8..=11 | 20..=23 => "WB",
        12 | 13 | 24..=27 => "SWB",
        _ => "FB",
    }
}

/// Encodes the speech twice through at `config` (the second pass is
/// scored, the encoder settled) and decodes it three ways: every packet;
/// every tenth lost and rebuilt from the next one's FEC; the same lost and
/// concealed by PLC.
fn quality(config: OpusConfig, pcm: &[Pcm]) -> Quality {
    let mut encoder = OpusEncoder::with_config(config).unwrap();
    let mut out = [0u8; MAX_PACKET_BYTES];
    let speech: Vec<&Pcm> = pcm.iter().chain(pcm).collect();
    let packets: Vec<Vec<u8>> = speech
        .iter()
        .map(|f| {
            let len = encoder.encode(f, &mut out).unwrap();
            out[..len].to_vec()
        })
        .collect();
    let lost = |n: usize| n >= FRAMES && n % 10 == 5;
    let decode = |fec: Option<bool>| {
        let mut decoder = OpusDecoder::new().unwrap();
        let mut frame = [0i16; FRAME_SAMPLES];
        let mut decoded = Vec::with_capacity(speech.len() * FRAME);
        for (n, packet) in packets.iter().enumerate() {
            match fec {
                Some(fec) if lost(n) => decoder.conceal(fec.then(|| &packets[n + 1][..]), &mut frame).map(|_| 0),
                _ => decoder.decode(packet, &mut frame),
            }
            .unwrap();
            decoded.extend(frame.iter().map(|s| f64::from(*s)));
        }
        decoded
    };
    let original: Vec<f64> = speech.iter().flat_map(|f| f.iter()).map(|s| f64::from(*s)).collect();
    let clean = decode(None);
    // decoded[d] is original[d - lag].
    let scored = FRAMES * FRAME..original.len();
    let corr = |lag: usize| scored.clone().map(|d| original[d - lag] * clean[d]).sum::<f64>();
    let lag = (0..FRAME).max_by(|&a, &b| corr(a).total_cmp(&corr(b))).unwrap_or(0);
    let snr = |decoded: &[f64], samples: &mut dyn Iterator<Item = usize>| {
        let (signal, noise) = samples.fold((0.0, 0.0), |(s, e), d| {
            let (x, err) = (original[d - lag], original[d - lag] - decoded[d]);
            (s + x * x, e + err * err)
        });
        10.0 * (signal / f64::max(noise, 1.0)).log10()
    };
    let lost_samples = || (FRAMES..speech.len()).filter(|n| lost(*n)).flat_map(|n| n * FRAME..(n + 1) * FRAME);
    let bandwidth = bandwidth(packets.last().map_or(0, |p| p[0]));
    Quality {
        snr: snr(&clean, &mut scored.clone()),
        lost_fec: snr(&decode(Some(true)), &mut lost_samples()),
        lost_plc: snr(&decode(Some(false)), &mut lost_samples()),
        bandwidth,
    }
}

fn table(wire: &Wire, pcm: &[Pcm]) {
    let (rounds, frames) = if std::env::var_os("QUICK").is_some() { (1, 100) } else { (7, 2_000) };
    let mut g711 = Call::new(Agent::G711(Box::new(G711Leg::new(Law::Ulaw))));
    warm(&mut g711, wire);
    let base = median_ns(|| g711.frame(wire), rounds, frames);
    println!("\nThread CPU per call-frame, median of {rounds} rounds of {frames} frames:");
    println!("baseline (a) G.711 <-> G.711 mixed: {:.1} us, {:.0} calls/core", base / 1e3, FRAME_NS / base);
    let reference = quality(config(5, 20_000), pcm);
    println!(
        "| setting | call, us | calls/core | Opus work alone, us | band | SNR, dB (vs c5 20k) | lost frames at 10 %: FEC / PLC SNR, dB |"
    );
    println!("|---|---:|---:|---:|---|---:|---:|");
    for (complexity, bitrate) in SETTINGS {
        let mut call = Call::new(Agent::Opus(Box::new(OpusLeg::new(config(complexity, bitrate)).unwrap())));
        warm(&mut call, wire);
        let cost = median_ns(|| call.frame(wire), rounds, frames);
        let mut work = OpusWork::new(config(complexity, bitrate));
        let alone = median_ns(|| work.frame(wire), rounds, frames);
        let q = quality(config(complexity, bitrate), pcm);
        println!(
            "| {} | {:.1} | {:.0} | {:.1} | {} | {:.2} ({:+.2}) | {:.2} / {:.2} |",
            label(complexity, bitrate),
            cost / 1e3,
            FRAME_NS / cost,
            alone / 1e3,
            q.bandwidth,
            q.snr,
            q.snr - reference.snr,
            q.lost_fec,
            q.lost_plc,
        );
    }
}

fn main() {
    let pcm = frames();
    let wire = Wire::new(&pcm);
    let mut c = Criterion::default()
        .with_measurement(ThreadCpu)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    criterion_runs(&mut c, &wire);
    c.final_summary();
    table(&wire, &pcm);
}
