//! Sums over `call_rollup`, `agent_rollup`, `agent_state_rollup` (and their
//! coarse twins), `disposition_rollup` and `ivr_rollup`.

use chrono::NaiveDate;
use model::report::CallCounters;
use model::{AgentId, IvrFlowId, NumberId, QueueId, TenantId};
use store::reports::agents::{self, DispositionCount, StateTime};
use store::reports::calls::{self, CallDim, CallSplit};
use store::reports::ivr::{self, IvrCount, IvrKind};
use store::reports::{GroupKey, Grouping, ReportQueryError};

use super::{at, insert, lit, week};

/// A call_rollup row: queue, tier, calls, answered, answered within 20 s,
/// abandoned in the queue, talk ms.
#[allow(clippy::too_many_arguments)] // reason: one literal row per call, read as a table
async fn call_row(
    pool: &sqlx::PgPool,
    tenant: TenantId,
    bucket: chrono::DateTime<chrono::Utc>,
    queue: QueueId,
    tier: u8,
    (calls, answered, within_20, abandoned_queue, talk_ms): (u32, u32, u32, u32, u64),
    via_ivr: bool,
) {
    let cols = [
        ("queue_id", lit(queue.as_uuid())),
        ("number_id", "NULL".into()),
        ("vip_tier", tier.to_string()),
        ("direction", "'inbound'".into()),
        ("via_ivr", via_ivr.to_string()),
        ("outside_business_hours", "false".into()),
        ("calls", calls.to_string()),
        ("queued", calls.to_string()),
        ("answered", answered.to_string()),
        ("answered_within_20", within_20.to_string()),
        ("abandoned_queue", abandoned_queue.to_string()),
        ("talk_ms", talk_ms.to_string()),
    ];
    insert(pool, "call_rollup", tenant, bucket, &cols).await;
}

/// Calls, answered, within 20 s, abandoned in queue, talk of one sum.
fn five(c: &CallCounters) -> (u64, u64, u64, u64, u64) {
    (c.calls, c.answered, c.answered_within[3], c.abandoned_queue, c.talk_ms)
}

