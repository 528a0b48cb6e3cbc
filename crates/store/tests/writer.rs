//! The event writer against a real PostgreSQL: idempotence, overload,
//! replay of an existing journal.

use std::net::TcpListener;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use store::writer::journal::{Journal, record, segment};
use store::writer::{self, WriteError, WriterConfig, batch_insert};

use crate::support::{Switch, call_events, count_events, eventually, port_of, with_port};

#[tokio::test]
async fn same_batch_written_twice_is_stored_once() {
    let pool = store::testing::fresh_database().await;
    let journal = tempfile::tempdir().expect("tempdir");
    let events = call_events(50);
    let (sink, handle) = writer::start(pool.clone(), WriterConfig::new(journal.path())).expect("start");
    sink.write_batch(events.clone()).await.expect("first write");
    sink.write_batch(events.clone()).await.expect("second write");
    handle.shutdown().await;
    assert_eq!(count_events(&pool).await, 50);

    // The statement itself skips stored events.
    let added = batch_insert::insert_events(&pool, &events).await.expect("direct insert");
    assert_eq!(added, 0);
    assert_eq!(count_events(&pool).await, 50);
}

#[tokio::test]
async fn events_of_a_call_are_stored_in_write_order() {
    let pool = store::testing::fresh_database().await;
    let journal = tempfile::tempdir().expect("tempdir");
    let events = call_events(300);
    let mut config = WriterConfig::new(journal.path());
    config.batch_max = 7;
    let (sink, handle) = writer::start(pool.clone(), config).expect("start");
    for chunk in events.chunks(30) {
        sink.write_batch(chunk.to_vec()).await.expect("write");
    }
    handle.shutdown().await;
    let seqs: Vec<(i64,)> =
        sqlx::query_as("SELECT seq FROM events ORDER BY ingest_id").fetch_all(&pool).await.expect("read");
    let seqs: Vec<i64> = seqs.into_iter().map(|(s,)| s).collect();
    assert_eq!(seqs, (0..300).collect::<Vec<i64>>());
}

/// A pool on a port where nothing listens.
fn unreachable_pool() -> sqlx::PgPool {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_millis(200))
        .connect_lazy(&format!("postgres://switchboard@127.0.0.1:{port}/none"))
        .expect("lazy pool")
}

#[tokio::test]
async fn overload_is_an_explicit_error_when_database_and_journal_are_full() {
    let journal = tempfile::tempdir().expect("tempdir");
    let mut config = WriterConfig::new(journal.path());
    config.channel_capacity = 1;
    config.shards = 1;
    config.journal_max_bytes = 4_096;
    config.retry_interval = Duration::from_secs(3_600);
    config.db_timeout = Duration::from_millis(500);
    let (sink, handle) = writer::start(unreachable_pool(), config).expect("start");

    let mut journalled = 0;
    let outcome = loop {
        match sink.write_batch(call_events(1)).await {
            Ok(()) => journalled += 1,
            Err(e) => break e,
        }
        assert!(journalled < 1_000, "4 KiB of journal took {journalled} events without refusing");
    };
    assert!(matches!(outcome, WriteError::Overloaded), "got {outcome:?}");
    assert!(journalled > 0, "nothing went to the journal first");

    // Many more writers at once: every one is refused, nothing piles up.
    let writes: Vec<_> = (0..200)
        .map(|_| {
            let sink = sink.clone();
            tokio::spawn(async move { sink.write_batch(call_events(1)).await })
        })
        .collect();
    for w in writes {
        assert!(matches!(w.await.expect("join"), Err(WriteError::Overloaded)));
    }
    let status = sink.status();
    assert!(!status.database_reachable);
    assert!(status.journal_bytes <= 4_096, "journal grew to {}", status.journal_bytes);
    assert_eq!(status.journal_events, journalled);
    assert!(status.refused_total >= 201);
    assert_eq!(status.acknowledged_total, journalled);
    handle.shutdown().await;
}

