//! The live feed over a real WebSocket: snapshot, events through the real
//! event writer, role filtering, tenant isolation, refusals, resync.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api::AppState;
use api::call_control::{CallControl, CallControlError, CallFuture, ChosenState};
use api::live::{LiveAgent, LiveCall, LiveCallState, LiveSnapshot, QueueFigures};
use futures_util::StreamExt;
use model::event::{Event, EventPayload, SupervisionMode};
use model::{AgentId, AgentState, CallId, QueueId, TenantId, UserId};
use serde_json::{Value, json};
use store::writer::{self, EventSink, WriterConfig, WriterHandle};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::common::{App, config, queue};

/// The longest a test waits for a message that must come.
const WAIT: Duration = Duration::from_secs(10);

type Client = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A call layer that answers the snapshot it is given per tenant.
#[derive(Default)]
pub(crate) struct FakeCalls {
    snapshots: Mutex<HashMap<TenantId, LiveSnapshot>>,
}

impl FakeCalls {
    pub(crate) fn set(&self, tenant: TenantId, snapshot: LiveSnapshot) {
        self.snapshots.lock().expect("lock").insert(tenant, snapshot);
    }
}

impl CallControl for FakeCalls {
    fn log_in(&self, _: TenantId, _: AgentId) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    fn log_out(&self, _: TenantId, _: AgentId) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    fn set_state(&self, _: TenantId, _: AgentId, _: ChosenState) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    fn supervise(
        &self,
        _: TenantId,
        _: model::CallId,
        _: model::UserId,
        _: model::SupervisionMode,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    fn wrap_up(
        &self,
        _: TenantId,
        _: AgentId,
        _: api::call_control::WrapUp,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    fn stop_supervising(
        &self,
        _: TenantId,
        _: model::CallId,
        _: model::UserId,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async { Err(CallControlError::Unavailable) })
    }
    fn snapshot(&self, tenant: TenantId) -> CallFuture<'_, Result<LiveSnapshot, CallControlError>> {
        let snapshot = self.snapshots.lock().expect("lock").get(&tenant).cloned().unwrap_or_default();
        Box::pin(async move { Ok(snapshot) })
    }
}

/// The API served on a real port, with the real event writer.
struct LiveApp {
    app: App,
    addr: SocketAddr,
    sink: EventSink,
    calls: Arc<FakeCalls>,
    _writer: WriterHandle,
    _journal: tempfile::TempDir,
}

async fn start(bus_capacity: usize) -> LiveApp {
    let pool = store::testing::fresh_database().await;
    let journal = tempfile::tempdir().expect("tempdir");
    let mut writer_config = WriterConfig::new(journal.path());
    writer_config.bus_capacity = bus_capacity;
    let (sink, writer) = writer::start(pool.clone(), writer_config).expect("writer");
    let calls = Arc::new(FakeCalls::default());
    let mut api_config = config();
    // Queue figures only after events: nothing periodic in the way.
    api_config.live.refresh_interval = Duration::from_secs(3_600);
    let state = AppState::new(pool.clone(), api_config)
        .with_call_control(Arc::clone(&calls) as Arc<dyn CallControl>)
        .with_live_feed(sink.bus());
    let router = api::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let served = router.clone();
    tokio::spawn(async move { axum::serve(listener, served).await });
    LiveApp { app: App { router, pool }, addr, sink, calls, _writer: writer, _journal: journal }
}

impl LiveApp {
    async fn connect(&self, token: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v1/live?token={token}", self.addr))
            .await
            .expect("connect");
        ws
    }
}