#[tokio::test]
async fn call_sums_filter_group_and_never_count_another_tenant() {
    let pool = store::testing::fresh_database().await;
    let (a, b) = (TenantId::new(), TenantId::new());
    let (sales, support) = (QueueId::new(), QueueId::new());
    // Tenant a: Monday 09:00 and 09:15 in sales, 09:00 in support (tier 2,
    // via the IVR), Monday 23:00 UTC in sales (Tuesday 00:00 in Paris), and
    // one row at the range's end (excluded).
    call_row(&pool, a, at(0, 9, 0), sales, 0, (10, 8, 6, 2, 80_000), false).await;
    call_row(&pool, a, at(0, 9, 15), sales, 0, (4, 3, 3, 1, 30_000), false).await;
    call_row(&pool, a, at(0, 9, 0), support, 2, (5, 5, 4, 0, 50_000), true).await;
    call_row(&pool, a, at(0, 23, 0), sales, 0, (2, 1, 0, 1, 10_000), false).await;
    call_row(&pool, a, at(7, 0, 0), sales, 0, (100, 100, 100, 0, 1), false).await;
    // Tenant b: same bucket, same queue id: never counted for a.
    call_row(&pool, b, at(0, 9, 0), sales, 0, (1000, 1000, 1000, 0, 1), false).await;

    let total = calls::sums(&pool, &week(a), Grouping::Total, CallSplit::None).await.expect("sums");
    assert_eq!(total.len(), 1);
    assert_eq!((total[0].key, &total[0].dim), (GroupKey::Total, &CallDim::All));
    // 10+4+5+2 calls, 8+3+5+1 answered, 6+3+4+0 within 20 s, 2+1+0+1
    // abandoned, 80+30+50+10 s of talk.
    assert_eq!(five(&total[0].counters), (21, 17, 13, 4, 170_000));

    let mut only_sales = week(a);
    only_sales.queues = vec![sales];
    let s = calls::sums(&pool, &only_sales, Grouping::Total, CallSplit::None).await.expect("sums");
    assert_eq!(five(&s[0].counters), (16, 12, 9, 4, 120_000));

    let mut vip = week(a);
    vip.vip_tiers = vec![2];
    let s = calls::sums(&pool, &vip, Grouping::Total, CallSplit::None).await.expect("sums");
    assert_eq!(five(&s[0].counters), (5, 5, 4, 0, 50_000));

    let by_bucket = calls::sums(&pool, &week(a), Grouping::Bucket, CallSplit::None).await.expect("sums");
    let keys: Vec<_> = by_bucket.iter().map(|g| (g.key, g.counters.calls)).collect();
    assert_eq!(
        keys,
        vec![
            (GroupKey::Bucket(at(0, 9, 0)), 15),
            (GroupKey::Bucket(at(0, 9, 15)), 4),
            (GroupKey::Bucket(at(0, 23, 0)), 2)
        ]
    );

    // Local days in Paris (UTC+1 in March): 23:00 UTC is Tuesday 00:00.
    let mut paris = week(a);
    paris.time_zone = "Europe/Paris".into();
    let by_day = calls::sums(&pool, &paris, Grouping::Day, CallSplit::None).await.expect("sums");
    let day = |d: u32| GroupKey::Local(NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(0, 0, 0).unwrap());
    let keys: Vec<_> = by_day.iter().map(|g| (g.key, g.counters.calls)).collect();
    assert_eq!(keys, vec![(day(2), 19), (day(3), 2)]);

    // Local hours in Paris: 10:00 (9:00 and 9:15 UTC) and 00:00 Tuesday.
    let by_hour = calls::sums(&pool, &paris, Grouping::Hour, CallSplit::None).await.expect("sums");
    let hour =
        |d: u32, h: u32| GroupKey::Local(NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(h, 0, 0).unwrap());
    let keys: Vec<_> = by_hour.iter().map(|g| (g.key, g.counters.calls)).collect();
    assert_eq!(keys, vec![(hour(2, 10), 19), (hour(3, 0), 2)]);

    // The heatmap: Monday 10h and Tuesday 0h in Paris.
    let heat = calls::sums(&pool, &paris, Grouping::WeekdayHour, CallSplit::None).await.expect("sums");
    let keys: Vec<_> = heat.iter().map(|g| (g.key, g.counters.answered)).collect();
    assert_eq!(
        keys,
        vec![(GroupKey::WeekdayHour { weekday: 1, hour: 10 }, 16), (GroupKey::WeekdayHour { weekday: 2, hour: 0 }, 1)]
    );

    // Weekday and hour filters, in local time: Tuesday in Paris only.
    let mut tuesday = paris.clone();
    tuesday.weekdays = vec![2];
    let s = calls::sums(&pool, &tuesday, Grouping::Total, CallSplit::None).await.expect("sums");
    assert_eq!(s[0].counters.calls, 2);
    let mut ten = paris.clone();
    ten.hours = vec![10];
    let s = calls::sums(&pool, &ten, Grouping::Total, CallSplit::None).await.expect("sums");
    assert_eq!(s[0].counters.calls, 19);

    // Split by tier and by IVR.
    let tiers = calls::sums(&pool, &week(a), Grouping::Total, CallSplit::VipTier).await.expect("sums");
    let dims: Vec<_> = tiers.iter().map(|g| (g.dim.clone(), g.counters.calls)).collect();
    assert_eq!(dims, vec![(CallDim::VipTier(0), 16), (CallDim::VipTier(2), 5)]);
    let ivr = calls::sums(&pool, &week(a), Grouping::Total, CallSplit::ViaIvr).await.expect("sums");
    let dims: Vec<_> = ivr.iter().map(|g| (g.dim.clone(), g.counters.answered)).collect();
    assert_eq!(dims, vec![(CallDim::ViaIvr(false), 12), (CallDim::ViaIvr(true), 5)]);

    // Tenant b sees only its own row.
    let s = calls::sums(&pool, &week(b), Grouping::Total, CallSplit::None).await.expect("sums");
    assert_eq!(s[0].counters.calls, 1000);
    // A tenant with nothing gets nothing.
    assert!(
        calls::sums(&pool, &week(TenantId::new()), Grouping::Total, CallSplit::None).await.expect("sums").is_empty()
    );
}

