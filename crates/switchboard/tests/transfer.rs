//! Transfers through `serve` with real phones: the agent sends the call
//! blind to another queue, where the next agent takes it; a supervisor
//! sends it to a number outside, dialled through the demo trunk to a
//! customer's phone; the agent's phone transfers it (REFER) to another
//! agent; a warm transfer consults a number (called off) then an agent
//! (completed). Each checks what the caller heard, the events and
//! the CDR row; an agent cannot transfer someone else's call.

use std::time::Duration;

use model::EntryPoint;
use serde_json::json;

use crate::phones::{baresip_available, share};
use crate::scenario::{Answer, Calls, Demo, kinds, of_kind};

const DID: &str = "+442079460011";
const CALLER: &str = "+447700900411";
/// The number the supervisor transfers to, answered by the customer phone.
const OUTSIDE: &str = "+493055500011";

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_transfers_a_call_to_another_queue_where_the_next_agent_takes_it() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let (sales, support) = (demo.queue("sales").await, demo.queue("support").await);
    demo.change_queue(support, |q| q.post_call_survey = false).await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    let dmitri = calls.agent_phone("dmitri", Answer::Auto, 1_100.0).await;
    calls.log_in("alice");
    calls.log_in("dmitri");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged"]).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let call = calls.newest_call().await;
    let path = format!("/api/v1/calls/{call}/transfer");
    let to_support = json!({"target": {"type": "queue", "queue_id": support}});

    let refused = calls.api_as("bob", "POST", &path, Some(&to_support));
    assert_eq!(refused.status, 409, "bob is not on the call: {}", refused.body);
    let missing =
        calls.api_as("alice", "POST", &format!("/api/v1/calls/{}/transfer", model::CallId::new()), Some(&to_support));
    assert_eq!(missing.status, 404, "{}", missing.body);
    let moved = calls.api_as("alice", "POST", &path, Some(&to_support));
    assert_eq!(moved.status, 202, "{}", moved.body);

    let dmitri_id = calls.agent("dmitri").to_string();
    calls
        .wait_for("dmitri bridged", |events| {
            events.iter().any(|e| e["kind"] == "bridged" && e["agent_id"] == dmitri_id.as_str())
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let transferred = of_kind(&events, "transferred");
    assert_eq!(transferred.len(), 1, "{:?}", kinds(&events));
    assert_eq!(transferred[0]["agent_id"], calls.agent("alice").to_string().as_str());
    assert_eq!(transferred[0]["transfer"], "blind");
    assert_eq!(transferred[0]["target"], json!({"type": "queue", "queue_id": support}));
    let queued: Vec<_> = of_kind(&events, "call_queued").iter().map(|e| e["queue_id"].clone()).collect();
    assert_eq!(queued, vec![json!(sales), json!(support)], "queued in sales, then in support");
    assert_eq!(of_kind(&events, "bridged").len(), 2);
    assert_eq!(of_kind(&events, "call_ended").len(), 1);
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "caller_hangup");

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.agent_id, Some(calls.agent("alice")), "the first agent answered the call");

    let (heard, _) = caller.quit();
    assert!(share(&heard, 440.0) > 0.05, "the caller heard alice: {}", share(&heard, 440.0));
    assert!(share(&heard, 1_100.0) > 0.05, "the caller heard dmitri after the transfer: {}", share(&heard, 1_100.0));
    let (dmitri_heard, _) = dmitri.quit();
    assert!(share(&dmitri_heard, 700.0) > 0.2, "dmitri heard the caller: {}", share(&dmitri_heard, 700.0));
    let _ = alice.quit();
    calls.stop();
}

/// The customer's phone behind the demo trunk, and `serve` dialling it.
async fn with_customer(number: &str, tone: f64) -> (Demo, crate::phones::Phone) {
    let demo = Demo::seed().await;
    let customer = Calls::customer(number, tone);
    demo.point_trunk_at(customer.sip_port()).await;
    (demo, customer)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_transfers_a_call_to_a_number_dialled_through_the_trunk() {
    if !baresip_available() {
        return;
    }
    let (demo, outside) = with_customer(OUTSIDE, 1_100.0).await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged"]).await;
    let call = calls.newest_call().await;
    let body = json!({"target": {"type": "number", "number": OUTSIDE}});
    let moved = calls.api_as("supervisor", "POST", &format!("/api/v1/calls/{call}/transfer"), Some(&body));
    assert_eq!(moved.status, 202, "{}", moved.body);
    assert!(outside.wait_log("Call established"), "the number outside answered:\n{}", outside.log());
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let transferred = of_kind(&events, "transferred");
    assert_eq!(transferred.len(), 1, "{:?}", kinds(&events));
    assert_eq!(transferred[0]["target"], json!({"type": "number", "number": OUTSIDE}));
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "transferred_out");
    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.agent_id, Some(calls.agent("alice")));

    let (heard, _) = caller.quit();
    assert!(share(&heard, 1_100.0) > 0.05, "the caller heard the number outside: {}", share(&heard, 1_100.0));
    let (outside_heard, _) = outside.quit();
    assert!(
        share(&outside_heard, 700.0) > 0.2,
        "the number outside heard the caller: {}",
        share(&outside_heard, 700.0)
    );
    let _ = alice.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_transfers_a_call_from_the_phone_to_another_agent_by_extension() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    let dmitri = calls.agent_phone("dmitri", Answer::Auto, 1_100.0).await;
    calls.log_in("alice");
    calls.log_in("dmitri");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged"]).await;
    // The phone's own transfer: a REFER to dmitri's extension.
    alice.command("transfer", "dmitri");
    let dmitri_id = calls.agent("dmitri").to_string();
    let events = calls
        .wait_for("dmitri bridged", |events| {
            events.iter().any(|e| e["kind"] == "bridged" && e["agent_id"] == dmitri_id.as_str())
        })
        .await;
    let offers: Vec<_> = of_kind(&events, "offered_to_agent").iter().map(|e| e["agent_id"].clone()).collect();
    assert_eq!(offers.last(), Some(&json!(dmitri_id)), "the transfer offered the call to dmitri: {offers:?}");
    let transferred = of_kind(&events, "transferred");
    assert_eq!(transferred.len(), 1, "{:?}", kinds(&events));
    assert_eq!(transferred[0]["target"], json!({"type": "agent", "agent_id": dmitri_id}));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    caller.command("hangup", "");
    calls.wait_for_kinds(&["call_ended"]).await;

    let (heard, _) = caller.quit();
    assert!(share(&heard, 1_100.0) > 0.05, "the caller heard dmitri: {}", share(&heard, 1_100.0));
    let _ = (alice.quit(), dmitri.quit());
    calls.stop();
}

