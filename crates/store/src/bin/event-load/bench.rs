//! `event-load bench`: the event writer against two baselines, measured in
//! one run on one durable private cluster.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use model::event::{Event, EventPayload};
use model::ids::{CallId, QueueId, TenantId};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use store::writer::{self, WriterConfig};
use store::{ClusterOptions, LocalCluster};

use super::{Args, Failure};

const COLUMNS: &str = "event_id, tenant_id, at, seq, call_id, agent_id, kind, payload, v";

/// Runs the three measurements and prints a report.
pub async fn bench(args: Args) -> Result<(), Failure> {
    let dir = PathBuf::from(args.text("cluster-dir")?);
    let events = args.num("events", 300_000)? as usize;
    let single_events = args.num("single-row-events", 5_000)? as usize;
    let concurrency = args.num("concurrency", 4_000)? as usize;
    let mut config = WriterConfig::new(dir.join("journal"));
    config.batch_max = args.num("batch-max", config.batch_max as u64)? as usize;
    config.shards = args.num("shards", config.shards as u64)? as usize;

    let cluster = LocalCluster::start(&dir.join("pg"), &ClusterOptions { throwaway: false })?;
    let connect = || PgPoolOptions::new().max_connections(config.shards as u32 + 2).test_before_acquire(false);
    let mut pool = connect().connect(&cluster.url()).await?;
    // --pg-settings "shared_buffers=1GB,max_wal_size=8GB": server tuning
    // (never durability: fsync and synchronous_commit stay on).
    if let Ok(list) = args.text("pg-settings") {
        for setting in list.split(',').filter(|s| !s.is_empty()) {
            let (name, value) = setting.split_once('=').ok_or_else(|| format!("bad setting {setting}"))?;
            if ["fsync", "synchronous_commit", "full_page_writes"].contains(&name.trim()) {
                return Err(format!("{name} is a durability setting; the bench keeps it on").into());
            }
            let value = value.replace('\'', "''");
            sqlx::query(&format!("ALTER SYSTEM SET {} = '{value}'", name.trim())).execute(&pool).await?;
        }
        pool.close().await;
        cluster.stop()?;
        cluster.restart()?;
        pool = connect().connect(&cluster.url()).await?;
    }
    store::migrate(&pool).await?;
    let settings: Vec<(String, String)> =
        sqlx::query_as("SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'max_wal_size', 'wal_compression', 'checkpoint_timeout') ORDER BY name")
            .fetch_all(&pool)
            .await?;

    let rounds = args.num("rounds", 3)?.max(1) as usize;
    let tenant = TenantId::new();
    let single = measure(&pool, single_events, || single_row(&pool, tenant, single_events)).await?;
    // COPY and the writer alternate, so that both see the same machine load;
    // the report gives every round and the medians.
    let (mut copies, mut writers) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        copies.push(measure(&pool, events, || copy(&pool, tenant, events)).await?);
        writers
            .push(measure(&pool, events, || through_writer(&pool, config.clone(), tenant, events, concurrency)).await?);
    }

    let mut out = String::new();
    let settings = settings.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(" ");
    writeln!(out, "cluster settings: {settings}")?;
    writeln!(out, "writer: batch_max={} shards={} concurrency={concurrency}", config.batch_max, config.shards)?;
    writeln!(out, "| round | single-row INSERT ev/s | COPY ev/s | writer ev/s | writer/COPY | writer/single-row |")?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|")?;
    for (i, (c, w)) in copies.iter().zip(&writers).enumerate() {
        writeln!(out, "| {} | {single:.0} | {c:.0} | {w:.0} | {:.2} | {:.1} |", i + 1, w / c, w / single)?;
    }
    let (c, w) = (median(&mut copies), median(&mut writers));
    writeln!(out, "| median | {single:.0} | {c:.0} | {w:.0} | {:.2} | {:.1} |", w / c, w / single)?;
    writeln!(out, "(single-row: {single_events} events once; COPY and writer: {events} events per round)")?;
    print!("{out}");
    pool.close().await;
    cluster.stop()?;
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Empties the table, checkpoints, runs `f`, checks the row count, and
/// returns events per second.
async fn measure<F, Fut>(pool: &PgPool, n: usize, f: F) -> Result<f64, Failure>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    sqlx::query("TRUNCATE events").execute(pool).await?;
    sqlx::query("CHECKPOINT").execute(pool).await?;
    let start = Instant::now();
    f().await?;
    let secs = start.elapsed().as_secs_f64();
    let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM events").fetch_one(pool).await?;
    if rows as usize != n {
        return Err(format!("expected {n} rows, found {rows}").into());
    }
    Ok(n as f64 / secs.max(1e-9))
}

