//! The reports end to end: a small history of domain events, written
//! through the event writer as the call layer writes them, projected into
//! the CDR and the rollups by PostgreSQL, read back through the REST API;
//! every figure computed by hand here.

use axum::http::StatusCode;
use chrono::{DateTime, TimeZone, Utc};
use model::{AbandonStage, AgentId, AgentState, EndCause, Event, EventPayload, IvrExit, IvrFlowId, QueueId, TenantId};
use serde_json::{Value, json};
use store::testing::script::CallScript;
use store::writer::{self, WriterConfig};

use crate::common::{App, queue};

/// Monday 2 March 2026, 09:00 UTC: the origin of every event time below.
fn nine() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

const DAY: &str = "from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z";

/// Four calls and agent A's shift, through the event writer:
///
/// 1. 09:00:00 through the IVR (choice 1) to the queue at 4 s; B lets it
///    ring out; A answers at 24 s (waited 20 s), 60 s of talk; later a
///    `sale` disposition and a survey score of 4 of 5.
/// 2. 09:05:00 queued; A refuses it; offered a callback, which the caller
///    lets pass; abandoned in the queue after 32 s.
/// 3. 09:16:00 a VIP (tier 2) queued; A answers after 2 s; 30 s of talk.
/// 4. 09:20:00 into the IVR; the caller hangs up there after 8 s.
///
/// A logs in at 09:10:00, is available at 09:10:10, on call 09:16:01 to
/// 09:16:33, in wrap-up to 09:17:03, available again, logs out at 09:20:00.
async fn history(app: &App, tenant: TenantId, queue: QueueId, a: AgentId, b: AgentId) {
    let journal = tempfile::tempdir().expect("tempdir");
    let (sink, handle) = writer::start(app.pool.clone(), WriterConfig::new(journal.path())).expect("start the writer");
    let flow = IvrFlowId::new();
    let queued = || EventPayload::CallQueued { queue_id: queue, priority: 0, position: 1 };
    let one = CallScript::arrive(tenant, nine(), 0)
        .at(200, EventPayload::IvrEntered { flow_id: flow })
        .at(3_000, EventPayload::IvrChoice { flow_id: flow, node: "main".into(), digits: "1".into() })
        .at(4_000, EventPayload::IvrLeft { flow_id: flow, node: "main".into(), exit: IvrExit::Enqueued })
        .at(4_000, queued())
        .offered(5_000, queue, b)
        .at(20_000, EventPayload::AgentNoAnswer { agent_id: b })
        .offered(21_000, queue, a)
        .answered(24_000, a)
        .at(84_000, EventPayload::CallEnded { cause: EndCause::CallerHangup });
    let two = CallScript::arrive_from(tenant, nine(), 300_000, "+441632960002")
        .at(301_000, queued())
        .offered(302_000, queue, a)
        .at(303_000, EventPayload::AgentRejected { agent_id: a })
        .at(320_000, EventPayload::CallbackOffered { queue_id: queue })
        .at(333_000, EventPayload::CallAbandoned { stage: AbandonStage::Queue, waited_secs: 32 })
        .at(333_000, EventPayload::CallEnded { cause: EndCause::Abandoned });
    let three = CallScript::arrive_from(tenant, nine(), 960_000, "+441632960003")
        .vip_tier(2)
        .at(961_000, queued())
        .offered(961_000, queue, a)
        .answered(963_000, a)
        .at(993_000, EventPayload::CallEnded { cause: EndCause::CallerHangup });
    let four = CallScript::arrive_from(tenant, nine(), 1_200_000, "+441632960004")
        .at(1_200_100, EventPayload::IvrEntered { flow_id: flow })
        .at(1_208_000, EventPayload::CallAbandoned { stage: AbandonStage::Ivr, waited_secs: 0 })
        .at(1_208_000, EventPayload::CallEnded { cause: EndCause::Abandoned });
    for call in [&one, &two, &three, &four] {
        sink.write_batch(call.events.clone()).await.expect("write a call");
    }
    let late = [
        one.later(0, 90_000, EventPayload::DispositionSet { agent_id: a, code: "sale".into(), notes: "".into() }),
        one.later(1, 95_000, EventPayload::SurveyAnswered { score: 4, scale: 5 }),
    ];
    for event in late {
        sink.write(event).await.expect("write a late event");
    }
    let at = |s: i64| nine() + chrono::TimeDelta::seconds(s);
    let shift = [
        (600, EventPayload::AgentLoggedIn { agent_id: a }),
        (610, EventPayload::AgentStateChanged { agent_id: a, state: AgentState::Available }),
        (961, EventPayload::AgentStateChanged { agent_id: a, state: AgentState::OnCall }),
        (993, EventPayload::AgentStateChanged { agent_id: a, state: AgentState::WrapUp }),
        (1_023, EventPayload::AgentStateChanged { agent_id: a, state: AgentState::Available }),
        (1_200, EventPayload::AgentLoggedOut { agent_id: a }),
    ];
    let events =
        shift.into_iter().enumerate().map(|(seq, (s, p))| Event::agent(tenant, seq as u64, at(s), p)).collect();
    sink.write_batch(events).await.expect("write the agent's events");
    handle.shutdown().await;
}

