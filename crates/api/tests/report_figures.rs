//! The figures of `/api/v1/reports/{service-level,volume,heatmap,agents,
//! agents/ranking}` over hand-inserted rollup rows, each figure computed by
//! hand here; roles and CSV.

use axum::http::StatusCode;
use model::{AgentId, QueueId, TenantId};
use serde_json::{Value, json};

use crate::common::{App, queue};

const RANGE: &str = "from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z";

struct Floor {
    tenant: TenantId,
    admin: String,
    supervisor: String,
    alice_token: String,
    alice: AgentId,
    bob: AgentId,
    carol: AgentId,
}

/// Alice and Bob in sales, Carol in support.
async fn floor(app: &App) -> Floor {
    let t = app.tenant("acme").await;
    let sales: QueueId = app.create(&t.admin, "/api/v1/queues", queue("Sales")).await.parse().expect("id");
    let support: QueueId = app.create(&t.admin, "/api/v1/queues", queue("Support")).await.parse().expect("id");
    let (supervisor, _) = app.user(&t, "sue", "supervisor").await;
    let (alice_token, alice_user) = app.user(&t, "alice", "agent").await;
    let mut ids = Vec::new();
    for (user, name, ext, q) in
        [(Some(alice_user), "Alice", "1001", sales), (None, "Bob", "1002", sales), (None, "Carol", "1003", support)]
    {
        let body = json!({"user_id": user, "name": name, "extension": ext, "mobile_number": null,
                          "queues": [{"queue_id": q, "weight": 1}]});
        ids.push(app.create(&t.admin, "/api/v1/agents", body).await.parse::<AgentId>().expect("id"));
    }
    let tenant = TenantId(t.id.parse().expect("tenant id"));
    Floor { tenant, admin: t.admin, supervisor, alice_token, alice: ids[0], bob: ids[1], carol: ids[2] }
}

