//! A router over a fresh database, and helpers to call it like a client.

use api::{ApiConfig, AppState, PasswordParams};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;

/// The platform operator's token in tests.
pub const OPERATOR: &str = "test-operator-token";

/// The API over a fresh, migrated database.
pub struct App {
    pub router: Router,
    pub pool: PgPool,
}

/// A tenant made through the API, with its first admin logged in.
pub struct TestTenant {
    pub id: String,
    pub slug: String,
    pub admin_id: String,
    pub admin: String,
}

pub fn config() -> ApiConfig {
    ApiConfig {
        password: PasswordParams::insecure_for_tests(),
        operator_token: Some(OPERATOR.into()),
        ..Default::default()
    }
}

impl App {
    pub async fn new() -> App {
        let pool = store::testing::fresh_database().await;
        App::with_state(AppState::new(pool.clone(), config()), pool)
    }

    pub fn with_state(state: AppState, pool: PgPool) -> App {
        App { router: api::router(state), pool }
    }

    /// Sends a request with a raw body; returns the status, headers and body text.
    pub async fn raw(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: &str,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let req = req.body(Body::from(body.to_owned())).expect("request");
        let response = self.router.clone().oneshot(req).await.expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (status, headers, String::from_utf8(bytes.to_vec()).expect("utf-8 body"))
    }

    /// Sends a JSON request; returns the status and the JSON body (`null` if empty).
    pub async fn call(&self, method: &str, uri: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let (ct, text) = match body {
            Some(b) => (Some("application/json"), b.to_string()),
            None => (None, String::new()),
        };
        let (status, _, text) = self.raw(method, uri, token, ct, &text).await;
        let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON body") };
        (status, value)
    }

    /// Creates a tenant through the operator endpoint and logs its admin in.
    pub async fn tenant(&self, slug: &str) -> TestTenant {
        let created = self.tenant_without_login(slug).await;
        let admin = self.login(slug, "root", "correct horse").await;
        TestTenant {
            id: created["id"].as_str().expect("id").to_owned(),
            slug: slug.to_owned(),
            admin_id: created["admin"]["id"].as_str().expect("admin id").to_owned(),
            admin,
        }
    }

    /// Creates a tenant whose admin is `root` / `correct horse`; returns the response.
    pub async fn tenant_without_login(&self, slug: &str) -> Value {
        let body = json!({
            "slug": slug, "name": format!("{slug} Ltd"),
            "admin": {"username": "root", "display_name": "Root", "role": "admin", "password": "correct horse"}
        });
        let (status, created) = self.call("POST", "/api/v1/tenants", Some(OPERATOR), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created
    }

    /// Logs in and returns the session token.
    pub async fn login(&self, tenant: &str, username: &str, password: &str) -> String {
        let body = json!({"tenant": tenant, "username": username, "password": password});
        let (status, session) = self.call("POST", "/api/v1/auth/login", None, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{session}");
        session["token"].as_str().expect("token").to_owned()
    }

    /// Creates a user of `role` in the tenant and returns their session token and id.
    pub async fn user(&self, t: &TestTenant, username: &str, role: &str) -> (String, String) {
        let body = json!({"username": username, "display_name": username, "role": role, "password": "password123"});
        let (status, user) = self.call("POST", "/api/v1/users", Some(&t.admin), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        (self.login(&t.slug, username, "password123").await, user["id"].as_str().expect("id").to_owned())
    }

    /// Creates an object and returns its id.
    /// Recomputes `tenant`'s coarse rollups (migration 0012) from the
    /// fine rows a test wrote by hand, as the triggers would have kept them.
    pub async fn rebuild_coarse_rollups(&self, tenant: uuid::Uuid) {
        sqlx::query("SELECT rebuild_coarse_rollups($1)")
            .bind(tenant)
            .execute(&self.pool)
            .await
            .expect("coarse rollups");
    }

    pub async fn create(&self, token: &str, collection: &str, body: Value) -> String {
        let (status, created) = self.call("POST", collection, Some(token), Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{collection}: {created}");
        created["id"].as_str().expect("id").to_owned()
    }
}

/// A valid queue body named `name`.
pub fn queue(name: &str) -> Value {
    json!({
        "name": name,
        "strategy": "longest_idle",
        "service_level": {"percent": 80, "seconds": 20},
        "max_wait_secs": 600,
        "max_length": 50,
        "wrap_up_secs": 30,
        "business_hours": {
            "time_zone": "Europe/London",
            "weekly": [{"day": "Mon", "open": "09:00:00", "close": "17:30:00"}],
            "holidays": [{"date": "2026-12-25", "name": "Christmas"}]
        },
        "overflow": {"type": "voicemail"},
        "callback_threshold_secs": 120
    })
}

/// A valid contact body.
pub fn contact(name: &str, number: &str) -> Value {
    json!({"name": name, "phone_numbers": [number], "company": "Initech", "vip_tier": 2, "deal_stage": "lead",
           "notes": "prefers mornings", "owner_agent_id": null})
}

/// The `field` of every entry in an error body's `fields`.
pub fn fields(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}
