//! The rollups (migration 0011) kept by the triggers on `calls` and
//! `agent_state_intervals`: equal to a rebuild from scratch after inserts,
//! updates and deletes, equal to hand-computed cells, and equal to the Rust
//! mirror of the rules (`CallCounters::of`, `AgentCounters::of`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use model::report::{AgentCounters, AgentKey, CallCounters, CallKey, WAIT_EDGES_SECS};
use model::{
    AbandonStage, AgentId, CallDirection, CallId, CallOutcome, CallRecord, EndCause, IvrExit, IvrFlowId, NumberId,
    QueueId, TenantId, VipTier,
};
use serde_json::Value;
use sqlx::PgPool;

/// Monday 2 March 2026, 09:00 UTC, plus `ms`.
pub fn t(ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::milliseconds(ms)
}

/// A record of `tenant` arrived at `t(at_ms)` that nobody answered: fill in
/// what a test needs.
pub fn record(tenant: TenantId, at_ms: i64, outcome: CallOutcome) -> CallRecord {
    CallRecord {
        call_id: CallId::new(),
        tenant_id: tenant,
        arrived_at: t(at_ms),
        ivr_entered_at: None,
        ivr_left_at: None,
        queued_at: None,
        answered_at: None,
        ended_at: Some(t(at_ms + 600_000)),
        outcome,
        abandon_stage: None,
        end_cause: Some(EndCause::CallerHangup),
        number_id: None,
        queue_id: None,
        agent_id: None,
        contact_id: None,
        caller_number: "+441632960001".into(),
        dialled_number: "+441632960999".into(),
        vip_tier: VipTier(0),
        outside_business_hours: false,
        wait_ms: None,
        ring_ms: None,
        talk_ms: None,
        hold_ms: None,
        wrap_up_ms: None,
        survey_score: None,
        survey_scale: None,
        disposition: None,
        direction: CallDirection::Inbound,
        recording_path: None,
        voicemail_path: None,
        callback_offered: false,
        rona_agent_ids: vec![],
        rejected_agent_ids: vec![],
        ivr_flow_id: None,
        ivr_choices: vec![],
        ivr_exit_node: None,
        ivr_exit: None,
    }
}

/// A deterministic source of choices (xorshift).
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed | 1)
    }

    pub fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        xs[(self.0 % xs.len() as u64) as usize].clone()
    }
}

/// The queues, numbers, agents and flows the varied rows draw from.
pub struct Cast {
    pub queues: [QueueId; 2],
    pub numbers: [NumberId; 2],
    pub agents: [AgentId; 3],
    pub flows: [IvrFlowId; 2],
}

impl Cast {
    pub fn new() -> Cast {
        Cast {
            queues: [QueueId::new(), QueueId::new()],
            numbers: [NumberId::new(), NumberId::new()],
            agents: [AgentId::new(), AgentId::new(), AgentId::new()],
            flows: [IvrFlowId::new(), IvrFlowId::new()],
        }
    }
}

const OUTCOMES: [CallOutcome; 9] = [
    CallOutcome::Answered,
    CallOutcome::Abandoned,
    CallOutcome::Voicemail,
    CallOutcome::Callback,
    CallOutcome::Overflow,
    CallOutcome::FlowHangup,
    CallOutcome::TransferredOut,
    CallOutcome::Failed,
    CallOutcome::NotReached,
];

