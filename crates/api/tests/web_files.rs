//! The web app's files at `/` (`ApiConfig::web_dir`): files by path, the
//! app's `index.html` for its own routes, and JSON 404s kept for `/api/`.

use api::AppState;
use axum::http::StatusCode;

use crate::common::{App, config};

#[tokio::test]
async fn the_web_app_is_served_at_the_root_and_unknown_api_paths_stay_json_404s() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>Switchboard</title>").expect("index");
    std::fs::create_dir(dir.path().join("assets")).expect("assets");
    std::fs::write(dir.path().join("assets/app.js"), "console.log('softphone')").expect("js");
    let pool = store::testing::fresh_database().await;
    let state = AppState::new(pool.clone(), api::ApiConfig { web_dir: Some(dir.path().to_owned()), ..config() });
    let app = App::with_state(state, pool);

    let (status, headers, body) = app.raw("GET", "/", None, None, "").await;
    assert_eq!((status, headers["content-type"].to_str().ok()), (StatusCode::OK, Some("text/html")));
    assert!(body.contains("<title>Switchboard</title>"), "{body}");
    let (status, headers, body) = app.raw("GET", "/assets/app.js", None, None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap_or("").contains("javascript"), "{headers:?}");
    assert_eq!(body, "console.log('softphone')");
    // A route of the app itself gets the app.
    let (status, _, body) = app.raw("GET", "/console/wallboard", None, None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<title>Switchboard</title>"));
    // Nothing outside the directory.
    let (_, _, body) = app.raw("GET", "/../Cargo.toml", None, None, "").await;
    assert!(!body.contains("[package]"), "{body}");
    // The API keeps its JSON errors and its routes.
    let (status, body) = app.call("GET", "/api/v1/no-such-thing", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not found", "{body}");
    let (status, _) = app.call("GET", "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);

    // Without a web directory the root is a JSON 404.
    let (status, body) = App::new().await.call("GET", "/", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not found", "{body}");
}
