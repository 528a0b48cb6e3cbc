//! `/api/v1/reports/…` and `/api/v1/tenant`: authentication, roles (an
//! agent sees only their own figures), tenant isolation, parameter errors,
//! the CSV export and the real-time snapshot, over hand-inserted rows.

use std::sync::Arc;

use api::AppState;
use api::call_control::CallControl;
use api::live::{LiveCall, LiveCallState, LiveSnapshot};
use axum::http::StatusCode;
use model::{AgentId, CallId, QueueId, TenantId};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{App, TestTenant, config, fields, queue};
use crate::live::{FakeCalls, agent, figures};

const MONDAY: &str = "from=2026-03-02T00:00:00Z&to=2026-03-09T00:00:00Z";

/// A tenant with a supervisor and two agents (Alice with a login, Bob).
struct Floor {
    t: TestTenant,
    tenant: TenantId,
    supervisor: String,
    alice_token: String,
    alice: AgentId,
    bob: AgentId,
    sales: QueueId,
}

async fn floor(app: &App, slug: &str) -> Floor {
    let t = app.tenant(slug).await;
    let sales: QueueId = app.create(&t.admin, "/api/v1/queues", queue("Sales")).await.parse().expect("id");
    let (supervisor, _) = app.user(&t, "sue", "supervisor").await;
    let (alice_token, alice_user) = app.user(&t, "alice", "agent").await;
    let mut ids = Vec::new();
    for (user, name, ext) in [(Some(alice_user), "Alice", "1001"), (None, "Bob", "1002")] {
        let body = json!({"user_id": user, "name": name, "extension": ext, "mobile_number": null,
                          "queues": [{"queue_id": sales, "weight": 1}]});
        ids.push(app.create(&t.admin, "/api/v1/agents", body).await.parse::<AgentId>().expect("id"));
    }
    let tenant = TenantId(t.id.parse().expect("tenant id"));
    Floor { t, tenant, supervisor, alice_token, alice: ids[0], bob: ids[1], sales }
}

/// An agent_rollup row: Monday 09:00 UTC, `answered` calls of `agent`.
async fn agent_row(app: &App, tenant: TenantId, agent: AgentId, queue: QueueId, answered: i32) {
    sqlx::query(
        "INSERT INTO agent_rollup (tenant_id, bucket, agent_id, queue_id, direction, offered, answered, talk_ms) \
         VALUES ($1, '2026-03-02T09:00:00Z', $2, $3, 'inbound', $4, $4, $4 * 60000)",
    )
    .bind(tenant.as_uuid())
    .bind(agent.as_uuid())
    .bind(queue.as_uuid())
    .bind(answered)
    .execute(&app.pool)
    .await
    .expect("agent row");
    app.rebuild_coarse_rollups(tenant.as_uuid()).await;
}

/// A call_rollup row of `calls` calls at `bucket`, all answered.
async fn call_row(app: &App, tenant: TenantId, bucket: &str, queue: QueueId, calls: i32) {
    sqlx::query(
        "INSERT INTO call_rollup (tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, \
         outside_business_hours, calls, answered) VALUES ($1, $2::timestamptz, $3, NULL, 0, 'inbound', false, false, $4, $4)",
    )
    .bind(tenant.as_uuid())
    .bind(bucket)
    .bind(queue.as_uuid())
    .bind(calls)
    .execute(&app.pool)
    .await
    .expect("call row");
    app.rebuild_coarse_rollups(tenant.as_uuid()).await;
}

/// A CDR row answered by `agent` at `at`.
async fn cdr_row(app: &App, tenant: TenantId, at: &str, agent: Option<AgentId>, caller: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO calls (call_id, tenant_id, arrived_at, outcome, caller_number, dialled_number, agent_id, disposition) \
         VALUES ($1, $2, $3::timestamptz, 'answered', $4, '+441632960999', $5, 'sale, \"big\"')",
    )
    .bind(id)
    .bind(tenant.as_uuid())
    .bind(at)
    .bind(caller)
    .bind(agent.map(|a| a.as_uuid()))
    .execute(&app.pool)
    .await
    .expect("cdr row");
    id
}