/// `n` rows of `tenant` covering every outcome, abandon stage, wait edge,
/// survey scale, IVR exit and bucket boundary, not necessarily ones the
/// projection would write (the rules are per column).
pub fn varied(tenant: TenantId, cast: &Cast, n: usize, seed: u64) -> Vec<CallRecord> {
    let mut dice = Dice::new(seed);
    let (q, a, f) = (cast.queues, cast.agents, cast.flows);
    (0..n)
        .map(|i| {
            let at = dice.pick(&[0, 899_999, 900_000, 1_234_567, 2_700_001, 3_599_999]) + i as i64;
            let mut r = record(tenant, at, OUTCOMES[i % OUTCOMES.len()]);
            r.caller_number = format!("+4416329600{:02}", i % 100);
            r.number_id = dice.pick(&[Some(cast.numbers[0]), Some(cast.numbers[1]), None]);
            r.vip_tier = VipTier(dice.pick(&[0, 0, 1, 2]));
            r.outside_business_hours = dice.pick(&[false, false, true]);
            if r.outcome == CallOutcome::NotReached || dice.pick(&[false, false, false, true]) {
                r.direction = CallDirection::Outbound;
            }
            if r.outcome == CallOutcome::Abandoned {
                r.abandon_stage = Some(dice.pick(&[AbandonStage::Ivr, AbandonStage::Queue, AbandonStage::Ringing]));
            }
            r.queue_id = dice.pick(&[Some(q[0]), Some(q[1]), None]);
            if r.queue_id.is_some() {
                r.queued_at = Some(r.arrived_at + Duration::seconds(1));
                r.wait_ms = dice.pick(&[
                    Some(0),
                    Some(4_999),
                    Some(5_000),
                    Some(5_001),
                    Some(20_000),
                    Some(20_001),
                    Some(45_000),
                    Some(300_000),
                    Some(300_001),
                    None,
                ]);
            }
            if dice.pick(&[true, false, false]) {
                r.ivr_entered_at = Some(r.arrived_at + Duration::milliseconds(100));
                r.ivr_left_at = dice
                    .pick(&[Some(0), Some(4_321), Some(60_000), None])
                    .map(|ms| r.arrived_at + Duration::milliseconds(100 + ms));
                r.ivr_flow_id = Some(dice.pick(&f));
                r.ivr_choices = dice
                    .pick(&[vec![], vec!["main=1"], vec!["main=1", "sales=2"], vec!["main=9", "main=9"]])
                    .into_iter()
                    .map(String::from)
                    .collect();
                let exit = dice.pick(&[
                    (Some("q"), Some(IvrExit::Enqueued)),
                    (None, Some(IvrExit::CallerHangup)),
                    (Some("closed"), Some(IvrExit::FlowHangup)),
                    (None, None),
                ]);
                (r.ivr_exit_node, r.ivr_exit) = (exit.0.map(String::from), exit.1);
            }
            let reached = match r.outcome {
                CallOutcome::Answered => true,
                CallOutcome::Callback => dice.pick(&[true, false]),
                _ => false,
            };
            if reached {
                r.answered_at = Some(r.arrived_at + Duration::seconds(dice.pick(&[30, 3_600])));
                r.agent_id = Some(dice.pick(&a));
                r.ring_ms = dice.pick(&[None, Some(0), Some(2_500)]);
                r.talk_ms = Some(60_000 + i as i64);
                r.hold_ms = dice.pick(&[Some(0), Some(7_000), None]);
            } else if r.outcome == CallOutcome::NotReached {
                r.agent_id = Some(dice.pick(&a));
            }
            r.wrap_up_ms = dice.pick(&[None, None, Some(12_000)]);
            (r.survey_score, r.survey_scale) = dice.pick(&[
                (None, None),
                (Some(3), Some(5)),
                (Some(5), Some(5)),
                (Some(0), Some(10)),
                (Some(10), Some(10)),
                (Some(7), Some(10)),
                (Some(0), Some(5)),
            ]);
            r.disposition = dice.pick(&[None, Some("sale".to_owned()), Some("refund".to_owned())]);
            r.callback_offered = dice.pick(&[false, true]);
            r.rona_agent_ids = dice.pick(&[vec![], vec![a[0]], vec![a[1], a[1]], vec![a[2], a[0]]]);
            r.rejected_agent_ids = dice.pick(&[vec![], vec![], vec![a[1]], vec![a[0], a[0], a[2]]]);
            r
        })
        .collect()
}

/// Upserts `records` in one statement, the way `store::cdr` writes rows
/// (`jsonb_populate_recordset`, `ON CONFLICT (call_id) DO UPDATE`).
pub async fn upsert<'c>(db: impl sqlx::PgExecutor<'c>, records: &[CallRecord]) {
    let json = serde_json::to_value(records).expect("records as JSON");
    let columns: Vec<String> = json[0].as_object().expect("a record").keys().cloned().collect();
    let sets: Vec<String> = columns.iter().filter(|c| *c != "call_id").map(|c| format!("{c} = EXCLUDED.{c}")).collect();
    let list = columns.join(", ");
    let sql = format!(
        "INSERT INTO calls ({list}) SELECT {list} FROM jsonb_populate_recordset(NULL::calls, $1) \
         ON CONFLICT (call_id) DO UPDATE SET {}",
        sets.join(", ")
    );
    sqlx::query(&sql).bind(json).execute(db).await.expect("upsert calls");
}

/// The rollup tables, the coarse ones of migration 0012 last.
pub const TABLES: [&str; 8] = [
    "call_rollup",
    "agent_rollup",
    "disposition_rollup",
    "ivr_rollup",
    "agent_state_rollup",
    "call_rollup_hour",
    "agent_rollup_day",
    "agent_state_rollup_day",
];

