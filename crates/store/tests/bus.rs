//! The event bus: durable events published to live subscribers, which may
//! lag but never hold the writer back.

use std::net::TcpListener;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use store::writer::{self, BusError, WriterConfig};

use crate::support::{call_events, count_events};

/// How long a test waits for a message that must come.
const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn subscriber_receives_each_event_once_it_is_committed() {
    let pool = store::testing::fresh_database().await;
    let journal = tempfile::tempdir().expect("tempdir");
    let (sink, handle) = writer::start(pool.clone(), WriterConfig::new(journal.path())).expect("start");
    let mut sub = sink.bus().subscribe().expect("writer running");
    let events = call_events(5);
    sink.write_batch(events.clone()).await.expect("write");
    let mut seen = Vec::new();
    for _ in 0..5 {
        let event = tokio::time::timeout(WAIT, sub.recv()).await.expect("published").expect("event");
        // Published only once durable: it is already in the table.
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE event_id = $1")
            .bind(event.id.as_uuid())
            .fetch_one(&pool)
            .await
            .expect("count");
        assert_eq!(stored, 1, "event {} was published before it was stored", event.id);
        seen.push((*event).clone());
    }
    assert_eq!(seen, events, "a call's events arrive in write order");
    assert_eq!(sub.try_recv(), Ok(None), "nothing twice");
    handle.shutdown().await;
}

#[tokio::test]
async fn lagging_subscriber_is_told_how_many_it_lost_and_the_writer_goes_on() {
    let pool = store::testing::fresh_database().await;
    let journal = tempfile::tempdir().expect("tempdir");
    let mut config = WriterConfig::new(journal.path());
    config.bus_capacity = 4;
    let (sink, handle) = writer::start(pool.clone(), config).expect("start");
    let mut slow = sink.bus().subscribe().expect("writer running");
    // Nobody reads: every write is still acknowledged.
    for _ in 0..10 {
        tokio::time::timeout(WAIT, sink.write_batch(call_events(1))).await.expect("writer not blocked").expect("write");
    }
    assert_eq!(count_events(&pool).await, 10);
    assert_eq!(slow.recv().await, Err(BusError::Lagged(6)));
    for _ in 0..4 {
        slow.recv().await.expect("the four newest are still held");
    }
    assert_eq!(slow.try_recv(), Ok(None));
    handle.shutdown().await;
}

#[tokio::test]
async fn journalled_events_are_published_during_an_outage() {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_millis(200))
        .connect_lazy(&format!("postgres://switchboard@127.0.0.1:{port}/none"))
        .expect("lazy pool");
    let journal = tempfile::tempdir().expect("tempdir");
    let mut config = WriterConfig::new(journal.path());
    config.retry_interval = Duration::from_secs(3_600);
    config.db_timeout = Duration::from_millis(500);
    let (sink, handle) = writer::start(pool, config).expect("start");
    let mut sub = sink.bus().subscribe().expect("writer running");
    let events = call_events(2);
    sink.write_batch(events.clone()).await.expect("journalled");
    assert_eq!(sink.status().journal_events, 2);
    for expected in &events {
        let got = tokio::time::timeout(WAIT, sub.recv()).await.expect("published").expect("event");
        assert_eq!(&*got, expected);
    }
    handle.shutdown().await;
}

#[tokio::test]
async fn bus_closes_when_the_writer_is_gone() {
    let pool = store::testing::fresh_database().await;
    let journal = tempfile::tempdir().expect("tempdir");
    let (sink, handle) = writer::start(pool, WriterConfig::new(journal.path())).expect("start");
    let bus = sink.bus();
    let mut sub = bus.subscribe().expect("writer running");
    drop(sink);
    handle.shutdown().await;
    assert_eq!(tokio::time::timeout(WAIT, sub.recv()).await.expect("closed, not hanging"), Err(BusError::Closed));
    assert!(bus.subscribe().is_none());
}
