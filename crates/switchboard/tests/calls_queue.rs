//! Queue scenarios through `serve` with real phones: a caller giving up
//! in the queue and while an agent's phone rings, an agent who lets it
//! ring out (RONA) and the next one taking the call, and a VIP caller
//! routed past a free junior to a senior. Each checks the call's events
//! and its CDR row in PostgreSQL.

use std::time::Duration;

use model::{EntryPoint, RoutingStrategy};
use serde_json::Value;

use crate::phones::baresip_available;
use crate::scenario::{Answer, Demo, kinds, of_kind};

/// The test's DID.
const DID: &str = "+442079460001";
/// The caller's number.
const CALLER: &str = "+447700900123";

/// The position of the first event of `kind`, or a panic listing them.
fn position(events: &[Value], kind: &str) -> usize {
    events.iter().position(|e| e["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {:?}", kinds(events)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_who_hangs_up_while_no_agent_is_logged_in_is_abandoned_in_the_queue() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["call_queued"]).await;
    // The caller waits a moment (a wait, not a timing assertion).
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let abandoned = of_kind(&events, "call_abandoned");
    assert_eq!(abandoned.len(), 1, "{:?}", kinds(&events));
    assert_eq!(abandoned[0]["stage"], "queue");
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "abandoned");
    assert!(position(&events, "call_queued") < position(&events, "call_abandoned"));
    assert!(position(&events, "call_abandoned") < position(&events, "call_ended"));
    assert!(of_kind(&events, "offered_to_agent").is_empty(), "nobody to offer to: {:?}", kinds(&events));

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "abandoned");
    assert_eq!(cdr.abandon_stage.as_deref(), Some("queue"));
    assert!(cdr.wait_ms.is_some_and(|ms| ms > 0), "{cdr:?}");
    assert_eq!(cdr.queue_id, Some(sales));
    assert_eq!(cdr.agent_id, None);
    assert_eq!(cdr.caller_number, CALLER);
    let _ = caller.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_who_hangs_up_while_the_agent_rings_is_abandoned_ringing_and_the_agent_leg_is_cancelled() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Manual, 440.0).await;
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["agent_ringing"]).await;
    assert!(alice.wait_log("Incoming call"), "alice's phone rings:\n{}", alice.log());
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let abandoned = of_kind(&events, "call_abandoned");
    assert_eq!(abandoned.len(), 1, "{:?}", kinds(&events));
    assert_eq!(abandoned[0]["stage"], "ringing");
    assert!(of_kind(&events, "agent_answered").is_empty());
    assert!(alice.wait_log("session closed"), "alice's phone stops ringing: her leg is cancelled:\n{}", alice.log());

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "abandoned");
    assert_eq!(cdr.abandon_stage.as_deref(), Some("ringing"));
    assert_eq!(cdr.queue_id, Some(sales));
    let _ = caller.quit();
    let _ = alice.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_who_lets_the_call_ring_out_is_missed_and_the_next_agent_answers_it() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.change_queue(sales, |q| q.ring_timeout_secs = 5).await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let (alice_id, farid_id) = (calls.agent("alice").to_string(), calls.agent("farid").to_string());
    let alice = calls.agent_phone("alice", Answer::Manual, 440.0).await;
    let farid = calls.agent_phone("farid", Answer::Auto, 440.0).await;
    // Alice logs in first: idle the longest, she is offered the call first.
    calls.log_in("alice");
    calls.log_in("farid");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged"]).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let offered: Vec<_> = of_kind(&events, "offered_to_agent").iter().map(|e| e["agent_id"].clone()).collect();
    assert_eq!(offered, [alice_id.as_str(), farid_id.as_str()], "alice first, then farid");
    let no_answer = of_kind(&events, "agent_no_answer");
    assert_eq!(no_answer.len(), 1, "{:?}", kinds(&events));
    assert_eq!(no_answer[0]["agent_id"], alice_id.as_str());
    let answered = of_kind(&events, "agent_answered");
    assert_eq!(answered.len(), 1, "{:?}", kinds(&events));
    assert_eq!(answered[0]["agent_id"], farid_id.as_str());
    let missed = events.iter().any(|e| {
        e["kind"] == "agent_state_changed"
            && e["agent_id"] == alice_id.as_str()
            && e["state"]["state"] == "not_ready"
            && e["state"]["reason"]["code"] == "missed"
    });
    assert!(missed, "alice is not ready (missed): {:?}", of_kind(&events, "agent_state_changed"));
    assert!(alice.wait_log("session closed"), "alice's ringing leg is cancelled:\n{}", alice.log());

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.agent_id, Some(calls.agent("farid")));
    assert_eq!(cdr.queue_id, Some(sales));
    let _ = caller.quit();
    let _ = alice.quit();
    let _ = farid.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vip_caller_is_offered_to_the_senior_agent_while_a_junior_is_free() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let support = demo.queue("support").await;
    // Longest idle (not best skill), VIPs never relaxed: without the VIP
    // rule the junior, idle the longest, would be offered the call.
    demo.change_queue(support, |q| {
        q.strategy = RoutingStrategy::LongestIdle;
        q.routing.vip_relax_after_secs = None;
    })
    .await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: support }).await;
    let contact = model::Contact {
        name: "Vera Important".into(),
        phone_numbers: vec![CALLER.into()],
        company: "VIP Ltd".into(),
        vip_tier: model::VipTier(2),
        deal_stage: "customer".into(),
        notes: String::new(),
        owner_agent_id: None,
    };
    store::repo::contacts::create(demo.pool(), demo.tenant(), &contact).await.unwrap();
    let calls = demo.serve();
    let (erin_id, dmitri_id) = (calls.agent("erin").to_string(), calls.agent("dmitri").to_string());
    let erin = calls.agent_phone("erin", Answer::Auto, 440.0).await;
    let dmitri = calls.agent_phone("dmitri", Answer::Manual, 440.0).await;
    calls.log_in("erin");
    calls.log_in("dmitri");

    let caller = calls.dial(CALLER, DID, 700.0);
    assert!(dmitri.wait_log("Incoming call"), "dmitri's phone rings:\n{}", dmitri.log());
    // The screen pop's first line: the contact's name as the caller's display name.
    assert!(dmitri.log().contains("Vera Important"), "the phone shows the contact's name:\n{}", dmitri.log());
    dmitri.command("accept", "");
    calls.wait_for_kinds(&["bridged"]).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    assert_eq!(of_kind(&events, "call_arrived")[0]["vip_tier"], 2);
    let offered: Vec<_> = of_kind(&events, "offered_to_agent").iter().map(|e| e["agent_id"].clone()).collect();
    assert_eq!(offered, [dmitri_id.as_str()], "only the senior (erin is {erin_id})");
    assert_eq!(of_kind(&events, "agent_answered")[0]["agent_id"], dmitri_id.as_str());

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.agent_id, Some(calls.agent("dmitri")));
    assert_eq!(cdr.vip_tier, 2);
    let _ = caller.quit();
    let _ = erin.quit();
    let _ = dmitri.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_overflowing_to_another_queue_is_answered_there_and_its_cdr_names_that_queue() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let (sales, support) = (demo.queue("sales").await, demo.queue("support").await);
    // Nobody serves sales: its calls go on to support at once.
    demo.change_queue(sales, |q| {
        q.overflow = Some(model::OverflowTarget::Queue { queue_id: support });
        q.routing.join_empty = false;
    })
    .await;
    demo.change_queue(support, |q| q.post_call_survey = false).await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let dmitri = calls.agent_phone("dmitri", Answer::Auto, 440.0).await;
    calls.log_in("dmitri");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged"]).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    assert!(position(&events, "overflowed") < position(&events, "bridged"));
    let queued: Vec<_> = of_kind(&events, "call_queued").iter().map(|e| e["queue_id"].clone()).collect();
    assert_eq!(queued, vec![Value::from(sales.to_string()), Value::from(support.to_string())], "{:?}", kinds(&events));
    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.queue_id, Some(support));
    assert_eq!(cdr.agent_id, Some(calls.agent("dmitri")));
    let _ = (caller.quit(), dmitri.quit());
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_who_rejects_the_offer_over_the_api_sends_the_call_to_the_next_agent() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Manual, 440.0).await;
    calls.log_in("alice");
    let farid = calls.agent_phone("farid", Answer::Auto, 550.0).await;
    calls.log_in("farid");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["agent_ringing"]).await;
    let rejected = calls.api_as("alice", "POST", "/api/v1/agent/offer/reject", None);
    assert_eq!(rejected.status, 204, "{}", rejected.body);
    calls.wait_for_kinds(&["bridged"]).await;
    let again = calls.api_as("alice", "POST", "/api/v1/agent/offer/reject", None);
    assert_eq!(again.status, 409, "nothing rings at alice now: {}", again.body);
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let alice_id = calls.agent("alice").to_string();
    assert_eq!(of_kind(&events, "agent_rejected")[0]["agent_id"], alice_id.as_str());
    assert_eq!(of_kind(&events, "bridged")[0]["agent_id"], calls.agent("farid").to_string().as_str());
    assert!(alice.wait_log("session closed"), "alice's ringing leg is cancelled:\n{}", alice.log());
    assert_eq!(calls.cdr().await.agent_id, Some(calls.agent("farid")));
    let _ = (caller.quit(), alice.quit(), farid.quit());
    calls.stop();
}
