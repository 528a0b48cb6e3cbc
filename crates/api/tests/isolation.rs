//! One tenant never sees another's data: foreign objects are 404, not 403.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{App, contact, fields, queue};

#[tokio::test]
async fn tenant_a_key_gets_404_for_tenant_b_objects() {
    let app = App::new().await;
    let a = app.tenant("acme").await;
    let b = app.tenant("globex").await;
    let (_, key) =
        app.call("POST", "/api/v1/api-keys", Some(&a.admin), Some(json!({"name": "k", "role": "admin"}))).await;
    let key = key["key"].as_str().expect("key").to_owned();
    let b_queue = app.create(&b.admin, "/api/v1/queues", queue("Sales")).await;
    let b_contact = app.create(&b.admin, "/api/v1/contacts", contact("Jane", "+15551234567")).await;
    let b_skill = app.create(&b.admin, "/api/v1/skills", json!({"name": "French"})).await;
    let b_user = b.admin_id.clone();
    for uri in [
        format!("/api/v1/queues/{b_queue}"),
        format!("/api/v1/contacts/{b_contact}"),
        format!("/api/v1/users/{b_user}"),
        format!("/api/v1/skills/{b_skill}"),
    ] {
        let (status, err) = app.call("GET", &uri, Some(&key), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "GET {uri}: {err}");
        let (status, _) = app.call("DELETE", &uri, Some(&key), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "DELETE {uri}");
    }
    let (status, _) = app.call("PUT", &format!("/api/v1/queues/{b_queue}"), Some(&key), Some(queue("Stolen"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        app.call("PUT", &format!("/api/v1/contacts/{b_contact}"), Some(&key), Some(contact("X", "+15550000000"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Lists show only the caller's tenant.
    for uri in ["/api/v1/queues", "/api/v1/contacts", "/api/v1/skills"] {
        let (_, list) = app.call("GET", uri, Some(&key), None).await;
        assert_eq!(list["items"], json!([]), "{uri}");
    }
    // B's objects are untouched.
    let (status, _) = app.call("GET", &format!("/api/v1/queues/{b_queue}"), Some(&b.admin), None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn references_to_another_tenants_objects_are_refused() {
    let app = App::new().await;
    let a = app.tenant("acme").await;
    let b = app.tenant("globex").await;
    let b_skill = app.create(&b.admin, "/api/v1/skills", json!({"name": "French"})).await;
    let b_queue = app.create(&b.admin, "/api/v1/queues", queue("Sales")).await;
    let agent = json!({"user_id": null, "name": "Al", "extension": "1", "mobile_number": null,
                       "skills": [{"skill_id": b_skill, "level": 5}]});
    let (status, err) = app.call("POST", "/api/v1/agents", Some(&a.admin), Some(agent)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(fields(&err), vec!["skills"]);
    let number = json!({"e164": "+442071838750", "entry": {"type": "queue", "queue_id": b_queue}});
    let (status, err) = app.call("POST", "/api/v1/numbers", Some(&a.admin), Some(number)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(fields(&err), vec!["entry.queue_id"]);
    let agent = json!({"user_id": b.admin_id, "name": "Al", "extension": "1", "mobile_number": null});
    let (status, err) = app.call("POST", "/api/v1/agents", Some(&a.admin), Some(agent)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(fields(&err), vec!["user_id"]);
}

#[tokio::test]
async fn tenant_a_gets_404_for_tenant_b_call_events_and_never_lists_them() {
    let app = App::new().await;
    let a = app.tenant("acme").await;
    let b = app.tenant("globex").await;
    let b_call = crate::events::insert_call(&app.pool, &b.id, 3).await;
    let (status, _) = app.call("GET", &format!("/api/v1/calls/{b_call}/events"), Some(&a.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.call("GET", &format!("/api/v1/events?call_id={b_call}"), Some(&a.admin), None).await;
    assert_eq!(list["items"], json!([]));
    let (_, list) = app.call("GET", "/api/v1/events", Some(&b.admin), None).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3));
}