#[tokio::test]
async fn every_call_rollup_column_lands_in_its_counter() {
    let pool = store::testing::fresh_database().await;
    let tenant = TenantId::new();
    let names = [
        "calls",
        "queued",
        "answered",
        "abandoned_ivr",
        "abandoned_queue",
        "abandoned_ringing",
        "voicemail",
        "callback",
        "overflow",
        "failed",
        "flow_hangup",
        "transferred_out",
        "not_reached",
    ];
    let edges = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300];
    let mut cols: Vec<(String, String)> = vec![
        ("queue_id".into(), "NULL".into()),
        ("number_id".into(), "NULL".into()),
        ("vip_tier".into(), "0".into()),
        ("direction".into(), "'inbound'".into()),
        ("via_ivr".into(), "false".into()),
        ("outside_business_hours".into(), "false".into()),
    ];
    // Column n gets the value n (1-based, in the migration's order).
    let mut order: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    order.extend(edges.iter().map(|e| format!("answered_within_{e}")));
    order.extend(edges.iter().map(|e| format!("abandoned_within_{e}")));
    for c in [
        "wait_answered_ms",
        "wait_abandoned_ms",
        "ivr_ms",
        "ring_ms",
        "talk_ms",
        "hold_ms",
        "held_calls",
        "wrap_up_ms",
        "wrap_up_calls",
        "callback_offered",
        "callback_completed",
        "callback_delay_ms",
    ] {
        order.push(c.into());
    }
    order.extend((1..=5).map(|i| format!("csat_{i}")));
    order.extend((0..=10).map(|i| format!("nps_{i}")));
    for (i, c) in order.iter().enumerate() {
        cols.push((c.clone(), (i + 1).to_string()));
    }
    let cols: Vec<(&str, String)> = cols.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
    insert(&pool, "call_rollup", tenant, at(0, 9, 0), &cols).await;
    let s = calls::sums(&pool, &week(tenant), Grouping::Total, CallSplit::None).await.expect("sums");
    let n = |from: u64| -> [u64; 11] { std::array::from_fn(|i| from + i as u64) };
    let expected = CallCounters {
        calls: 1,
        queued: 2,
        answered: 3,
        abandoned_ivr: 4,
        abandoned_queue: 5,
        abandoned_ringing: 6,
        voicemail: 7,
        callback: 8,
        overflow: 9,
        failed: 10,
        flow_hangup: 11,
        transferred_out: 12,
        not_reached: 13,
        answered_within: n(14),
        abandoned_within: n(25),
        wait_answered_ms: 36,
        wait_abandoned_ms: 37,
        ivr_ms: 38,
        ring_ms: 39,
        talk_ms: 40,
        hold_ms: 41,
        held_calls: 42,
        wrap_up_ms: 43,
        wrap_up_calls: 44,
        callback_offered: 45,
        callback_completed: 46,
        callback_delay_ms: 47,
        csat: [48, 49, 50, 51, 52],
        nps: n(53),
    };
    assert_eq!(s[0].counters, expected);
}

