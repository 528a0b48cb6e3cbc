//! The harness of the call scenarios: a `serve` on the demo tenant whose
//! configuration the test adjusts in the store first (numbers, queues,
//! flows, contacts), agents' baresip phones registered and logged in over
//! the API, a carrier's caller, and the call's events and CDR row read from
//! PostgreSQL. Every wait is bounded and ends on a real event.

use std::collections::HashMap;
use std::process::Child;
use std::time::Duration;

use model::{AgentId, EntryPoint, IvrFlow, IvrFlowId, PhoneNumber, Queue, QueueId, TenantId};
use serde_json::Value;
use sqlx::PgPool;

use crate::http::request;
use crate::phones::Phone;
use crate::serve::{Node, login, terminate};

/// The demo tenant, seeded, before `serve` reads its configuration.
pub(crate) struct Demo {
    node: Node,
    pool: PgPool,
    tenant: TenantId,
    agents: HashMap<String, AgentId>,
}

impl Demo {
    /// A fresh database with the demo tenant, media ports of its own.
    pub(crate) async fn seed() -> Demo {
        Demo::seed_on(Node::new().await).await
    }

    /// The demo tenant seeded on `node`'s database, media ports of its own.
    pub(crate) async fn seed_on(node: Node) -> Demo {
        let node = node.with_own_media_range();
        node.run(&["demo"]);
        let pool = store::connect(&node.database_url, 2).await.unwrap();
        let tenant = store::repo::tenants::find_by_slug(&pool, "demo").await.unwrap().unwrap().id;
        let agents = store::repo::agents::list(&pool, tenant)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.data.extension.clone(), a.id))
            .collect();
        Demo { node, pool, tenant, agents }
    }

    /// The database.
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The demo tenant.
    pub(crate) fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// A demo queue by name.
    pub(crate) async fn queue(&self, name: &str) -> QueueId {
        let queues = store::repo::queues::list(&self.pool, self.tenant).await.unwrap();
        queues.into_iter().find(|q| q.queue.name == name).unwrap().id
    }

    /// Changes a queue's configuration.
    pub(crate) async fn change_queue(&self, queue: QueueId, change: impl FnOnce(&mut Queue)) {
        let mut stored = store::repo::queues::get(&self.pool, self.tenant, queue).await.unwrap().unwrap();
        change(&mut stored.queue);
        store::repo::queues::update(&self.pool, self.tenant, queue, &stored.queue).await.unwrap().unwrap();
    }

    /// Changes a demo agent's profile.
    pub(crate) async fn change_agent(&self, extension: &str, change: impl FnOnce(&mut model::Agent)) {
        let id = self.agents[extension];
        let mut stored = store::repo::agents::get(&self.pool, self.tenant, id).await.unwrap().unwrap();
        change(&mut stored.data);
        store::repo::agents::update(&self.pool, self.tenant, id, &stored.data).await.unwrap().unwrap();
    }

    /// The demo supervisor's user (their phone, extension "sam", SIP
    /// password "sam-sip-demo", is in the demo data).
    pub(crate) async fn supervisor(&self) -> model::UserId {
        let users = store::repo::users::list(&self.pool, self.tenant).await.unwrap();
        users.iter().find(|u| u.data.username == "supervisor").expect("the demo supervisor").id
    }

    /// Adds a DID of the tenant leading to `entry`.
    pub(crate) async fn add_number(&self, e164: &str, entry: EntryPoint) {
        let number = PhoneNumber { e164: e164.into(), entry, label: "Test".into() };
        store::repo::numbers::create(&self.pool, self.tenant, &number).await.unwrap();
    }

    /// Stores an IVR flow of the tenant.
    pub(crate) async fn add_flow(&self, flow: &IvrFlow) -> IvrFlowId {
        store::repo::ivr_flows::create(&self.pool, self.tenant, flow).await.unwrap().id
    }

    /// Points the demo trunk's outbound calls at `port` on 127.0.0.1,
    /// where a test's phone plays the far end of the carrier.
    pub(crate) async fn point_trunk_at(&self, port: u16) {
        let trunks = store::repo::trunks::list(&self.pool, self.tenant).await.unwrap();
        let mut trunk = trunks.into_iter().next().expect("the demo trunk");
        trunk.data.port = port;
        store::repo::trunks::update(&self.pool, self.tenant, trunk.id, &trunk.data).await.unwrap().unwrap();
    }

    /// Sets `SWITCHBOARD_<key>` for `serve`.
    pub(crate) fn with_setting(mut self, key: &'static str, value: String) -> Demo {
        self.node.env.push((key, value));
        self
    }

    /// Has `serve` read the configuration again every second.
    pub(crate) fn reloading_every_second(mut self) -> Demo {
        self.node.env.push(("SWITCHBOARD_RELOAD__EVERY_SECS", "1".into()));
        self
    }

    /// Starts `serve` on this configuration.
    pub(crate) fn serve(self) -> Calls {
        let server = self.node.serve();
        Calls { node: self.node, server: Some(server), pool: self.pool, tenant: self.tenant, agents: self.agents }
    }
}