/// Every rollup row of `tenant`, per table, as JSON in a fixed order.
pub async fn snapshot(pool: &PgPool, tenant: TenantId) -> BTreeMap<&'static str, Vec<Value>> {
    let mut out = BTreeMap::new();
    for table in TABLES {
        let rows: Vec<(Value,)> = sqlx::query_as(&format!(
            "SELECT to_jsonb(r) FROM {table} r WHERE tenant_id = $1 ORDER BY to_jsonb(r)::text"
        ))
        .bind(tenant.as_uuid())
        .fetch_all(pool)
        .await
        .expect("read a rollup");
        out.insert(table, rows.into_iter().map(|(v,)| v).collect());
    }
    out
}

/// Recomputes `tenant`'s rollups from scratch.
pub async fn rebuild(pool: &PgPool, tenant: TenantId) {
    sqlx::query("SELECT rebuild_rollups($1)").bind(tenant.as_uuid()).execute(pool).await.expect("rebuild");
}

/// `call_rollup` rows of `tenant` as keys and counters.
pub async fn call_rows(pool: &PgPool, tenant: TenantId) -> HashMap<CallKey, CallCounters> {
    let rows = snapshot(pool, tenant).await.remove("call_rollup").unwrap_or_default();
    rows.into_iter()
        .map(|mut row| {
            let key = CallKey {
                tenant_id: field(&row, "tenant_id"),
                bucket: field(&row, "bucket"),
                queue_id: field(&row, "queue_id"),
                number_id: field(&row, "number_id"),
                vip_tier: field(&row, "vip_tier"),
                direction: field(&row, "direction"),
                via_ivr: field(&row, "via_ivr"),
                outside_business_hours: field(&row, "outside_business_hours"),
            };
            let series = |row: &Value, prefix: &str, from: u32, to: u32| -> Vec<Value> {
                (from..=to).map(|i| row[format!("{prefix}_{i}")].clone()).collect()
            };
            let answered: Vec<Value> =
                WAIT_EDGES_SECS.iter().map(|e| row[format!("answered_within_{e}")].clone()).collect();
            let abandoned: Vec<Value> =
                WAIT_EDGES_SECS.iter().map(|e| row[format!("abandoned_within_{e}")].clone()).collect();
            let (csat, nps) = (series(&row, "csat", 1, 5), series(&row, "nps", 0, 10));
            let object = row.as_object_mut().expect("a row");
            object.insert("answered_within".into(), answered.into());
            object.insert("abandoned_within".into(), abandoned.into());
            object.insert("csat".into(), csat.into());
            object.insert("nps".into(), nps.into());
            (key, serde_json::from_value(row).expect("counters"))
        })
        .collect()
}

/// `agent_rollup` rows of `tenant` as keys and counters.
pub async fn agent_rows(pool: &PgPool, tenant: TenantId) -> HashMap<AgentKey, AgentCounters> {
    let rows = snapshot(pool, tenant).await.remove("agent_rollup").unwrap_or_default();
    rows.into_iter()
        .map(|row| {
            let key = AgentKey {
                tenant_id: field(&row, "tenant_id"),
                bucket: field(&row, "bucket"),
                agent_id: field(&row, "agent_id"),
                queue_id: field(&row, "queue_id"),
                direction: field(&row, "direction"),
            };
            (key, serde_json::from_value(row).expect("counters"))
        })
        .collect()
}

fn field<T: serde::de::DeserializeOwned>(row: &Value, name: &str) -> T {
    serde_json::from_value(row[name].clone()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// What the Rust mirror says `records` add up to.
pub fn mirrored(records: &[CallRecord]) -> (HashMap<CallKey, CallCounters>, HashMap<AgentKey, AgentCounters>) {
    let (mut calls, mut agents) = (HashMap::<CallKey, CallCounters>::new(), HashMap::<AgentKey, AgentCounters>::new());
    for r in records {
        *calls.entry(CallKey::of(r)).or_default() += &CallCounters::of(r);
        for (key, counters) in AgentCounters::of(r) {
            *agents.entry(key).or_default() += &counters;
        }
    }
    (calls, agents)
}

/// Inserts an interval of `agent` (closed when `end` is given).
async fn interval(pool: &PgPool, tenant: TenantId, agent: AgentId, state: &str, start: i64, end: Option<i64>) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO agent_state_intervals (tenant_id, agent_id, state, reason, started_at, ended_at) \
         VALUES ($1, $2, $3, NULL, $4, $5) RETURNING id",
    )
    .bind(tenant.as_uuid())
    .bind(agent.as_uuid())
    .bind(state)
    .bind(t(start))
    .bind(end.map(t))
    .fetch_one(pool)
    .await
    .expect("insert an interval");
    id
}