#[tokio::test]
async fn a_filter_the_rollup_cannot_apply_is_refused() {
    let pool = store::testing::fresh_database().await;
    let mut f = week(TenantId::new());
    f.agents = vec![AgentId::new()];
    let err = calls::sums(&pool, &f, Grouping::Total, CallSplit::None).await.expect_err("agents on call_rollup");
    assert!(matches!(err, ReportQueryError::Unsupported { filter: "agents" }), "{err}");
    let mut f = week(TenantId::new());
    f.numbers = vec![NumberId::new()];
    let err = agents::sums(&pool, &f, Grouping::Total, false).await.expect_err("numbers on agent_rollup");
    assert!(matches!(err, ReportQueryError::Unsupported { filter: "numbers" }), "{err}");
    let mut f = week(TenantId::new());
    f.queues = vec![QueueId::new()];
    let err = agents::state_times(&pool, &f, Grouping::Total).await.expect_err("queues on states");
    assert!(matches!(err, ReportQueryError::Unsupported { filter: "queues" }), "{err}");
}

/// An agent_rollup row: offered, answered, rona, talk ms, surveyed, sum.
async fn agent_row(
    pool: &sqlx::PgPool,
    tenant: TenantId,
    bucket: chrono::DateTime<chrono::Utc>,
    agent: AgentId,
    queue: QueueId,
    (offered, answered, rona, talk_ms, surveyed, survey_sum): (u32, u32, u32, u64, u32, u32),
) {
    let cols = [
        ("agent_id", lit(agent.as_uuid())),
        ("queue_id", lit(queue.as_uuid())),
        ("direction", "'inbound'".into()),
        ("offered", offered.to_string()),
        ("answered", answered.to_string()),
        ("rona", rona.to_string()),
        ("talk_ms", talk_ms.to_string()),
        ("surveyed", surveyed.to_string()),
        ("survey_sum", survey_sum.to_string()),
    ];
    insert(pool, "agent_rollup", tenant, bucket, &cols).await;
}