/// A realistic event of call `call`.
fn event(tenant: TenantId, call: CallId, queue: QueueId, seq: u64) -> Event {
    let payload = EventPayload::PositionAnnounced { queue_id: queue, position: (seq % 20) as u32 + 1, ewt_secs: 42 };
    Event::call(tenant, call, seq, Utc::now(), payload)
}

fn events_for(tenant: TenantId, n: usize) -> Vec<Event> {
    let queue = QueueId::new();
    let calls: Vec<CallId> = (0..1_000).map(|_| CallId::new()).collect();
    (0..n).map(|i| event(tenant, calls[i % calls.len()], queue, (i / calls.len()) as u64)).collect()
}

/// Baseline (a): one autocommit INSERT per event, acknowledged one by one.
async fn single_row(pool: &PgPool, tenant: TenantId, n: usize) -> Result<(), Failure> {
    let sql = format!("INSERT INTO events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)");
    for e in events_for(tenant, n) {
        sqlx::query(&sql)
            .bind(e.id.as_uuid())
            .bind(e.tenant_id.as_uuid())
            .bind(e.at)
            .bind(e.seq as i64)
            .bind(e.call_id.map(|c| c.as_uuid()))
            .bind(e.agent_id().map(|a| a.as_uuid()))
            .bind(e.kind())
            .bind(serde_json::to_string(&e.payload)?)
            .bind(e.v as i16)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Baseline (b): every event in one `COPY ... FROM STDIN` (text format).
async fn copy(pool: &PgPool, tenant: TenantId, n: usize) -> Result<(), Failure> {
    let mut conn = pool.acquire().await?;
    let mut copy = conn.copy_in_raw(&format!("COPY events ({COLUMNS}) FROM STDIN")).await?;
    let mut buf = String::with_capacity(1 << 20);
    for e in events_for(tenant, n) {
        let call = e.call_id.map(|c| c.to_string()).unwrap_or_else(|| "\\N".into());
        let agent = e.agent_id().map(|a| a.to_string()).unwrap_or_else(|| "\\N".into());
        let payload = serde_json::to_string(&e.payload)?.replace('\\', "\\\\");
        writeln!(
            buf,
            "{}\t{}\t{}\t{}\t{call}\t{agent}\t{}\t{payload}\t{}",
            e.id,
            e.tenant_id,
            e.at.to_rfc3339(),
            e.seq,
            e.kind(),
            e.v
        )?;
        if buf.len() > 1 << 20 {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    copy.send(buf.as_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

/// The event writer: `concurrency` producers, each writing its calls'
/// events one at a time and waiting for each acknowledgement.
async fn through_writer(
    pool: &PgPool,
    config: WriterConfig,
    tenant: TenantId,
    n: usize,
    concurrency: usize,
) -> Result<(), Failure> {
    let (sink, handle) = writer::start(pool.clone(), config)?;
    let events = Arc::new(events_for(tenant, n));
    let mut tasks = tokio::task::JoinSet::new();
    let producers = concurrency.max(1);
    for p in 0..producers {
        let (sink, events) = (sink.clone(), Arc::clone(&events));
        tasks.spawn(async move {
            for e in events.iter().skip(p).step_by(producers) {
                sink.write(e.clone()).await?;
            }
            Ok::<(), writer::WriteError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let status = sink.status();
    drop(sink);
    handle.shutdown().await;
    if status.journaled_total > 0 {
        eprintln!("warning: {} events went through the journal", status.journaled_total);
    }
    Ok(())
}
