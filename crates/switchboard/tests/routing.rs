//! Routing scenarios through `serve` with real phones: a call that needs a
//! skill level no logged-in agent has goes to a lower-skilled agent only
//! once the queue's expansion step applies; a caller served before is
//! offered first to the agent who served them (sticky), while another
//! agent has been free longer. Each checks the call's events and its CDR
//! row in PostgreSQL.

use model::{EntryPoint, RoutingStrategy, SkillRequirement, SkillStep};
use serde_json::Value;

use crate::phones::baresip_available;
use crate::scenario::{Answer, Calls, Demo, kinds, of_kind};

/// The test's DID.
const DID: &str = "+442079460003";
/// The caller's number.
const CALLER: &str = "+447700900789";

/// The position of the first event of `kind`, or a panic listing them.
fn position(events: &[Value], kind: &str) -> usize {
    events.iter().position(|e| e["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {:?}", kinds(events)))
}

/// The events of one call, in the order they were stored.
fn of_call(events: &[(String, Value)], call: &str) -> Vec<Value> {
    events.iter().filter(|(c, _)| c == call).map(|(_, e)| e.clone()).collect()
}

/// The agents a call was offered to, in order.
fn offered_to(events: &[Value]) -> Vec<String> {
    of_kind(events, "offered_to_agent").iter().map(|e| e["agent_id"].as_str().unwrap_or_default().to_owned()).collect()
}

/// How many times `agent` has become available so far.
async fn times_available(calls: &Calls, agent: &str) -> usize {
    let events = calls.events().await;
    events
        .iter()
        .filter(|e| e["kind"] == "agent_state_changed" && e["agent_id"] == agent && e["state"]["state"] == "available")
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_needing_a_higher_skill_goes_to_a_lower_skilled_agent_only_at_the_expansion_step() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    let skills = store::repo::skills::list(demo.pool(), demo.tenant()).await.unwrap();
    let sales_skill = skills.iter().find(|s| s.data.name == "sales").unwrap().id;
    // Sellers of level 8 first; after 2 s any seller. Bob (sales 3) is the
    // only agent logged in: he may take the call from step 1 only.
    demo.change_queue(sales, |q| {
        q.required_skills = vec![SkillRequirement { skill_id: sales_skill, min_level: 8 }];
        q.routing.skill_steps = vec![SkillStep {
            after_secs: 2,
            required_skills: vec![SkillRequirement { skill_id: sales_skill, min_level: 1 }],
            extra_queues: Vec::new(),
        }];
        q.callback_threshold_secs = None;
        q.routing.announce_interval_secs = None;
    })
    .await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let bob_id = calls.agent("bob").to_string();
    let bob = calls.agent_phone("bob", Answer::Auto, 440.0).await;
    calls.log_in("bob");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged"]).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let offers = of_kind(&events, "offered_to_agent");
    assert_eq!(offers.len(), 1, "one offer, at the expansion step: {:?}", kinds(&events));
    assert_eq!(offers[0]["agent_id"], bob_id.as_str());
    assert_eq!(offers[0]["reason"]["step"], 1, "the offer names the expansion step: {}", offers[0]);
    let matched = &offers[0]["reason"]["skills"][0];
    assert_eq!(matched["skill_id"], sales_skill.to_string().as_str(), "{}", offers[0]);
    assert_eq!((matched["required"].as_u64(), matched["level"].as_u64()), (Some(1), Some(3)), "{}", offers[0]);
    assert!(position(&events, "call_queued") < position(&events, "offered_to_agent"));
    assert!(position(&events, "offered_to_agent") < position(&events, "agent_answered"));
    assert_eq!(of_kind(&events, "agent_answered")[0]["agent_id"], bob_id.as_str());

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.agent_id, Some(calls.agent("bob")));
    assert_eq!(cdr.queue_id, Some(sales));
    assert!(cdr.wait_ms.is_some_and(|ms| ms > 0), "{cdr:?}");
    let _ = caller.quit();
    let _ = bob.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_served_before_is_offered_to_the_same_agent_while_another_is_free_longer() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    // Sticky routing, no wrap-up (alice is free again at once after the
    // first call), nothing else offered to the caller meanwhile.
    demo.change_queue(sales, |q| {
        q.strategy = RoutingStrategy::Sticky;
        q.wrap_up_secs = 0;
        q.callback_threshold_secs = None;
        q.routing.announce_interval_secs = None;
    })
    .await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let (alice_id, farid_id) = (calls.agent("alice").to_string(), calls.agent("farid").to_string());
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    let farid = calls.agent_phone("farid", Answer::Auto, 440.0).await;
    // Alice logs in first: idle the longest, she takes the first call.
    calls.log_in("alice");
    calls.log_in("farid");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged"]).await;
    let before = times_available(&calls, &alice_id).await;
    caller.command("hangup", "");
    calls.wait_for_kinds(&["call_ended"]).await;
    let _ = caller.quit();
    // Alice is free again: from now on farid has been free longer.
    let free_again = |events: &[Value]| {
        events
            .iter()
            .filter(|e| {
                e["kind"] == "agent_state_changed"
                    && e["agent_id"] == alice_id.as_str()
                    && e["state"]["state"] == "available"
            })
            .count()
            > before
    };
    calls.wait_for("alice free again after the first call", free_again).await;

    let caller = calls.dial(CALLER, DID, 700.0);
    let second_bridged = |events: &[Value]| of_kind(events, "bridged").len() >= 2;
    calls.wait_for("the second call bridged", second_bridged).await;
    caller.command("hangup", "");
    calls.wait_for("the second call ended", |events| of_kind(events, "call_ended").len() >= 2).await;

    let cdrs = calls.cdrs(2).await;
    let events = calls.call_events().await;
    let (first, second) = (of_call(&events, &cdrs[0].call_id), of_call(&events, &cdrs[1].call_id));
    assert_eq!(offered_to(&first), [alice_id.as_str()], "the first call goes to the longest idle: alice");
    assert_eq!(offered_to(&second), [alice_id.as_str()], "the caller's agent first (farid is {farid_id})");
    let offer = of_kind(&second, "offered_to_agent")[0];
    assert_eq!(offer["reason"]["strategy"], "sticky");
    assert!(
        offer["reason"]["detail"].as_str().is_some_and(|d| d.contains("served this caller before")),
        "the offer says why: {offer}"
    );
    assert_eq!(of_kind(&second, "agent_answered")[0]["agent_id"], alice_id.as_str());
    for cdr in &cdrs {
        assert_eq!(cdr.outcome, "answered");
        assert_eq!(cdr.agent_id, Some(calls.agent("alice")));
        assert_eq!(cdr.caller_number, CALLER);
    }
    let _ = caller.quit();
    let _ = alice.quit();
    let _ = farid.quit();
    calls.stop();
}
