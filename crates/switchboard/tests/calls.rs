//! Calls through `serve` end to end on 127.0.0.1: a carrier's caller (a
//! baresip phone, admitted by the demo trunk's IP allow-list) dials a DID
//! of the demo tenant; the call is answered, queued and offered to the
//! agent who logged in over the API, whose phone (a second baresip,
//! registered with its demo SIP password) rings and auto-answers; the
//! two hear each other (each sends a tone, each decodes the other's);
//! the caller hangs up, and the events and the CDR row are in PostgreSQL.

use std::time::Duration;

use model::{EntryPoint, PhoneNumber};

use crate::http::request;
use crate::phones::{Phone, baresip_available, share};
use crate::serve::{Node, login, terminate};

/// The DID the test adds, straight into the agent's queue.
pub(crate) const DID: &str = "+442079460001";
/// The caller's number.
pub(crate) const CALLER: &str = "+447700900123";

/// The kinds of the demo tenant's events so far.
pub(crate) fn event_kinds(node: &Node, token: &str) -> Vec<String> {
    let events = request(node.addr, "GET", "/api/v1/events?limit=1000", Some(token), None).unwrap();
    assert_eq!(events.status, 200, "{}", events.body);
    events.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["payload"]["kind"].as_str().or_else(|| e["kind"].as_str()).map(str::to_owned))
        .collect()
}

/// Polls (bounded) until the events include every kind in `wanted`.
pub(crate) fn wait_for_kinds(node: &Node, token: &str, wanted: &[&str]) -> Vec<String> {
    let mut kinds = Vec::new();
    for _ in 0..400 {
        kinds = event_kinds(node, token);
        if wanted.iter().all(|w| kinds.iter().any(|k| k == w)) {
            return kinds;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("events {wanted:?} did not all come; got {kinds:?}");
}

/// Adds the test's DID, into alice's first queue; returns that queue.
pub(crate) async fn add_did(database_url: &str) -> (model::TenantId, model::AgentId, model::QueueId) {
    let pool = store::connect(database_url, 2).await.unwrap();
    let tenant = store::repo::tenants::find_by_slug(&pool, "demo").await.unwrap().unwrap().id;
    let agents = store::repo::agents::list(&pool, tenant).await.unwrap();
    let alice = agents.iter().find(|a| a.data.extension == "alice").unwrap();
    let queue = alice.data.queues[0].queue_id;
    let number = PhoneNumber { e164: DID.into(), entry: EntryPoint::Queue { queue_id: queue }, label: "Test".into() };
    store::repo::numbers::create(&pool, tenant, &number).await.unwrap();
    pool.close().await;
    (tenant, alice.id, queue)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_into_a_queue_reaches_the_logged_in_agent_with_audio_both_ways_and_its_cdr_is_answered() {
    if !baresip_available() {
        return;
    }
    let node = Node::new().await.with_own_media_range();
    node.run(&["demo"]);
    let (tenant, alice, queue) = add_did(&node.database_url).await;
    let server = node.serve();
    let admin = login(node.addr, "admin", "demo-admin");

    let agent = Phone::start(
        &format!(
            "<sip:alice@demo.switchboard.localhost>;auth_pass=alice-sip-demo;outbound=\"sip:{}\";answermode=auto;regint=60;audio_codecs=pcmu",
            node.sip_udp
        ),
        440.0,
    );
    if std::panic::catch_unwind(|| wait_for_kinds(&node, &admin, &["agent_device_registered"])).is_err() {
        panic!("alice's phone did not register:\n{}", agent.log());
    }
    let token = login(node.addr, "alice", "demo-agent");
    let r = request(node.addr, "POST", "/api/v1/agent/login", Some(&token), None).unwrap();
    assert_eq!(r.status, 204, "alice logs in to take calls: {}", r.body);

    let caller = Phone::start(&format!("<sip:{CALLER}@127.0.0.1>;regint=0;audio_codecs=pcmu"), 700.0);
    caller.command("dial", &format!("sip:{DID}@{}", node.sip_udp));
    if std::panic::catch_unwind(|| wait_for_kinds(&node, &admin, &["bridged"])).is_err() {
        panic!("the call was not bridged; the caller's phone said:\n{}\nthe agent's:\n{}", caller.log(), agent.log());
    }
    // Let them talk for three seconds (a wait, not a timing assertion).
    std::thread::sleep(Duration::from_secs(3));
    caller.command("hangup", "");
    let kinds = wait_for_kinds(&node, &admin, &["call_ended"]);
    for kind in ["call_arrived", "call_queued", "offered_to_agent", "agent_ringing", "agent_answered", "bridged"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing from {kinds:?}");
    }

    // The CDR row, finalised from the events.
    let pool = store::connect(&node.database_url, 1).await.unwrap();
    let mut row = None;
    for _ in 0..200 {
        row = sqlx::query_as::<_, (String, Option<uuid::Uuid>, Option<uuid::Uuid>, bool, String)>(
            "SELECT outcome, agent_id, queue_id, answered_at IS NOT NULL, caller_number FROM calls WHERE tenant_id = $1",
        )
        .bind(tenant.0)
        .fetch_optional(&pool)
        .await
        .unwrap();
        if row.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (outcome, agent_id, queue_id, answered, caller_number) = row.expect("the call's CDR row");
    assert_eq!(outcome, "answered");
    assert_eq!(agent_id, Some(alice.0));
    assert_eq!(queue_id, Some(queue.0));
    assert!(answered);
    assert_eq!(caller_number, CALLER);

    // Wrap-up: the agent files the disposition; it joins the CDR row.
    let body = r#"{"disposition":"resolved","notes":"Router reset"}"#;
    let r = request(node.addr, "POST", "/api/v1/agent/wrap-up", Some(&token), Some(body)).unwrap();
    assert_eq!(r.status, 204, "{}", r.body);
    let r = request(node.addr, "POST", "/api/v1/agent/wrap-up", Some(&token), Some(r#"{"disposition":""}"#)).unwrap();
    assert_eq!(r.status, 422, "an empty disposition is refused naming the field: {}", r.body);
    assert!(r.body.contains("disposition"), "{}", r.body);
    let mut disposition = None;
    for _ in 0..200 {
        disposition = sqlx::query_scalar::<_, Option<String>>("SELECT disposition FROM calls WHERE tenant_id = $1")
            .bind(tenant.0)
            .fetch_one(&pool)
            .await
            .unwrap();
        if disposition.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(disposition.as_deref(), Some("resolved"));

    // The last second of each dump is the bridged call (before it, the
    // caller heard the music on hold).
    let tail = |audio: Vec<i16>| audio[audio.len().saturating_sub(8_000)..].to_vec();
    let (caller_heard, caller_dir) = caller.quit();
    let (agent_heard, agent_dir) = agent.quit();
    let (caller_heard, agent_heard) = (tail(caller_heard), tail(agent_heard));
    assert!(
        share(&caller_heard, 440.0) > 0.3,
        "the caller hears the agent's 440 Hz ({} samples in {})",
        caller_heard.len(),
        caller_dir.display()
    );
    assert!(
        share(&agent_heard, 700.0) > 0.3,
        "the agent hears the caller's 700 Hz ({} samples in {})",
        agent_heard.len(),
        agent_dir.display()
    );
    let _ = std::fs::remove_dir_all(caller_dir);
    let _ = std::fs::remove_dir_all(agent_dir);
    assert!(terminate(server).success());
}