/// The next JSON message, answering pings on the way.
async fn next(ws: &mut Client) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, ws.next()).await.expect("a message in time").expect("open");
        match message.expect("frame") {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON message"),
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

/// The next `event` message's event, skipping `queue` messages.
async fn next_event(ws: &mut Client) -> Value {
    loop {
        let message = next(ws).await;
        match message["type"].as_str() {
            Some("event") => return message["event"].clone(),
            Some("queue") => {}
            other => panic!("unexpected {other:?}: {message}"),
        }
    }
}

fn tenant_id(id: &str) -> TenantId {
    TenantId(id.parse().expect("tenant id"))
}

pub(crate) fn figures(queue_id: QueueId, waiting: u32) -> QueueFigures {
    QueueFigures { queue_id, waiting, ..QueueFigures::default() }
}

pub(crate) fn agent(agent_id: AgentId, queues: Vec<QueueId>) -> LiveAgent {
    LiveAgent { agent_id, state: AgentState::Available, since: None, queues, call_id: None }
}

fn state_changed(tenant: TenantId, agent_id: AgentId) -> Event {
    Event::agent(
        tenant,
        1,
        chrono::Utc::now(),
        EventPayload::AgentStateChanged { agent_id, state: AgentState::Available },
    )
}

fn call_event(tenant: TenantId, call: CallId, seq: u64, payload: EventPayload) -> Event {
    Event::call(tenant, call, seq, chrono::Utc::now(), payload)
}

fn arrived() -> EventPayload {
    EventPayload::CallArrived {
        from: "+441632960001".into(),
        to: "+441632960100".into(),
        number_id: None,
        trunk_id: None,
        contact_id: None,
        vip_tier: model::VipTier(0),
        outside_business_hours: false,
        direction: model::event::CallDirection::Inbound,
    }
}

#[tokio::test]
async fn supervisor_gets_a_snapshot_then_events_and_changed_queue_figures() {
    let live = start(1_024).await;
    let t = live.app.tenant("acme").await;
    let (sue, _) = live.app.user(&t, "sue", "supervisor").await;
    let tenant = tenant_id(&t.id);
    let q = QueueId::new();
    live.calls.set(tenant, LiveSnapshot { queues: vec![figures(q, 2)], ..LiveSnapshot::default() });
    let mut ws = live.connect(&sue).await;
    let first = next(&mut ws).await;
    assert_eq!(first["type"], "snapshot", "{first}");
    assert_eq!(first["snapshot"]["queues"][0]["waiting"], 2, "{first}");

    live.calls.set(tenant, LiveSnapshot { queues: vec![figures(q, 3)], ..LiveSnapshot::default() });
    let call = CallId::new();
    live.sink.write(call_event(tenant, call, 0, arrived())).await.expect("write");
    let message = next(&mut ws).await;
    assert_eq!(message["type"], "event", "{message}");
    assert_eq!(message["event"]["payload"]["kind"], "call_arrived");
    assert_eq!(message["event"]["call_id"], json!(call));
    let message = next(&mut ws).await;
    assert_eq!(message["type"], "queue", "{message}");
    assert_eq!(message["queue"]["queue_id"], json!(q));
    assert_eq!(message["queue"]["waiting"], 3);

    // A client connecting now finds the call under way (once the hub has seen it).
    let mut found = Value::Null;
    for _ in 0..100 {
        let mut late = live.connect(&sue).await;
        let snapshot = next(&mut late).await;
        if snapshot["snapshot"]["calls"].as_array().is_some_and(|c| !c.is_empty()) {
            found = snapshot["snapshot"]["calls"][0].clone();
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(found["call_id"], json!(call), "the live call never showed in a snapshot");
    assert_eq!(found["from"], "+441632960001");
    assert_eq!(found["state"], "arrived");
}

/// A tenant with queues `q1`, `q2` and agents Alice (q1) and Bob (q2), both users.
struct Floor {
    tenant: TenantId,
    alice_token: String,
    alice: AgentId,
    bob: AgentId,
    q1: QueueId,
    q2: QueueId,
}

async fn floor(live: &LiveApp) -> Floor {
    let t = live.app.tenant("acme").await;
    let q1: QueueId = live.app.create(&t.admin, "/api/v1/queues", queue("Sales")).await.parse().expect("id");
    let q2: QueueId = live.app.create(&t.admin, "/api/v1/queues", queue("Support")).await.parse().expect("id");
    let (alice_token, alice_user) = live.app.user(&t, "alice", "agent").await;
    let (_, bob_user) = live.app.user(&t, "bob", "agent").await;
    let mut agents = Vec::new();
    for (user, name, ext, q) in [(&alice_user, "Alice", "1001", q1), (&bob_user, "Bob", "1002", q2)] {
        let body = json!({"user_id": user, "name": name, "extension": ext, "mobile_number": null,
                          "queues": [{"queue_id": q, "weight": 1}]});
        let id: AgentId = live.app.create(&t.admin, "/api/v1/agents", body).await.parse().expect("id");
        agents.push(id);
    }
    Floor { tenant: tenant_id(&t.id), alice_token, alice: agents[0], bob: agents[1], q1, q2 }
}

#[tokio::test]
async fn agent_sees_only_their_own_agent_calls_and_queues() {
    let live = start(1_024).await;
    let f = floor(&live).await;
    let mut bobs_call = LiveCall::bare(CallId::new(), LiveCallState::Connected);
    bobs_call.agent_id = Some(f.bob);
    live.calls.set(
        f.tenant,
        LiveSnapshot {
            calls: vec![bobs_call],
            agents: vec![agent(f.alice, vec![f.q1]), agent(f.bob, vec![f.q2])],
            queues: vec![figures(f.q1, 1), figures(f.q2, 5)],
        },
    );
    let mut ws = live.connect(&f.alice_token).await;
    let snapshot = next(&mut ws).await;
    assert_eq!(snapshot["type"], "snapshot");
    let s = &snapshot["snapshot"];
    assert_eq!(s["agents"].as_array().map(Vec::len), Some(1), "{s}");
    assert_eq!(s["agents"][0]["agent_id"], json!(f.alice));
    assert_eq!(s["queues"].as_array().map(Vec::len), Some(1), "{s}");
    assert_eq!(s["queues"][0]["queue_id"], json!(f.q1));
    assert_eq!(s["calls"], json!([]), "Bob's call is not Alice's");

    let (mine, other) = (CallId::new(), CallId::new());
    let reason = model::event::OfferReason {
        strategy: model::RoutingStrategy::LongestIdle,
        step: 0,
        skills: Vec::new(),
        detail: String::new(),
    };
    let offer = |agent_id| EventPayload::OfferedToAgent { queue_id: f.q1, agent_id, reason: reason.clone() };
    let supervisor = EventPayload::SupervisorJoined { supervisor_id: UserId::new(), mode: SupervisionMode::Monitor };
    let ended = EventPayload::CallEnded { cause: model::event::EndCause::CallerHangup };
    let events = [
        state_changed(f.tenant, f.bob),
        call_event(f.tenant, other, 0, offer(f.bob)),
        call_event(f.tenant, mine, 0, arrived()),
        call_event(f.tenant, mine, 1, offer(f.alice)),
        call_event(f.tenant, mine, 2, supervisor),
        call_event(f.tenant, other, 1, ended.clone()),
        call_event(f.tenant, mine, 3, ended),
        state_changed(f.tenant, f.alice),
    ];
    for event in events {
        live.sink.write(event).await.expect("write");
    }
    let mut seen = Vec::new();
    for _ in 0..3 {
        let event = next_event(&mut ws).await;
        seen.push((event["payload"]["kind"].as_str().unwrap_or_default().to_owned(), event["call_id"].clone()));
    }
    let expected = vec![
        ("offered_to_agent".to_owned(), json!(mine)),
        ("call_ended".to_owned(), json!(mine)),
        ("agent_state_changed".to_owned(), Value::Null),
    ];
    assert_eq!(seen, expected, "Alice sees her offer, her call's end and her state, nothing of Bob's");
}

#[tokio::test]
async fn a_client_of_one_tenant_never_sees_another_tenants_events() {
    let live = start(1_024).await;
    let a = live.app.tenant("alpha").await;
    let b = live.app.tenant("bravo").await;
    let mut ws = live.connect(&b.admin).await;
    assert_eq!(next(&mut ws).await["type"], "snapshot");
    live.sink.write(call_event(tenant_id(&a.id), CallId::new(), 0, arrived())).await.expect("write A");
    let own = CallId::new();
    live.sink.write(call_event(tenant_id(&b.id), own, 0, arrived())).await.expect("write B");
    let event = next_event(&mut ws).await;
    assert_eq!(event["tenant_id"], json!(b.id), "{event}");
    assert_eq!(event["call_id"], json!(own));
}

#[tokio::test]
async fn missing_or_bad_token_is_401_before_the_upgrade() {
    let live = start(1_024).await;
    let t = live.app.tenant("acme").await;
    for url in [format!("ws://{}/api/v1/live", live.addr), format!("ws://{}/api/v1/live?token=sbs_forged", live.addr)] {
        match tokio_tungstenite::connect_async(&url).await {
            Err(WsError::Http(response)) => assert_eq!(response.status(), 401, "{url}"),
            other => panic!("{url}: expected 401, got {other:?}"),
        }
    }
    // A user with the agent role but no agent profile has nothing to watch.
    let (nobody, _) = live.app.user(&t, "nobody", "agent").await;
    let url = format!("ws://{}/api/v1/live?token={nobody}", live.addr);
    match tokio_tungstenite::connect_async(&url).await {
        Err(WsError::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("expected 403, got {other:?}"),
    }
    // The browser's way: the token as the second subprotocol offer.
    let mut request = format!("ws://{}/api/v1/live", live.addr).into_client_request().expect("request");
    let offer = format!("switchboard.bearer, {}", t.admin).parse().expect("header");
    request.headers_mut().insert("sec-websocket-protocol", offer);
    let (mut ws, response) = tokio_tungstenite::connect_async(request).await.expect("token as subprotocol");
    assert_eq!(response.headers()["sec-websocket-protocol"], "switchboard.bearer");
    assert_eq!(next(&mut ws).await["type"], "snapshot");
}

#[tokio::test]
async fn a_client_that_falls_behind_gets_a_resync_with_a_fresh_snapshot() {
    let live = start(4).await;
    let t = live.app.tenant("acme").await;
    let tenant = tenant_id(&t.id);
    let mut ws = live.connect(&t.admin).await;
    assert_eq!(next(&mut ws).await["type"], "snapshot");
    let q = QueueId::new();
    live.calls.set(tenant, LiveSnapshot { queues: vec![figures(q, 7)], ..LiveSnapshot::default() });
    // One batch of 50 is published in one go by the writer, faster than
    // this (single-threaded) runtime lets the connection read a bus of 4.
    let call = CallId::new();
    let batch: Vec<Event> = (0..50).map(|seq| call_event(tenant, call, seq, arrived())).collect();
    live.sink.write_batch(batch).await.expect("write");
    let message = next(&mut ws).await;
    assert_eq!(message["type"], "resync", "{message}");
    assert!(message["missed"].as_u64().is_some_and(|n| n > 0), "{message}");
    assert_eq!(message["snapshot"]["queues"][0]["waiting"], 7, "the snapshot is fresh");
    // The feed goes on after the resync.
    live.sink.write(call_event(tenant, call, 50, arrived())).await.expect("write");
    let event = next_event(&mut ws).await;
    assert_eq!(event["seq"], 50, "{event}");
}

#[tokio::test]
async fn the_feed_closes_when_the_session_expires() {
    let live = start(1_024).await;
    let t = live.app.tenant("acme").await;
    sqlx::query("UPDATE sessions SET expires_at = now() + interval '2 seconds'")
        .execute(&live.app.pool)
        .await
        .expect("shorten sessions");
    let mut ws = live.connect(&t.admin).await;
    assert_eq!(next(&mut ws).await["type"], "snapshot");
    let close = loop {
        let message = tokio::time::timeout(WAIT, ws.next()).await.expect("closed in time").expect("open");
        if let Message::Close(frame) = message.expect("frame") {
            break frame;
        }
    };
    let frame = close.expect("a close frame with a code");
    assert_eq!(u16::from(frame.code), 4001);
}