#[tokio::test]
async fn agent_sums_states_and_dispositions_per_agent() {
    let pool = store::testing::fresh_database().await;
    let (a, b) = (TenantId::new(), TenantId::new());
    let (ann, bob) = (AgentId::new(), AgentId::new());
    let (sales, support) = (QueueId::new(), QueueId::new());
    agent_row(&pool, a, at(0, 9, 0), ann, sales, (5, 4, 1, 400_000, 2, 9)).await;
    agent_row(&pool, a, at(0, 9, 15), ann, support, (3, 3, 0, 200_000, 1, 5)).await;
    agent_row(&pool, a, at(1, 9, 0), bob, sales, (6, 5, 1, 300_000, 0, 0)).await;
    agent_row(&pool, b, at(0, 9, 0), ann, sales, (99, 99, 0, 1, 0, 0)).await;

    let all = agents::sums(&pool, &week(a), Grouping::Total, false).await.expect("sums");
    let got: Vec<_> =
        all.iter().map(|g| (g.agent_id, g.counters.offered, g.counters.answered, g.counters.talk_ms)).collect();
    let mut expected = vec![(ann, 8, 7, 600_000), (bob, 6, 5, 300_000)];
    expected.sort_by_key(|e| e.0);
    assert_eq!(got, expected);
    let ann_total = all.iter().find(|g| g.agent_id == ann).expect("ann");
    assert_eq!((ann_total.counters.rona, ann_total.counters.surveyed, ann_total.counters.survey_sum), (1, 3, 14));

    let mut only_ann = week(a);
    only_ann.agents = vec![ann];
    let by_queue = agents::sums(&pool, &only_ann, Grouping::Total, true).await.expect("sums");
    let mut got: Vec<_> = by_queue.iter().map(|g| (g.queue_id, g.counters.answered)).collect();
    got.sort();
    let mut expected = vec![(Some(sales), 4), (Some(support), 3)];
    expected.sort();
    assert_eq!(got, expected);

    let mut in_sales = week(a);
    in_sales.queues = vec![sales];
    let by_day = agents::sums(&pool, &in_sales, Grouping::Day, false).await.expect("sums");
    let day = |d: u32| GroupKey::Local(NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(0, 0, 0).unwrap());
    let got: Vec<_> = by_day.iter().map(|g| (g.key, g.agent_id, g.counters.answered)).collect();
    assert_eq!(got, vec![(day(2), ann, 4), (day(3), bob, 5)]);

    // States: ann available 10 + 5 min and on a break 3 min; tenant b noise.
    let state = |agent: AgentId, state: &str, reason: Option<&str>, ms: u64| {
        vec![
            ("agent_id", lit(agent.as_uuid())),
            ("state", format!("'{state}'")),
            ("reason", reason.map_or("NULL".into(), |r| format!("'{r}'"))),
            ("ms", ms.to_string()),
        ]
    };
    insert(&pool, "agent_state_rollup", a, at(0, 9, 0), &state(ann, "available", None, 600_000)).await;
    insert(&pool, "agent_state_rollup", a, at(0, 9, 15), &state(ann, "available", None, 300_000)).await;
    insert(&pool, "agent_state_rollup", a, at(0, 9, 15), &state(ann, "not_ready", Some("break"), 180_000)).await;
    insert(&pool, "agent_state_rollup", b, at(0, 9, 15), &state(ann, "not_ready", Some("break"), 1)).await;
    let times = agents::state_times(&pool, &only_ann, Grouping::Total).await.expect("states");
    let st = |state: &str, reason: Option<&str>, ms| StateTime {
        key: GroupKey::Total,
        agent_id: ann,
        state: state.into(),
        reason: reason.map(Into::into),
        ms,
    };
    assert_eq!(times, vec![st("available", None, 900_000), st("not_ready", Some("break"), 180_000)]);

    // Dispositions: sale 3 (ann 2, bob 1), refund 1 (ann).
    let disp = |agent: AgentId, d: &str, n: u32| {
        vec![
            ("agent_id", lit(agent.as_uuid())),
            ("queue_id", lit(sales.as_uuid())),
            ("disposition", format!("'{d}'")),
            ("calls", n.to_string()),
        ]
    };
    insert(&pool, "disposition_rollup", a, at(0, 9, 0), &disp(ann, "sale", 2)).await;
    insert(&pool, "disposition_rollup", a, at(0, 9, 0), &disp(ann, "refund", 1)).await;
    insert(&pool, "disposition_rollup", a, at(1, 9, 0), &disp(bob, "sale", 1)).await;
    insert(&pool, "disposition_rollup", b, at(0, 9, 0), &disp(ann, "sale", 50)).await;
    let d = agents::dispositions(&pool, &week(a), false).await.expect("dispositions");
    let dc = |agent_id, d: &str, calls| DispositionCount { agent_id, disposition: d.into(), calls };
    assert_eq!(d, vec![dc(None, "sale", 3), dc(None, "refund", 1)]);
    let d = agents::dispositions(&pool, &only_ann, true).await.expect("dispositions");
    assert_eq!(d, vec![dc(Some(ann), "sale", 2), dc(Some(ann), "refund", 1)]);
}

#[tokio::test]
async fn ivr_counts_per_flow_choice_and_exit() {
    let pool = store::testing::fresh_database().await;
    let (a, b) = (TenantId::new(), TenantId::new());
    let (menu, other) = (IvrFlowId::new(), IvrFlowId::new());
    let row = |flow: IvrFlowId, kind: &str, value: &str, n: u32| {
        vec![
            ("flow_id", lit(flow.as_uuid())),
            ("kind", format!("'{kind}'")),
            ("value", format!("'{value}'")),
            ("calls", n.to_string()),
        ]
    };
    insert(&pool, "ivr_rollup", a, at(0, 9, 0), &row(menu, "choice", "main=1", 4)).await;
    insert(&pool, "ivr_rollup", a, at(0, 9, 15), &row(menu, "choice", "main=1", 3)).await;
    insert(&pool, "ivr_rollup", a, at(0, 9, 15), &row(menu, "choice", "main=2", 9)).await;
    insert(&pool, "ivr_rollup", a, at(0, 9, 15), &row(menu, "exit", "main=hangup", 2)).await;
    insert(&pool, "ivr_rollup", a, at(0, 9, 15), &row(other, "exit", "start=queue", 1)).await;
    insert(&pool, "ivr_rollup", b, at(0, 9, 15), &row(menu, "choice", "main=1", 100)).await;
    let mut f = week(a);
    f.ivr_flows = vec![menu];
    let got = ivr::counts(&pool, &f).await.expect("ivr");
    let c = |kind, value: &str, calls| IvrCount { flow_id: menu, kind, value: value.into(), calls };
    assert_eq!(
        got,
        vec![c(IvrKind::Choice, "main=2", 9), c(IvrKind::Choice, "main=1", 7), c(IvrKind::Exit, "main=hangup", 2)]
    );
    assert_eq!(ivr::counts(&pool, &week(a)).await.expect("ivr").len(), 4);
}

