//! A supervisor's actions on waiting calls through `serve`, over the API,
//! with real phones: two calls wait in a queue where no agent serves;
//! one is moved to a queue where an agent is free and answered there, the
//! other offered to an agent of the supervisor's choice; a priority
//! raised puts a later call ahead of an earlier one. Agents are refused
//! (403); every action is an audited event of the call, and the CDR rows
//! say who answered from which queue.

use model::EntryPoint;
use serde_json::Value;

use crate::phones::baresip_available;
use crate::scenario::{Answer, Calls, Demo, kinds, of_kind};

/// The test's DID, into the sales queue.
const DID: &str = "+442079460006";
/// The first caller's number.
const FIRST: &str = "+447700900901";
/// The second caller's number.
const SECOND: &str = "+447700900902";

/// The events of one call, in the order they were stored.
fn of_call(events: &[(String, Value)], call: &str) -> Vec<Value> {
    events.iter().filter(|(c, _)| c == call).map(|(_, e)| e.clone()).collect()
}

/// The position of the first event of `kind`, or a panic listing them.
fn position(events: &[Value], kind: &str) -> usize {
    events.iter().position(|e| e["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {:?}", kinds(events)))
}

/// The ids of the calls that arrived, in order.
async fn arrived(calls: &Calls) -> Vec<String> {
    let events = calls.call_events().await;
    events.iter().filter(|(_, e)| e["kind"] == "call_arrived").map(|(c, _)| c.clone()).collect()
}

/// Waits until `n` events of `kind` are stored.
async fn wait_for_count(calls: &Calls, kind: &str, n: usize) -> Vec<Value> {
    calls.wait_for(&format!("{n} × {kind}"), |events| of_kind(events, kind).len() >= n).await
}

