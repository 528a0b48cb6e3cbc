//! `/api/v1/reports/forecast` and `…/backtest` on five weeks of a known
//! pattern written into `call_rollup` relative to today: every weekday,
//! 5 calls in each quarter hour from 09:00 to 10:00 UTC, answered after 2
//! minutes of talk; nothing else. The staffing is checked against Erlang C
//! computed here, and the agents rostered per half-hour against the shifts
//! of the queue's agents.

use axum::http::StatusCode;
use chrono::{Datelike, Duration, Utc, Weekday};
use model::TenantId;
use serde_json::{Value, json};

use crate::common::{App, queue};

/// Erlang C service level of `n` agents for `traffic` erlangs, answering
/// within `t` seconds at `aht` seconds per call.
fn erlang_c_sl(n: u32, traffic: f64, t: f64, aht: f64) -> f64 {
    if f64::from(n) <= traffic {
        return 0.0;
    }
    let (mut term, mut sum) = (1.0, 0.0);
    for k in 0..n {
        if k > 0 {
            term *= traffic / f64::from(k);
        }
        sum += term;
    }
    let top = term * traffic / f64::from(n) * f64::from(n) / (f64::from(n) - traffic);
    let wait = top / (sum + top);
    1.0 - wait * (-(f64::from(n) - traffic) * t / aht).exp()
}

