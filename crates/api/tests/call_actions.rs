//! A supervisor's actions on a waiting call (`POST /api/v1/calls/{id}/move`
//! and `/priority`): roles (agents 403), tenant isolation (another
//! tenant's call 404, another tenant's queue or agent 422), the body's
//! checks, the call layer's refusal as 409 with its reason; and the new
//! events in the live feed's projection and the CDR.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use api::AppState;
use api::call_control::{CallControl, CallControlError, CallFuture, ChosenState};
use api::live::projection::Projection;
use api::live::{LiveCallState, LiveSnapshot};
use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use model::event::{EndCause, Event, EventPayload};
use model::{AgentId, CallId, MoveTarget, QueueId, TenantId, UserId, VipTier};
use serde_json::json;

use crate::common::{App, TestTenant, config, fields, queue};

/// What the fake call layer was asked: tenant, call, who, and the action.
#[derive(Debug, Clone, PartialEq)]
enum Asked {
    Move(TenantId, CallId, UserId, MoveTarget),
    Priority(TenantId, CallId, UserId, i32),
}

/// A call layer that holds the waiting calls it is given (per tenant),
/// refuses one of them, and records what it is asked.
#[derive(Default)]
struct FakeCalls {
    waiting: Mutex<HashMap<CallId, TenantId>>,
    refused: Mutex<Option<CallId>>,
    asked: Mutex<Vec<Asked>>,
}

impl FakeCalls {
    fn answer(&self, tenant: TenantId, call: CallId, asked: Asked) -> Result<(), CallControlError> {
        if self.waiting.lock().expect("lock").get(&call) != Some(&tenant) {
            return Err(CallControlError::UnknownCall);
        }
        self.asked.lock().expect("lock").push(asked);
        if *self.refused.lock().expect("lock") == Some(call) {
            return Err(CallControlError::Refused(format!("call {call} is not waiting")));
        }
        Ok(())
    }
}

fn unavailable<'a>() -> CallFuture<'a, Result<(), CallControlError>> {
    Box::pin(async { Err(CallControlError::Unavailable) })
}

impl CallControl for FakeCalls {
    fn log_in(&self, _: TenantId, _: AgentId) -> CallFuture<'_, Result<(), CallControlError>> {
        unavailable()
    }
    fn log_out(&self, _: TenantId, _: AgentId) -> CallFuture<'_, Result<(), CallControlError>> {
        unavailable()
    }
    fn set_state(&self, _: TenantId, _: AgentId, _: ChosenState) -> CallFuture<'_, Result<(), CallControlError>> {
        unavailable()
    }
    fn supervise(
        &self,
        _: TenantId,
        _: CallId,
        _: UserId,
        _: model::SupervisionMode,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        unavailable()
    }
    fn wrap_up(
        &self,
        _: TenantId,
        _: AgentId,
        _: api::call_control::WrapUp,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        unavailable()
    }
    fn stop_supervising(&self, _: TenantId, _: CallId, _: UserId) -> CallFuture<'_, Result<(), CallControlError>> {
        unavailable()
    }
    fn snapshot(&self, _: TenantId) -> CallFuture<'_, Result<LiveSnapshot, CallControlError>> {
        Box::pin(async { Ok(LiveSnapshot::default()) })
    }
    fn move_call(
        &self,
        tenant: TenantId,
        call: CallId,
        by: UserId,
        target: MoveTarget,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let result = self.answer(tenant, call, Asked::Move(tenant, call, by, target));
        Box::pin(async move { result })
    }
    fn set_priority(
        &self,
        tenant: TenantId,
        call: CallId,
        by: UserId,
        priority: i32,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let result = self.answer(tenant, call, Asked::Priority(tenant, call, by, priority));
        Box::pin(async move { result })
    }
}

/// The API with the fake call layer; two tenants, each with a queue, an
/// agent, a supervisor and an agent login, and a call waiting in each.
struct Floor {
    app: App,
    calls: Arc<FakeCalls>,
    acme: Side,
    globex: Side,
}

struct Side {
    tenant: TestTenant,
    queue: String,
    agent: String,
    supervisor: String,
    supervisor_id: String,
    agent_login: String,
    call: CallId,
}

async fn side(app: &App, calls: &FakeCalls, slug: &str) -> Side {
    let tenant = app.tenant(slug).await;
    let queue = app.create(&tenant.admin, "/api/v1/queues", queue("waiting")).await;
    let agent = json!({"user_id": null, "name": "Bob", "extension": "1002", "mobile_number": null});
    let agent = app.create(&tenant.admin, "/api/v1/agents", agent).await;
    let (supervisor, supervisor_id) = app.user(&tenant, "sam", "supervisor").await;
    let (agent_login, _) = app.user(&tenant, "al", "agent").await;
    let call = CallId::new();
    calls.waiting.lock().expect("lock").insert(call, tenant.id.parse().expect("tenant id"));
    Side { tenant, queue, agent, supervisor, supervisor_id, agent_login, call }
}

