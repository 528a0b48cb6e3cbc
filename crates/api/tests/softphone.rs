//! What the browser softphone asks of the API besides call control: a
//! short-lived SIP login for the agent's own AOR (never the SIP password
//! itself), which the registrar's credential store accepts; and the
//! screen pop's last calls of a contact, newest first, with their
//! dispositions, within the caller's tenant only; and the agent directory
//! (transfer targets) by name and extension.

use axum::http::StatusCode;
use chrono::{DateTime, TimeZone, Utc};
use model::{ContactId, EndCause, EventPayload, QueueId, TenantId};
use serde_json::{Value, json};
use sip::auth::Credentials;
use sip::registrar::{Accounts, CredentialStore};
use store::testing::script::CallScript;
use store::writer::{self, WriterConfig};

use crate::common::{App, TestTenant, contact, queue};

/// An agent profile for `user` (or none) with a SIP password (or none).
fn agent(user: Option<&str>, extension: &str, sip_password: Option<&str>) -> Value {
    let mut body = json!({"user_id": user, "name": format!("Agent {extension}"), "extension": extension,
                          "mobile_number": null});
    if let Some(p) = sip_password {
        body["sip_password"] = json!(p);
    }
    body
}

/// A user of role agent with an agent profile; their session token.
async fn agent_user(app: &App, t: &TestTenant, username: &str, extension: &str, sip: Option<&str>) -> String {
    let (token, user) = app.user(t, username, "agent").await;
    app.create(&t.admin, "/api/v1/agents", agent(Some(&user), extension, sip)).await;
    token
}

#[tokio::test]
async fn an_agent_gets_a_sip_login_of_their_own_aor_that_the_registrar_accepts() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let ann = agent_user(&app, &t, "ann", "1001", Some("ann-sip-secret")).await;
    let before = Utc::now();
    let (status, login) = app.call("POST", "/api/v1/agent/sip-login", Some(&ann), None).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert!(!login.to_string().contains("ann-sip-secret"), "the SIP password is never handed out: {login}");
    assert_eq!(login["uri"], "sip:1001@acme.switchboard.localhost");
    assert_eq!(login["display_name"], "Agent 1001");
    let user = login["authorization_user"].as_str().expect("authorization_user");
    let password = login["password"].as_str().expect("password");
    let expires: DateTime<Utc> = login["expires_at"].as_str().expect("expires_at").parse().expect("RFC 3339");
    assert_eq!(user, format!("1001~{}", expires.timestamp()));
    // A session's length (12 h by default), counted from the request.
    let lifetime = (expires - before).num_seconds();
    assert!((12 * 3600 - 5..=12 * 3600 + 5).contains(&lifetime), "{lifetime} s");

    // The registrar's store, built from the same account, accepts exactly
    // this username and password for the AOR's user.
    let domain = "acme.switchboard.localhost";
    let accounts = Accounts::from_passwords([(domain, "1001", "ann-sip-secret")]);
    let now = u64::try_from(before.timestamp()).expect("after 1970");
    let accepted = accounts.lookup_web_login(domain, "1001", user, now).expect("a valid web login");
    assert_eq!(accepted, Credentials::from_password(user, domain, password));
    assert_eq!(accounts.lookup_web_login(domain, "1002", user, now), None, "another extension's AOR");
}