#[tokio::test]
async fn the_forecast_repeats_a_weekly_pattern_and_staffs_it_by_erlang_c() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let tenant = TenantId(t.id.parse().expect("id"));
    let sales = app.create(&t.admin, "/api/v1/queues", queue("Sales")).await; // 80 % in 20 s
    let (supervisor, _) = app.user(&t, "sue", "supervisor").await;
    let (agent, _) = app.user(&t, "al", "agent").await;
    let today = Utc::now().date_naive();
    for d in 1..=35 {
        let day = today - Duration::days(d);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for m in [0, 15, 30, 45] {
            let bucket = day.and_hms_opt(9, m, 0).expect("time").and_utc();
            sqlx::query(
                "INSERT INTO call_rollup (tenant_id, bucket, queue_id, number_id, vip_tier, direction, via_ivr, \
                 outside_business_hours, calls, queued, answered, talk_ms) \
                 VALUES ($1, $2, $3::uuid, NULL, 0, 'inbound', false, false, 5, 5, 5, 600000)",
            )
            .bind(tenant.as_uuid())
            .bind(bucket)
            .bind(&sales)
            .execute(&app.pool)
            .await
            .expect("row");
        }
    }
    // The roster: two agents of the queue and one of none (not counted).
    let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"];
    let every_day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    for (ext, days, start, end, queues) in [
        ("1001", &weekdays[..], "09:00", "09:30", json!([{"queue_id": sales, "weight": 100}])),
        ("1002", &every_day[..], "09:00", "10:00", json!([{"queue_id": sales, "weight": 50}])),
        ("1003", &every_day[..], "00:00", "23:30", json!([])),
    ] {
        let agent = json!({"user_id": null, "name": ext, "extension": ext, "mobile_number": null, "queues": queues});
        let agent = app.create(&t.admin, "/api/v1/agents", agent).await;
        let shifts: Vec<Value> = days.iter().map(|d| json!({"day": d, "start": start, "end": end})).collect();
        let path = format!("/api/v1/agents/{agent}/shifts");
        let (status, body) = app.call("PUT", &path, Some(&supervisor), Some(json!({"shifts": shifts}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let uri = format!("/api/v1/reports/forecast?queue_id={sales}&history_days=28&days=7");
    let (status, r) = app.call("GET", &uri, Some(&supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let intervals = r["staffing"]["intervals"].as_array().expect("intervals");
    assert_eq!(intervals.len(), 7 * 48);
    let slot = |i: &Value| i["start_local"].as_str().expect("start")[11..16].to_owned();
    let weekday = |i: &Value| {
        chrono::NaiveDate::parse_from_str(i["date"].as_str().expect("date"), "%Y-%m-%d").expect("date").weekday()
    };
    // The AHT is the history's: 120 s; 10 calls per half-hour are 2/3 erlang.
    let traffic = 10.0 * 120.0 / 1800.0;
    let needed = (1..).find(|&n| erlang_c_sl(n, traffic, 20.0, 120.0) >= 0.8).expect("some n");
    let scheduled = (f64::from(needed) / 0.7).ceil() as u64;
    for i in intervals {
        let weekend = matches!(weekday(i), Weekday::Sat | Weekday::Sun);
        let rostered = match (weekend, slot(i).as_str()) {
            (false, "09:00") => 2,
            (_, "09:00" | "09:30") => 1,
            _ => 0,
        };
        assert_eq!(i["rostered"], rostered, "the queue's agents on shift: {i}");
        let busy = !weekend && ["09:00", "09:30"].contains(&slot(i).as_str());
        let calls = i["calls"].as_f64().expect("calls");
        if busy {
            assert!((calls - 10.0).abs() < 1e-6, "{i}");
            assert_eq!(i["agents"].as_u64(), Some(u64::from(needed)), "{i}");
            assert_eq!(i["scheduled"].as_u64(), Some(scheduled), "{i}");
        } else {
            assert!(calls.abs() < 1e-6, "{i}");
            assert_eq!(i["agents"], 0, "{i}");
        }
    }
    assert_eq!(r["staffing"]["spec"]["aht_secs"], 120.0);

    // A campaign doubling the first busy day's calls, and only that day's.
    let busy_day = intervals.iter().find(|i| !matches!(weekday(i), Weekday::Sat | Weekday::Sun)).expect("a weekday");
    let day = busy_day["date"].as_str().expect("date").to_owned();
    let (status, r) = app.call("GET", &format!("{uri}&campaigns=launch:{day}:{day}:2"), Some(&supervisor), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    for i in r["staffing"]["intervals"].as_array().expect("intervals") {
        if slot(i) == "09:00" && !matches!(weekday(i), Weekday::Sat | Weekday::Sun) {
            let expected = if i["date"] == json!(day) { 20.0 } else { 10.0 };
            assert!((i["calls"].as_f64().expect("calls") - expected).abs() < 1e-6, "{i}");
        }
    }
    for bad in ["launch:2026-12-10:2026-12-09:2", "launch:2026-12-10:2026-12-11:0", "launch:tomorrow:2026-12-11:2", "x"]
    {
        let (status, err) = app.call("GET", &format!("{uri}&campaigns={bad}"), Some(&supervisor), None).await;
        assert_eq!(
            (status, err["fields"][0]["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("campaigns")),
            "{bad}: {err}"
        );
    }

    // Held back one week, the constant pattern is forecast exactly.
    let (status, r) = app
        .call(
            "GET",
            &format!("/api/v1/reports/forecast/backtest?queue_id={sales}&history_days=35"),
            Some(&supervisor),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let wape = r["backtest"]["wape_pct"].as_f64().expect("wape");
    assert!(wape < 10.0, "{r}");

    // Errors and roles.
    let (status, err) = app.call("GET", "/api/v1/reports/forecast", Some(&supervisor), None).await;
    assert_eq!((status, err["fields"][0]["field"].clone()), (StatusCode::BAD_REQUEST, "queue_id".into()));
    let (status, err) = app
        .call("GET", &format!("/api/v1/reports/forecast?queue_id={sales}&history_days=7"), Some(&supervisor), None)
        .await;
    assert_eq!((status, err["fields"][0]["field"].clone()), (StatusCode::BAD_REQUEST, "history_days".into()));
    let (status, err) =
        app.call("GET", &format!("/api/v1/reports/forecast?queue_id={sales}&days=30"), Some(&supervisor), None).await;
    assert_eq!((status, err["fields"][0]["field"].clone()), (StatusCode::BAD_REQUEST, "days".into()), "{err}");
    let (status, _) = app.call("GET", &uri, Some(&agent), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = app.tenant("globex").await;
    let (status, _) = app.call("GET", &uri, Some(&other.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another tenant's queue");
}
