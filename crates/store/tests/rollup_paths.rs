//! Rollup figures computed by hand: rows written directly, events through
//! the event writer, agent time across a bucket boundary, and two writers
//! finalising calls into the same bucket at once.

use std::sync::Arc;

use model::{
    AbandonStage, AgentId, AgentState, CallOutcome, EndCause, Event, EventPayload, IvrExit, IvrFlowId, NotReadyReason,
    QueueId, TenantId,
};
use sqlx::PgPool;
use store::testing::script::CallScript;
use store::writer::batch_insert::insert_events;
use store::writer::{self, WriterConfig};

use crate::rollup::{Cast, TABLES, mirrored, rebuild, record, snapshot, t, upsert, varied};

/// One `call_rollup` row's counters by name, of `tenant`, bucket `t(bucket)`,
/// queue `queue` and IVR or not (the other dimensions at their defaults).
async fn call_cell(pool: &PgPool, tenant: TenantId, bucket: i64, queue: QueueId, via_ivr: bool) -> serde_json::Value {
    let (row,): (serde_json::Value,) = sqlx::query_as(
        "SELECT to_jsonb(r) FROM call_rollup r WHERE tenant_id = $1 AND bucket = $2 AND queue_id = $3 \
         AND via_ivr = $4 AND number_id IS NULL AND vip_tier = 0 AND direction = 'inbound' AND NOT outside_business_hours",
    )
    .bind(tenant.as_uuid())
    .bind(t(bucket))
    .bind(queue.as_uuid())
    .bind(via_ivr)
    .fetch_one(pool)
    .await
    .expect("the call_rollup cell");
    row
}

/// The named counters of `row`.
fn counters(row: &serde_json::Value, names: &[&str]) -> Vec<i64> {
    names.iter().map(|n| row[*n].as_i64().unwrap_or_else(|| panic!("{n} in {row}"))).collect()
}

/// `agent_rollup` of `agent` in `t(bucket)`: offered, answered, rona,
/// rejected, ring, talk, hold, wrap-up ms and calls, surveyed, survey sum.
async fn agent_cell(pool: &PgPool, tenant: TenantId, bucket: i64, agent: AgentId) -> Vec<i64> {
    let (row,): (serde_json::Value,) =
        sqlx::query_as("SELECT to_jsonb(r) FROM agent_rollup r WHERE tenant_id = $1 AND bucket = $2 AND agent_id = $3")
            .bind(tenant.as_uuid())
            .bind(t(bucket))
            .bind(agent.as_uuid())
            .fetch_one(pool)
            .await
            .expect("the agent_rollup cell");
    counters(
        &row,
        &[
            "offered",
            "answered",
            "rona",
            "rejected",
            "ring_ms",
            "talk_ms",
            "hold_ms",
            "wrap_up_ms",
            "wrap_up_calls",
            "surveyed",
            "survey_sum",
        ],
    )
}

/// Rows of a rollup of `tenant` as text, for small tables.
async fn rows(pool: &PgPool, sql: &str, tenant: TenantId) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(sql).bind(tenant.as_uuid()).fetch_all(pool).await.expect("rollup rows");
    rows.into_iter().map(|(r,)| r).collect()
}

