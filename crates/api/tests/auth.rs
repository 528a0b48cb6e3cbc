//! Login, sessions, API keys, roles and the platform operator.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{App, OPERATOR, contact, queue};

#[tokio::test]
async fn login_returns_a_session_that_identifies_the_user() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let body = json!({"tenant": "acme", "username": "root", "password": "correct horse"});
    let (status, session) = app.call("POST", "/api/v1/auth/login", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(session["role"], "admin");
    assert_eq!(session["tenant_id"], t.id.as_str());
    assert_eq!(session["user_id"], t.admin_id.as_str());
    assert!(session["expires_at"].as_str().is_some());
    let (status, me) = app.call("GET", "/api/v1/me", session["token"].as_str(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["tenant_slug"], "acme");
    assert_eq!(me["user"]["username"], "root");
    assert_eq!(me["role"], "admin");
}

#[tokio::test]
async fn wrong_password_unknown_user_or_tenant_are_all_401() {
    let app = App::new().await;
    app.tenant("acme").await;
    for (tenant, user, password) in
        [("acme", "root", "wrong password"), ("acme", "nobody", "correct horse"), ("nope", "root", "correct horse")]
    {
        let body = json!({"tenant": tenant, "username": user, "password": password});
        let (status, err) = app.call("POST", "/api/v1/auth/login", None, Some(body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{tenant}/{user}");
        assert!(err["error"].is_string());
    }
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (status, _) = app.call("POST", "/api/v1/auth/logout", Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call("GET", "/api/v1/me", Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn missing_or_garbage_tokens_are_401() {
    let app = App::new().await;
    let (status, _) = app.call("GET", "/api/v1/queues", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.call("GET", "/api/v1/queues", Some("sbs_not-a-session"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.call("GET", "/api/v1/queues", Some("sbk_not-a-key"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn agent_cannot_call_admin_endpoints_but_reads_queues_skills_and_contacts() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    app.create(&t.admin, "/api/v1/queues", queue("Sales")).await;
    let (agent, _) = app.user(&t, "alice", "agent").await;
    let forbidden = [
        ("POST", "/api/v1/skills", Some(json!({"name": "French"}))),
        ("POST", "/api/v1/queues", Some(queue("Mine"))),
        ("GET", "/api/v1/users", None),
        ("GET", "/api/v1/api-keys", None),
        ("GET", "/api/v1/trunks", None),
        ("GET", "/api/v1/events", None),
        ("POST", "/api/v1/contacts", Some(contact("Jane", "+15551234567"))),
        (
            "POST",
            "/api/v1/users",
            Some(json!({"username": "x", "display_name": "x", "role": "admin", "password": "password123"})),
        ),
    ];
    for (method, uri, body) in forbidden {
        let (status, err) = app.call(method, uri, Some(&agent), body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri}: {err}");
    }
    for uri in ["/api/v1/queues", "/api/v1/skills", "/api/v1/contacts", "/api/v1/me"] {
        let (status, _) = app.call("GET", uri, Some(&agent), None).await;
        assert_eq!(status, StatusCode::OK, "GET {uri}");
    }
}

#[tokio::test]
async fn agent_reads_their_own_agent_profile_only() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (alice, alice_id) = app.user(&t, "alice", "agent").await;
    let own = app
        .create(
            &t.admin,
            "/api/v1/agents",
            json!({"user_id": alice_id, "name": "Alice", "extension": "1001", "mobile_number": null}),
        )
        .await;
    let other = app
        .create(
            &t.admin,
            "/api/v1/agents",
            json!({"user_id": null, "name": "Bob", "extension": "1002", "mobile_number": null}),
        )
        .await;
    let (status, _) = app.call("GET", &format!("/api/v1/agents/{own}"), Some(&alice), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.call("GET", &format!("/api/v1/agents/{other}"), Some(&alice), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, me) = app.call("GET", "/api/v1/me", Some(&alice), None).await;
    assert_eq!(me["agent"]["id"], own.as_str());
}

#[tokio::test]
async fn supervisor_manages_contacts_and_reads_config_but_does_not_change_it() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (sup, _) = app.user(&t, "sam", "supervisor").await;
    app.create(&sup, "/api/v1/contacts", contact("Jane", "+15551234567")).await;
    for uri in
        ["/api/v1/users", "/api/v1/trunks", "/api/v1/numbers", "/api/v1/ivr-flows", "/api/v1/agents", "/api/v1/events"]
    {
        let (status, _) = app.call("GET", uri, Some(&sup), None).await;
        assert_eq!(status, StatusCode::OK, "GET {uri}");
    }
    let (status, _) = app.call("POST", "/api/v1/queues", Some(&sup), Some(queue("Mine"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.call("GET", "/api/v1/api-keys", Some(&sup), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_key_authenticates_with_its_role_until_revoked() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let (_, key) =
        app.call("POST", "/api/v1/api-keys", Some(&t.admin), Some(json!({"name": "sync", "role": "supervisor"}))).await;
    let secret = key["key"].as_str().expect("key");
    let (status, me) = app.call("GET", "/api/v1/me", Some(secret), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["api_key_id"], key["id"]);
    assert_eq!(me["role"], "supervisor");
    app.create(secret, "/api/v1/contacts", contact("Jane", "+15551234567")).await;
    let (status, _) = app.call("POST", "/api/v1/skills", Some(secret), Some(json!({"name": "x"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, listed) = app.call("GET", "/api/v1/api-keys", Some(&t.admin), None).await;
    assert!(listed["items"][0]["last_used_at"].is_string(), "{listed}");
    let (status, _) =
        app.call("DELETE", &format!("/api/v1/api-keys/{}", key["id"].as_str().unwrap()), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call("GET", "/api/v1/me", Some(secret), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn last_admin_can_be_neither_deleted_nor_demoted() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let root = format!("/api/v1/users/{}", t.admin_id);
    let (status, err) = app.call("DELETE", &root, Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["error"].as_str().is_some_and(|e| e.contains("last admin")), "{err}");
    let demote = json!({"username": "root", "display_name": "Root", "role": "supervisor"});
    let (status, _) = app.call("PUT", &root, Some(&t.admin), Some(demote)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // With a second admin, the first may go.
    let (second, _) = app.user(&t, "deputy", "admin").await;
    let (status, _) = app.call("DELETE", &root, Some(&second), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call("GET", "/api/v1/me", Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the deleted admin's session ends with them");
}

#[tokio::test]
async fn only_the_platform_operator_creates_tenants() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let body = json!({"slug": "globex", "name": "Globex",
        "admin": {"username": "root", "display_name": "Root", "role": "admin", "password": "correct horse"}});
    let (status, _) = app.call("POST", "/api/v1/tenants", None, Some(body.clone())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.call("POST", "/api/v1/tenants", Some(&t.admin), Some(body.clone())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.call("POST", "/api/v1/tenants", Some(OPERATOR), Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, err) = app.call("POST", "/api/v1/tenants", Some(OPERATOR), Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    let (_, list) = app.call("GET", "/api/v1/tenants", Some(OPERATOR), None).await;
    let slugs: Vec<_> = list["items"].as_array().expect("items").iter().map(|t| t["slug"].clone()).collect();
    assert_eq!(slugs, vec![json!("acme"), json!("globex")]);
}

#[tokio::test]
async fn stored_operator_token_and_bootstrap_seed_idempotently() {
    let app = App::new().await;
    let token = api::bootstrap::create_operator(&app.pool, "ops").await.expect("operator");
    let tenant = api::bootstrap::create_tenant(&app.pool, "initech", "Initech").await.expect("tenant");
    let again = api::bootstrap::create_tenant(&app.pool, "initech", "Initech").await;
    assert!(matches!(again, Err(api::bootstrap::BootstrapError::AlreadyExists(_))), "{again:?}");
    let user = model::NewUser {
        user: model::User { username: "boss".into(), display_name: "Boss".into(), role: model::Role::Admin },
        password: "password123".into(),
    };
    let params = api::PasswordParams::insecure_for_tests();
    api::bootstrap::create_user_with(&app.pool, tenant.id, user.clone(), params).await.expect("user");
    let again = api::bootstrap::create_user_with(&app.pool, tenant.id, user, params).await;
    assert!(matches!(again, Err(api::bootstrap::BootstrapError::AlreadyExists(_))), "{again:?}");
    app.login("initech", "boss", "password123").await;
    let (status, list) = app.call("GET", "/api/v1/tenants", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"][0]["slug"], "initech");
}

#[tokio::test]
async fn an_expired_session_is_401() {
    let pool = store::testing::fresh_database().await;
    let config = api::ApiConfig { session_ttl: std::time::Duration::ZERO, ..crate::common::config() };
    let app = App::with_state(api::AppState::new(pool.clone(), config), pool);
    app.tenant_without_login("acme").await;
    let token = app.login("acme", "root", "correct horse").await;
    let (status, _) = app.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn request_span_carries_the_request_id_and_the_callers_tenant() {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let app = App::new().await;
    let t = app.tenant("acme").await;
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let (_, headers, _) = app.raw("GET", "/api/v1/queues", Some(&t.admin), None, "").await;
    drop(guard);
    let logs = String::from_utf8(buffer.0.lock().expect("lock").clone()).expect("utf-8");
    let request_id = headers["x-request-id"].to_str().expect("ascii");
    let line = logs.lines().find(|l| l.contains("answered")).unwrap_or_else(|| panic!("no answer logged: {logs}"));
    assert!(line.contains(&format!(r#""tenant_id":"{}""#, t.id)), "{line}");
    assert!(line.contains(&format!(r#""request_id":"{request_id}""#)), "{line}");
    assert!(line.contains(r#""route":"/api/v1/queues""#), "{line}");
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled_per_username() {
    let pool = store::testing::fresh_database().await;
    let config = api::ApiConfig { login_max_failures: 3, ..crate::common::config() };
    let app = App::with_state(api::AppState::new(pool.clone(), config), pool);
    app.tenant_without_login("acme").await;
    let attempt = |password: &'static str| {
        let body = json!({"tenant": "acme", "username": "root", "password": password});
        app.call("POST", "/api/v1/auth/login", None, Some(body))
    };
    for _ in 0..3 {
        assert_eq!(attempt("wrong password").await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, err) = attempt("correct horse").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{err}");
    // Another username of the same tenant is not affected.
    let body = json!({"tenant": "acme", "username": "other", "password": "x"});
    let (status, _) = app.call("POST", "/api/v1/auth/login", None, Some(body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[test]
fn login_throttle_reopens_after_the_window() {
    use std::time::{Duration, Instant};
    let throttle = api::auth::throttle::LoginThrottle::new(2, Duration::from_secs(60));
    let t0 = Instant::now();
    throttle.failed("acme", "Root", t0);
    assert!(throttle.allowed("acme", "root", t0));
    throttle.failed("ACME", "root", t0);
    assert!(!throttle.allowed("acme", "root", t0 + Duration::from_secs(59)));
    assert!(throttle.allowed("acme", "root", t0 + Duration::from_secs(60)));
    throttle.succeeded("acme", "root");
    assert!(throttle.allowed("acme", "root", t0));
}