/// A running `serve` taking the test's calls.
pub(crate) struct Calls {
    node: Node,
    server: Option<Child>,
    pool: PgPool,
    tenant: TenantId,
    agents: HashMap<String, AgentId>,
}

/// How an agent's phone takes a call.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Picks up at once.
    Auto,
    /// Rings until the test accepts (or forever).
    Manual,
}

/// The CDR row of a call, as the projection wrote it.
#[derive(Debug)]
#[allow(dead_code, reason = "each scenario reads the fields it pins")]
pub(crate) struct Cdr {
    pub call_id: String,
    pub outcome: String,
    pub abandon_stage: Option<String>,
    pub wait_ms: Option<i64>,
    pub agent_id: Option<AgentId>,
    pub queue_id: Option<QueueId>,
    pub vip_tier: i16,
    pub caller_number: String,
    pub outside_business_hours: bool,
    pub survey_score: Option<i16>,
    pub disposition: Option<String>,
}

impl Calls {
    /// The SIP edge's UDP address.
    pub(crate) fn sip_udp(&self) -> std::net::SocketAddr {
        self.node.sip_udp
    }

    /// The HTTP API's address.
    pub(crate) fn http(&self) -> std::net::SocketAddr {
        self.node.addr
    }

    /// The database.
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The demo tenant.
    pub(crate) fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// Where `serve` takes HTTP (and SIP over WebSocket at `/sip`).
    pub(crate) fn http_addr(&self) -> std::net::SocketAddr {
        self.node.addr
    }

    /// A demo agent by extension.
    pub(crate) fn agent(&self, extension: &str) -> AgentId {
        self.agents[extension]
    }

    /// The agent's phone, registered with its demo SIP password (the wait
    /// ends on its `agent_device_registered` event).
    pub(crate) async fn agent_phone(&self, extension: &str, answer: Answer, tone: f64) -> Phone {
        let mode = if answer == Answer::Auto { "auto" } else { "manual" };
        let phone = Phone::start(
            &format!(
                "<sip:{extension}@demo.switchboard.localhost>;auth_pass={extension}-sip-demo;\
                 outbound=\"sip:{}\";answermode={mode};regint=60;audio_codecs=pcmu",
                self.node.sip_udp
            ),
            tone,
        );
        let agent = self.agent(extension).to_string();
        let registered = self
            .poll(|events| {
                events.iter().any(|e| e["kind"] == "agent_device_registered" && e["agent_id"] == agent.as_str())
            })
            .await;
        assert!(registered.is_ok(), "{extension}'s phone did not register:\n{}", phone.log());
        phone
    }

    /// Logs the agent in to take calls, over the agent API.
    pub(crate) fn log_in(&self, extension: &str) {
        let token = login(self.node.addr, extension, "demo-agent");
        let r = request(self.node.addr, "POST", "/api/v1/agent/login", Some(&token), None).unwrap();
        assert_eq!(r.status, 204, "{extension} logs in to take calls: {}", r.body);
    }

    /// A session token of a demo user.
    pub(crate) fn token(&self, username: &str, password: &str) -> String {
        login(self.node.addr, username, password)
    }

    /// One API request with `token`.
    pub(crate) fn api(&self, method: &str, path: &str, token: &str, body: Option<&str>) -> crate::http::Response {
        request(self.node.addr, method, path, Some(token), body).unwrap()
    }

    /// A carrier's caller presenting `number`, dialling `did` through the
    /// demo trunk (admitted by its IP allow-list).
    pub(crate) fn dial(&self, number: &str, did: &str, tone: f64) -> Phone {
        let caller = Phone::start(&format!("<sip:{number}@127.0.0.1>;regint=0;audio_codecs=pcmu"), tone);
        caller.command("dial", &format!("sip:{did}@{}", self.node.sip_udp));
        caller
    }

    /// A phone of the carrier's side that answers calls to `number` (a
    /// customer called through the trunk), and calls from that number.
    pub(crate) fn customer(number: &str, tone: f64) -> Phone {
        Phone::start(&format!("<sip:{number}@127.0.0.1>;regint=0;audio_codecs=pcmu;answermode=auto"), tone)
    }

    /// `phone` dials `did` through the demo trunk.
    pub(crate) fn dial_from(&self, phone: &Phone, did: &str) {
        phone.command("dial", &format!("sip:{did}@{}", self.node.sip_udp));
    }