async fn floor() -> Floor {
    let pool = store::testing::fresh_database().await;
    let calls = Arc::new(FakeCalls::default());
    let state = AppState::new(pool.clone(), config()).with_call_control(Arc::clone(&calls) as Arc<dyn CallControl>);
    let app = App::with_state(state, pool);
    let acme = side(&app, &calls, "acme").await;
    let globex = side(&app, &calls, "globex").await;
    Floor { app, calls, acme, globex }
}

fn move_path(call: CallId) -> String {
    format!("/api/v1/calls/{call}/move")
}

fn priority_path(call: CallId) -> String {
    format!("/api/v1/calls/{call}/priority")
}

#[tokio::test]
async fn a_supervisor_or_admin_moves_and_reprioritises_a_waiting_call_and_an_agent_is_forbidden() {
    let f = floor().await;
    let (app, a) = (&f.app, &f.acme);
    let to_queue = json!({"queue_id": a.queue});
    let (status, body) = app.call("POST", &move_path(a.call), Some(&a.agent_login), Some(to_queue.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) =
        app.call("POST", &priority_path(a.call), Some(&a.agent_login), Some(json!({"priority": 9}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(f.calls.asked.lock().expect("lock").is_empty(), "nothing reaches the call layer");

    let (status, body) = app.call("POST", &move_path(a.call), Some(&a.supervisor), Some(to_queue)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let to_agent = json!({"agent_id": a.agent});
    let (status, body) = app.call("POST", &move_path(a.call), Some(&a.tenant.admin), Some(to_agent)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) =
        app.call("POST", &priority_path(a.call), Some(&a.supervisor), Some(json!({"priority": -3}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let tenant: TenantId = a.tenant.id.parse().unwrap();
    let (sam, admin): (UserId, UserId) = (a.supervisor_id.parse().unwrap(), a.tenant.admin_id.parse().unwrap());
    let asked = f.calls.asked.lock().expect("lock").clone();
    assert_eq!(
        asked,
        [
            Asked::Move(tenant, a.call, sam, MoveTarget::Queue { queue_id: a.queue.parse().unwrap() }),
            Asked::Move(tenant, a.call, admin, MoveTarget::Agent { agent_id: a.agent.parse().unwrap() }),
            Asked::Priority(tenant, a.call, sam, -3),
        ],
        "each action names who did it"
    );
}

#[tokio::test]
async fn another_tenants_call_is_not_found_and_another_tenants_queue_or_agent_is_no_target() {
    let f = floor().await;
    let (app, a, g) = (&f.app, &f.acme, &f.globex);
    // Globex's supervisor, with a queue of their own, names Acme's call.
    let (status, body) =
        app.call("POST", &move_path(a.call), Some(&g.supervisor), Some(json!({"queue_id": g.queue}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = app.call("POST", &priority_path(a.call), Some(&g.supervisor), Some(json!({"priority": 1}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Acme's supervisor names Globex's queue or agent for Acme's call.
    let (status, body) =
        app.call("POST", &move_path(a.call), Some(&a.supervisor), Some(json!({"queue_id": g.queue}))).await;
    assert_eq!((status, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["queue_id".to_owned()]), "{body}");
    let (status, body) =
        app.call("POST", &move_path(a.call), Some(&a.supervisor), Some(json!({"agent_id": g.agent}))).await;
    assert_eq!((status, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["agent_id".to_owned()]), "{body}");
    // An id that is no call at all.
    let (status, _) =
        app.call("POST", &move_path(CallId::new()), Some(&a.supervisor), Some(json!({"queue_id": a.queue}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        app.call("POST", "/api/v1/calls/not-a-uuid/priority", Some(&a.supervisor), Some(json!({"priority": 1}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(f.calls.asked.lock().expect("lock").is_empty(), "{:?}", f.calls.asked.lock().expect("lock"));
}

#[tokio::test]
async fn a_move_names_exactly_one_target_and_a_refusal_is_a_conflict_with_its_reason() {
    let f = floor().await;
    let (app, a) = (&f.app, &f.acme);
    let post = |path: String, body: serde_json::Value| async move {
        app.call("POST", &path, Some(&a.supervisor), Some(body)).await
    };
    let (status, body) = post(move_path(a.call), json!({})).await;
    assert_eq!((status, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["queue_id".to_owned()]), "{body}");
    let (status, body) = post(move_path(a.call), json!({"queue_id": a.queue, "agent_id": a.agent})).await;
    assert_eq!((status, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["agent_id".to_owned()]), "{body}");
    let (status, body) = post(move_path(a.call), json!({"queue": a.queue})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown field: {body}");
    let (status, body) = post(priority_path(a.call), json!({"priority": "high"})).await;
    assert_eq!((status, fields(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["priority".to_owned()]), "{body}");
    let (status, body) = post(priority_path(a.call), json!({"priority": 3_000_000_000_i64})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "beyond a 32-bit priority: {body}");

    *f.calls.refused.lock().expect("lock") = Some(a.call);
    let (status, body) = post(move_path(a.call), json!({"queue_id": a.queue})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().is_some_and(|e| e.contains("not waiting")), "the reason is given: {body}");
    let (status, _) = post(priority_path(a.call), json!({"priority": 1})).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn without_a_call_layer_the_actions_are_unavailable() {
    let app = App::new().await;
    let t = app.tenant("acme").await;
    let q = app.create(&t.admin, "/api/v1/queues", queue("waiting")).await;
    let (status, body) =
        app.call("POST", &move_path(CallId::new()), Some(&t.admin), Some(json!({"queue_id": q}))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
}

fn at(secs: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(1_767_600_000 + secs, 0).single().expect("time")
}

/// A call that arrived and queued in `queue`, as events from seq 1.
fn queued(tenant: TenantId, call: CallId, queue: QueueId) -> Vec<Event> {
    let arrived = EventPayload::CallArrived {
        from: "+441632960001".into(),
        to: "+441632960100".into(),
        number_id: None,
        trunk_id: None,
        contact_id: None,
        vip_tier: VipTier(0),
        outside_business_hours: false,
        direction: model::CallDirection::Inbound,
    };
    vec![
        Event::call(tenant, call, 1, at(0), arrived),
        Event::call(tenant, call, 2, at(1), EventPayload::CallQueued { queue_id: queue, priority: 0, position: 4 }),
    ]
}

#[test]
fn the_live_feed_shows_a_moved_call_in_its_new_queue_and_a_raised_call_at_its_new_position() {
    let (tenant, call, from, to) = (TenantId::new(), CallId::new(), QueueId::new(), QueueId::new());
    let mut p = Projection::new();
    for e in queued(tenant, call, from) {
        p.apply(&e);
    }
    let by = UserId::new();
    let moved = EventPayload::CallMoved {
        by,
        from_queue_id: from,
        target: MoveTarget::Queue { queue_id: to },
        position: Some(2),
    };
    p.apply(&Event::call(tenant, call, 3, at(5), moved));
    let c = &p.tenant(tenant).calls[&call];
    assert_eq!((c.state, c.queue_id, c.position), (LiveCallState::Queued, Some(to), Some(2)));
    let raised = EventPayload::PriorityChanged { by, previous: 0, priority: 10, position: Some(1) };
    p.apply(&Event::call(tenant, call, 4, at(6), raised));
    assert_eq!(p.tenant(tenant).calls[&call].position, Some(1));
    // Offered to an agent: the queue stays, the offer follows.
    let assigned = EventPayload::CallMoved {
        by,
        from_queue_id: to,
        target: MoveTarget::Agent { agent_id: AgentId::new() },
        position: None,
    };
    p.apply(&Event::call(tenant, call, 5, at(7), assigned));
    assert_eq!(p.tenant(tenant).calls[&call].queue_id, Some(to));
}

#[test]
fn the_cdr_of_a_moved_call_names_the_queue_it_was_moved_to_and_the_events_keep_their_kinds() {
    let (tenant, call, from, to) = (TenantId::new(), CallId::new(), QueueId::new(), QueueId::new());
    let by = UserId::new();
    let mut events = queued(tenant, call, from);
    let moved = EventPayload::CallMoved {
        by,
        from_queue_id: from,
        target: MoveTarget::Queue { queue_id: to },
        position: Some(1),
    };
    let raised = EventPayload::PriorityChanged { by, previous: 0, priority: 7, position: Some(1) };
    assert_eq!((moved.kind(), raised.kind()), ("call_moved", "priority_changed"));
    for (payload, kind) in [(&moved, "call_moved"), (&raised, "priority_changed")] {
        let value = serde_json::to_value(payload).unwrap();
        assert_eq!(value["kind"], kind);
        assert_eq!(serde_json::from_value::<EventPayload>(value).unwrap(), *payload);
    }
    events.push(Event::call(tenant, call, 3, at(5), moved));
    events.push(Event::call(tenant, call, 4, at(6), raised));
    events.push(Event::call(tenant, call, 5, at(9), EventPayload::CallEnded { cause: EndCause::Abandoned }));
    let record = model::cdr::project(&events).unwrap();
    assert_eq!(record.queue_id, Some(to));
    assert_eq!(
        (record.outcome, record.abandon_stage),
        (model::CallOutcome::Abandoned, Some(model::AbandonStage::Queue))
    );
}

#[tokio::test]
async fn the_openapi_document_lists_the_call_actions_and_their_bodies() {
    let app = App::new().await;
    let (_, doc) = app.call("GET", "/api/openapi.json", None, None).await;
    for (path, schema) in [("/api/v1/calls/{id}/move", "MoveCall"), ("/api/v1/calls/{id}/priority", "PriorityChange")] {
        let post = &doc["paths"][path]["post"];
        assert!(post.is_object(), "missing {path}");
        for status in ["204", "403", "404", "409", "422"] {
            assert!(post["responses"][status].is_object(), "{path} documents {status}");
        }
        assert!(doc["components"]["schemas"][schema].is_object(), "missing schema {schema}");
    }
}