#[tokio::test]
async fn a_sip_login_needs_an_agent_with_a_sip_password() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let no_sip = agent_user(&app, &t, "bea", "1002", None).await;
    let (status, body) = app.call("POST", "/api/v1/agent/sip-login", Some(&no_sip), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().is_some_and(|e| e.contains("SIP password")), "{body}");
    let (supervisor, _) = app.user(&t, "sue", "supervisor").await;
    let (status, body) = app.call("POST", "/api/v1/agent/sip-login", Some(&supervisor), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "no agent profile: {body}");
    let (status, _) = app.call("POST", "/api/v1/agent/sip-login", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Monday 2 March 2026, 09:00 UTC.
fn nine() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// A call of `contact` arriving `ms` after nine, answered, with `disposition`.
fn call_of(tenant: TenantId, contact: ContactId, ms: i64, queue: QueueId, agent: model::AgentId) -> CallScript {
    CallScript::arrive_from(tenant, nine(), ms, "+441632960111")
        .contact(contact)
        .at(ms + 1_000, EventPayload::CallQueued { queue_id: queue, priority: 0, position: 1 })
        .offered(ms + 2_000, queue, agent)
        .answered(ms + 5_000, agent)
        .at(ms + 65_000, EventPayload::CallEnded { cause: EndCause::CallerHangup })
}

#[tokio::test]
async fn a_contacts_last_calls_come_newest_first_with_their_dispositions_within_the_tenant() {
    let app = App::new().await;
    let (t, other) = (app.tenant("acme").await, app.tenant("globex").await);
    let tenant = TenantId(t.id.parse().expect("tenant id"));
    let ann = agent_user(&app, &t, "ann", "1001", None).await;
    let sales: QueueId = app.create(&t.admin, "/api/v1/queues", queue("Sales")).await.parse().expect("id");
    let agent: model::AgentId =
        app.create(&t.admin, "/api/v1/agents", agent(None, "1003", None)).await.parse().expect("id");
    let grace: ContactId =
        app.create(&t.admin, "/api/v1/contacts", contact("Grace", "+441632960111")).await.parse().expect("id");
    let linus: ContactId =
        app.create(&t.admin, "/api/v1/contacts", contact("Linus", "+441632960112")).await.parse().expect("id");

    let journal = tempfile::tempdir().expect("tempdir");
    let (sink, handle) = writer::start(app.pool.clone(), WriterConfig::new(journal.path())).expect("writer");
    let first = call_of(tenant, grace, 0, sales, agent);
    let second = call_of(tenant, grace, 600_000, sales, agent);
    let third = call_of(tenant, grace, 1_200_000, sales, agent);
    let linus_call = call_of(tenant, linus, 1_800_000, sales, agent);
    for call in [&first, &second, &third, &linus_call] {
        sink.write_batch(call.events.clone()).await.expect("write a call");
    }
    let filed = |call: &CallScript, code: &str| {
        call.later(0, 700_000, EventPayload::DispositionSet { agent_id: agent, code: code.into(), notes: "".into() })
    };
    sink.write(filed(&first, "resolved")).await.expect("write a disposition");
    sink.write(filed(&second, "follow_up")).await.expect("write a disposition");
    handle.shutdown().await;

    // An agent reads it, as the screen pop does.
    let uri = format!("/api/v1/contacts/{grace}/calls");
    let (status, body) = app.call("GET", &uri, Some(&ann), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().expect("items");
    let ids: Vec<&str> = items.iter().map(|c| c["call_id"].as_str().expect("call_id")).collect();
    let (one, two, three) = (first.call.to_string(), second.call.to_string(), third.call.to_string());
    assert_eq!(ids, [three.as_str(), two.as_str(), one.as_str()], "Grace's calls, newest first: {body}");
    let dispositions: Vec<&Value> = items.iter().map(|c| &c["disposition"]).collect();
    assert_eq!(dispositions, [&Value::Null, &json!("follow_up"), &json!("resolved")]);
    assert_eq!(items[0]["outcome"], "answered");
    assert_eq!(items[0]["talk_ms"], 60_000);
    assert_eq!(items[0]["agent_id"], agent.to_string());
    assert_eq!(items[0]["arrived_at"], "2026-03-02T09:20:00Z");

    let (status, body) = app.call("GET", &format!("{uri}?limit=1"), Some(&ann), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"].as_array().map(Vec::len), Some(1), "{body}");
    let (status, body) = app.call("GET", &format!("{uri}?limit=0"), Some(&ann), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(crate::common::fields(&body), ["limit"]);
    let (status, _) = app.call("GET", &uri, Some(&other.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another tenant's contact");
    let (status, _) = app.call("GET", &uri, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_agent_reads_the_agent_directory_of_their_tenant_by_name_and_extension_only() {
    let app = App::new().await;
    let t = app.tenant("dir").await;
    let token = agent_user(&app, &t, "al", "1001", Some("s3cret-sip-pass")).await;
    app.create(&t.admin, "/api/v1/agents", agent(None, "1002", Some("other-sip-pass"))).await;
    let other = app.tenant("elsewhere").await;
    app.create(&other.admin, "/api/v1/agents", agent(None, "2001", None)).await;

    let (status, dir) = app.call("GET", "/api/v1/agent-directory", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{dir}");
    let items = dir["items"].as_array().expect("items");
    let extensions: Vec<&str> = items.iter().filter_map(|a| a["extension"].as_str()).collect();
    assert_eq!(extensions, ["1001", "1002"], "the tenant's agents only: {dir}");
    for entry in items {
        let keys: Vec<&String> = entry.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["extension", "id", "name"], "nothing but who they are: {entry}");
    }
    assert!(!dir.to_string().contains("sip-pass"));
    let (status, _) = app.call("GET", "/api/v1/agents", Some(&token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the full profiles stay the supervisors'");
    let (status, _) = app.call("GET", "/api/v1/agent-directory", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