#[tokio::test]
async fn hand_made_rows_give_hand_computed_cells_after_late_changes_and_a_delete() {
    let pool = store::testing::fresh_database().await;
    let (tenant, queue, a, b) = (TenantId::new(), QueueId::new(), AgentId::new(), AgentId::new());
    let queued = |at: i64, outcome, wait: i64| {
        let mut r = record(tenant, at, outcome);
        (r.queue_id, r.queued_at, r.wait_ms) = (Some(queue), Some(t(at + 1_000)), Some(wait));
        r
    };
    // 1: answered by A after 4 s (B rang out first), held 5 s, wrapped up 10 s.
    let mut r1 = queued(60_000, CallOutcome::Answered, 4_000);
    (r1.agent_id, r1.answered_at, r1.ring_ms, r1.talk_ms, r1.hold_ms) =
        (Some(a), Some(t(65_000)), Some(2_000), Some(60_000), Some(5_000));
    (r1.wrap_up_ms, r1.survey_score, r1.survey_scale, r1.disposition) =
        (Some(10_000), Some(4), Some(5), Some("sale".into()));
    r1.rona_agent_ids = vec![b];
    // 2: answered by A after 25 s, refused twice by B before.
    let mut r2 = queued(120_000, CallOutcome::Answered, 25_000);
    (r2.agent_id, r2.answered_at, r2.ring_ms, r2.talk_ms, r2.hold_ms) =
        (Some(a), Some(t(146_000)), Some(3_000), Some(120_000), Some(0));
    r2.rejected_agent_ids = vec![b, b];
    // 3: abandoned in the queue after 12 s (deleted below); 4: abandoned
    // while A's phone rang, after 40 s, A having let it ring out.
    let mut r3 = queued(180_000, CallOutcome::Abandoned, 12_000);
    r3.abandon_stage = Some(AbandonStage::Queue);
    let mut r4 = queued(840_000, CallOutcome::Abandoned, 40_000);
    (r4.abandon_stage, r4.rona_agent_ids) = (Some(AbandonStage::Ringing), vec![a]);
    upsert(&pool, &[r1.clone(), r2.clone(), r3.clone(), r4.clone()]).await;
    let cell = call_cell(&pool, tenant, 0, queue, false).await;
    assert_eq!(counters(&cell, &["calls", "abandoned_queue"]), [4, 1]);

    // Late: a 2/5 survey and a disposition on 2; 3 removed.
    (r2.survey_score, r2.survey_scale, r2.disposition) = (Some(2), Some(5), Some("sale".into()));
    upsert(&pool, &[r2]).await;
    sqlx::query("DELETE FROM calls WHERE call_id = $1")
        .bind(r3.call_id.as_uuid())
        .execute(&pool)
        .await
        .expect("delete");

    let cell = call_cell(&pool, tenant, 0, queue, false).await;
    let names = [
        "calls",
        "queued",
        "answered",
        "abandoned_queue",
        "abandoned_ringing",
        "answered_within_5",
        "answered_within_20",
        "answered_within_30",
        "abandoned_within_30",
        "abandoned_within_45",
        "wait_answered_ms",
        "wait_abandoned_ms",
        "ring_ms",
        "talk_ms",
        "hold_ms",
        "held_calls",
        "wrap_up_ms",
        "wrap_up_calls",
        "csat_2",
        "csat_4",
        "csat_5",
    ];
    let expected = [
        3, 3, 2, 0, 1, // r1, r2, r4
        1, 1, 2, // waits 4 s and 25 s
        0, 1, // abandoned after 40 s
        29_000, 40_000, 5_000, 180_000, 5_000, 1, 10_000, 1, 1, 1, 0,
    ];
    assert_eq!(counters(&cell, &names), expected);
    // A: answered 1 and 2, rang out on 4; B: rang out on 1, refused 2 twice.
    assert_eq!(agent_cell(&pool, tenant, 0, a).await, [3, 2, 1, 0, 5_000, 180_000, 5_000, 10_000, 1, 2, 6]);
    assert_eq!(agent_cell(&pool, tenant, 0, b).await, [3, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0]);
    let dispositions =
        rows(&pool, "SELECT disposition || ':' || calls FROM disposition_rollup WHERE tenant_id = $1", tenant).await;
    assert_eq!(dispositions, ["sale:2"]);
}

/// A call arriving `ms` after 09:00 (see [`t`]).
fn arrive(tenant: TenantId, ms: i64) -> CallScript {
    CallScript::arrive(tenant, t(0), ms)
}

