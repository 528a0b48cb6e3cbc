//! No acknowledged event is lost: a separate writer process (`event-load`)
//! writes 100,000 events while PostgreSQL is stopped, the writer is killed
//! in the outage and restarted, and PostgreSQL comes back. Every acknowledged
//! event must then be stored once, each call's events in seq order.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use store::{ClusterOptions, LocalCluster};

use crate::support::eventually_blocking;

const CALLS: u64 = 1_000;
const EVENTS_PER_CALL: u64 = 100;

struct Load {
    args: Vec<String>,
    acks: PathBuf,
}

impl Load {
    fn spawn(&self) -> Child {
        Command::new(env!("CARGO_BIN_EXE_event-load"))
            .args(&self.args)
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn event-load")
    }

    fn acked(&self) -> usize {
        std::fs::read_to_string(&self.acks).map(|t| t.lines().count()).unwrap_or(0)
    }
}

/// Acknowledged events: id -> (call, seq).
fn read_acks(path: &Path) -> HashMap<uuid::Uuid, (u64, u64)> {
    let text = std::fs::read_to_string(path).expect("read acks");
    let mut acks = HashMap::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        if let [id, call, seq] = parts[..] {
            acks.insert(id.parse().expect("id"), (call.parse().expect("call"), seq.parse().expect("seq")));
        }
    }
    acks
}

/// Stops the dedicated cluster and kills the writer even when the test fails
/// half-way, so nothing outlives it.
struct Cleanup<'a> {
    cluster: &'a LocalCluster,
    child: Option<Child>,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = self.cluster.stop();
    }
}

fn wait_for_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("event-load did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn acknowledged_events_survive_a_database_outage_and_a_writer_kill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cluster = LocalCluster::start(&dir.path().join("pg"), &ClusterOptions { throwaway: true }).expect("cluster");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let pool = store::connect(&cluster.url(), 2).await.expect("connect");
        store::migrate(&pool).await.expect("migrate");
        pool.close().await;
    });

    let acks = dir.path().join("acks");
    let args = [
        "load",
        "--url",
        &cluster.url(),
        "--journal",
        &dir.path().join("journal").to_string_lossy(),
        "--acks",
        &acks.to_string_lossy(),
        "--calls",
        &CALLS.to_string(),
        "--events-per-call",
        &EVENTS_PER_CALL.to_string(),
        "--seed",
        "42",
        "--base-ms",
        &chrono::Utc::now().timestamp_millis().to_string(),
    ]
    .map(String::from)
    .to_vec();
    let load = Load { args, acks: acks.clone() };
    let mut cleanup = Cleanup { cluster: &cluster, child: None };
    let child = cleanup.child.insert(load.spawn());

    eventually_blocking("events written before the outage", Duration::from_secs(120), || load.acked() >= 10_000);
    cluster.stop().expect("stop PostgreSQL");
    let at_stop = load.acked();
    eprintln!("no_loss: PostgreSQL stopped after {at_stop} acknowledged events");
    eventually_blocking("events journalled in the outage", Duration::from_secs(120), || {
        load.acked() >= at_stop + 5_000
    });
    child.kill().expect("SIGKILL the writer");
    child.wait().expect("reap the writer");
    let at_kill = load.acked();
    eprintln!("no_loss: writer killed after {at_kill} acknowledged events");
    assert!(at_kill < (CALLS * EVENTS_PER_CALL) as usize, "the load finished before the kill; nothing to resume");

    let child = cleanup.child.insert(load.spawn());
    eventually_blocking("events journalled after the restart", Duration::from_secs(120), || {
        load.acked() >= at_kill + 5_000
    });
    eprintln!("no_loss: PostgreSQL restarted after {} acknowledged events", load.acked());
    cluster.restart().expect("start PostgreSQL again");
    let status = wait_for_exit(child, Duration::from_secs(600));
    assert!(status.success(), "event-load failed: {status}");

    let rows: Vec<(uuid::Uuid, Option<uuid::Uuid>, i64)> = runtime.block_on(async {
        let pool = store::connect(&cluster.url(), 1).await.expect("connect");
        let rows = sqlx::query_as("SELECT event_id, call_id, seq FROM events ORDER BY ingest_id")
            .fetch_all(&pool)
            .await
            .expect("read events");
        pool.close().await;
        rows
    });
    drop(cleanup);

    let acked = read_acks(&acks);
    assert_eq!(acked.len() as u64, CALLS * EVENTS_PER_CALL, "not every event was acknowledged");
    let mut seen = HashSet::new();
    let mut last_seq: HashMap<uuid::Uuid, i64> = HashMap::new();
    for (id, call, seq) in &rows {
        assert!(seen.insert(*id), "event {id} stored twice");
        let call = call.expect("call event without call id");
        if let Some(last) = last_seq.insert(call, *seq) {
            assert!(*seq > last, "call {call}: seq {seq} stored after seq {last}");
        }
    }
    let missing: Vec<_> = acked.keys().filter(|id| !seen.contains(*id)).collect();
    assert!(missing.is_empty(), "{} acknowledged events missing, e.g. {:?}", missing.len(), missing.first());
    assert_eq!(rows.len(), acked.len());
}
