//! The packet-level RTP load tool (issue 5): N calls of G.711 μ-law, each a
//! caller and a callee sending 172-byte packets every 20 ms through a
//! relay, paced evenly; it counts loss, measures the one-way delay through
//! the relay and the relay's CPU time over a steady window. Run by
//! `benches/rtp-load.sh`, one step (one call count) per run; the last line
//! of output is `RESULT key=value …` for the script.
//!
//! ```text
//! rtp-bench --backend direct|rtpengine|switchboard [--calls N] [--warmup S] [--seconds S]
//!           [--sockets N] [--threads N] [--gen-cpu C] [--relay-cpu C]
//!           [--ports MIN-MAX] [--tick-us N] [--pacing-us N] [--mixer]
//! ```
//!
//! A benchmark shell, not a core: it reads the clock, spawns a thread for
//! the generator and runs rtpengine as a child process.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[path = "rtp_bench/backend.rs"]
mod backend;
#[path = "rtp_bench/bencode.rs"]
mod bencode;
#[path = "rtp_bench/cpu.rs"]
mod cpu;
#[path = "rtp_bench/generator.rs"]
mod generator;
#[path = "rtp_bench/histogram.rs"]
mod histogram;
#[path = "rtp_bench/rtpengine.rs"]
mod rtpengine;
#[path = "rtp_bench/switchboard.rs"]
mod switchboard;

use backend::{Backend, Direct};
use generator::{Endpoints, Marking, Report, Schedule};
use rtpengine::{Rtpengine, RtpengineConfig};
use switchboard::Switchboard;