#[tokio::test]
async fn sums_read_what_the_rollup_triggers_write_from_cdr_rows() {
    let pool = store::testing::fresh_database().await;
    let (tenant, sales) = (TenantId::new(), QueueId::new());
    // Two answered calls (waits 4.2 s and 25 s) and one abandoned in the
    // queue after 3 s, all queued in sales on Monday at 09:0x.
    for (minute, outcome, stage, wait_ms) in
        [(1, "answered", None, 4_200), (2, "answered", None, 25_000), (3, "abandoned", Some("queue"), 3_000)]
    {
        sqlx::query(
            "INSERT INTO calls (call_id, tenant_id, arrived_at, queued_at, outcome, abandon_stage, caller_number, \
             dialled_number, queue_id, wait_ms) VALUES ($1, $2, $3, $3, $4, $5, '+441632960001', '+441632960999', $6, $7)",
        )
        .bind(uuid::Uuid::new_v4())
        .bind(tenant.as_uuid())
        .bind(at(0, 9, minute))
        .bind(outcome)
        .bind(stage)
        .bind(sales.as_uuid())
        .bind(wait_ms as i64)
        .execute(&pool)
        .await
        .expect("insert call");
    }
    let s = calls::sums(&pool, &week(tenant), Grouping::Bucket, CallSplit::Queue).await.expect("sums");
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!((s[0].key, &s[0].dim), (GroupKey::Bucket(at(0, 9, 0)), &CallDim::Queue(Some(sales))));
    let c = &s[0].counters;
    assert_eq!((c.calls, c.queued, c.answered, c.abandoned_queue), (3, 3, 2, 1));
    // Within 5 s: one answer (4.2 s) and the abandon (3 s); within 30 s: both answers.
    assert_eq!((c.answered_within[0], c.answered_within[4], c.abandoned_within[0]), (1, 2, 1));
    assert_eq!((c.wait_answered_ms, c.wait_abandoned_ms), (29_200, 3_000));
}