/// The tenant acme with the history of [`history`]: queue Sales, Sue the
/// supervisor, agents Ann (with a login) and Ben.
struct Acme {
    sales: QueueId,
    supervisor: String,
    ann_token: String,
    ann: AgentId,
    ben: AgentId,
}

async fn acme(app: &App) -> Acme {
    let t = app.tenant("acme").await;
    let tenant = TenantId(t.id.parse().expect("tenant id"));
    let sales: QueueId = app.create(&t.admin, "/api/v1/queues", queue("Sales")).await.parse().expect("id");
    let (supervisor, _) = app.user(&t, "sue", "supervisor").await;
    let (ann_token, ann_user) = app.user(&t, "ann", "agent").await;
    let mut agents = Vec::new();
    for (user, name, ext) in [(Some(ann_user), "Ann", "1001"), (None, "Ben", "1002")] {
        let body = json!({"user_id": user, "name": name, "extension": ext, "mobile_number": null,
                          "queues": [{"queue_id": sales, "weight": 1}]});
        agents.push(app.create(&t.admin, "/api/v1/agents", body).await.parse::<AgentId>().expect("id"));
    }
    history(app, tenant, sales, agents[0], agents[1]).await;
    Acme { sales, supervisor, ann_token, ann: agents[0], ben: agents[1] }
}

fn ratio(v: &Value) -> (u64, u64) {
    (v["numerator"].as_u64().expect("numerator"), v["denominator"].as_u64().expect("denominator"))
}