/// The run's parameters.
#[derive(Debug, Clone)]
struct Options {
    backend: String,
    calls: usize,
    warmup: Duration,
    window: Duration,
    sockets: usize,
    threads: usize,
    gen_cpu: Option<usize>,
    relay_cpu: Option<usize>,
    ports: (u16, u16),
    tick: Duration,
    /// The shard's wake pacing (`EngineConfig::pacing`); `None`: the
    /// engine's default.
    pacing: Option<Duration>,
    mixer: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            backend: "direct".into(),
            calls: 100,
            warmup: Duration::from_secs(3),
            window: Duration::from_secs(15),
            sockets: 16,
            threads: 1,
            gen_cpu: None,
            relay_cpu: None,
            // Below the ephemeral range the generator's sockets come from.
            ports: (10_000, 29_999),
            tick: Duration::from_micros(100),
            pacing: None,
            mixer: false,
        }
    }
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--mixer" {
            o.mixer = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || value.parse::<usize>().map_err(|_| format!("{flag}: not a number: {value}"));
        let seconds = || value.parse::<f64>().map(Duration::from_secs_f64).map_err(|_| format!("{flag}: {value}"));
        match flag.as_str() {
            "--backend" => o.backend = value.clone(),
            "--calls" => o.calls = number()?,
            "--warmup" => o.warmup = seconds()?,
            "--seconds" => o.window = seconds()?,
            "--sockets" => o.sockets = number()?.max(1),
            "--threads" => o.threads = number()?.max(1),
            "--gen-cpu" => o.gen_cpu = Some(number()?),
            "--relay-cpu" => o.relay_cpu = Some(number()?),
            "--tick-us" => o.tick = Duration::from_micros(number()? as u64),
            "--pacing-us" => o.pacing = Some(Duration::from_micros(number()? as u64)),
            "--ports" => {
                let (min, max) = value.split_once('-').ok_or("--ports MIN-MAX")?;
                o.ports = (min.parse().map_err(|_| "--ports MIN-MAX")?, max.parse().map_err(|_| "--ports MIN-MAX")?);
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("rtp-bench: {e} (see the header of crates/media/src/bin/rtp-bench.rs)");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("rtp-bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rtp-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(o: Options) -> io::Result<()> {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let marking = if o.mixer { Marking::Pulse } else { Marking::Stamp };
    match o.backend.as_str() {
        "direct" if !o.mixer => measure(Direct, &o, marking).await,
        "rtpengine" if !o.mixer => {
            let config = RtpengineConfig { ip, ports: o.ports, threads: o.threads, cpu: o.relay_cpu };
            measure(Rtpengine::start(&config)?, &o, marking).await
        }
        "switchboard" => {
            let backend = Switchboard::start(ip, o.ports, o.threads, o.relay_cpu, o.pacing, o.mixer)?;
            measure(backend, &o, marking).await
        }
        other => Err(io::Error::other(format!("no backend {other:?}{}", if o.mixer { " with --mixer" } else { "" }))),
    }
}

/// Sets the calls up, streams, reads the relay's CPU at the window's
/// edges, tears down and prints.
async fn measure(mut backend: impl Backend, o: &Options, marking: Marking) -> io::Result<()> {
    let endpoints = Endpoints::bind(IpAddr::V4(Ipv4Addr::LOCALHOST), o.sockets)?;
    let mut targets: Vec<[SocketAddr; 2]> = Vec::with_capacity(o.calls);
    let setup = Instant::now();
    for call in 0..o.calls {
        targets.push(backend.open(call, endpoints.addr(call, 0)?, endpoints.addr(call, 1)?).await?);
    }
    let setup = setup.elapsed();
    let start = Instant::now() + Duration::from_millis(100);
    let window_start = start + o.warmup;
    let schedule = Schedule {
        start,
        window_start,
        window_end: window_start + o.window,
        stop: window_start + o.window + Duration::from_millis(300),
        tick: o.tick,
    };
    let gen_cpu = o.gen_cpu;
    let report = std::thread::scope(|scope| -> io::Result<(Report, u64, u64, Option<u64>)> {
        let generator = std::thread::Builder::new().name("rtp-bench-gen".into()).spawn_scoped(scope, || {
            if let Some(cpu) = gen_cpu {
                cpu::pin(0, cpu)?;
            }
            generator::run(&endpoints, &targets, &schedule, marking)
        })?;
        std::thread::sleep(schedule.window_start.saturating_duration_since(Instant::now()));
        let before = (backend.cpu_ns()?, cpu::cpu_ns("self", "rtp-bench-gen")?, backend.wakes());
        std::thread::sleep(schedule.window_end.saturating_duration_since(Instant::now()));
        let after = (backend.cpu_ns()?, cpu::cpu_ns("self", "rtp-bench-gen")?, backend.wakes());
        let report = generator.join().map_err(|_| io::Error::other("the generator panicked"))??;
        let wakes = after.2.zip(before.2).map(|(after, before)| after - before);
        Ok((report, after.0 - before.0, after.1.saturating_sub(before.1), wakes))
    })?;
    for call in 0..o.calls {
        backend.close(call).await?;
    }
    print_report(backend.name(), o, setup, &report);
    Ok(())
}

fn print_report(
    name: &str,
    o: &Options,
    setup: Duration,
    (r, relay_ns, gen_ns, wakes): &(Report, u64, u64, Option<u64>),
) {
    let window = o.window.as_secs_f64();
    let mode = if o.mixer { "mixer" } else { "relay" };
    let loss = if r.sent == 0 { 0.0 } else { 100.0 * (r.sent.saturating_sub(r.received)) as f64 / r.sent as f64 };
    // Relayed: the packets that came out; mixed: the packets that went in.
    let carried = if o.mixer { r.offered } else { r.received };
    let pps = carried as f64 / window;
    let share = *relay_ns as f64 / 1e9 / window;
    let per_packet = if carried == 0 { 0.0 } else { *relay_ns as f64 / 1e3 / carried as f64 };
    let per_call = if o.calls == 0 { 0.0 } else { 100.0 * share / o.calls as f64 };
    let per_core = if share > 0.0 { o.calls as f64 / share } else { 0.0 };
    let us = |ns: u64| ns as f64 / 1e3;
    let d = &r.delay;
    println!("{name} {mode}: {} calls set up in {:.2} s, {window:.1} s window", o.calls, setup.as_secs_f64());
    let what = if o.mixer { "pulses" } else { "packets" };
    println!(
        "  {what} sent {} received {} loss {loss:.3} % misrouted {} foreign {} send errors {}; generator: {:.1} % of a core, late p99 {:.0} µs max {:.0} µs",
        r.sent,
        r.received,
        r.misrouted,
        r.foreign,
        r.send_errors,
        *gen_ns as f64 / 1e7 / window,
        us(r.lateness.quantile(0.99)),
        us(r.lateness.max())
    );
    println!(
        "  {} {pps:.0} packets/s, CPU {:.3} s = {:.1} % of a core, {per_packet:.2} µs/packet, {per_call:.4} % of a core per call, {per_core:.0} calls per core",
        if o.mixer { "mixed (in)" } else { "relayed (out)" },
        *relay_ns as f64 / 1e9,
        share * 100.0
    );
    // Packets into the relay per wake: as many as came out (relay) or
    // the offered ones (mixer).
    let (wakes_per_s, per_wake) = match wakes {
        Some(w) if *w > 0 => (*w as f64 / window, carried as f64 / *w as f64),
        _ => (0.0, 0.0),
    };
    if wakes.is_some() {
        println!("  wakes that took datagrams: {wakes_per_s:.0}/s, {per_wake:.1} packets in per wake");
    }
    println!(
        "  delay µs over {} {what}: p50 {:.1} p99 {:.1} p99.9 {:.1} max {:.1}",
        d.count(),
        us(d.quantile(0.5)),
        us(d.quantile(0.99)),
        us(d.quantile(0.999)),
        us(d.max())
    );
    println!(
        "RESULT backend={name} mode={mode} calls={} sent={} received={} loss_pct={loss:.3} misrouted={} pps={pps:.0} cpu_share_pct={:.2} cpu_us_per_packet={per_packet:.3} cpu_pct_per_call={per_call:.5} calls_per_core={per_core:.0} p50_us={:.1} p99_us={:.1} p999_us={:.1} max_us={:.1} late_p99_us={:.1} gen_share_pct={:.1} wakes_per_s={wakes_per_s:.0} packets_per_wake={per_wake:.1}",
        o.calls,
        r.sent,
        r.received,
        r.misrouted,
        share * 100.0,
        us(d.quantile(0.5)),
        us(d.quantile(0.99)),
        us(d.quantile(0.999)),
        us(d.max()),
        us(r.lateness.quantile(0.99)),
        *gen_ns as f64 / 1e7 / window
    );
}
