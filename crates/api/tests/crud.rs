//! Every configuration entity round-trips through the API:
//! create → get → update → list → delete.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{App, contact, queue};

/// Checks that every field of `sent`, except the write-only ones, reads back equal.
fn assert_echoes(what: &str, sent: &Value, got: &Value, write_only: &[&str]) {
    for (k, v) in sent.as_object().expect("object") {
        if !write_only.contains(&k.as_str()) {
            assert_eq!(&got[k], v, "{what}: field {k} did not round-trip");
        }
    }
}

/// Creates `body`, reads it back, replaces it with `changed`, finds it in the
/// list, deletes it and checks it is gone. Returns the created and updated objects.
async fn round_trip(
    app: &App,
    token: &str,
    collection: &str,
    body: Value,
    changed: Value,
    write_only: &[&str],
) -> (Value, Value) {
    let (status, created) = app.call("POST", collection, Some(token), Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_echoes(collection, &body, &created, write_only);
    let id = created["id"].as_str().expect("id").to_owned();
    let one = format!("{collection}/{id}");
    let (status, got) = app.call("GET", &one, Some(token), None).await;
    assert_eq!(status, StatusCode::OK);
    let mut shown = created.clone();
    // An API key's secret is in the creation response only.
    shown.as_object_mut().expect("object").remove("key");
    assert_eq!(got, shown);
    let (status, updated) = app.call("PUT", &one, Some(token), Some(changed.clone())).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["id"], created["id"]);
    assert_echoes(collection, &changed, &updated, write_only);
    let (status, list) = app.call("GET", collection, Some(token), None).await;
    assert_eq!(status, StatusCode::OK);
    let items = list["items"].as_array().expect("items");
    assert!(items.iter().any(|i| i == &updated), "{collection}: updated object missing from {list}");
    let (status, _) = app.call("DELETE", &one, Some(token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call("GET", &one, Some(token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.call("DELETE", &one, Some(token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    (created, updated)
}

#[tokio::test]
async fn skills_round_trip() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let body = json!({"name": "French", "description": "Native speaker"});
    let changed = json!({"name": "French", "description": "Fluent"});
    round_trip(&app, &t.admin, "/api/v1/skills", body, changed, &[]).await;
}

#[tokio::test]
async fn users_round_trip_and_never_show_the_password() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let body = json!({"username": "alice", "display_name": "Alice", "role": "agent", "password": "password123"});
    let changed =
        json!({"username": "alice", "display_name": "Alice A.", "role": "supervisor", "password": "new-password"});
    let (created, updated) = round_trip(&app, &t.admin, "/api/v1/users", body, changed, &["password"]).await;
    for v in [created, updated] {
        assert!(v.get("password").is_none() && v.get("password_hash").is_none(), "{v}");
    }
}

#[tokio::test]
async fn user_password_change_takes_effect_at_login() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (_, id) = app.user(&t, "bob", "agent").await;
    let changed = json!({"username": "bob", "display_name": "Bob", "role": "agent", "password": "another-secret"});
    let (status, _) = app.call("PUT", &format!("/api/v1/users/{id}"), Some(&t.admin), Some(changed)).await;
    assert_eq!(status, StatusCode::OK);
    app.login("acme", "bob", "another-secret").await;
    let body = json!({"tenant": "acme", "username": "bob", "password": "password123"});
    let (status, _) = app.call("POST", "/api/v1/auth/login", None, Some(body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_keys_round_trip_and_show_the_secret_only_once() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let body = json!({"name": "CRM sync", "role": "supervisor"});
    let (status, created) = app.call("POST", "/api/v1/api-keys", Some(&t.admin), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(created["key"].as_str().is_some_and(|k| k.starts_with("sbk_")), "{created}");
    let (_, got) =
        app.call("GET", &format!("/api/v1/api-keys/{}", created["id"].as_str().unwrap()), Some(&t.admin), None).await;
    assert!(got.get("key").is_none(), "{got}");
    let body = json!({"name": "Wallboard", "role": "agent"});
    let changed = json!({"name": "Wallboard v2", "role": "supervisor"});
    round_trip(&app, &t.admin, "/api/v1/api-keys", body, changed, &[]).await;
}

#[tokio::test]
async fn agents_round_trip_with_skills_levels_vip_tier_and_queues() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (_, user_id) = app.user(&t, "alice", "agent").await;
    let french = app.create(&t.admin, "/api/v1/skills", json!({"name": "French"})).await;
    let billing = app.create(&t.admin, "/api/v1/skills", json!({"name": "Billing"})).await;
    let sales = app.create(&t.admin, "/api/v1/queues", queue("Sales")).await;
    let body = json!({
        "user_id": user_id, "name": "Alice", "extension": "1001", "vip_tier": 2,
        "skills": [{"skill_id": french, "level": 7}],
        "queues": [{"queue_id": sales, "weight": 10}],
        "device": "registered", "mobile_number": null
    });
    let changed = json!({
        "user_id": user_id, "name": "Alice", "extension": "1001", "vip_tier": 3,
        "skills": [{"skill_id": billing, "level": 10}],
        "queues": [], "device": "mobile", "mobile_number": "+447700900123"
    });
    round_trip(&app, &t.admin, "/api/v1/agents", body, changed, &[]).await;
}

#[tokio::test]
async fn queues_round_trip_and_list_their_members() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let skill = app.create(&t.admin, "/api/v1/skills", json!({"name": "Billing"})).await;
    let mut body = queue("Support");
    body["required_skills"] = json!([{"skill_id": skill, "min_level": 3}]);
    body["ring_timeout_secs"] = json!(25);
    body["record_calls"] = json!(true);
    let mut changed = queue("Support tier 1");
    changed["strategy"] = json!("best_skill");
    changed["service_level"] = json!({"percent": 90, "seconds": 30});
    changed["overflow"] = json!({"type": "number", "number": "+442071838750"});
    changed["routing"] = json!({
        "skill_steps": [{"after_secs": 30, "required_skills": [{"skill_id": skill, "min_level": 1}], "extra_queues": []}],
        "vip_relax_after_secs": 90,
        "sticky": {"within_days": 7, "wait_secs": 10},
        "blending_threshold_secs": 60,
        "join_empty": false,
        "leave_empty": true,
        "announce_interval_secs": 45
    });
    round_trip(&app, &t.admin, "/api/v1/queues", body, changed, &[]).await;

    let q = app.create(&t.admin, "/api/v1/queues", queue("Sales")).await;
    let agent = app
        .create(
            &t.admin,
            "/api/v1/agents",
            json!({"user_id": null, "name": "Bob", "extension": "1002", "mobile_number": null}),
        )
        .await;
    let members = json!({"members": [{"agent_id": agent, "weight": 5}]});
    let (status, view) = app.call("PUT", &format!("/api/v1/queues/{q}/members"), Some(&t.admin), Some(members)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["members"], json!([{"agent_id": agent, "weight": 5}]));
    let (_, agent_view) = app.call("GET", &format!("/api/v1/agents/{agent}"), Some(&t.admin), None).await;
    assert_eq!(agent_view["queues"], json!([{"queue_id": q, "weight": 5}]));
}

#[tokio::test]
async fn numbers_round_trip_and_a_queue_in_use_cannot_be_deleted() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let q = app.create(&t.admin, "/api/v1/queues", queue("Sales")).await;
    let flow = app.create(&t.admin, "/api/v1/ivr-flows", ivr_flow("Main", &q)).await;
    let body = json!({"e164": "+442071838750", "entry": {"type": "queue", "queue_id": q}, "label": "UK sales"});
    let changed = json!({"e164": "+442071838751", "entry": {"type": "ivr", "flow_id": flow}, "label": "UK main"});
    round_trip(&app, &t.admin, "/api/v1/numbers", body, changed, &[]).await;

    let body = json!({"e164": "+442071838752", "entry": {"type": "queue", "queue_id": q}});
    app.create(&t.admin, "/api/v1/numbers", body).await;
    let (status, err) = app.call("DELETE", &format!("/api/v1/queues/{q}"), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
}

#[tokio::test]
async fn trunks_round_trip_and_never_return_secrets() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let body = json!({
        "name": "Carrier A", "host": "sip.carrier.example", "port": 5060, "transport": "udp",
        "inbound": {"type": "ip_allow_list", "sources": ["203.0.113.0/24"]},
        "outbound_credentials": {"username": "acme", "password": "s3cret-out"},
        "registration": {"credentials": {"username": "acme", "password": "s3cret-reg"}, "expires_secs": 3600},
        "priority": 1
    });
    let changed = json!({
        "name": "Carrier A", "host": "sip2.carrier.example", "port": 5061, "transport": "tls",
        "inbound": {"type": "digest", "credentials": {"username": "carrier", "password": "s3cret-in"}},
        "outbound_credentials": null, "registration": null, "priority": 2
    });
    let (status, created) = app.call("POST", "/api/v1/trunks", Some(&t.admin), Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(!created.to_string().contains("s3cret"), "{created}");
    assert_eq!(created["outbound_credentials"], json!({"username": "acme"}));
    let id = created["id"].as_str().expect("id");
    let (status, updated) = app.call("PUT", &format!("/api/v1/trunks/{id}"), Some(&t.admin), Some(changed)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["inbound"], json!({"type": "digest", "credentials": {"username": "carrier"}}));
    assert_eq!(updated["host"], "sip2.carrier.example");
    let (_, list) = app.call("GET", "/api/v1/trunks", Some(&t.admin), None).await;
    assert!(!list.to_string().contains("s3cret"), "{list}");
    assert_eq!(list["items"][0], updated);
    // The secrets are kept for the SIP edge.
    let (inbound,): (Value,) = sqlx::query_as("SELECT inbound FROM trunks").fetch_one(&app.pool).await.expect("row");
    assert_eq!(inbound["credentials"]["password"], "s3cret-in");
    let (status, _) = app.call("DELETE", &format!("/api/v1/trunks/{id}"), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn contacts_round_trip_and_search_by_name_company_or_number() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let owner = app
        .create(
            &t.admin,
            "/api/v1/agents",
            json!({"user_id": null, "name": "Bob", "extension": "1002", "mobile_number": null}),
        )
        .await;
    let mut changed = contact("Jane Doe", "+15551234567");
    changed["owner_agent_id"] = json!(owner);
    changed["vip_tier"] = json!(3);
    round_trip(&app, &t.admin, "/api/v1/contacts", contact("Jane Roe", "+15551234567"), changed, &[]).await;

    app.create(&t.admin, "/api/v1/contacts", contact("Peter Gibbons", "+15550000001")).await;
    let mut other = contact("Samir N.", "+15550000002");
    other["company"] = json!("Chotchkie's");
    app.create(&t.admin, "/api/v1/contacts", other).await;
    for (q, expected) in [("gibb", "Peter Gibbons"), ("CHOTCH", "Samir N."), ("0000002", "Samir N.")] {
        let (status, found) = app.call("GET", &format!("/api/v1/contacts?q={q}"), Some(&t.admin), None).await;
        assert_eq!(status, StatusCode::OK);
        let names: Vec<_> = found["items"].as_array().expect("items").iter().map(|c| c["name"].clone()).collect();
        assert_eq!(names, vec![json!(expected)], "q={q}");
    }
    let (_, exact) = app.call("GET", "/api/v1/contacts?number=%2B15550000001", Some(&t.admin), None).await;
    assert_eq!(exact["items"].as_array().map(Vec::len), Some(1), "{exact}");
    assert_eq!(exact["items"][0]["name"], "Peter Gibbons");
    let (_, none) = app.call("GET", "/api/v1/contacts?number=%2B1555000000", Some(&t.admin), None).await;
    assert_eq!(none["items"], json!([]), "a prefix is not the number");
    let (_, all) = app.call("GET", "/api/v1/contacts?limit=1", Some(&t.admin), None).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1));
}

fn ivr_flow(name: &str, queue: &str) -> Value {
    json!({
        "name": name, "start": "welcome",
        "nodes": {
            "welcome": {"type": "menu", "prompt": "Press 1 for sales", "choices": {"1": "sales"},
                        "timeout_secs": 5, "retries": 2, "on_failure": "bye"},
            "sales": {"type": "enqueue", "queue_id": queue},
            "bye": {"type": "hangup", "prompt": "Goodbye"}
        }
    })
}

#[tokio::test]
async fn ivr_flows_round_trip() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let q = app.create(&t.admin, "/api/v1/queues", queue("Sales")).await;
    let mut changed = ivr_flow("Main menu", &q);
    changed["nodes"]["welcome"]["choices"] = json!({"1": "sales", "9": "bye"});
    round_trip(&app, &t.admin, "/api/v1/ivr-flows", ivr_flow("Main", &q), changed, &[]).await;
}

#[tokio::test]
async fn duplicates_are_conflicts() {
    let app = App::new().await;
    let a = app.tenant("acme").await;
    let b = app.tenant("globex").await;
    app.create(&a.admin, "/api/v1/skills", json!({"name": "French"})).await;
    let (status, err) = app.call("POST", "/api/v1/skills", Some(&a.admin), Some(json!({"name": "French"}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["error"].as_str().is_some_and(|e| e.contains("name")), "{err}");
    // Another tenant may use the same name...
    app.create(&b.admin, "/api/v1/skills", json!({"name": "French"})).await;
    // ...but not the same phone number, which routes to exactly one tenant.
    let qa = app.create(&a.admin, "/api/v1/queues", queue("Sales")).await;
    let qb = app.create(&b.admin, "/api/v1/queues", queue("Sales")).await;
    app.create(
        &a.admin,
        "/api/v1/numbers",
        json!({"e164": "+442071838750", "entry": {"type": "queue", "queue_id": qa}}),
    )
    .await;
    let dup = json!({"e164": "+442071838750", "entry": {"type": "queue", "queue_id": qb}});
    let (status, err) = app.call("POST", "/api/v1/numbers", Some(&b.admin), Some(dup)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    let body = json!({"username": "root", "display_name": "Again", "role": "agent", "password": "password123"});
    let (status, _) = app.call("POST", "/api/v1/users", Some(&a.admin), Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn trunk_put_of_what_get_shows_keeps_the_stored_passwords() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let body = json!({
        "name": "Carrier B", "host": "sip.carrier.example",
        "inbound": {"type": "digest", "credentials": {"username": "carrier", "password": "s3cret-in"}},
        "outbound_credentials": {"username": "acme", "password": "s3cret-out"}, "registration": null
    });
    let id = app.create(&t.admin, "/api/v1/trunks", body).await;
    let (_, mut shown) = app.call("GET", &format!("/api/v1/trunks/{id}"), Some(&t.admin), None).await;
    shown.as_object_mut().expect("object").remove("id");
    shown["host"] = json!("sip3.carrier.example");
    let (status, updated) = app.call("PUT", &format!("/api/v1/trunks/{id}"), Some(&t.admin), Some(shown)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["host"], "sip3.carrier.example");
    let (inbound, outbound): (Value, Value) =
        sqlx::query_as("SELECT inbound, outbound_credentials FROM trunks").fetch_one(&app.pool).await.expect("row");
    assert_eq!(inbound["credentials"]["password"], "s3cret-in");
    assert_eq!(outbound["password"], "s3cret-out");
    // A new username needs its own password.
    let changed = json!({"name": "Carrier B", "host": "sip.carrier.example",
        "inbound": {"type": "digest", "credentials": {"username": "someone-else"}},
        "outbound_credentials": null, "registration": null});
    let (status, err) = app.call("PUT", &format!("/api/v1/trunks/{id}"), Some(&t.admin), Some(changed)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(crate::common::fields(&err), vec!["inbound.credentials.password"]);
}

#[tokio::test]
async fn a_skill_still_held_or_required_cannot_be_deleted() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let skill = app.create(&t.admin, "/api/v1/skills", json!({"name": "French"})).await;
    let mut q = queue("French line");
    q["required_skills"] = json!([{"skill_id": skill, "min_level": 2}]);
    let q = app.create(&t.admin, "/api/v1/queues", q).await;
    let (status, err) = app.call("DELETE", &format!("/api/v1/skills/{skill}"), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    let (status, _) = app.call("DELETE", &format!("/api/v1/queues/{q}"), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call("DELETE", &format!("/api/v1/skills/{skill}"), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn deleting_a_user_or_agent_unlinks_what_referred_to_them() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (_, user) = app.user(&t, "alice", "agent").await;
    let agent = app
        .create(
            &t.admin,
            "/api/v1/agents",
            json!({"user_id": user, "name": "Alice", "extension": "1001", "mobile_number": null}),
        )
        .await;
    let mut c = contact("Jane", "+15551234567");
    c["owner_agent_id"] = json!(agent);
    let c = app.create(&t.admin, "/api/v1/contacts", c).await;
    let (status, _) = app.call("DELETE", &format!("/api/v1/users/{user}"), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, a) = app.call("GET", &format!("/api/v1/agents/{agent}"), Some(&t.admin), None).await;
    assert_eq!(a["user_id"], Value::Null, "{a}");
    let (status, _) = app.call("DELETE", &format!("/api/v1/agents/{agent}"), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, got) = app.call("GET", &format!("/api/v1/contacts/{c}"), Some(&t.admin), None).await;
    assert_eq!(got["owner_agent_id"], Value::Null, "{got}");
    assert_eq!(got["name"], "Jane");
}
