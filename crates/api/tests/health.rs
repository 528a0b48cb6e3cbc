//! Liveness, readiness, metrics and the OpenAPI document.

use api::AppState;
use axum::http::StatusCode;
use store::WriterStatus;

use crate::common::{App, config};

#[tokio::test]
async fn healthz_answers_without_auth() {
    let app = App::new().await;
    let (status, body) = app.call("GET", "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_reports_database_and_writer() {
    let pool = store::testing::fresh_database().await;
    let state = AppState::new(pool.clone(), config()).with_writer_status(|| WriterStatus {
        database_reachable: true,
        journal_limit_bytes: 1000,
        written_total: 7,
        ..WriterStatus::default()
    });
    let app = App::with_state(state, pool);
    let (status, body) = app.call("GET", "/readyz", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ready"], true);
    assert_eq!(body["database"], "ok");
    assert_eq!(body["writer"]["written_total"], 7);
}

#[tokio::test]
async fn readyz_is_503_when_the_writer_journal_is_full() {
    let pool = store::testing::fresh_database().await;
    let state = AppState::new(pool.clone(), config()).with_writer_status(|| WriterStatus {
        journal_bytes: 1000,
        journal_limit_bytes: 1000,
        ..WriterStatus::default()
    });
    let (status, body) = App::with_state(state, pool).call("GET", "/readyz", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["ready"], false);
}

#[tokio::test]
async fn readyz_is_503_when_the_database_is_gone() {
    let pool = store::testing::fresh_database().await;
    let app = App::with_state(AppState::new(pool.clone(), config()), pool.clone());
    pool.close().await;
    let (status, body) = app.call("GET", "/readyz", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["ready"], false);
    assert_ne!(body["database"], "ok");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_show_the_writer() {
    let pool = store::testing::fresh_database().await;
    let state = AppState::new(pool.clone(), config()).with_writer_status(|| WriterStatus {
        journal_events: 42,
        refused_total: 3,
        ..WriterStatus::default()
    });
    let app = App::with_state(state, pool);
    app.call("GET", "/healthz", None, None).await;
    app.call("GET", "/api/v1/queues/00000000-0000-0000-0000-000000000000", None, None).await;
    let (status, headers, text) = app.raw("GET", "/metrics", None, None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().is_ok_and(|c| c.contains("text")));
    assert!(
        text.contains(r#"switchboard_http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"switchboard_http_requests_total{method="GET",route="/api/v1/queues/{id}",status="401"} 1"#),
        "{text}"
    );
    assert!(text.contains("switchboard_http_request_duration_seconds_bucket{"), "{text}");
    assert!(text.contains("switchboard_event_journal_events 42"), "{text}");
    assert!(text.contains("switchboard_events_refused_total 3"), "{text}");
}

#[tokio::test]
async fn openapi_document_lists_routes_and_schemas() {
    let app = App::new().await;
    let (status, doc) = app.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    for path in ["/api/v1/queues/{id}", "/api/v1/auth/login", "/api/v1/events", "/api/v1/tenants", "/readyz"] {
        assert!(doc["paths"][path].is_object(), "missing {path}");
    }
    assert!(doc["paths"]["/api/v1/contacts"]["get"]["parameters"].is_array());
    let shifts = &doc["paths"]["/api/v1/agents/{id}/shifts"];
    assert!(shifts["get"].is_object() && shifts["put"].is_object(), "both methods of the roster: {shifts}");
    for schema in ["Queue", "Agent", "Trunk", "ErrorBody", "LoginRequest", "BusinessHours"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "missing schema {schema}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let call_layer = [
        ("/api/v1/agent/login", "post"),
        ("/api/v1/agent/state", "put"),
        ("/api/v1/agent/call", "post"),
        ("/api/v1/calls/{id}/supervision", "delete"),
        ("/api/v1/calls/{id}/transfer", "post"),
        ("/api/v1/calls/{id}/consult", "delete"),
        ("/api/v1/calls/{id}/consult/complete", "post"),
    ];
    for (path, method) in call_layer {
        assert!(doc["paths"][path][method].is_object(), "missing {method} {path}");
    }
    let transfer = &doc["paths"]["/api/v1/calls/{id}/transfer"]["post"]["requestBody"]["content"]["application/json"];
    assert_eq!(transfer["schema"]["$ref"], "#/components/schemas/Transfer");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_a_sane_one_from_the_client() {
    let app = App::new().await;
    let (_, headers, _) = app.raw("GET", "/healthz", None, None, "").await;
    let id = headers["x-request-id"].to_str().expect("ascii");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let req = axum::http::Request::builder()
        .uri("/healthz")
        .header("x-request-id", "lb-1234")
        .body(axum::body::Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(app.router.clone(), req).await.expect("response");
    assert_eq!(response.headers()["x-request-id"], "lb-1234");
}

#[tokio::test]
async fn readyz_without_a_writer_depends_on_the_database_only() {
    let app = App::new().await;
    let (status, body) = app.call("GET", "/readyz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["writer"], serde_json::Value::Null);
}

/// Every `$ref` string anywhere under `v`.
fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                match x {
                    serde_json::Value::String(s) if k == "$ref" => out.push(s.clone()),
                    _ => refs(x, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_openapi_reference_resolves_to_a_schema() {
    let app = App::new().await;
    let (_, doc) = app.call("GET", "/api/openapi.json", None, None).await;
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 50, "{}", found.len());
    for r in found {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected ref {r}"));
        assert!(doc["components"]["schemas"][name].is_object(), "dangling {r}");
    }
}

#[tokio::test]
async fn the_router_serves_http_on_a_real_listener() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let pool = store::testing::fresh_database().await;
    let router = api::router(AppState::new(pool, config()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(b"GET /readyz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains(r#""ready":true"#), "{answer}");
    server.abort();
}