    /// An API request signed in as `username` (a demo user or agent).
    pub(crate) fn api_as(
        &self,
        username: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> crate::http::Response {
        let password =
            if self.agents.contains_key(username) { "demo-agent".to_owned() } else { format!("demo-{username}") };
        let token = login(self.node.addr, username, &password);
        let body = body.map(Value::to_string);
        request(self.node.addr, method, path, Some(&token), body.as_deref()).unwrap()
    }

    /// The id of the newest call of the tenant.
    pub(crate) async fn newest_call(&self) -> model::CallId {
        let (id,): (uuid::Uuid,) = sqlx::query_as(
            "SELECT call_id FROM events WHERE tenant_id = $1 AND kind = 'call_arrived' ORDER BY ingest_id DESC LIMIT 1",
        )
        .bind(self.tenant.0)
        .fetch_one(&self.pool)
        .await
        .unwrap();
        model::CallId(id)
    }

    /// The tenant's events so far (their payloads, with `kind`), in the
    /// order the writer stored them in PostgreSQL.
    pub(crate) async fn events(&self) -> Vec<Value> {
        let rows: Vec<(Value,)> = sqlx::query_as("SELECT payload FROM events WHERE tenant_id = $1 ORDER BY ingest_id")
            .bind(self.tenant.0)
            .fetch_all(&self.pool)
            .await
            .unwrap();
        rows.into_iter().map(|(payload,)| payload).collect()
    }

    /// Polls the events (bounded: 20 s) until `done` says so; the events
    /// then, or the last ones read.
    async fn poll(&self, done: impl Fn(&[Value]) -> bool) -> Result<Vec<Value>, Vec<Value>> {
        let mut events = Vec::new();
        for _ in 0..400 {
            events = self.events().await;
            if done(&events) {
                return Ok(events);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(events)
    }

    /// Polls the events until `done` says so; panics naming `what`.
    pub(crate) async fn wait_for(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        match self.poll(done).await {
            Ok(events) => events,
            Err(events) => panic!("{what} did not happen; events:\n{}", lines(&events)),
        }
    }

    /// Waits until the events include every kind in `wanted`.
    pub(crate) async fn wait_for_kinds(&self, wanted: &[&str]) -> Vec<Value> {
        let all = |events: &[Value]| wanted.iter().all(|w| events.iter().any(|e| e["kind"] == *w));
        self.wait_for(&format!("{wanted:?}"), all).await
    }

    /// The call's CDR row, once the projection has written it (bounded).
    pub(crate) async fn cdr(&self) -> Cdr {
        self.cdrs(1).await.remove(0)
    }

    /// The CDR rows of the tenant's calls, oldest first, once there are
    /// `count` of them (bounded).
    pub(crate) async fn cdrs(&self, count: usize) -> Vec<Cdr> {
        type Row = (
            uuid::Uuid,
            String,
            Option<String>,
            Option<i64>,
            Option<uuid::Uuid>,
            Option<uuid::Uuid>,
            i16,
            String,
            bool,
            Option<i16>,
            Option<String>,
        );
        for _ in 0..200 {
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT call_id, outcome, abandon_stage, wait_ms, agent_id, queue_id, vip_tier, caller_number, \
                 outside_business_hours, survey_score, disposition FROM calls WHERE tenant_id = $1 ORDER BY arrived_at",
            )
            .bind(self.tenant.0)
            .fetch_all(&self.pool)
            .await
            .unwrap();
            if rows.len() >= count {
                return rows
                    .into_iter()
                    .map(|row| Cdr {
                        call_id: row.0.to_string(),
                        outcome: row.1,
                        abandon_stage: row.2,
                        wait_ms: row.3,
                        agent_id: row.4.map(AgentId),
                        queue_id: row.5.map(QueueId),
                        vip_tier: row.6,
                        caller_number: row.7,
                        outside_business_hours: row.8,
                        survey_score: row.9,
                        disposition: row.10,
                    })
                    .collect();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fewer than {count} CDR rows; events: {:?}", kinds(&self.events().await));
    }

    /// The tenant's call events so far as (call id, payload), in the order
    /// the writer stored them.
    pub(crate) async fn call_events(&self) -> Vec<(String, Value)> {
        let rows: Vec<(uuid::Uuid, Value)> = sqlx::query_as(
            "SELECT call_id, payload FROM events WHERE tenant_id = $1 AND call_id IS NOT NULL ORDER BY ingest_id",
        )
        .bind(self.tenant.0)
        .fetch_all(&self.pool)
        .await
        .unwrap();
        rows.into_iter().map(|(call, payload)| (call.to_string(), payload)).collect()
    }

    /// Stops `serve` (SIGTERM) and checks it exited cleanly.
    pub(crate) fn stop(mut self) {
        if let Some(server) = self.server.take() {
            assert!(terminate(server).success(), "serve did not exit cleanly");
        }
    }
}

impl Drop for Calls {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// The kinds of `events`, for messages.
pub(crate) fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["kind"].as_str()).collect()
}

/// The events one a line, for messages.
pub(crate) fn lines(events: &[Value]) -> String {
    events.iter().map(Value::to_string).collect::<Vec<_>>().join("\n")
}

/// The events of call `call`, from the (call id, event) pairs of
/// [`Calls::call_events`].
pub(crate) fn of_call(by_call: &[(String, Value)], call: &str) -> Vec<Value> {
    by_call.iter().filter(|(c, _)| c == call).map(|(_, event)| event.clone()).collect()
}

/// The events of one kind.
pub(crate) fn of_kind<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["kind"] == kind).collect()
}
