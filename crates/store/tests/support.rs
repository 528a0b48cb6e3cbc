//! Helpers shared by the store's tests.

use std::time::{Duration, Instant};

use chrono::Utc;
use model::event::{Event, EventPayload};
use model::ids::{CallId, QueueId, TenantId};

/// `n` events of one call of a fresh tenant, seq 0..n.
pub fn call_events(n: u64) -> Vec<Event> {
    let (tenant, call, queue) = (TenantId::new(), CallId::new(), QueueId::new());
    (0..n)
        .map(|seq| {
            let payload = EventPayload::CallQueued { queue_id: queue, priority: 0, position: seq as u32 + 1 };
            Event::call(tenant, call, seq, Utc::now(), payload)
        })
        .collect()
}

/// Rows in `events`.
pub async fn count_events(pool: &sqlx::PgPool) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM events").fetch_one(pool).await.expect("count events");
    n
}

/// Polls `check` until it holds; panics with `what` after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls `check` (blocking) until it holds; panics with `what` after `limit`.
pub fn eventually_blocking(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