#[tokio::test]
async fn triggers_keep_every_rollup_equal_to_a_rebuild_through_inserts_updates_and_a_delete() {
    let pool = store::testing::fresh_database().await;
    let (tenant, other, cast) = (TenantId::new(), TenantId::new(), Cast::new());
    let mut records = varied(tenant, &cast, 90, 7);
    for chunk in records.chunks(30) {
        upsert(&pool, chunk).await;
    }
    upsert(&pool, &varied(other, &cast, 12, 8)).await;
    let others = snapshot(&pool, other).await;

    // Late events re-finalise some rows (a disposition, a survey, a callback
    // reached later in another queue); the rest come back unchanged.
    records[3].disposition = Some("late".into());
    records[10].disposition = None;
    (records[5].survey_score, records[5].survey_scale) = (Some(4), Some(5));
    records[3].outcome = CallOutcome::Callback;
    records[3].answered_at = Some(t(7_200_000));
    records[3].queue_id = Some(cast.queues[1]);
    upsert(&pool, &records).await;
    let gone = records.remove(12);
    sqlx::query("DELETE FROM calls WHERE call_id = $1")
        .bind(gone.call_id.as_uuid())
        .execute(&pool)
        .await
        .expect("delete");

    // Agent time: opened then closed, inserted closed, shortened, deleted.
    let agent = cast.agents[0];
    let open = interval(&pool, tenant, agent, "available", 0, None).await;
    sqlx::query("UPDATE agent_state_intervals SET ended_at = $2 WHERE id = $1")
        .bind(open)
        .bind(t(1_000_000))
        .execute(&pool)
        .await
        .expect("close");
    let closed = interval(&pool, tenant, agent, "on_call", 1_000_000, Some(2_000_000)).await;
    sqlx::query("UPDATE agent_state_intervals SET ended_at = $2 WHERE id = $1")
        .bind(closed)
        .bind(t(1_500_000))
        .execute(&pool)
        .await
        .expect("shorten");
    let dropped = interval(&pool, tenant, agent, "wrap_up", 1_500_000, Some(1_600_000)).await;
    sqlx::query("DELETE FROM agent_state_intervals WHERE id = $1").bind(dropped).execute(&pool).await.expect("delete");

    let kept = snapshot(&pool, tenant).await;
    for table in TABLES {
        assert!(!kept[table].is_empty(), "{table} has rows (the comparison is not vacuous)");
    }
    // Each coarse row is the sum of the fine rows inside it.
    sqlx::query("SELECT rebuild_coarse_rollups($1)").bind(tenant.as_uuid()).execute(&pool).await.expect("coarse");
    assert_eq!(snapshot(&pool, tenant).await, kept, "the coarse rollups kept by the triggers vs summed from the fine");
    let coarse_rows = |table: &str| kept[table].len();
    assert!(coarse_rows("call_rollup_hour") < coarse_rows("call_rollup"), "hours hold fewer rows than quarters");
    assert!(coarse_rows("agent_state_rollup_day") < coarse_rows("agent_state_rollup"));
    rebuild(&pool, tenant).await;
    let rebuilt = snapshot(&pool, tenant).await;
    for table in TABLES {
        assert_eq!(kept[table], rebuilt[table], "{table}: kept by the triggers vs rebuilt");
    }
    assert_eq!(snapshot(&pool, other).await, others, "rebuilding one tenant leaves another alone");

    // And the trigger rules are the Rust mirror's.
    let (calls, agents) = mirrored(&records);
    assert_eq!(call_rows(&pool, tenant).await, calls);
    assert_eq!(agent_rows(&pool, tenant).await, agents);
}

#[tokio::test]
async fn the_trigger_and_the_rust_mirror_agree_on_varied_rows() {
    let pool = store::testing::fresh_database().await;
    let (tenant, cast) = (TenantId::new(), Cast::new());
    let records = varied(tenant, &cast, 400, 99);
    for chunk in records.chunks(100) {
        upsert(&pool, chunk).await;
    }
    let (calls, agents) = mirrored(&records);
    let stored = call_rows(&pool, tenant).await;
    assert!(stored.len() > 20, "rows in many keys: {}", stored.len());
    for (key, counters) in &calls {
        assert_eq!(stored.get(key), Some(counters), "{key:?}");
    }
    assert_eq!(stored.len(), calls.len());
    assert_eq!(agent_rows(&pool, tenant).await, agents);
}