fn answered_by_agent(report: &Value) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = report["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["agent_id"].as_str().expect("agent").to_owned(), g["counters"]["answered"].as_u64().expect("n")))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn every_report_route_requires_authentication() {
    let app = App::new().await;
    for uri in [
        format!("/api/v1/reports/cdr.csv?{MONDAY}"),
        "/api/v1/reports/realtime".to_owned(),
        format!("/api/v1/reports/counters/calls?{MONDAY}"),
        format!("/api/v1/reports/counters/agents?{MONDAY}"),
        "/api/v1/tenant".to_owned(),
    ]
    .into_iter()
    .chain(
        [
            "service-level",
            "volume",
            "heatmap",
            "agents",
            "agents/ranking",
            "callers",
            "speed",
            "callbacks",
            "survey",
            "ivr-vs-direct",
            "ivr-paths",
            "dispositions",
            "forecast",
            "forecast/backtest",
        ]
        .map(|r| format!("/api/v1/reports/{r}?{MONDAY}")),
    ) {
        let (status, _) = app.call("GET", &uri, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
        let (status, _) = app.call("GET", &uri, Some("not-a-token"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
    }
}

#[tokio::test]
async fn an_agent_sees_only_their_own_figures_and_a_supervisor_the_tenant() {
    let app = App::new().await;
    let f = floor(&app, "acme").await;
    agent_row(&app, f.tenant, f.alice, f.sales, 4).await;
    agent_row(&app, f.tenant, f.bob, f.sales, 6).await;
    let uri = format!("/api/v1/reports/counters/agents?{MONDAY}");

    let (status, mine) = app.call("GET", &uri, Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(answered_by_agent(&mine), vec![(f.alice.to_string(), 4)]);
    let (status, _) = app.call("GET", &format!("{uri}&agent_ids={}", f.alice), Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = app.call("GET", &format!("{uri}&agent_ids={}", f.bob), Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    let (status, _) =
        app.call("GET", &format!("{uri}&agent_ids={},{}", f.alice, f.bob), Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Tenant-wide call counters are not an agent's.
    let (status, _) =
        app.call("GET", &format!("/api/v1/reports/counters/calls?{MONDAY}"), Some(&f.alice_token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, all) = app.call("GET", &uri, Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let mut expected = vec![(f.alice.to_string(), 4), (f.bob.to_string(), 6)];
    expected.sort();
    assert_eq!(answered_by_agent(&all), expected);
    let (_, bobs) = app.call("GET", &format!("{uri}&agent_ids={}", f.bob), Some(&f.t.admin), None).await;
    assert_eq!(answered_by_agent(&bobs), vec![(f.bob.to_string(), 6)]);

    // An agent-role API key has no agent: 403.
    let (_, key) =
        app.call("POST", "/api/v1/api-keys", Some(&f.t.admin), Some(json!({"name": "k", "role": "agent"}))).await;
    let key = key["key"].as_str().expect("key").to_owned();
    let (status, _) = app.call("GET", &uri, Some(&key), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_tenants_rows_are_never_counted_or_exported() {
    let app = App::new().await;
    let a = floor(&app, "acme").await;
    let b = floor(&app, "globex").await;
    agent_row(&app, a.tenant, a.alice, a.sales, 4).await;
    call_row(&app, a.tenant, "2026-03-02T09:00:00Z", a.sales, 10).await;
    cdr_row(&app, a.tenant, "2026-03-02T09:01:00Z", Some(a.alice), "+441632960001").await;
    // B's rows name A's agent and queue: still never A's, and A's never B's.
    agent_row(&app, b.tenant, a.alice, a.sales, 100).await;
    call_row(&app, b.tenant, "2026-03-02T09:00:00Z", a.sales, 1000).await;

    let (_, calls) =
        app.call("GET", &format!("/api/v1/reports/counters/calls?{MONDAY}"), Some(&a.supervisor), None).await;
    // The 10 of the hand-made row and A's CDR row, counted by the rollup
    // triggers (migration 0011).
    assert_eq!(calls["groups"][0]["counters"]["calls"], 11, "{calls}");
    let (_, agents) =
        app.call("GET", &format!("/api/v1/reports/counters/agents?{MONDAY}"), Some(&a.supervisor), None).await;
    assert_eq!(answered_by_agent(&agents), vec![(a.alice.to_string(), 4)]);
    let (_, calls) = app.call("GET", &format!("/api/v1/reports/counters/calls?{MONDAY}"), Some(&b.t.admin), None).await;
    assert_eq!(calls["groups"][0]["counters"]["calls"], 1000, "{calls}");
    let (status, _, csv) =
        app.raw("GET", &format!("/api/v1/reports/cdr.csv?{MONDAY}"), Some(&b.t.admin), None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
}

#[tokio::test]
async fn the_cdr_export_is_csv_in_arrival_order_and_an_agent_gets_their_calls() {
    let app = App::new().await;
    let f = floor(&app, "acme").await;
    let second = cdr_row(&app, f.tenant, "2026-03-02T10:00:00Z", Some(f.bob), "+441632960002").await;
    let first = cdr_row(&app, f.tenant, "2026-03-02T09:00:00Z", Some(f.alice), "+441632960001").await;
    cdr_row(&app, f.tenant, "2026-03-09T00:00:00Z", Some(f.alice), "+441632960003").await; // after `to`

    let (status, headers, csv) =
        app.raw("GET", &format!("/api/v1/reports/cdr.csv?{MONDAY}"), Some(&f.supervisor), None, "").await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(headers["content-disposition"].to_str().expect("ascii").contains("cdr-20260302T000000Z"));
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "header, two rows, the empty end: {csv:?}");
    assert!(lines[0].starts_with("call_id,direction,arrived_at,"), "{}", lines[0]);
    assert!(lines[1].starts_with(&format!("{first},inbound,2026-03-02T09:00:00.000Z,")), "{}", lines[1]);
    assert!(lines[2].starts_with(&format!("{second},")), "{}", lines[2]);
    // A comma and quotes are quoted (RFC 4180).
    assert!(lines[1].contains(",\"sale, \"\"big\"\"\","), "{}", lines[1]);
    assert_eq!(lines[3], "");

    let (status, _, mine) =
        app.raw("GET", &format!("/api/v1/reports/cdr.csv?{MONDAY}"), Some(&f.alice_token), None, "").await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<&str> = mine.split("\r\n").skip(1).filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 1, "{mine}");
    assert!(rows[0].starts_with(&first.to_string()));
    let (status, _, _) = app
        .raw("GET", &format!("/api/v1/reports/cdr.csv?{MONDAY}&agent_ids={}", f.bob), Some(&f.alice_token), None, "")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_report_parameters_are_400_naming_the_parameter() {
    let app = App::new().await;
    let f = floor(&app, "acme").await;
    let calls = "/api/v1/reports/counters/calls";
    let cases = [
        (format!("{calls}?to=2026-03-09T00:00:00Z"), "from"),
        (format!("{calls}?from=yesterday&to=2026-03-09T00:00:00Z"), "from"),
        (format!("{calls}?from=2026-03-09T00:00:00Z&to=2026-03-02T00:00:00Z"), "to"),
        (format!("{calls}?from=2025-01-01T00:00:00Z&to=2026-03-02T00:00:00Z"), "to"),
        (format!("{calls}?from=2026-03-02T00:05:00Z&to=2026-03-09T00:00:00Z"), "from"),
        (format!("{calls}?{MONDAY}&group=fortnight"), "group"),
        (format!("{calls}?{MONDAY}&split=colour"), "split"),
        (format!("{calls}?{MONDAY}&queue_ids=not-a-uuid"), "queue_ids"),
        (format!("{calls}?{MONDAY}&vip_tiers=4"), "vip_tiers"),
        (format!("{calls}?{MONDAY}&weekdays=0"), "weekdays"),
        (format!("{calls}?{MONDAY}&hours=24"), "hours"),
        (format!("{calls}?{MONDAY}&time_zone=Mars/Base"), "time_zone"),
        (format!("{calls}?{MONDAY}&agent_ids={}", f.alice), "agent_ids"),
        (format!("{calls}?{MONDAY}&colour=blue"), "colour"),
        (format!("/api/v1/reports/counters/agents?{MONDAY}&vip_tiers=1"), "vip_tiers"),
        (format!("/api/v1/reports/cdr.csv?{MONDAY}&group=day"), "group"),
    ];
    for (uri, field) in cases {
        let (status, err) = app.call("GET", &uri, Some(&f.supervisor), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {err}");
        assert_eq!(fields(&err), vec![field.to_owned()], "{uri}: {err}");
    }
}

#[tokio::test]
async fn the_tenant_time_zone_is_set_by_an_admin_and_groups_the_days() {
    let app = App::new().await;
    let f = floor(&app, "acme").await;
    let (status, t) = app.call("GET", "/api/v1/tenant", Some(&f.alice_token), None).await;
    assert_eq!((status, t["time_zone"].clone(), t["slug"].clone()), (StatusCode::OK, json!("UTC"), json!("acme")));

    let zone = |z: &str| json!({"time_zone": z});
    let (status, _) = app.call("PATCH", "/api/v1/tenant", Some(&f.supervisor), Some(zone("Europe/Paris"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, err) = app.call("PATCH", "/api/v1/tenant", Some(&f.t.admin), Some(zone("Europe/Atlantis"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(fields(&err), vec!["time_zone"]);
    let (status, err) = app.call("PATCH", "/api/v1/tenant", Some(&f.t.admin), Some(json!({"colour": "red"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, t) = app.call("PATCH", "/api/v1/tenant", Some(&f.t.admin), Some(zone("Europe/Paris"))).await;
    assert_eq!((status, t["time_zone"].clone()), (StatusCode::OK, json!("Europe/Paris")));

    // 23:00 UTC on Monday is Tuesday in Paris.
    call_row(&app, f.tenant, "2026-03-02T22:45:00Z", f.sales, 3).await;
    call_row(&app, f.tenant, "2026-03-02T23:00:00Z", f.sales, 5).await;
    let uri = format!("/api/v1/reports/counters/calls?{MONDAY}&group=day");
    let (status, report) = app.call("GET", &uri, Some(&f.supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["time_zone"], "Europe/Paris");
    let days: Vec<(Value, Value)> = report["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["key"]["start"].clone(), g["counters"]["calls"].clone()))
        .collect();
    assert_eq!(days, vec![(json!("2026-03-02T00:00:00"), json!(3)), (json!("2026-03-03T00:00:00"), json!(5))]);
    // The zone can be overridden per request.
    let (_, utc) = app.call("GET", &format!("{uri}&time_zone=UTC"), Some(&f.supervisor), None).await;
    assert_eq!(utc["groups"].as_array().expect("groups").len(), 1, "{utc}");
}

#[tokio::test]
async fn the_realtime_snapshot_is_narrowed_to_what_the_caller_may_see() {
    let pool = store::testing::fresh_database().await;
    let calls = Arc::new(FakeCalls::default());
    let state = AppState::new(pool.clone(), config()).with_call_control(Arc::clone(&calls) as Arc<dyn CallControl>);
    let app = App::with_state(state, pool);
    let a = floor(&app, "acme").await;
    let b = floor(&app, "globex").await;
    let other = QueueId::new();
    let mut bobs_call = LiveCall::bare(CallId::new(), LiveCallState::Connected);
    bobs_call.agent_id = Some(a.bob);
    calls.set(
        a.tenant,
        LiveSnapshot {
            calls: vec![bobs_call],
            agents: vec![agent(a.alice, vec![a.sales]), agent(a.bob, vec![a.sales])],
            queues: vec![figures(a.sales, 2), figures(other, 7)],
        },
    );
    let (status, all) = app.call("GET", "/api/v1/reports/realtime", Some(&a.supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(
        (
            all["agents"].as_array().map(Vec::len),
            all["calls"].as_array().map(Vec::len),
            all["queues"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1), Some(2))
    );
    let (status, mine) = app.call("GET", "/api/v1/reports/realtime", Some(&a.alice_token), None).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["agents"].as_array().map(Vec::len), Some(1));
    assert_eq!(mine["agents"][0]["agent_id"], json!(a.alice));
    assert_eq!(mine["calls"], json!([]), "Bob's call is not Alice's");
    assert_eq!(mine["queues"].as_array().map(Vec::len), Some(1));
    assert_eq!(mine["queues"][0]["waiting"], 2);
    // CSV: the wallboard (one row per queue), the agents, the calls.
    let (status, headers, csv) =
        app.raw("GET", "/api/v1/reports/realtime?format=csv", Some(&a.supervisor), None, "").await;
    assert_eq!((status, headers["content-type"].to_str().ok()), (StatusCode::OK, Some("text/csv; charset=utf-8")));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two queues: {csv}");
    assert!(lines[0].starts_with("queue_id,waiting,callbacks_waiting,"), "{csv}");
    assert!(lines.iter().any(|l| l.starts_with(&format!("{},2,", a.sales))), "{csv}");
    let (_, _, csv) =
        app.raw("GET", "/api/v1/reports/realtime?format=csv&table=agents", Some(&a.alice_token), None, "").await;
    assert_eq!(csv.lines().count(), 2, "Alice sees her own row only: {csv}");
    assert!(csv.contains(&a.alice.to_string()), "{csv}");
    let (_, _, csv) =
        app.raw("GET", "/api/v1/reports/realtime?format=csv&table=calls", Some(&a.supervisor), None, "").await;
    assert!(csv.lines().nth(1).is_some_and(|l| l.contains(",connected,") && l.ends_with(&a.bob.to_string())), "{csv}");
    for bad in ["format=xml", "table=calls", "format=csv&table=trunks"] {
        let (status, err) =
            app.call("GET", &format!("/api/v1/reports/realtime?{bad}"), Some(&a.supervisor), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {err}");
    }
    // Tenant b gets its own (empty) snapshot, nothing of a's.
    let (_, theirs) = app.call("GET", "/api/v1/reports/realtime", Some(&b.supervisor), None).await;
    assert_eq!(theirs, json!({"calls": [], "agents": [], "queues": []}));

    // Without a call layer: 503.
    let plain = App::new().await;
    let c = plain.tenant("initech").await;
    let (status, _) = plain.call("GET", "/api/v1/reports/realtime", Some(&c.admin), None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_openapi_document_lists_the_report_routes() {
    let app = App::new().await;
    let (_, doc) = app.call("GET", "/api/openapi.json", None, None).await;
    for path in [
        "/api/v1/reports/cdr.csv",
        "/api/v1/reports/realtime",
        "/api/v1/reports/counters/calls",
        "/api/v1/reports/counters/agents",
        "/api/v1/reports/service-level",
        "/api/v1/reports/volume",
        "/api/v1/reports/heatmap",
        "/api/v1/reports/agents",
        "/api/v1/reports/agents/ranking",
        "/api/v1/reports/callers",
        "/api/v1/reports/speed",
        "/api/v1/reports/callbacks",
        "/api/v1/reports/survey",
        "/api/v1/reports/ivr-vs-direct",
        "/api/v1/reports/ivr-paths",
        "/api/v1/reports/dispositions",
        "/api/v1/reports/forecast",
        "/api/v1/reports/forecast/backtest",
        "/api/v1/tenant",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path}");
    }
    assert!(doc["paths"]["/api/v1/tenant"]["patch"].is_object());
    for schema in [
        "CallCountersReport",
        "AgentCountersReport",
        "TenantSettings",
        "TenantPatch",
        "GroupKeyView",
        "ServiceLevelReport",
        "VolumeReportView",
        "AgentReport",
        "CallerReport",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}