/// The demo tenant with the test's DID into sales, where no logged-in
/// agent will serve; support (where dmitri and erin serve) without
/// wrap-up or survey; no callback offers or announcements in the way.
async fn demo() -> (Demo, model::QueueId, model::QueueId) {
    let demo = Demo::seed().await;
    let (sales, support) = (demo.queue("sales").await, demo.queue("support").await);
    for queue in [sales, support] {
        demo.change_queue(queue, |q| {
            q.callback_threshold_secs = None;
            q.routing.announce_interval_secs = None;
            q.post_call_survey = false;
            q.wrap_up_secs = 0;
        })
        .await;
    }
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    (demo, sales, support)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_moves_one_waiting_call_to_a_free_queue_and_offers_another_to_an_agent_who_answer_them() {
    if !baresip_available() {
        return;
    }
    let (demo, sales, support) = demo().await;
    let calls = demo.serve();
    let (dmitri_id, erin_id) = (calls.agent("dmitri").to_string(), calls.agent("erin").to_string());
    let dmitri = calls.agent_phone("dmitri", Answer::Auto, 440.0).await;
    let erin = calls.agent_phone("erin", Answer::Auto, 440.0).await;
    calls.log_in("dmitri");
    calls.log_in("erin");
    let supervisor = calls.token("supervisor", "demo-supervisor");
    let supervisor_id = calls.api("GET", "/api/v1/me", &supervisor, None).json()["user"]["id"].clone();
    let agent = calls.token("alice", "demo-agent");

    let first = calls.dial(FIRST, DID, 700.0);
    wait_for_count(&calls, "call_queued", 1).await;
    let second = calls.dial(SECOND, DID, 700.0);
    wait_for_count(&calls, "call_queued", 2).await;
    let ids = arrived(&calls).await;
    assert!(of_kind(&calls.events().await, "offered_to_agent").is_empty(), "nobody serves sales");

    let to_support = format!(r#"{{"queue_id":"{support}"}}"#);
    let path = format!("/api/v1/calls/{}/move", ids[0]);
    assert_eq!(calls.api("POST", &path, &agent, Some(&to_support)).status, 403, "agents do not move calls");
    let unknown = format!("/api/v1/calls/{}/move", model::CallId::new());
    assert_eq!(calls.api("POST", &unknown, &supervisor, Some(&to_support)).status, 404);
    let moved = calls.api("POST", &path, &supervisor, Some(&to_support));
    assert_eq!(moved.status, 204, "{}", moved.body);
    wait_for_count(&calls, "bridged", 1).await;
    let again = calls.api("POST", &path, &supervisor, Some(&to_support));
    assert_eq!(again.status, 409, "a connected call is not moved: {}", again.body);
    let to_erin = format!(r#"{{"agent_id":"{erin_id}"}}"#);
    let assigned = calls.api("POST", &format!("/api/v1/calls/{}/move", ids[1]), &supervisor, Some(&to_erin));
    assert_eq!(assigned.status, 204, "{}", assigned.body);
    wait_for_count(&calls, "bridged", 2).await;
    first.command("hangup", "");
    second.command("hangup", "");
    wait_for_count(&calls, "call_ended", 2).await;

    let events = calls.call_events().await;
    let (one, two) = (of_call(&events, &ids[0]), of_call(&events, &ids[1]));
    let moved = of_kind(&one, "call_moved");
    assert_eq!(moved.len(), 1, "{:?}", kinds(&one));
    assert_eq!(moved[0]["by"], supervisor_id, "the audit names the supervisor: {}", moved[0]);
    assert_eq!(moved[0]["from_queue_id"], sales.to_string().as_str());
    assert_eq!(moved[0]["target"], serde_json::json!({"type": "queue", "queue_id": support.to_string()}));
    assert!(position(&one, "call_moved") < position(&one, "offered_to_agent"), "{:?}", kinds(&one));
    let offer = &of_kind(&one, "offered_to_agent")[0];
    assert_eq!(
        (offer["queue_id"].as_str(), offer["agent_id"].as_str()),
        (Some(&*support.to_string()), Some(&*dmitri_id))
    );
    assert_eq!(of_kind(&one, "agent_answered")[0]["agent_id"], dmitri_id.as_str());
    let assigned = of_kind(&two, "call_moved");
    assert_eq!(assigned.len(), 1, "{:?}", kinds(&two));
    assert_eq!(assigned[0]["target"], serde_json::json!({"type": "agent", "agent_id": erin_id}));
    assert_eq!(assigned[0]["position"], Value::Null, "offered at once: {}", assigned[0]);
    let offer = &of_kind(&two, "offered_to_agent")[0];
    assert_eq!(offer["agent_id"], erin_id.as_str());
    assert!(offer["reason"]["detail"].as_str().is_some_and(|d| d.contains("supervisor")), "{offer}");
    assert_eq!(of_kind(&two, "agent_answered")[0]["agent_id"], erin_id.as_str());

    let cdrs = calls.cdrs(2).await;
    let cdr = |id: &str| cdrs.iter().find(|c| c.call_id == id).unwrap();
    assert_eq!(cdr(&ids[0]).outcome, "answered");
    assert_eq!(cdr(&ids[0]).queue_id, Some(support), "the CDR's queue is the one moved to");
    assert_eq!(cdr(&ids[0]).agent_id, Some(calls.agent("dmitri")));
    assert_eq!(cdr(&ids[1]).outcome, "answered");
    assert_eq!(cdr(&ids[1]).queue_id, Some(sales));
    assert_eq!(cdr(&ids[1]).agent_id, Some(calls.agent("erin")));
    let _ = first.quit();
    let _ = second.quit();
    let _ = dmitri.quit();
    let _ = erin.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_priority_raised_by_a_supervisor_puts_a_later_call_ahead_of_an_earlier_one() {
    if !baresip_available() {
        return;
    }
    let (demo, _, _) = demo().await;
    let calls = demo.serve();
    let alice_id = calls.agent("alice").to_string();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    let supervisor = calls.token("supervisor", "demo-supervisor");
    let agent = calls.token("alice", "demo-agent");

    let first = calls.dial(FIRST, DID, 700.0);
    wait_for_count(&calls, "call_queued", 1).await;
    let second = calls.dial(SECOND, DID, 700.0);
    let events = wait_for_count(&calls, "call_queued", 2).await;
    let positions: Vec<_> = of_kind(&events, "call_queued").iter().map(|e| e["position"].clone()).collect();
    assert_eq!(positions, [1, 2], "the later call waits behind the earlier one");
    let ids = arrived(&calls).await;

    let path = format!("/api/v1/calls/{}/priority", ids[1]);
    assert_eq!(calls.api("POST", &path, &agent, Some(r#"{"priority":50}"#)).status, 403);
    let bad = calls.api("POST", &path, &calls.token("supervisor", "demo-supervisor"), Some(r#"{"priority":"high"}"#));
    assert_eq!(bad.status, 422, "{}", bad.body);
    let raised = calls.api("POST", &path, &supervisor, Some(r#"{"priority":50}"#));
    assert_eq!(raised.status, 204, "{}", raised.body);
    let events = wait_for_count(&calls, "priority_changed", 1).await;
    let changed = of_kind(&events, "priority_changed")[0];
    assert_eq!((changed["previous"].as_i64(), changed["priority"].as_i64()), (Some(0), Some(50)), "{changed}");
    assert_eq!(changed["position"], 1, "the later call is next now: {changed}");

    // Alice logs in: the raised call is offered first.
    calls.log_in("alice");
    wait_for_count(&calls, "bridged", 1).await;
    // The earlier caller gives up first, while alice talks.
    first.command("hangup", "");
    second.command("hangup", "");
    wait_for_count(&calls, "call_ended", 2).await;

    let events = calls.call_events().await;
    let offers: Vec<_> = events.iter().filter(|(_, e)| e["kind"] == "offered_to_agent").collect();
    assert_eq!(offers[0].0, ids[1], "the raised call first: {offers:?}");
    assert_eq!(offers[0].1["agent_id"], alice_id.as_str());
    let two = of_call(&events, &ids[1]);
    assert!(position(&two, "priority_changed") < position(&two, "offered_to_agent"));
    let cdrs = calls.cdrs(2).await;
    let cdr = |id: &str| cdrs.iter().find(|c| c.call_id == id).unwrap();
    assert_eq!(cdr(&ids[1]).outcome, "answered");
    assert_eq!(cdr(&ids[1]).agent_id, Some(calls.agent("alice")));
    assert_eq!(cdr(&ids[0]).outcome, "abandoned", "the earlier call waited on: {:?}", cdr(&ids[0]));
    let _ = first.quit();
    let _ = second.quit();
    let _ = alice.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_sets_an_agents_state_and_the_audit_names_them() {
    let demo = Demo::seed().await;
    let calls = demo.serve();
    calls.log_in("alice");
    let alice = calls.agent("alice").to_string();
    let path = format!("/api/v1/agents/{alice}/state");
    let dnd = serde_json::json!({"state": "do_not_disturb"}).to_string();
    let agent = calls.token("bob", "demo-agent");
    assert_eq!(calls.api("PUT", &path, &agent, Some(&dnd)).status, 403, "agents do not set others' state");
    let supervisor = calls.token("supervisor", "demo-supervisor");
    let supervisor_id = calls.api("GET", "/api/v1/me", &supervisor, None).json()["user"]["id"].clone();
    let set = calls.api("PUT", &path, &supervisor, Some(&dnd));
    assert_eq!(set.status, 204, "{}", set.body);
    let events = calls
        .wait_for("the state set and changed", |events| {
            events.iter().any(|e| e["kind"] == "agent_state_set")
                && events.iter().any(|e| e["kind"] == "agent_state_changed" && e["state"]["state"] == "do_not_disturb")
        })
        .await;
    let audit: Vec<_> = events.iter().filter(|e| e["kind"] == "agent_state_set").collect();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["agent_id"], alice.as_str());
    assert_eq!(audit[0]["by"], supervisor_id);
    assert_eq!(audit[0]["state"]["state"], "do_not_disturb");
    calls.stop();
}