#[tokio::test]
async fn whole_hours_and_days_of_a_range_come_from_the_coarse_rollups_and_its_edges_from_the_fine() {
    let pool = store::testing::fresh_database().await;
    let tenant = TenantId::new();
    let sales = QueueId::new();
    // Powers of two, so every sum names the buckets it counted. 18:15 and
    // 18:30 UTC share a UTC hour but not a day in Kolkata (+05:30): 23:45
    // on Monday and 00:00 on Tuesday.
    let buckets = [(9, 0), (9, 15), (9, 45), (10, 0), (10, 30), (11, 15), (18, 15), (18, 30)];
    for (i, (h, m)) in buckets.into_iter().enumerate() {
        call_row(&pool, tenant, at(0, h, m), sales, 0, (1 << i, 0, 0, 0, 0), false).await;
    }
    let calls_in = |range: std::ops::Range<chrono::DateTime<chrono::Utc>>, zone: &str| {
        let mut f = store::reports::Filter::new(tenant, range);
        f.time_zone = zone.into();
        f
    };

    // 09:15 to 11:15: the hour 10:00 whole (8 + 16), 09:15 and 09:45 (2 + 4)
    // from the quarters; 11:15 is the end, not counted.
    let f = calls_in(at(0, 9, 15)..at(0, 11, 15), "UTC");
    let total = calls::sums(&pool, &f, Grouping::Total, CallSplit::None).await.expect("sums");
    assert_eq!(total[0].counters.calls, 2 + 4 + 8 + 16);
    let rows = calls::hour_or_quarter_buckets(&pool, &f, CallSplit::None).await.expect("rows");
    let got: Vec<_> = rows.iter().map(|g| (g.key, g.counters.calls)).collect();
    assert_eq!(
        got,
        vec![
            (GroupKey::Bucket(at(0, 9, 15)), 2),
            (GroupKey::Bucket(at(0, 9, 45)), 4),
            (GroupKey::Bucket(at(0, 10, 0)), 8 + 16)
        ],
        "the whole hour is one row"
    );

    // In Kolkata an hour row would put 18:30 UTC on Monday: quarters only.
    let day = calls_in(at(0, 0, 0)..at(1, 0, 0), "Asia/Kolkata");
    let rows = calls::hour_or_quarter_buckets(&pool, &day, CallSplit::None).await.expect("rows");
    assert_eq!(rows.len(), buckets.len(), "one row per quarter");
    let by_day = calls::sums(&pool, &day, Grouping::Day, CallSplit::None).await.expect("sums");
    let local = |d: u32| GroupKey::Local(NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(0, 0, 0).unwrap());
    let got: Vec<_> = by_day.iter().map(|g| (g.key, g.counters.calls)).collect();
    assert_eq!(got, vec![(local(2), 127), (local(3), 128)]);
    // The total needs no local key: any zone may use the hours.
    let total = calls::sums(&pool, &day, Grouping::Total, CallSplit::None).await.expect("sums");
    assert_eq!(total[0].counters.calls, 255);

    // Agents by UTC day: Monday 12:00 to Thursday 00:00 is Tuesday and
    // Wednesday whole, and nothing of Monday's 09:00.
    let ann = AgentId::new();
    for (d, answered) in [(0, 1), (1, 2), (2, 4)] {
        agent_row(&pool, tenant, at(d, 9, 0), ann, sales, (answered, answered, 0, 0, 0, 0)).await;
    }
    agent_row(&pool, tenant, at(2, 23, 45), ann, sales, (8, 8, 0, 0, 0, 0)).await;
    agent_row(&pool, tenant, at(3, 0, 0), ann, sales, (16, 16, 0, 0, 0, 0)).await;
    let f = calls_in(at(0, 12, 0)..at(3, 0, 0), "UTC");
    let sums = agents::sums(&pool, &f, Grouping::Total, false).await.expect("sums");
    assert_eq!(sums.iter().map(|g| g.counters.answered).collect::<Vec<_>>(), vec![2 + 4 + 8]);
    // Ending inside Wednesday: Tuesday whole, Wednesday's 09:00 from the quarters.
    let f = calls_in(at(0, 12, 0)..at(2, 23, 45), "UTC");
    let sums = agents::sums(&pool, &f, Grouping::Total, false).await.expect("sums");
    assert_eq!(sums.iter().map(|g| g.counters.answered).collect::<Vec<_>>(), vec![2 + 4]);

    let state = |ms: u64| {
        vec![
            ("agent_id", lit(ann.as_uuid())),
            ("state", "'available'".into()),
            ("reason", "NULL".into()),
            ("ms", ms.to_string()),
        ]
    };
    for (d, h, ms) in [(0, 9, 1), (1, 9, 2), (1, 23, 4), (2, 0, 8), (2, 12, 16)] {
        insert(&pool, "agent_state_rollup", tenant, at(d, h, 0), &state(ms)).await;
    }
    let f = calls_in(at(1, 0, 0)..at(2, 12, 0), "UTC");
    let times = agents::state_times(&pool, &f, Grouping::Total).await.expect("states");
    assert_eq!(times.iter().map(|t| t.ms).collect::<Vec<_>>(), vec![2 + 4 + 8], "Tuesday whole, Wednesday until noon");
}