#[tokio::test]
async fn events_through_the_writer_give_hand_computed_report_figures() {
    let app = App::new().await;
    let Acme { supervisor, ann: a, ben: b, .. } = acme(&app).await;
    let get = |report: &str, extra: &str| format!("/api/v1/reports/{report}?{DAY}{extra}");

    // Service level 80/20: answered within 20 s are calls 1 (20 s exactly)
    // and 3; the denominator adds call 2, abandoned in the queue after
    // 32 s; call 4 never reached a queue.
    let (status, r) = app.call("GET", &get("service-level", "&group=60m"), Some(&supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(ratio(&r["total"]), (2, 3));
    assert_eq!(r["groups"].as_array().map(Vec::len), Some(1), "one hour: {r}");
    assert_eq!(
        (r["groups"][0]["start"].clone(), ratio(&r["groups"][0]["value"])),
        (json!("2026-03-02T09:00:00Z"), (2, 3))
    );
    let (_, r) = app.call("GET", &get("service-level", "&abandons=excluded"), Some(&supervisor), None).await;
    assert_eq!(ratio(&r["total"]), (2, 2));
    let (_, r) = app.call("GET", &get("service-level", "&threshold_secs=15"), Some(&supervisor), None).await;
    assert_eq!(ratio(&r["total"]), (1, 3), "call 1 waited 20 s");
    // VIP vs regular: the VIP call 3 alone, and calls 1 and 2.
    let (_, r) = app.call("GET", &get("service-level", "&vip_tiers=2"), Some(&supervisor), None).await;
    assert_eq!(ratio(&r["total"]), (1, 1));
    let (_, r) = app.call("GET", &get("service-level", "&vip_tiers=0"), Some(&supervisor), None).await;
    assert_eq!(ratio(&r["total"]), (1, 2));
    let (_, r) = app.call("GET", &get("counters/calls", "&split=vip_tier"), Some(&supervisor), None).await;
    let tiers: Vec<(Value, Value)> = r["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| (g["split"].clone(), g["counters"]["calls"].clone()))
        .collect();
    assert_eq!(tiers, vec![(json!(0), json!(3)), (json!(2), json!(1))]);

    // Volume: 4 offered, 2 answered; abandoned 1 of 2 in the IVR, 1 of 3
    // in the queue, none while ringing.
    let (status, r) = app.call("GET", &get("volume", ""), Some(&supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let v = &r["total"];
    assert_eq!((v["offered"].clone(), v["answered"].clone(), v["unanswered"].clone()), (json!(4), json!(2), json!(2)));
    assert_eq!(ratio(&v["abandoned_ivr"]), (1, 2));
    assert_eq!(ratio(&v["abandoned_queue"]), (1, 3));
    assert_eq!(ratio(&v["abandoned_ringing"]).0, 0);
    assert_eq!(ratio(&v["abandoned_total"]), (2, 4));

    // The heatmap: all four on Monday at 9, SL 2/3.
    let (_, r) = app.call("GET", &get("heatmap", ""), Some(&supervisor), None).await;
    let cell = &r["cells"][9];
    assert_eq!(
        (cell["weekday"].clone(), cell["hour"].clone(), cell["offered"].clone()),
        (json!("Mon"), json!(9), json!(4))
    );
    assert_eq!((cell["sl_numerator"].clone(), cell["sl_denominator"].clone()), (json!(2), json!(3)));

    // Agents: A offered 3 (answered 1 and 3, refused 2), 45 s of talk on
    // average, one survey of 4; B offered call 1, which rang out.
    let (status, r) = app.call("GET", &get("agents", ""), Some(&supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let row = |id: AgentId| {
        r["agents"]
            .as_array()
            .expect("agents")
            .iter()
            .find(|x| x["kpi"]["agent_id"] == json!(id))
            .cloned()
            .expect("row")
    };
    let (ann, ben) = (row(a), row(b));
    let k = &ann["kpi"];
    assert_eq!(
        (k["offered"].clone(), k["answered"].clone(), k["rejected"].clone(), k["missed"].clone()),
        (json!(3), json!(2), json!(1), json!(0))
    );
    assert_eq!(
        (k["avg_talk_secs"].clone(), k["surveyed"].clone(), k["survey_avg"].clone()),
        (json!(45.0), json!(1), json!(4.0))
    );
    assert_eq!((ben["kpi"]["offered"].clone(), ben["kpi"]["missed"].clone()), (json!(1), json!(1)));
    // A's time: 10 s logged in before the first state, available 351 +
    // 177 s, on call 32 s, wrap-up 30 s; occupancy 62 / 590 s.
    let states: Vec<(String, u64)> = ann["states"]["states"]
        .as_array()
        .expect("states")
        .iter()
        .map(|s| (s["state"].as_str().unwrap_or("").to_string(), s["ms"].as_u64().unwrap_or(0)))
        .collect();
    let expected: Vec<(String, u64)> =
        [("available", 528_000), ("logged_in", 10_000), ("on_call", 32_000), ("wrap_up", 30_000)]
            .into_iter()
            .map(|(s, ms)| (s.to_string(), ms))
            .collect();
    assert_eq!(states, expected);
    assert_eq!(ann["states"]["logged_in_ms"], 600_000);
    let occupancy = ann["states"]["occupancy_pct"].as_f64().expect("occupancy");
    assert!((occupancy - 62.0 / 590.0 * 100.0).abs() < 1e-9, "{occupancy}");

    // Callbacks: one offered (call 2), none accepted.
    let (_, r) = app.call("GET", &get("callbacks", ""), Some(&supervisor), None).await;
    assert_eq!((r["total"]["offered"].clone(), r["total"]["accepted"].clone()), (json!(1), json!(0)), "{r}");

    // Callers: four distinct numbers, two reached on their first call.
    let (_, r) = app.call("GET", &get("callers", ""), Some(&supervisor), None).await;
    assert_eq!((r["reach"]["callers"].clone(), r["reach"]["first_attempt"].clone()), (json!(4), json!(2)), "{r}");
    // The disposition, from the late event.
    let (_, r) = app.call("GET", &get("dispositions", ""), Some(&supervisor), None).await;
    assert!(r.to_string().contains("\"sale\""), "{r}");
}

#[tokio::test]
async fn another_tenants_reports_are_the_empty_reports_and_an_agent_gets_only_their_own() {
    let app = App::new().await;
    let Acme { sales, supervisor, ann_token, ann, .. } = acme(&app).await;
    // Two more tenants with nothing: what the one sees is what the other does.
    let (globex, initech) = (app.tenant("globex").await, app.tenant("initech").await);

    // Supervisors' reports first, then those an agent gets narrowed to themselves.
    let reports = [
        "service-level",
        "volume",
        "heatmap",
        "callers",
        "speed",
        "callbacks",
        "survey",
        "ivr-vs-direct",
        "ivr-paths",
        "counters/calls",
        "dispositions",
        "agents",
        "agents/ranking",
        "counters/agents",
    ];
    for report in reports {
        let uri = format!("/api/v1/reports/{report}?{DAY}");
        let (status, theirs) = app.call("GET", &uri, Some(&globex.admin), None).await;
        assert_eq!(status, StatusCode::OK, "{report}: {theirs}");
        let (_, empty) = app.call("GET", &uri, Some(&initech.admin), None).await;
        assert_eq!(theirs, empty, "{report}: another tenant's report is the empty report");
        let (_, ours) = app.call("GET", &uri, Some(&supervisor), None).await;
        assert_ne!(ours, empty, "{report}: acme's history shows (the comparison is not vacuous)");
    }
    let (_, _, theirs) = app.raw("GET", &format!("/api/v1/reports/cdr.csv?{DAY}"), Some(&globex.admin), None, "").await;
    assert_eq!(theirs.lines().count(), 1, "the CDR export of another tenant is its header only: {theirs}");

    // Ann, an agent: no tenant-wide report; her own figures only.
    for report in &reports[..10] {
        let (status, _) = app.call("GET", &format!("/api/v1/reports/{report}?{DAY}"), Some(&ann_token), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{report}");
    }
    let (status, _) =
        app.call("GET", &format!("/api/v1/reports/forecast?queue_id={sales}"), Some(&ann_token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "forecast");
    let (_, mine) = app.call("GET", &format!("/api/v1/reports/agents?{DAY}"), Some(&ann_token), None).await;
    let rows = mine["agents"].as_array().expect("agents");
    assert_eq!(rows.iter().map(|r| r["kpi"]["agent_id"].clone()).collect::<Vec<_>>(), vec![json!(ann)]);
    let (_, mine) = app.call("GET", &format!("/api/v1/reports/dispositions?{DAY}"), Some(&ann_token), None).await;
    assert!(mine.to_string().contains("\"sale\""), "Ann's own disposition: {mine}");
    let (_, _, csv) = app.raw("GET", &format!("/api/v1/reports/cdr.csv?{DAY}"), Some(&ann_token), None, "").await;
    assert_eq!(csv.lines().count(), 1 + 2, "the two calls Ann answered: {csv}");
}
