//! Bad requests get a 4xx JSON error that names the field.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{App, fields, queue};

#[tokio::test]
async fn invalid_values_are_422_naming_each_field() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let mut bad = queue("");
    bad["service_level"] = json!({"percent": 0, "seconds": 20});
    bad["business_hours"]["time_zone"] = json!("Mars/Olympus");
    let (status, err) = app.call("POST", "/api/v1/queues", Some(&t.admin), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&err), vec!["name", "service_level.percent", "business_hours.time_zone"], "{err}");
    assert!(err["error"].is_string());
    assert!(err["fields"][1]["reason"].as_str().is_some_and(|r| r.contains("between 1 and 100")), "{err}");
}

#[tokio::test]
async fn nested_list_errors_name_the_index() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let skill = app.create(&t.admin, "/api/v1/skills", json!({"name": "French"})).await;
    let agent = json!({"user_id": null, "name": "Al", "extension": "1001", "mobile_number": null,
                       "skills": [{"skill_id": skill, "level": 11}]});
    let (status, err) = app.call("POST", "/api/v1/agents", Some(&t.admin), Some(agent)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&err), vec!["skills[0].level"]);
    let contact = json!({"name": "Jane", "phone_numbers": ["+15551234567", "555-1234"]});
    let (_, err) = app.call("POST", "/api/v1/contacts", Some(&t.admin), Some(contact)).await;
    assert_eq!(fields(&err), vec!["phone_numbers[1]"]);
}

#[tokio::test]
async fn unknown_fields_are_rejected_by_name() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (status, err) =
        app.call("POST", "/api/v1/skills", Some(&t.admin), Some(json!({"name": "French", "colour": "blue"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(fields(&err), vec!["colour"]);
    let mut q = queue("Sales");
    q["service_level"]["threshold"] = json!(20);
    let (status, err) = app.call("POST", "/api/v1/queues", Some(&t.admin), Some(q)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(fields(&err), vec!["service_level.threshold"]);
    let user =
        json!({"username": "bob", "display_name": "Bob", "role": "agent", "password": "password123", "admin": true});
    let (status, err) = app.call("POST", "/api/v1/users", Some(&t.admin), Some(user)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_422_naming_the_field() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let mut q = queue("Sales");
    q["service_level"]["seconds"] = json!("twenty");
    let (status, err) = app.call("POST", "/api/v1/queues", Some(&t.admin), Some(q)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(fields(&err), vec!["service_level.seconds"]);
    let mut q = queue("Sales");
    q.as_object_mut().expect("object").remove("max_wait_secs");
    let (status, err) = app.call("POST", "/api/v1/queues", Some(&t.admin), Some(q)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(fields(&err), vec!["max_wait_secs"]);
    let mut q = queue("Sales");
    q["strategy"] = json!("random");
    let (_, err) = app.call("POST", "/api/v1/queues", Some(&t.admin), Some(q)).await;
    assert_eq!(fields(&err), vec!["strategy"]);
}

#[tokio::test]
async fn malformed_json_is_400_and_other_media_types_415() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (status, _, body) =
        app.raw("POST", "/api/v1/skills", Some(&t.admin), Some("application/json"), "{\"name\": ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(serde_json::from_str::<serde_json::Value>(&body).expect("JSON error")["error"].is_string());
    let (status, _, _) =
        app.raw("POST", "/api/v1/skills", Some(&t.admin), Some("application/json"), "{\"name\": \"a\"} trailing").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = app.raw("POST", "/api/v1/skills", Some(&t.admin), Some("text/plain"), "name=French").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn invalid_ivr_graph_names_the_dangling_edge() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let flow = json!({"name": "Main", "start": "welcome",
        "nodes": {"welcome": {"type": "play", "prompt": "Hi", "next": "nowhere"}}});
    let (status, err) = app.call("POST", "/api/v1/ivr-flows", Some(&t.admin), Some(flow)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&err), vec!["nodes.welcome.next"]);
}

#[tokio::test]
async fn unknown_ids_and_routes_are_json_404s() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (status, err) = app.call("GET", "/api/v1/queues/not-a-uuid", Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["error"], "not found");
    let (status, err) = app.call("GET", "/api/v1/nothing-here", Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["error"], "not found");
}

#[tokio::test]
async fn bad_contact_list_parameters_are_400_naming_the_parameter() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    for (query, field) in [("limit=0", "limit"), ("limit=x", "limit"), ("sort=name", "sort")] {
        let (status, err) = app.call("GET", &format!("/api/v1/contacts?{query}"), Some(&t.admin), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {err}");
        assert_eq!(fields(&err), vec![field], "{query}");
    }
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let notes = "x".repeat(3 * 1024 * 1024);
    let body = json!({"name": "Jane", "phone_numbers": ["+15551234567"], "notes": notes}).to_string();
    let (status, _, text) = app.raw("POST", "/api/v1/contacts", Some(&t.admin), Some("application/json"), &body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
}

#[tokio::test]
async fn tenant_creation_names_bad_slug_and_non_admin_first_user() {
    let app = App::new().await;
    let body = json!({"slug": "Bad Slug", "name": "Bad",
        "admin": {"username": "root", "display_name": "Root", "role": "agent", "password": "short"}});
    let (status, err) = app.call("POST", "/api/v1/tenants", Some(crate::common::OPERATOR), Some(body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&err), vec!["slug", "admin.password", "admin.role"]);
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let app = App::new().await;
    let (status, err) = app.call("PATCH", "/api/v1/skills", None, None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(err["error"].is_string(), "{err}");
}