/// Inserts a row into `table` for `tenant` at `bucket` with `cols` = `vals`,
/// then recomputes the tenant's coarse rollups (migration 0012) from the
/// fine ones, as the triggers would have kept them.
async fn row(app: &App, table: &str, tenant: TenantId, bucket: &str, cols: &str, vals: &str) {
    let sql = format!("INSERT INTO {table} (tenant_id, bucket, {cols}) VALUES ($1, $2::timestamptz, {vals})");
    sqlx::query(&sql)
        .bind(tenant.as_uuid())
        .bind(bucket)
        .execute(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    app.rebuild_coarse_rollups(tenant.as_uuid()).await;
}

const CALL_KEYS: &str = "queue_id, number_id, vip_tier, direction, via_ivr, outside_business_hours";

/// Monday 09:00 UTC: 10 calls queued, 8 answered (6 within 20 s), 2
/// abandoned in the queue (1 within 5 s); 09:15: 5 answered (4 within
/// 20 s); 09:30, via the IVR and outside business hours: 4 calls, 3 left
/// in the IVR, 1 queued and answered (within 20 s).
async fn calls(app: &App, tenant: TenantId) {
    let keys = format!("{CALL_KEYS}, calls, queued, answered, answered_within_20, abandoned_queue, abandoned_within_5");
    row(
        app,
        "call_rollup",
        tenant,
        "2026-03-02T09:00:00Z",
        &keys,
        "NULL, NULL, 0, 'inbound', false, false, 10, 10, 8, 6, 2, 1",
    )
    .await;
    row(
        app,
        "call_rollup",
        tenant,
        "2026-03-02T09:15:00Z",
        &keys,
        "NULL, NULL, 0, 'inbound', false, false, 5, 5, 5, 4, 0, 0",
    )
    .await;
    let keys = format!("{CALL_KEYS}, calls, queued, answered, answered_within_20, abandoned_ivr");
    row(
        app,
        "call_rollup",
        tenant,
        "2026-03-02T09:30:00Z",
        &keys,
        "NULL, NULL, 0, 'inbound', true, true, 4, 1, 1, 1, 3",
    )
    .await;
}

fn sl(v: &Value) -> (u64, u64) {
    (v["numerator"].as_u64().expect("numerator"), v["denominator"].as_u64().expect("denominator"))
}

#[tokio::test]
async fn service_level_under_each_abandon_treatment_and_per_group() {
    let app = App::new().await;
    let f = floor(&app).await;
    calls(&app, f.tenant).await;
    let base = format!("/api/v1/reports/service-level?{RANGE}");
    // Answered within 20 s: 6 + 4 + 1 = 11; answered 14; abandoned in the
    // queue 2 (one within 5 s); the IVR's 3 do not count.
    let (status, r) = app.call("GET", &base, Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(sl(&r["total"]), (11, 16));
    assert!(r["total"]["formula"].as_str().expect("formula").contains("abandoned in queue"));
    assert_eq!(r["groups"], json!([]));
    let (_, r) = app.call("GET", &format!("{base}&abandons=excluded"), Some(&f.supervisor), None).await;
    assert_eq!(sl(&r["total"]), (11, 14));
    let (_, r) = app
        .call("GET", &format!("{base}&abandons=short_excluded&short_abandon_secs=5"), Some(&f.supervisor), None)
        .await;
    assert_eq!(sl(&r["total"]), (11, 15));
    // Per quarter hour: 6/10, 4/5, 1/1; per hour one group of 11/16.
    let (_, r) = app.call("GET", &format!("{base}&group=15m"), Some(&f.supervisor), None).await;
    let groups: Vec<(u64, u64)> = r["groups"].as_array().expect("groups").iter().map(|g| sl(&g["value"])).collect();
    assert_eq!(groups, vec![(6, 10), (4, 5), (1, 1)]);
    assert_eq!(r["groups"][0]["start"], "2026-03-02T09:00:00Z");
    let (_, r) = app.call("GET", &format!("{base}&group=60m&time_zone=Europe/Paris"), Some(&f.supervisor), None).await;
    assert_eq!(r["groups"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(r["groups"][0]["start"], "2026-03-02T10:00:00+01:00");
    assert_eq!(sl(&r["groups"][0]["value"]), (11, 16));
    // A threshold the rollups do not count is a 400 naming it.
    let (status, err) = app.call("GET", &format!("{base}&threshold_secs=25"), Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["fields"][0]["field"], "threshold_secs");
    // CSV.
    let (status, headers, csv) = app.raw("GET", &format!("{base}&format=csv"), Some(&f.supervisor), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.starts_with("threshold_secs,target_pct,treatment,formula,numerator,denominator,"), "{csv}");
    assert!(csv.contains(",11,16,"), "{csv}");
    // Agents may not read tenant-wide call figures.
    for report in ["service-level", "volume", "heatmap"] {
        let (status, _) =
            app.call("GET", &format!("/api/v1/reports/{report}?{RANGE}"), Some(&f.alice_token), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{report}");
    }
    // Another tenant sees none of it.
    let other = app.tenant("globex").await;
    let (_, r) = app.call("GET", &base, Some(&other.admin), None).await;
    assert_eq!(sl(&r["total"]), (0, 0));
}

#[tokio::test]
async fn volume_counts_abandonment_by_stage_and_outside_hours() {
    let app = App::new().await;
    let f = floor(&app).await;
    calls(&app, f.tenant).await;
    let (status, r) = app.call("GET", &format!("/api/v1/reports/volume?{RANGE}"), Some(&f.admin), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let t = &r["total"];
    // 19 calls, 14 answered, 5 unanswered; 3 of the 4 IVR calls left in the
    // IVR; 2 of the 16 queued left in the queue; 4 of 19 outside hours.
    assert_eq!(
        (t["offered"].clone(), t["answered"].clone(), t["unanswered"].clone()),
        (json!(19), json!(14), json!(5))
    );
    let ratio = |v: &Value| (v["numerator"].as_u64().expect("n"), v["denominator"].as_u64().expect("d"));
    assert_eq!(ratio(&t["abandoned_ivr"]), (3, 4));
    assert_eq!(ratio(&t["abandoned_queue"]), (2, 16));
    assert_eq!(ratio(&t["abandoned_total"]), (5, 19));
    assert_eq!(ratio(&t["outside_business_hours"]["share"]), (4, 19));
    let (_, r) = app.call("GET", &format!("/api/v1/reports/volume?{RANGE}&group=day"), Some(&f.admin), None).await;
    assert_eq!(r["groups"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(r["groups"][0]["value"]["offered"], 19);
}

#[tokio::test]
async fn the_heatmap_has_a_cell_per_local_weekday_and_hour() {
    let app = App::new().await;
    let f = floor(&app).await;
    calls(&app, f.tenant).await;
    let uri = format!("/api/v1/reports/heatmap?{RANGE}&time_zone=Europe/Paris");
    let (status, r) = app.call("GET", &uri, Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let cells = r["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 7 * 24);
    // 09:00-09:45 UTC is Monday 10h in Paris: 19 calls, SL 11/16.
    let cell = &cells[10];
    assert_eq!(
        (cell["weekday"].clone(), cell["hour"].clone(), cell["offered"].clone()),
        (json!("Mon"), json!(10), json!(19))
    );
    assert_eq!((cell["sl_numerator"].clone(), cell["sl_denominator"].clone()), (json!(11), json!(16)));
    assert_eq!(cells.iter().map(|c| c["offered"].as_u64().unwrap_or(0)).sum::<u64>(), 19);
    let (status, err) = app.call("GET", &format!("{uri}&group=day"), Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
}

async fn agent_rows(app: &App, f: &Floor) {
    let keys = "agent_id, queue_id, direction, offered, answered, rona, talk_ms";
    for (agent, offered, answered, rona) in [(f.alice, 5, 4, 1), (f.bob, 6, 6, 0), (f.carol, 2, 2, 0)] {
        let vals = format!("'{agent}', NULL, 'inbound', {offered}, {answered}, {rona}, {}", answered * 60_000);
        row(app, "agent_rollup", f.tenant, "2026-03-02T09:00:00Z", keys, &vals).await;
    }
    let keys = "agent_id, state, reason, ms";
    for (state, ms) in [("available", 600_000), ("on_call", 240_000)] {
        row(
            app,
            "agent_state_rollup",
            f.tenant,
            "2026-03-02T09:00:00Z",
            keys,
            &format!("'{}', '{state}', NULL, {ms}", f.alice),
        )
        .await;
    }
}

#[tokio::test]
async fn agent_figures_are_the_agents_own_and_the_ranking_their_teams() {
    let app = App::new().await;
    let f = floor(&app).await;
    agent_rows(&app, &f).await;
    let uri = format!("/api/v1/reports/agents?{RANGE}");
    let (status, r) = app.call("GET", &uri, Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let agents = r["agents"].as_array().expect("agents");
    assert_eq!(agents.len(), 1);
    let kpi = &agents[0]["kpi"];
    // 4 of 5 answered, one RONA, 60 s talk each; occupancy 240 / 840 s.
    assert_eq!(
        (kpi["agent_id"].clone(), kpi["answered"].clone(), kpi["missed"].clone()),
        (json!(f.alice), json!(4), json!(1))
    );
    assert_eq!(kpi["avg_talk_secs"], 60.0);
    let occupancy = agents[0]["states"]["occupancy_pct"].as_f64().expect("occupancy");
    assert!((occupancy - 240.0 / 840.0 * 100.0).abs() < 1e-9, "{occupancy}");
    let (status, _) = app.call("GET", &format!("{uri}&agent_ids={}", f.bob), Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, all) = app.call("GET", &uri, Some(&f.supervisor), None).await;
    assert_eq!(all["agents"].as_array().map(Vec::len), Some(3));

    // Alice's team is sales: Bob (6 answered) then Alice (4); not Carol.
    let ranking = format!("/api/v1/reports/agents/ranking?{RANGE}");
    let (status, r) = app.call("GET", &ranking, Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let ranked: Vec<(Value, Value)> = r["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .map(|a| (a["rank"].clone(), a["agent"]["agent_id"].clone()))
        .collect();
    assert_eq!(ranked, vec![(json!(1), json!(f.bob)), (json!(2), json!(f.alice))]);
    assert!(r["rule"].as_str().expect("rule").starts_with("more answered calls first"));
    let (status, _) = app.call("GET", &format!("{ranking}&agent_ids={}", f.carol), Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The supervisor ranks everyone: Bob 6, Alice 4, Carol 2.
    let (_, r) = app.call("GET", &ranking, Some(&f.supervisor), None).await;
    let ids: Vec<Value> =
        r["agents"].as_array().expect("agents").iter().map(|a| a["agent"]["agent_id"].clone()).collect();
    assert_eq!(ids, vec![json!(f.bob), json!(f.alice), json!(f.carol)]);
    let (status, _, csv) = app.raw("GET", &format!("{ranking}&format=csv"), Some(&f.supervisor), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("rank,"), "{csv}");
    assert_eq!(csv.lines().count(), 4, "{csv}");
}

async fn cdr(app: &App, tenant: TenantId, caller: &str, at: &str, outcome: &str) {
    sqlx::query(
        "INSERT INTO calls (call_id, tenant_id, arrived_at, outcome, caller_number, dialled_number) \
         VALUES ($1, $2, $3::timestamptz, $4, $5, '+441632960999')",
    )
    .bind(uuid::Uuid::new_v4())
    .bind(tenant.as_uuid())
    .bind(at)
    .bind(outcome)
    .bind(caller)
    .execute(&app.pool)
    .await
    .expect("cdr row");
}

#[tokio::test]
async fn caller_figures_follow_numbers_within_the_tenant() {
    let app = App::new().await;
    let f = floor(&app).await;
    // A: answered Monday, again Wednesday (within 7 days). B: abandoned,
    // then answered on the second call. Another tenant's A calls too.
    cdr(&app, f.tenant, "+441632960001", "2026-03-02T09:00:00Z", "answered").await;
    cdr(&app, f.tenant, "+441632960001", "2026-03-04T09:00:00Z", "answered").await;
    cdr(&app, f.tenant, "+441632960002", "2026-03-02T10:00:00Z", "abandoned").await;
    cdr(&app, f.tenant, "+441632960002", "2026-03-02T10:05:00Z", "answered").await;
    let other = app.tenant("globex").await;
    let other_id = TenantId(other.id.parse().expect("id"));
    cdr(&app, other_id, "+441632960002", "2026-03-02T11:00:00Z", "answered").await;

    let uri = "/api/v1/reports/callers?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z";
    let (status, r) = app.call("GET", uri, Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["reach"], json!({"callers": 2, "first_attempt": 1, "later": [[2, 1]], "never": 0, "never_calls": 0}));
    assert_eq!(r["repeat"], json!({"callers": 2, "calls": 3, "repeat_callers": 1, "repeat_calls": 2}));
    // A's answer is repeated on Wednesday; B's second call was the last.
    assert_eq!(r["fcr"], json!({"answered": 2, "resolved": 1, "repeated": 1, "undecided": 0}));
    assert_eq!(r["fcr_window_days"], 7);
    // With a 1-day window A's Wednesday call is outside it.
    let (_, r) = app.call("GET", &format!("{uri}&fcr_window_days=1"), Some(&f.supervisor), None).await;
    assert_eq!(r["fcr"]["resolved"], 2, "{r}");
    let (status, headers, csv) = app.raw("GET", &format!("{uri}&format=csv"), Some(&f.supervisor), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.starts_with("period,fcr_window_days,figure,part,attempts,value\r\n"), "{csv}");
    assert!(csv.contains("\r\nrange,7,reach,later,2,1\r\n"), "B reached on the 2nd call: {csv}");
    assert!(csv.contains("\r\nrange,7,fcr,repeated,,1\r\n"), "{csv}");
    let (status, err) = app.call("GET", &format!("{uri}&fcr_window_days=91"), Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let (status, _) = app.call("GET", uri, Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, theirs) = app.call("GET", uri, Some(&other.admin), None).await;
    assert_eq!(theirs["reach"]["callers"], 1);
    assert_eq!(theirs["fcr"]["answered"], 1);
}

#[tokio::test]
async fn speed_callbacks_survey_paths_and_dispositions_from_the_rollups() {
    let app = App::new().await;
    let f = floor(&app).await;
    calls(&app, f.tenant).await;
    // One more direct row: 2 answered after 30 s and 50 s of waiting, a
    // callback offered twice, accepted once, completed after 120 s; survey
    // scores 5 and 4 (1-5) and 10 and 3 (0-10).
    let keys = format!(
        "{CALL_KEYS}, calls, queued, answered, wait_answered_ms, callback_offered, callback, callback_completed, \
         callback_delay_ms, csat_4, csat_5, nps_3, nps_10"
    );
    let vals = "NULL, NULL, 0, 'inbound', false, false, 2, 2, 2, 80000, 2, 1, 1, 120000, 1, 1, 1, 1";
    row(&app, "call_rollup", f.tenant, "2026-03-03T09:00:00Z", &keys, vals).await;
    let get = |r: &str| format!("/api/v1/reports/{r}?{RANGE}");

    let (status, r) = app.call("GET", &get("speed"), Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    // Answered 14 + 2; only the new row has wait sums: 80 s / 16.
    assert_eq!(r["total"]["answered"], 16);
    assert_eq!(r["total"]["asa_secs"], 5.0);
    let (_, r) = app.call("GET", &format!("{}&group=day", get("speed")), Some(&f.supervisor), None).await;
    assert_eq!(r["groups"].as_array().map(Vec::len), Some(2), "{r}");

    let (_, r) = app.call("GET", &get("callbacks"), Some(&f.supervisor), None).await;
    let t = &r["total"];
    assert_eq!((t["offered"].clone(), t["accepted"].clone(), t["completed"].clone()), (json!(2), json!(1), json!(1)));
    assert_eq!(t["avg_time_to_callback_secs"], 120.0);

    let (_, r) = app.call("GET", &get("survey"), Some(&f.supervisor), None).await;
    let t = &r["total"];
    // CSAT (4 + 5) / 2; NPS: one promoter, one detractor of two: 0.
    assert_eq!((t["csat_answers"].clone(), t["csat_avg"].clone()), (json!(2), json!(4.5)));
    assert_eq!((t["promoters"].clone(), t["detractors"].clone(), t["nps"].clone()), (json!(1), json!(1), json!(0.0)));

    let (_, r) = app.call("GET", &get("ivr-vs-direct"), Some(&f.supervisor), None).await;
    // Via the IVR: the 09:30 row (4 calls, 1 answered); direct: 17 calls.
    assert_eq!((r["via_ivr"]["offered"].clone(), r["direct"]["offered"].clone()), (json!(4), json!(17)), "{r}");

    let flow = uuid::Uuid::new_v4();
    for (kind, value, n) in [("choice", "main=1", 3), ("choice", "main=2", 1), ("exit", "main=hangup", 2)] {
        row(
            &app,
            "ivr_rollup",
            f.tenant,
            "2026-03-02T09:30:00Z",
            "flow_id, kind, value, calls",
            &format!("'{flow}', '{kind}', '{value}', {n}"),
        )
        .await;
    }
    let (status, r) = app.call("GET", &get("ivr-paths"), Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["choices"][0]["node"], "main");
    assert_eq!(r["choices"][0]["calls"], 4);
    assert_eq!(r["choices"][0]["values"][0], json!({"value": "1", "calls": 3, "percent": 75.0}));
    assert_eq!(r["exits"][0]["values"][0]["value"], "hangup");
    let (status, err) = app
        .call("GET", &format!("{}&queue_ids={}", get("ivr-paths"), uuid::Uuid::new_v4()), Some(&f.supervisor), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");

    for (agent, d, n) in [(f.alice, "sale", 3), (f.bob, "sale", 1), (f.bob, "refund", 4)] {
        row(
            &app,
            "disposition_rollup",
            f.tenant,
            "2026-03-02T09:00:00Z",
            "agent_id, queue_id, disposition, calls",
            &format!("'{agent}', NULL, '{d}', {n}"),
        )
        .await;
    }
    let (_, r) = app.call("GET", &get("dispositions"), Some(&f.supervisor), None).await;
    assert_eq!(
        r,
        json!([{"value": "refund", "calls": 4, "percent": 50.0}, {"value": "sale", "calls": 4, "percent": 50.0}])
    );
    let (status, r) = app.call("GET", &get("dispositions"), Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r, json!([{"value": "sale", "calls": 3, "percent": 100.0}]));
    for report in ["speed", "callbacks", "survey", "ivr-vs-direct", "ivr-paths"] {
        let (status, _) = app.call("GET", &get(report), Some(&f.alice_token), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{report}");
    }
    let (status, _, csv) =
        app.raw("GET", &format!("{}&format=csv", get("survey")), Some(&f.supervisor), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!csv.is_empty());
}