/// Waits (bounded) until `phone` has established `n` calls.
async fn established(phone: &crate::phones::Phone, n: usize) {
    for _ in 0..200 {
        if phone.log().matches("Call established").count() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the phone did not establish {n} calls:\n{}", phone.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_consults_a_number_then_cancels_consults_an_agent_and_completes_a_warm_transfer() {
    if !baresip_available() {
        return;
    }
    let (demo, outside) = with_customer(OUTSIDE, 550.0).await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    let dmitri = calls.agent_phone("dmitri", Answer::Auto, 1_100.0).await;
    calls.log_in("alice");
    calls.log_in("dmitri");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged"]).await;
    let call = calls.newest_call().await;
    let consult = format!("/api/v1/calls/{call}/consult");

    // A number first, then called off: alice is back with the caller.
    let number = json!({"target": {"type": "number", "number": OUTSIDE}});
    assert_eq!(calls.api_as("alice", "POST", &consult, Some(&number)).status, 202);
    established(&outside, 1).await;
    // Talk long enough for the consultation's late-starting audio to count.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    let twice = calls.api_as("alice", "POST", &consult, Some(&number));
    assert_eq!(twice.status, 409, "one consultation at a time: {}", twice.body);
    let cancelled = calls.api_as("alice", "DELETE", &consult, None);
    assert_eq!(cancelled.status, 204, "{}", cancelled.body);
    tokio::time::sleep(Duration::from_millis(1_000)).await;

    // Then dmitri, and the transfer completed.
    let agent = json!({"target": {"type": "agent", "agent_id": calls.agent("dmitri")}});
    let started = calls.api_as("alice", "POST", &consult, Some(&agent));
    assert_eq!(started.status, 202, "{}", started.body);
    established(&dmitri, 1).await;
    // The consultation's audio takes about a second to start (seen in the
    // dumps): talk long enough for it to count.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    let done = calls.api_as("alice", "POST", &format!("{consult}/complete"), None);
    assert_eq!(done.status, 204, "{}", done.body);
    let dmitri_id = calls.agent("dmitri").to_string();
    calls
        .wait_for("dmitri bridged", |events| {
            events.iter().any(|e| e["kind"] == "bridged" && e["agent_id"] == dmitri_id.as_str())
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let transferred = of_kind(&events, "transferred");
    assert_eq!(transferred.len(), 1, "{:?}", kinds(&events));
    assert_eq!(transferred[0]["transfer"], "warm");
    assert_eq!(transferred[0]["target"], json!({"type": "agent", "agent_id": dmitri_id}));
    assert_eq!(of_kind(&events, "held").len(), 2, "the caller held for each consultation: {:?}", kinds(&events));
    assert_eq!(of_kind(&events, "resumed").len(), 2);
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "caller_hangup");
    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.agent_id, Some(calls.agent("alice")));

    let (heard, _) = caller.quit();
    let last = &heard[heard.len().saturating_sub(8_000)..];
    assert!(share(last, 1_100.0) > 0.2, "the caller ends with dmitri: {}", share(last, 1_100.0));
    assert!(share(&heard, 550.0) < 0.01, "the caller never heard the number consulted: {}", share(&heard, 550.0));
    let (dmitri_heard, _) = dmitri.quit();
    assert!(share(&dmitri_heard, 440.0) > 0.05, "dmitri talked to alice first: {}", share(&dmitri_heard, 440.0));
    assert!(share(&dmitri_heard, 700.0) > 0.05, "then to the caller: {}", share(&dmitri_heard, 700.0));
    let (outside_heard, _) = outside.quit();
    assert!(share(&outside_heard, 440.0) > 0.05, "the number consulted heard alice: {}", share(&outside_heard, 440.0));
    assert!(share(&outside_heard, 700.0) < 0.01, "and never the caller: {}", share(&outside_heard, 700.0));
    let _ = alice.quit();
    calls.stop();
}
