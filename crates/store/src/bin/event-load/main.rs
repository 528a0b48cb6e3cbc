//! Load generator for the event writer.
//!
//! `event-load load --url URL --journal DIR --acks FILE [--calls N]
//! [--events-per-call M] [--seed S] [--base-ms T]` writes a deterministic
//! stream: `N` calls written concurrently, each with events `seq = 0..M`
//! written one after the other, every event's id and time derived from
//! (seed, call, seq). Each acknowledged event is appended to FILE as
//! `<event id> <call> <seq>`. Started again with the same arguments it
//! resumes every call after its last acknowledged event, so a killed run can
//! be continued (an event re-sent after a crash is stored once).
//!
//! `event-load bench --cluster-dir DIR [--events N] [--single-row-events N] [--rounds R]
//! [--concurrency C] [--batch-max B] [--shards S] [--pg-settings a=1,b=2]` starts a durable private
//! cluster (fsync and synchronous_commit on) and measures, in one run,
//! single-row INSERTs, one raw `COPY FROM STDIN`, and the event writer.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use model::event::{Event, EventPayload};
use model::ids::{CallId, EventId, QueueId, TenantId};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use store::writer::{self, WriteError, WriterConfig};
use uuid::Uuid;

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("event-load: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("load") => Args::parse(&args[1..]).and_then(|a| runtime.block_on(load(a))),
        Some("bench") => Args::parse(&args[1..]).and_then(|a| runtime.block_on(bench(a))),
        _ => Err("usage: event-load load|bench [--option value]... (see the source's header)".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("event-load: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--name value` options.
struct Args(HashMap<String, String>);

impl Args {
    fn parse(args: &[String]) -> Result<Args, Failure> {
        let mut map = HashMap::new();
        let mut it = args.iter();
        while let Some(name) = it.next() {
            let key = name.strip_prefix("--").ok_or_else(|| format!("unexpected argument {name}"))?;
            let value = it.next().ok_or_else(|| format!("--{key} needs a value"))?;
            map.insert(key.to_owned(), value.clone());
        }
        Ok(Args(map))
    }

    fn text(&self, key: &str) -> Result<String, Failure> {
        self.0.get(key).cloned().ok_or_else(|| format!("--{key} is required").into())
    }

    fn num(&self, key: &str, default: u64) -> Result<u64, Failure> {
        match self.0.get(key) {
            Some(v) => v.parse().map_err(|e| format!("--{key}: {e}").into()),
            None => Ok(default),
        }
    }
}

/// The deterministic stream of `load`.
#[derive(Clone, Copy)]
struct Stream {
    seed: u64,
    base: DateTime<Utc>,
}

impl Stream {
    fn tenant(&self) -> TenantId {
        TenantId(Uuid::from_u64_pair(self.seed, u64::MAX))
    }

    fn event(&self, call: u64, seq: u64) -> Event {
        let call_id = CallId(Uuid::from_u64_pair(self.seed, call));
        let at = self.base + chrono::Duration::milliseconds((call * 10_000 + seq) as i64);
        let payload = EventPayload::PositionAnnounced {
            queue_id: QueueId(Uuid::from_u64_pair(self.seed, u64::MAX - 1)),
            position: seq as u32,
            ewt_secs: 30,
        };
        let mut event = Event::call(self.tenant(), call_id, seq, at, payload);
        event.id = EventId(Uuid::from_u64_pair(self.seed ^ 0x5eed, (call << 32) | seq));
        event
    }
}

async fn load(args: Args) -> Result<(), Failure> {
    let url = args.text("url")?;
    let journal = PathBuf::from(args.text("journal")?);
    let acks_path = PathBuf::from(args.text("acks")?);
    let calls = args.num("calls", 1_000)?;
    let per_call = args.num("events-per-call", 100)?;
    let base_ms = args.num("base-ms", Utc::now().timestamp_millis() as u64)?;
    let stream = Stream {
        seed: args.num("seed", 1)?,
        base: Utc.timestamp_millis_opt(base_ms as i64).single().ok_or("--base-ms out of range")?,
    };

    // Resume each call after its last acknowledged event.
    let mut next_seq: HashMap<u64, u64> = HashMap::new();
    if let Ok(text) = std::fs::read_to_string(&acks_path) {
        for line in text.lines() {
            let mut parts = line.split(' ').skip(1);
            if let (Some(Ok(call)), Some(Ok(seq))) =
                (parts.next().map(str::parse::<u64>), parts.next().map(str::parse::<u64>))
            {
                let next = next_seq.entry(call).or_insert(0);
                *next = (*next).max(seq + 1);
            }
        }
    }
    let acks = std::fs::OpenOptions::new().create(true).append(true).open(&acks_path)?;
    let acks = Arc::new(Mutex::new(acks));

    let mut config = WriterConfig::new(journal);
    config.retry_interval = Duration::from_millis(200);
    config.db_timeout = Duration::from_secs(3);
    let pool = lazy_pool(&url, &config)?;
    let (sink, handle) = writer::start(pool, config)?;
    eprintln!("event-load: started, {} calls resumed", next_seq.len());

    let mut tasks = tokio::task::JoinSet::new();
    for call in 0..calls {
        let first = next_seq.get(&call).copied().unwrap_or(0);
        let (sink, acks) = (sink.clone(), Arc::clone(&acks));
        tasks.spawn(async move {
            for seq in first..per_call {
                let event = stream.event(call, seq);
                let id = event.id;
                loop {
                    match sink.write(event.clone()).await {
                        Ok(()) => break,
                        Err(WriteError::Overloaded) => tokio::time::sleep(Duration::from_millis(20)).await,
                        Err(e) => return Err(e),
                    }
                }
                // One write per line, so a kill never leaves half a line.
                let line = format!("{id} {call} {seq}\n");
                if let Ok(mut file) = acks.lock() {
                    file.write_all(line.as_bytes()).map_err(WriteError::from)?;
                }
            }
            Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let status = sink.status();
    drop(sink);
    handle.shutdown().await;
    println!("done acknowledged={} journaled={}", status.acknowledged_total, status.journaled_total);
    Ok(())
}

fn lazy_pool(url: &str, config: &WriterConfig) -> Result<PgPool, Failure> {
    Ok(PgPoolOptions::new()
        .max_connections(config.shards as u32 + 2)
        .acquire_timeout(config.db_timeout)
        .test_before_acquire(false)
        .connect_lazy(url)?)
}

mod bench;

use bench::bench;
