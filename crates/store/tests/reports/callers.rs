//! First-attempt reach, repeat callers and first-contact resolution over
//! hand-inserted `calls` rows.
//!
//! The history (tenant a, 2026-03-02 UTC unless said):
//!
//! | caller | calls |
//! |---|---|
//! | A | 09:00 answered (sales); again 03-10 09:01 (after its 7 days) |
//! | B | 09:05 abandoned, 09:10 abandoned, 15:20 answered (sales) |
//! | C | 09:30 abandoned, 09:40 voicemail (support) |
//! | D | 09:50 answered (support); again 03-04 09:00 (within 7 days) |
//! | E | 23:00 answered (support) |
//! | anonymous | 10:00 answered: left out |
//! | A | 11:00 outbound: left out |
//!
//! Tenant b has A's number calling at 09:30 and 03-03 (never counted for a).

use chrono::{DateTime, TimeDelta, Utc};
use model::{AgentId, QueueId, TenantId};
use store::reports::ReportQueryError;
use store::reports::callers::{self, FcrFigures, ReachFigures, ReachPeriod, RepeatFigures};
use uuid::Uuid;

use super::{at, week};

struct Call<'a> {
    caller: &'a str,
    at: DateTime<Utc>,
    outcome: &'a str,
    queue: Option<QueueId>,
    direction: &'a str,
}

async fn insert(pool: &sqlx::PgPool, tenant: TenantId, c: Call<'_>) {
    sqlx::query(
        "INSERT INTO calls (call_id, tenant_id, arrived_at, outcome, caller_number, dialled_number, queue_id, direction) \
         VALUES ($1, $2, $3, $4, $5, '+441632960999', $6, $7)",
    )
    .bind(Uuid::new_v4())
    .bind(tenant.as_uuid())
    .bind(c.at)
    .bind(c.outcome)
    .bind(c.caller)
    .bind(c.queue.map(|q| q.as_uuid()))
    .bind(c.direction)
    .execute(pool)
    .await
    .expect("insert call");
}

async fn history(pool: &sqlx::PgPool, a: TenantId, b: TenantId, sales: QueueId, support: QueueId) {
    let (s, p) = (Some(sales), Some(support));
    let rows = [
        ("A", at(0, 9, 0), "answered", s, "inbound"),
        ("A", at(8, 9, 1), "answered", s, "inbound"),
        ("B", at(0, 9, 5), "abandoned", s, "inbound"),
        ("B", at(0, 9, 10), "abandoned", s, "inbound"),
        ("B", at(0, 15, 20), "answered", s, "inbound"),
        ("C", at(0, 9, 30), "abandoned", p, "inbound"),
        ("C", at(0, 9, 40), "voicemail", p, "inbound"),
        ("D", at(0, 9, 50), "answered", p, "inbound"),
        ("D", at(2, 9, 0), "answered", p, "inbound"),
        ("E", at(0, 23, 0), "answered", p, "inbound"),
        ("anonymous", at(0, 10, 0), "answered", p, "inbound"),
        ("A", at(0, 11, 0), "answered", None, "outbound"),
    ];
    for (caller, at, outcome, queue, direction) in rows {
        insert(pool, a, Call { caller, at, outcome, queue, direction }).await;
    }
    for at in [at(0, 9, 30), at(1, 9, 0)] {
        insert(pool, b, Call { caller: "A", at, outcome: "abandoned", queue: Some(sales), direction: "inbound" }).await;
    }
}

/// The range of the first day only.
fn monday(tenant: TenantId) -> store::reports::Filter {
    store::reports::Filter { range: at(0, 0, 0)..at(1, 0, 0), ..week(tenant) }
}

