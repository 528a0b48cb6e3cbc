//! Agents' SIP passwords through the API: write-only, kept by an update
//! that leaves them out, removable by an admin of the agent's tenant only.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{App, fields};

fn agent(extension: &str, sip_password: Option<&str>) -> Value {
    let mut body = json!({"user_id": null, "name": format!("Agent {extension}"), "extension": extension});
    if let Some(p) = sip_password {
        body["sip_password"] = json!(p);
    }
    body
}

/// The password stored for agent `id`, read straight from the table.
async fn stored(app: &App, id: &str) -> Option<String> {
    let id = uuid::Uuid::parse_str(id).expect("uuid");
    let (password,): (Option<String>,) = sqlx::query_as("SELECT sip_password FROM agents WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("row");
    password
}

#[tokio::test]
async fn sip_password_is_never_returned_and_an_update_without_it_keeps_it() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (status, created) =
        app.call("POST", "/api/v1/agents", Some(&t.admin), Some(agent("1001", Some("s3cret-sip")))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let one = format!("/api/v1/agents/{id}");
    let (_, got) = app.call("GET", &one, Some(&t.admin), None).await;
    let (_, list) = app.call("GET", "/api/v1/agents", Some(&t.admin), None).await;
    for shown in [&created, &got, &list] {
        assert!(!shown.to_string().contains("s3cret") && !shown.to_string().contains("sip_password"), "{shown}");
    }
    assert_eq!(stored(&app, &id).await.as_deref(), Some("s3cret-sip"));
    // An admin edits the agent from what a GET shows: the password stays.
    let mut edited = got.clone();
    edited.as_object_mut().expect("object").remove("id");
    edited["name"] = json!("Renamed");
    let (status, updated) = app.call("PUT", &one, Some(&t.admin), Some(edited)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(stored(&app, &id).await.as_deref(), Some("s3cret-sip"), "left out: kept");
    let (status, updated) = app.call("PUT", &one, Some(&t.admin), Some(agent("1001", Some("n3w-secret")))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(updated.get("sip_password").is_none(), "{updated}");
    assert_eq!(stored(&app, &id).await.as_deref(), Some("n3w-secret"), "given: replaced");
}

#[tokio::test]
async fn admin_removes_a_sip_password_but_not_another_tenants_and_not_as_supervisor() {
    let app = App::new().await;
    let (a, b) = (app.tenant("acme").await, app.tenant("globex").await);
    let id = app.create(&a.admin, "/api/v1/agents", agent("1001", Some("s3cret-sip"))).await;
    let uri = format!("/api/v1/agents/{id}/sip-password");
    let (status, _) = app.call("DELETE", &uri, Some(&b.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another tenant's agent is 404");
    let (supervisor, _) = app.user(&a, "sam", "supervisor").await;
    let (status, _) = app.call("DELETE", &uri, Some(&supervisor), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.call("DELETE", &uri, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(stored(&app, &id).await.as_deref(), Some("s3cret-sip"));
    let (status, _) = app.call("DELETE", &uri, Some(&a.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(stored(&app, &id).await, None);
    let missing = format!("/api/v1/agents/{}/sip-password", uuid::Uuid::new_v4());
    assert_eq!(app.call("DELETE", &missing, Some(&a.admin), None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sip_password_outside_8_to_128_printable_ascii_is_422_naming_it() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    for bad in ["short", "tab\there-and-more", &"x".repeat(129)] {
        let (status, err) = app.call("POST", "/api/v1/agents", Some(&t.admin), Some(agent("1001", Some(bad)))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {err}");
        assert_eq!(fields(&err), vec!["sip_password"], "{err}");
    }
}

#[tokio::test]
async fn openapi_marks_the_sip_password_write_only_and_lists_its_removal() {
    let app = App::new().await;
    let (_, doc) = app.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(doc["components"]["schemas"]["Agent"]["properties"]["sip_password"]["writeOnly"], json!(true), "{doc}");
    assert!(doc["paths"]["/api/v1/agents/{id}/sip-password"]["delete"].is_object());
}
