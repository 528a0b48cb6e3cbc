//! Reading stored events: filters, order, per-call view.

use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use serde_json::json;
use sqlx::PgPool;

use crate::common::{App, fields};

/// Stores `n` events of a new call for `tenant`, one minute apart from
/// 2026-01-05 10:00 UTC; returns the call id.
pub async fn insert_call(pool: &PgPool, tenant: &str, n: i64) -> uuid::Uuid {
    let tenant: uuid::Uuid = tenant.parse().expect("tenant id");
    let call = uuid::Uuid::now_v7();
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).single().expect("time");
    for seq in 0..n {
        sqlx::query(
            "INSERT INTO events (event_id, tenant_id, at, seq, call_id, kind, payload) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(tenant)
        .bind(start + Duration::minutes(seq))
        .bind(seq)
        .bind(call)
        .bind(if seq == 0 { "call_arrived" } else { "call_queued" })
        .bind(json!({"seq": seq}))
        .execute(pool)
        .await
        .expect("insert event");
    }
    call
}

#[tokio::test]
async fn events_filter_by_time_and_call_oldest_first() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let first = insert_call(&app.pool, &t.id, 3).await;
    let second = insert_call(&app.pool, &t.id, 2).await;
    let (status, all) = app.call("GET", "/api/v1/events", Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["items"].as_array().map(Vec::len), Some(5));
    let (_, one) = app.call("GET", &format!("/api/v1/events?call_id={first}"), Some(&t.admin), None).await;
    let seqs: Vec<_> = one["items"].as_array().expect("items").iter().map(|e| e["seq"].clone()).collect();
    assert_eq!(seqs, vec![json!(0), json!(1), json!(2)]);
    assert_eq!(one["items"][0]["kind"], "call_arrived");
    assert_eq!(one["items"][0]["payload"], json!({"seq": 0}));
    let window = "/api/v1/events?since=2026-01-05T10:01:00Z&until=2026-01-05T10:02:00Z";
    let (_, windowed) = app.call("GET", window, Some(&t.admin), None).await;
    assert_eq!(windowed["items"].as_array().map(Vec::len), Some(2), "{windowed}");
    let (_, limited) = app.call("GET", "/api/v1/events?limit=1", Some(&t.admin), None).await;
    assert_eq!(limited["items"].as_array().map(Vec::len), Some(1));
    let (status, call) = app.call("GET", &format!("/api/v1/calls/{second}/events"), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(call["items"].as_array().map(Vec::len), Some(2));
    assert!(call["items"].as_array().expect("items").iter().all(|e| e["call_id"] == second.to_string().as_str()));
}

#[tokio::test]
async fn bad_event_query_parameters_are_400_naming_the_parameter() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    for (query, field) in
        [("since=yesterday", "since"), ("limit=0", "limit"), ("limit=many", "limit"), ("colour=red", "colour")]
    {
        let (status, err) = app.call("GET", &format!("/api/v1/events?{query}"), Some(&t.admin), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {err}");
        assert_eq!(fields(&err), vec![field], "{query}: {err}");
    }
}

#[tokio::test]
async fn unknown_call_is_404() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (status, _) =
        app.call("GET", &format!("/api/v1/calls/{}/events", uuid::Uuid::now_v7()), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.call("GET", "/api/v1/calls/not-a-uuid/events", Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
