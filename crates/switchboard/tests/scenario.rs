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
        let node = Node::new().await.with_own_media_range();
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

    /// Adds a DID of the tenant leading to `entry`.
    pub(crate) async fn add_number(&self, e164: &str, entry: EntryPoint) {
        let number = PhoneNumber { e164: e164.into(), entry, label: "Test".into() };
        store::repo::numbers::create(&self.pool, self.tenant, &number).await.unwrap();
    }

    /// Stores an IVR flow of the tenant.
    pub(crate) async fn add_flow(&self, flow: &IvrFlow) -> IvrFlowId {
        store::repo::ivr_flows::create(&self.pool, self.tenant, flow).await.unwrap().id
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
    pub outcome: String,
    pub abandon_stage: Option<String>,
    pub wait_ms: Option<i64>,
    pub agent_id: Option<AgentId>,
    pub queue_id: Option<QueueId>,
    pub vip_tier: i16,
    pub caller_number: String,
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

    /// A carrier's caller presenting `number`, dialling `did` through the
    /// demo trunk (admitted by its IP allow-list).
    pub(crate) fn dial(&self, number: &str, did: &str, tone: f64) -> Phone {
        let caller = Phone::start(&format!("<sip:{number}@127.0.0.1>;regint=0;audio_codecs=pcmu"), tone);
        caller.command("dial", &format!("sip:{did}@{}", self.node.sip_udp));
        caller
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
        type Row = (String, Option<String>, Option<i64>, Option<uuid::Uuid>, Option<uuid::Uuid>, i16, String);
        for _ in 0..200 {
            let row: Option<Row> = sqlx::query_as(
                "SELECT outcome, abandon_stage, wait_ms, agent_id, queue_id, vip_tier, caller_number \
                 FROM calls WHERE tenant_id = $1",
            )
            .bind(self.tenant.0)
            .fetch_optional(&self.pool)
            .await
            .unwrap();
            if let Some((outcome, abandon_stage, wait_ms, agent_id, queue_id, vip_tier, caller_number)) = row {
                return Cdr {
                    outcome,
                    abandon_stage,
                    wait_ms,
                    agent_id: agent_id.map(AgentId),
                    queue_id: queue_id.map(QueueId),
                    vip_tier,
                    caller_number,
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no CDR row for the call; events: {:?}", kinds(&self.events().await));
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

/// The events of one kind.
pub(crate) fn of_kind<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["kind"] == kind).collect()
}
