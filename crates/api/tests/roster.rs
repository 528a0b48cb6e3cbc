//! `/api/v1/agents/{id}/shifts`: supervisors replace and read an agent's
//! weekly shifts (stored sorted, overnight shifts kept as given); an agent
//! reads only their own and writes none; invalid shifts are 422 naming the
//! shift; another tenant's agent is 404.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{App, fields};

#[tokio::test]
async fn supervisors_set_an_agents_shifts_and_the_agent_reads_their_own() {
    let app = App::new().await;
    let t = app.tenant("rota").await;
    let (supervisor, _) = app.user(&t, "sue", "supervisor").await;
    let (agent, agent_user) = app.user(&t, "al", "agent").await;
    let own = json!({"user_id": agent_user, "name": "Al", "extension": "1001", "mobile_number": null});
    let own = app.create(&t.admin, "/api/v1/agents", own).await;
    let other = json!({"user_id": null, "name": "Bo", "extension": "1002", "mobile_number": null});
    let other = app.create(&t.admin, "/api/v1/agents", other).await;
    let path = format!("/api/v1/agents/{own}/shifts");

    let (status, empty) = app.call("GET", &path, Some(&supervisor), None).await;
    assert_eq!((status, empty["shifts"].clone()), (StatusCode::OK, json!([])), "{empty}");

    let body = json!({"shifts": [
        {"day": "Wed", "start": "09:00", "end": "17:00"},
        {"day": "Tue", "start": "22:00", "end": "06:00"},
        {"day": "Mon", "start": "08:00:00", "end": "16:00:00"}
    ]});
    let (status, stored) = app.call("PUT", &path, Some(&supervisor), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    let expected = json!([
        {"day": "Mon", "start": "08:00:00", "end": "16:00:00"},
        {"day": "Tue", "start": "22:00:00", "end": "06:00:00"},
        {"day": "Wed", "start": "09:00:00", "end": "17:00:00"}
    ]);
    assert_eq!(stored["shifts"], expected);
    assert_eq!(stored["agent_id"], json!(own));
    let (status, read) = app.call("GET", &path, Some(&agent), None).await;
    assert_eq!((status, read["shifts"].clone()), (StatusCode::OK, expected.clone()), "the agent reads their own");

    // An agent reads no one else's and writes none; admins may.
    let (status, _) = app.call("GET", &format!("/api/v1/agents/{other}/shifts"), Some(&agent), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.call("PUT", &path, Some(&agent), Some(json!({"shifts": []}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.call("GET", &path, Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::OK);

    // Invalid shifts name the shift and change nothing.
    let bad = json!({"shifts": [
        {"day": "Mon", "start": "08:00", "end": "16:00"},
        {"day": "Mon", "start": "12:00", "end": "12:00"},
        {"day": "Mon", "start": "15:00", "end": "18:00"}
    ]});
    let (status, err) = app.call("PUT", &path, Some(&supervisor), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let named = fields(&err);
    assert!(named.contains(&"shifts[1].end".to_owned()) && named.contains(&"shifts[2]".to_owned()), "{err}");
    let (status, err) = app
        .call(
            "PUT",
            &path,
            Some(&supervisor),
            Some(json!({"shifts": [{"day": "Funday", "start": "08:00", "end": "09:00"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (_, read) = app.call("GET", &path, Some(&supervisor), None).await;
    assert_eq!(read["shifts"], expected, "refused writes change nothing");

    // Clearing, an unknown agent, another tenant.
    let (status, cleared) = app
        .call("PUT", &format!("/api/v1/agents/{other}/shifts"), Some(&supervisor), Some(json!({"shifts": []})))
        .await;
    assert_eq!((status, cleared["shifts"].clone()), (StatusCode::OK, json!([])));
    let unknown = format!("/api/v1/agents/{}/shifts", uuid::Uuid::new_v4());
    let (status, _) = app.call("GET", &unknown, Some(&supervisor), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.call("PUT", &unknown, Some(&supervisor), Some(json!({"shifts": []}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let globex = app.tenant("globex").await;
    let (status, _) = app.call("GET", &path, Some(&globex.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another tenant's agent");
    let (status, _) = app.call("PUT", &path, Some(&globex.admin), Some(json!({"shifts": []}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, read) = app.call("GET", &path, Some(&supervisor), None).await;
    assert_eq!(read["shifts"], expected, "another tenant changed nothing");

    // Deleting the agent deletes their shifts.
    let (status, _) = app.call("DELETE", &format!("/api/v1/agents/{own}"), Some(&t.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM agent_shifts WHERE agent_id = $1::uuid")
        .bind(&own)
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(left, 0);
}
