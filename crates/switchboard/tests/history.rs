//! `switchboard history` on the demo tenant: a week of synthetic calls and
//! agent state intervals in PostgreSQL, checked in SQL: as many rows as the
//! command says, a weekday × hour shape, outcomes consistent with the CDR
//! rules, the VIP share, agents that exist, and no second helping.

use sqlx::PgPool;

use crate::serve::Node;

const HISTORY: [&str; 13] = [
    "history",
    "--tenant",
    "demo",
    "--days",
    "7",
    "--calls-per-day",
    "200",
    "--until",
    "2026-10-11",
    "--seed",
    "3",
    "--agents",
    "8",
];

async fn count(pool: &PgPool, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}

#[tokio::test(flavor = "multi_thread")]
async fn history_writes_a_week_of_calls_the_reports_can_trust() {
    let node = Node::new().await;
    node.run(&["demo"]);
    let out = node.run(&HISTORY);
    assert!(out.contains("added 2 agents"), "{out}");
    let wrote: i64 = out
        .lines()
        .find_map(|l| l.strip_prefix("wrote "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no total in {out}"));
    let pool = store::connect(&node.database_url, 2).await.unwrap();

    let calls = count(&pool, "SELECT count(*) FROM calls").await;
    assert_eq!(calls, wrote, "{out}");
    assert!((7 * 200 * 7 / 10..7 * 200 * 13 / 10).contains(&calls), "about 200 a day: {calls}");
    let week = count(
        &pool,
        "SELECT count(*) FROM calls WHERE arrived_at >= '2026-10-05 00:00+01' AND arrived_at < '2026-10-12 00:00+01'",
    )
    .await;
    assert_eq!(week, calls, "every call arrived in the week asked for");

    let hour = |h: i32| {
        let pool = pool.clone();
        async move {
            let sql = format!(
                "SELECT count(*) FROM calls WHERE extract(isodow FROM arrived_at AT TIME ZONE 'Europe/London') <= 5 \
                 AND extract(hour FROM arrived_at AT TIME ZONE 'Europe/London') = {h}"
            );
            count(&pool, &sql).await
        }
    };
    let (ten, three) = (hour(10).await, hour(3).await);
    assert!(ten > 5 * three.max(1), "weekdays at 10:00 {ten}, at 03:00 {three}");

    for (what, sql) in [
        ("talk only when answered", "SELECT count(*) FROM calls WHERE talk_ms IS NOT NULL AND answered_at IS NULL"),
        ("agent only when answered", "SELECT count(*) FROM calls WHERE agent_id IS NOT NULL AND answered_at IS NULL"),
        ("wait only when queued", "SELECT count(*) FROM calls WHERE wait_ms IS NOT NULL AND queued_at IS NULL"),
        (
            "stage only when abandoned",
            "SELECT count(*) FROM calls WHERE (abandon_stage IS NOT NULL) <> (outcome = 'abandoned')",
        ),
        (
            "answered only answered or a completed callback",
            "SELECT count(*) FROM calls WHERE answered_at IS NOT NULL AND outcome NOT IN ('answered', 'callback')",
        ),
        (
            "times in order",
            "SELECT count(*) FROM calls WHERE ended_at < arrived_at OR queued_at < arrived_at OR answered_at < queued_at",
        ),
        (
            "nobody answers at once after hours",
            "SELECT count(*) FROM calls WHERE outside_business_hours AND outcome = 'answered'",
        ),
        ("the demo number", "SELECT count(*) FROM calls WHERE dialled_number <> '+442079460000' OR number_id IS NULL"),
        (
            "the demo IVR",
            "SELECT count(*) FROM calls c WHERE NOT EXISTS (SELECT 1 FROM ivr_flows f WHERE f.id = c.ivr_flow_id)",
        ),
        (
            "answering agents exist",
            "SELECT count(*) FROM calls c WHERE agent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = c.agent_id AND a.tenant_id = c.tenant_id)",
        ),
        (
            "RONA agents exist",
            "SELECT count(*) FROM calls c, unnest(c.rona_agent_ids) r WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = r)",
        ),
        (
            "interval agents exist",
            "SELECT count(*) FROM agent_state_intervals i WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = i.agent_id AND a.tenant_id = i.tenant_id)",
        ),
        ("no interval left open", "SELECT count(*) FROM agent_state_intervals WHERE ended_at IS NULL"),
    ] {
        assert_eq!(count(&pool, sql).await, 0, "{what}: {sql}");
    }
    for (what, sql) in [
        ("answered", "SELECT count(*) FROM calls WHERE outcome = 'answered'"),
        ("abandoned in the queue", "SELECT count(*) FROM calls WHERE abandon_stage = 'queue'"),
        ("after hours", "SELECT count(*) FROM calls WHERE outside_business_hours"),
        ("voicemail", "SELECT count(*) FROM calls WHERE outcome = 'voicemail'"),
        ("IVR choices", "SELECT count(*) FROM calls WHERE 'menu=2' = ANY (ivr_choices)"),
        ("surveys", "SELECT count(*) FROM calls WHERE survey_score BETWEEN 1 AND 5 AND survey_scale = 5"),
        (
            "an added agent's calls",
            "SELECT count(*) FROM calls c JOIN agents a ON a.id = c.agent_id WHERE a.name LIKE 'History agent %'",
        ),
        ("lunch", "SELECT count(*) FROM agent_state_intervals WHERE state = 'not_ready' AND reason = 'lunch'"),
        ("wrap-up", "SELECT count(*) FROM agent_state_intervals WHERE state = 'wrap_up'"),
    ] {
        assert!(count(&pool, sql).await > 0, "some {what}: {sql}");
    }
    let vip = count(&pool, "SELECT count(*) FROM calls WHERE vip_tier > 0").await;
    assert!((calls * 2 / 100..calls * 9 / 100).contains(&vip), "about 5 % VIPs: {vip} of {calls}");
    // The supervisor's phone is an agent profile of no queue: not counted.
    let agents = count(&pool, "SELECT count(DISTINCT agent_id) FROM queue_memberships").await;
    assert_eq!(agents, 8, "--agents 8 on six demo agents serving queues adds two");

    // The same days again: refused, nothing written twice.
    let again = node.command_output(&HISTORY);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has"), "{again:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM calls").await, calls);
    pool.close().await;
}