#[tokio::test]
async fn journal_left_by_a_crash_is_replayed_on_start() {
    let pool = store::testing::fresh_database().await;
    let journal_dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (call_events(20), call_events(30));
    {
        let mut journal = Journal::open(journal_dir.path(), 1 << 20, 1 << 20).expect("open");
        journal.append(&a).expect("append");
        journal.append(&b).expect("append");
    }
    // The crash tore the next record.
    let numbers = segment::list(journal_dir.path()).expect("list");
    let path = journal_dir.path().join(segment::file_name(numbers[0]));
    let torn = record::encode(&call_events(5)).expect("encode");
    let mut bytes = std::fs::read(&path).expect("read");
    bytes.extend_from_slice(&torn[..10]);
    std::fs::write(&path, bytes).expect("write torn tail");

    let (sink, handle) = writer::start(pool.clone(), WriterConfig::new(journal_dir.path())).expect("start");
    eventually("the journal to be replayed", Duration::from_secs(30), || async {
        count_events(&pool).await == 50 && sink.status().journal_events == 0
    })
    .await;
    // New events go after the replayed ones.
    let c = call_events(3);
    sink.write_batch(c.clone()).await.expect("write after replay");
    handle.shutdown().await;
    let ids: Vec<(uuid::Uuid,)> =
        sqlx::query_as("SELECT event_id FROM events ORDER BY ingest_id").fetch_all(&pool).await.expect("read");
    let expected: Vec<uuid::Uuid> = a.iter().chain(&b).chain(&c).map(|e| e.id.as_uuid()).collect();
    assert_eq!(ids.into_iter().map(|(id,)| id).collect::<Vec<_>>(), expected);
    assert!(segment::list(journal_dir.path()).expect("list").len() <= 1, "replayed segments left behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writer_journals_through_an_outage_then_goes_back_online() {
    let url = store::testing::fresh_database_url().await;
    let direct = store::connect(&url, 2).await.expect("connect");
    store::migrate(&direct).await.expect("migrate");
    let switch = Switch::start(([127, 0, 0, 1], port_of(&url)).into()).await;
    let pool = PgPoolOptions::new()
        .max_connections(6)
        .acquire_timeout(Duration::from_millis(300))
        .test_before_acquire(false)
        .connect_lazy(&with_port(&url, switch.port()))
        .expect("lazy pool");
    let journal = tempfile::tempdir().expect("tempdir");
    let mut config = WriterConfig::new(journal.path());
    config.retry_interval = Duration::from_millis(50);
    config.db_timeout = Duration::from_secs(2);
    let (sink, handle) = writer::start(pool, config).expect("start");

    let (a, b, c, d) = (call_events(10), call_events(10), call_events(10), call_events(10));
    sink.write_batch(a.clone()).await.expect("write a");
    assert_eq!(sink.status().journaled_total, 0);

    switch.cut().await;
    sink.write_batch(b.clone()).await.expect("write b in the outage");
    sink.write_batch(c.clone()).await.expect("write c in the outage");
    let status = sink.status();
    assert!(!status.database_reachable);
    assert_eq!((status.journaled_total, status.journal_events), (20, 20));

    switch.restore().await;
    eventually("the journal to be replayed", Duration::from_secs(30), || async {
        let s = sink.status();
        s.journal_events == 0 && s.database_reachable
    })
    .await;
    sink.write_batch(d.clone()).await.expect("write d after the outage");
    assert_eq!(sink.status().journaled_total, 20, "d went to the journal, not the database");
    handle.shutdown().await;

    let ids: Vec<(uuid::Uuid,)> =
        sqlx::query_as("SELECT event_id FROM events ORDER BY ingest_id").fetch_all(&direct).await.expect("read");
    let expected: Vec<uuid::Uuid> = a.iter().chain(&b).chain(&c).chain(&d).map(|e| e.id.as_uuid()).collect();
    assert_eq!(ids.into_iter().map(|(id,)| id).collect::<Vec<_>>(), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_flushes_accepted_events_and_then_refuses() {
    let pool = store::testing::fresh_database().await;
    let journal = tempfile::tempdir().expect("tempdir");
    let (sink, handle) = writer::start(pool.clone(), WriterConfig::new(journal.path())).expect("start");
    let writes: Vec<_> = (0..100)
        .map(|_| {
            let sink = sink.clone();
            tokio::spawn(async move { sink.write_batch(call_events(5)).await })
        })
        .collect();
    handle.shutdown().await;
    let mut acknowledged = 0;
    for w in writes {
        match w.await.expect("join") {
            Ok(()) => acknowledged += 5,
            Err(WriteError::Closed) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(count_events(&pool).await, acknowledged);
    assert!(matches!(sink.write_batch(call_events(1)).await, Err(WriteError::Closed)));
}