#[tokio::test]
async fn first_attempt_reach_counts_callers_and_the_attempts_the_others_needed() {
    let pool = store::testing::fresh_database().await;
    let (a, b, sales, support) = (TenantId::new(), TenantId::new(), QueueId::new(), QueueId::new());
    history(&pool, a, b, sales, support).await;

    // Callers A B C D E; A, D, E on the first call; B on the third; C never
    // (2 calls).
    let reach = callers::first_attempt_reach(&pool, &monday(a), ReachPeriod::Range).await.expect("reach");
    assert_eq!(reach, ReachFigures { callers: 5, first_attempt: 3, later: vec![(3, 1)], never: 1, never_calls: 2 });

    // Sales only: A (first), B (third).
    let mut sales_only = monday(a);
    sales_only.queues = vec![sales];
    let reach = callers::first_attempt_reach(&pool, &sales_only, ReachPeriod::Range).await.expect("reach");
    assert_eq!(reach, ReachFigures { callers: 2, first_attempt: 1, later: vec![(3, 1)], never: 0, never_calls: 0 });

    // Per local day in Tokyo (UTC+9): B's 15:20 UTC call is Tuesday 00:20,
    // so B is two callers: Monday (2 calls, never) and Tuesday (first
    // attempt). E's 23:00 UTC is Tuesday 08:00: still one caller.
    let mut tokyo = monday(a);
    tokyo.time_zone = "Asia/Tokyo".into();
    let reach = callers::first_attempt_reach(&pool, &tokyo, ReachPeriod::LocalDay).await.expect("reach");
    assert_eq!(reach, ReachFigures { callers: 6, first_attempt: 4, later: vec![], never: 2, never_calls: 4 });

    // Tenant b: A's two abandoned calls.
    let reach = callers::first_attempt_reach(&pool, &week(b), ReachPeriod::Range).await.expect("reach");
    assert_eq!(reach, ReachFigures { callers: 1, first_attempt: 0, later: vec![], never: 1, never_calls: 2 });

    let mut by_agent = monday(a);
    by_agent.agents = vec![AgentId::new()];
    let err = callers::first_attempt_reach(&pool, &by_agent, ReachPeriod::Range).await.expect_err("agents");
    assert!(matches!(err, ReportQueryError::Unsupported { filter: "agents" }));
}

#[tokio::test]
async fn repeat_callers_are_numbers_with_two_calls_or_more() {
    let pool = store::testing::fresh_database().await;
    let (a, b, sales, support) = (TenantId::new(), TenantId::new(), QueueId::new(), QueueId::new());
    history(&pool, a, b, sales, support).await;
    // Monday: A 1, B 3, C 2, D 1, E 1 calls; B and C repeat (5 calls).
    let r = callers::repeat_callers(&pool, &monday(a)).await.expect("repeat");
    assert_eq!(r, RepeatFigures { callers: 5, calls: 8, repeat_callers: 2, repeat_calls: 5 });
    // The week adds A's and D's second calls: A and D repeat too.
    let r = callers::repeat_callers(&pool, &week(a)).await.expect("repeat");
    assert_eq!(r, RepeatFigures { callers: 5, calls: 9, repeat_callers: 3, repeat_calls: 7 });
    // (A's 03-10 call is after the week.)
}

#[tokio::test]
async fn first_contact_resolution_looks_for_a_repeat_within_the_window() {
    let pool = store::testing::fresh_database().await;
    let (a, b, sales, support) = (TenantId::new(), TenantId::new(), QueueId::new(), QueueId::new());
    history(&pool, a, b, sales, support).await;
    let window = callers::DEFAULT_FCR_WINDOW;

    // Answered on Monday: A 09:00, B 15:20, D 09:50, E 23:00. D called again
    // on 03-04 (repeated); A's next call is 03-10 09:01, after 03-09 09:00
    // (resolved); B and E never again (resolved, judged on 03-20).
    let f = callers::first_contact_resolution(&pool, &monday(a), window, at(18, 0, 0)).await.expect("fcr");
    assert_eq!(f, FcrFigures { answered: 4, resolved: 3, repeated: 1, undecided: 0 });

    // Judged on 03-05: A, B and E are still within their 7 days.
    let f = callers::first_contact_resolution(&pool, &monday(a), window, at(3, 0, 0)).await.expect("fcr");
    assert_eq!(f, FcrFigures { answered: 4, resolved: 0, repeated: 1, undecided: 3 });

    // A window of 9 days catches A's 03-10 call.
    let f = callers::first_contact_resolution(&pool, &monday(a), TimeDelta::days(9), at(18, 0, 0)).await.expect("fcr");
    assert_eq!(f, FcrFigures { answered: 4, resolved: 2, repeated: 2, undecided: 0 });

    // Sales only: A and B are counted; a repeat in any queue would count.
    let mut sales_only = monday(a);
    sales_only.queues = vec![sales];
    let f = callers::first_contact_resolution(&pool, &sales_only, window, at(18, 0, 0)).await.expect("fcr");
    assert_eq!(f, FcrFigures { answered: 2, resolved: 2, repeated: 0, undecided: 0 });

    // Tenant b's calls from A never make a's A a repeat, and b has no answer.
    let f = callers::first_contact_resolution(&pool, &week(b), window, at(18, 0, 0)).await.expect("fcr");
    assert_eq!(f, FcrFigures::default());
}