#[tokio::test]
async fn events_through_the_writer_end_in_the_expected_rollup_rows() {
    let pool = store::testing::fresh_database().await;
    let journal = tempfile::tempdir().expect("tempdir");
    let (sink, handle) = writer::start(pool.clone(), WriterConfig::new(journal.path())).expect("start");
    let (tenant, queue, flow, a, b) =
        (TenantId::new(), QueueId::new(), IvrFlowId::new(), AgentId::new(), AgentId::new());
    let queued = || EventPayload::CallQueued { queue_id: queue, priority: 0, position: 1 };

    // 09:00:00 through the IVR (3.8 s in it) to the queue at 4 s; B lets it
    // ring out; A answers at 24 s (waited 20 s, rang 3 s), 60 s of talk.
    let one = arrive(tenant, 0)
        .at(200, EventPayload::IvrEntered { flow_id: flow })
        .at(3_000, EventPayload::IvrChoice { flow_id: flow, node: "main".into(), digits: "1".into() })
        .at(4_000, EventPayload::IvrLeft { flow_id: flow, node: "main".into(), exit: IvrExit::Enqueued })
        .at(4_000, queued())
        .offered(5_000, queue, b)
        .at(20_000, EventPayload::AgentNoAnswer { agent_id: b })
        .offered(21_000, queue, a)
        .answered(24_000, a)
        .at(84_000, EventPayload::CallEnded { cause: EndCause::CallerHangup });
    // 09:05:00 queued, refused by A, abandoned after 32 s.
    let two = arrive(tenant, 300_000)
        .at(301_000, queued())
        .offered(302_000, queue, a)
        .at(303_000, EventPayload::AgentRejected { agent_id: a })
        .at(333_000, EventPayload::CallAbandoned { stage: AbandonStage::Queue, waited_secs: 32 })
        .at(333_000, EventPayload::CallEnded { cause: EndCause::Abandoned });
    // 09:16:00, the next bucket: A answers after 2 s, 30 s of talk.
    let three = arrive(tenant, 960_000)
        .at(961_000, queued())
        .offered(961_000, queue, a)
        .answered(963_000, a)
        .at(993_000, EventPayload::CallEnded { cause: EndCause::CallerHangup });
    for call in [&one, &two, &three] {
        sink.write_batch(call.events.clone()).await.expect("write a call");
    }
    // Late, in requests of their own: A's disposition and the survey of 1.
    sink.write(one.later(
        0,
        90_000,
        EventPayload::DispositionSet { agent_id: a, code: "sale".into(), notes: "".into() },
    ))
    .await
    .expect("write the disposition");
    sink.write(one.later(1, 95_000, EventPayload::SurveyAnswered { score: 4, scale: 5 }))
        .await
        .expect("write the survey");
    // A's day: logged in at 09:10:00, available at 09:10:10, out at 09:20:00.
    let agent = |seq, ms, payload| Event::agent(tenant, seq, t(ms), payload);
    sink.write_batch(vec![
        agent(0, 600_000, EventPayload::AgentLoggedIn { agent_id: a }),
        agent(1, 610_000, EventPayload::AgentStateChanged { agent_id: a, state: AgentState::Available }),
        agent(2, 1_200_000, EventPayload::AgentLoggedOut { agent_id: a }),
    ])
    .await
    .expect("write the agent's events");
    handle.shutdown().await;

    let ivr = call_cell(&pool, tenant, 0, queue, true).await;
    let names =
        ["calls", "queued", "answered", "answered_within_15", "answered_within_20", "wait_answered_ms", "ivr_ms"];
    assert_eq!(counters(&ivr, &names), [1, 1, 1, 0, 1, 20_000, 3_800]);
    assert_eq!(counters(&ivr, &["ring_ms", "talk_ms", "csat_4"]), [3_000, 60_000, 1]);
    let direct = call_cell(&pool, tenant, 0, queue, false).await;
    let names = ["calls", "abandoned_queue", "abandoned_within_30", "abandoned_within_45", "wait_abandoned_ms"];
    assert_eq!(counters(&direct, &names), [1, 1, 0, 1, 32_000]);
    let next = call_cell(&pool, tenant, 900_000, queue, false).await;
    assert_eq!(
        counters(&next, &["calls", "answered", "answered_within_5", "ring_ms", "talk_ms"]),
        [1, 1, 1, 2_000, 30_000]
    );

    assert_eq!(agent_cell(&pool, tenant, 0, a).await, [2, 1, 0, 1, 3_000, 60_000, 0, 0, 0, 1, 4]);
    assert_eq!(agent_cell(&pool, tenant, 0, b).await, [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(agent_cell(&pool, tenant, 900_000, a).await, [1, 1, 0, 0, 2_000, 30_000, 0, 0, 0, 0, 0]);
    let dispositions = rows(
        &pool,
        "SELECT to_char(bucket AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || disposition || ':' || calls \
         FROM disposition_rollup WHERE tenant_id = $1",
        tenant,
    )
    .await;
    assert_eq!(dispositions, ["09:00 sale:1"]);
    let ivr = rows(
        &pool,
        "SELECT kind || ' ' || value || ':' || calls FROM ivr_rollup WHERE tenant_id = $1 ORDER BY 1",
        tenant,
    )
    .await;
    assert_eq!(ivr, ["choice main=1:1", "exit main=enqueued:1"]);
    let states = rows(
        &pool,
        "SELECT to_char(bucket AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || state || ' ' || ms FROM agent_state_rollup \
         WHERE tenant_id = $1 ORDER BY bucket, state",
        tenant,
    )
    .await;
    assert_eq!(states, ["09:00 available 290000", "09:00 logged_in 10000", "09:15 available 300000"]);
}

/// `agent_state_rollup` of `tenant` as "HH:MI state reason ms", in order.
async fn agent_time(pool: &PgPool, tenant: TenantId) -> Vec<String> {
    rows(
        pool,
        "SELECT to_char(bucket AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || state || ' ' || coalesce(reason, '-') || ' ' || ms \
         FROM agent_state_rollup WHERE tenant_id = $1 ORDER BY bucket, state, reason",
        tenant,
    )
    .await
}

#[tokio::test]
async fn agent_time_is_split_at_the_bucket_boundaries_and_counted_once_closed() {
    let pool = store::testing::fresh_database().await;
    let (tenant, agent) = (TenantId::new(), AgentId::new());
    let event = |seq, ms, payload| Event::agent(tenant, seq, t(ms), payload);
    let state = |state| EventPayload::AgentStateChanged { agent_id: agent, state };
    let on_break = AgentState::NotReady { reason: NotReadyReason::Break };
    // 09:10:00 in, 09:10:30 available, 09:14:00 break, 09:31:00.500
    // available again; the last interval is still open.
    insert_events(
        &pool,
        &[
            event(0, 600_000, EventPayload::AgentLoggedIn { agent_id: agent }),
            event(1, 630_000, state(AgentState::Available)),
            event(2, 840_000, state(on_break)),
            event(3, 1_860_500, state(AgentState::Available)),
        ],
    )
    .await
    .expect("insert");
    let before_logout = [
        "09:00 available - 210000",    // 09:10:30 - 09:14:00
        "09:00 logged_in - 30000",     // 09:10:00 - 09:10:30
        "09:00 not_ready break 60000", // 09:14:00 - 09:15:00
        "09:15 not_ready break 900000",
        "09:30 not_ready break 60500", // 09:30:00 - 09:31:00.500
    ];
    assert_eq!(agent_time(&pool, tenant).await, before_logout, "the open interval counts nothing yet");

    // 09:50:00 out: the available interval closes, 09:31:00.500 - 09:50.
    insert_events(&pool, &[event(4, 3_000_000, EventPayload::AgentLoggedOut { agent_id: agent })])
        .await
        .expect("insert the logout");
    let mut closed = before_logout.map(String::from).to_vec();
    closed.insert(4, "09:30 available - 839500".into());
    closed.push("09:45 available - 300000".into());
    assert_eq!(agent_time(&pool, tenant).await, closed);

    // A ring at 09:20:00 stored late cuts the break there: the break's old
    // time goes out, its shorter time and the ring's come in.
    insert_events(&pool, &[event(5, 1_200_000, state(AgentState::Reserved))]).await.expect("insert the late ring");
    let expected = [
        "09:00 available - 210000",
        "09:00 logged_in - 30000",
        "09:00 not_ready break 60000",
        "09:15 not_ready break 300000", // 09:15 - 09:20
        "09:15 reserved - 600000",      // 09:20 - 09:30
        "09:30 available - 839500",
        "09:30 reserved - 60500", // 09:30 - 09:31:00.500
        "09:45 available - 300000",
    ];
    assert_eq!(agent_time(&pool, tenant).await, expected);
    let kept = snapshot(&pool, tenant).await;
    rebuild(&pool, tenant).await;
    assert_eq!(snapshot(&pool, tenant).await, kept);
}

#[tokio::test]
async fn two_writers_finalising_into_one_bucket_at_once_neither_deadlock_nor_lose_counts() {
    let pool = store::testing::fresh_database().await;
    let (tenant, cast) = (TenantId::new(), Arc::new(Cast::new()));
    const ROUNDS: usize = 40;
    const PER_ROUND: usize = 12;
    // Each writer, each round, in one statement: inserts new calls into one
    // queue's cells and re-finalises (a longer wrap-up) its calls of the
    // round before, in the other queue's cells; the second writer the other
    // way round. Every row is in the first 15 minutes.
    let writer = |me: usize| {
        let (pool, cast) = (pool.clone(), cast.clone());
        tokio::spawn(async move {
            let mut mine: Vec<model::CallRecord> = Vec::new();
            for round in 0..ROUNDS {
                let queue = cast.queues[(round + me) % 2];
                let mut batch: Vec<model::CallRecord> =
                    varied(tenant, &cast, PER_ROUND, (me * 1_000 + round) as u64 + 1)
                        .into_iter()
                        .map(|mut r| {
                            r.arrived_at = t((round * PER_ROUND) as i64);
                            (r.queue_id, r.queued_at) = (Some(queue), Some(r.arrived_at));
                            r
                        })
                        .collect();
                let previous = mine.len().saturating_sub(PER_ROUND);
                for r in &mut mine[previous..] {
                    r.wrap_up_ms = Some(r.wrap_up_ms.unwrap_or(0) + 1_000);
                    batch.push(r.clone());
                }
                let mut tx = pool.begin().await.expect("begin");
                upsert(&mut *tx, &batch).await;
                if me == 0 {
                    // Like the event writer; the other one applies them at commit.
                    sqlx::query("SET CONSTRAINTS rollup_flush IMMEDIATE").execute(&mut *tx).await.expect("flush");
                }
                tx.commit().await.expect("commit");
                mine.truncate(previous);
                mine.extend(batch);
                mine.sort_by_key(|r| r.arrived_at);
            }
            mine
        })
    };
    let (first, second) = (writer(0), writer(1));
    let mut records = first.await.expect("first writer");
    records.extend(second.await.expect("second writer"));
    assert_eq!(records.len(), 2 * ROUNDS * PER_ROUND);

    let (calls, agents) = mirrored(&records);
    let stored = crate::rollup::call_rows(&pool, tenant).await;
    let total: u64 = stored.values().map(|c| c.calls).sum();
    assert_eq!(total, records.len() as u64, "every call counted once");
    let wrap: u64 = stored.values().map(|c| c.wrap_up_ms).sum();
    assert_eq!(wrap, records.iter().map(|r| r.wrap_up_ms.unwrap_or(0) as u64).sum::<u64>());
    assert_eq!(stored, calls);
    assert_eq!(crate::rollup::agent_rows(&pool, tenant).await, agents);
    let kept = snapshot(&pool, tenant).await;
    rebuild(&pool, tenant).await;
    let rebuilt = snapshot(&pool, tenant).await;
    for table in TABLES {
        assert_eq!(kept[table], rebuilt[table], "{table}");
    }
}
