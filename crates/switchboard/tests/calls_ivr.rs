//! IVR scenarios through `serve` with real phones: a caller who hangs up
//! at a menu is abandoned in the IVR; a caller who presses a key (RFC 4733
//! from baresip) is put in the queue that key chooses and answered there;
//! a skill the IVR sets routes the call to an agent who has it. Each checks the call's events and its CDR row in PostgreSQL.

use std::time::Duration;

use model::{EntryPoint, IvrFlow, IvrNode, QueueId};

use crate::phones::baresip_available;
use crate::scenario::{Answer, Demo, kinds, of_kind};

/// The test's DID, into the test's flow.
const DID: &str = "+442079460002";
/// The caller's number.
const CALLER: &str = "+447700900456";

/// One menu: 1 for support, 2 for sales; after ten seconds without a key,
/// a hang-up (so a key that never arrives ends the call differently).
fn menu_flow(support: QueueId, sales: QueueId) -> IvrFlow {
    let choices = [("1", "support"), ("2", "sales")].into_iter().map(|(d, n)| (d.to_owned(), n.to_owned())).collect();
    let nodes = [
        (
            "menu",
            IvrNode::Menu {
                prompt: "menu_main".into(),
                choices,
                timeout_secs: 10,
                retries: 0,
                on_failure: "bye".into(),
            },
        ),
        ("support", IvrNode::Enqueue { queue_id: support }),
        ("sales", IvrNode::Enqueue { queue_id: sales }),
        ("bye", IvrNode::Hangup { prompt: String::new() }),
    ];
    IvrFlow {
        name: "Test menu".into(),
        start: "menu".into(),
        nodes: nodes.into_iter().map(|(name, node)| (name.to_owned(), node)).collect(),
    }
}

/// The demo tenant with the test's DID into [`menu_flow`].
async fn demo_with_menu() -> (Demo, model::IvrFlowId, QueueId) {
    let demo = Demo::seed().await;
    let (support, sales) = (demo.queue("support").await, demo.queue("sales").await);
    let flow = demo.add_flow(&menu_flow(support, sales)).await;
    demo.add_number(DID, EntryPoint::Ivr { flow_id: flow }).await;
    (demo, flow, sales)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_who_hangs_up_at_the_menu_is_abandoned_in_the_ivr() {
    if !baresip_available() {
        return;
    }
    let (demo, flow, _) = demo_with_menu().await;
    let calls = demo.serve();

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["ivr_entered"]).await;
    // The caller listens a moment (a wait, not a timing assertion).
    tokio::time::sleep(Duration::from_secs(1)).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    assert_eq!(of_kind(&events, "ivr_entered")[0]["flow_id"], flow.to_string().as_str());
    let left = of_kind(&events, "ivr_left");
    assert_eq!(left.len(), 1, "{:?}", kinds(&events));
    assert_eq!(left[0]["exit"], "caller_hangup");
    assert_eq!(left[0]["node"], "menu");
    let abandoned = of_kind(&events, "call_abandoned");
    assert_eq!(abandoned.len(), 1, "{:?}", kinds(&events));
    assert_eq!(abandoned[0]["stage"], "ivr");
    assert!(of_kind(&events, "call_queued").is_empty(), "{:?}", kinds(&events));

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "abandoned");
    assert_eq!(cdr.abandon_stage.as_deref(), Some("ivr"));
    assert_eq!(cdr.queue_id, None);
    assert_eq!(cdr.caller_number, CALLER);
    let _ = caller.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_pressed_at_the_menu_puts_the_call_in_the_chosen_queue_where_an_agent_answers() {
    if !baresip_available() {
        return;
    }
    let (demo, flow, sales) = demo_with_menu().await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["ivr_entered"]).await;
    // RFC 4733 telephone-events (baresip's sndcode), once the media flows.
    tokio::time::sleep(Duration::from_millis(500)).await;
    caller.command("sndcode", "2");
    calls.wait_for_kinds(&["bridged"]).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let choice = of_kind(&events, "ivr_choice");
    assert_eq!(choice.len(), 1, "{:?}", kinds(&events));
    assert_eq!(choice[0]["digits"], "2");
    assert_eq!(choice[0]["node"], "menu");
    assert_eq!(choice[0]["flow_id"], flow.to_string().as_str());
    assert_eq!(of_kind(&events, "ivr_left")[0]["exit"], "enqueued");
    assert_eq!(of_kind(&events, "call_queued")[0]["queue_id"], sales.to_string().as_str());
    assert_eq!(of_kind(&events, "agent_answered")[0]["agent_id"], calls.agent("alice").to_string().as_str());

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.queue_id, Some(sales));
    assert_eq!(cdr.agent_id, Some(calls.agent("alice")));
    let _ = caller.quit();
    let _ = alice.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_skill_chosen_in_the_ivr_routes_the_call_past_a_better_scored_agent_without_it() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let support = demo.queue("support").await;
    let skills = store::repo::skills::list(demo.pool(), demo.tenant()).await.unwrap();
    let spanish = skills.iter().find(|s| s.data.name == "spanish").unwrap().id;
    let choices = [("3", "spanish")].into_iter().map(|(d, n)| (d.to_owned(), n.to_owned())).collect();
    let nodes = [
        (
            "menu",
            IvrNode::Menu {
                prompt: "menu_main".into(),
                choices,
                timeout_secs: 10,
                retries: 0,
                on_failure: "bye".into(),
            },
        ),
        (
            "spanish",
            IvrNode::SetSkills {
                skills: vec![model::SkillRequirement { skill_id: spanish, min_level: 7 }],
                next: "support".into(),
            },
        ),
        ("support", IvrNode::Enqueue { queue_id: support }),
        ("bye", IvrNode::Hangup { prompt: String::new() }),
    ];
    let flow = IvrFlow {
        name: "Spanish line".into(),
        start: "menu".into(),
        nodes: nodes.into_iter().map(|(name, node)| (name.to_owned(), node)).collect(),
    };
    let flow = demo.add_flow(&flow).await;
    demo.add_number(DID, EntryPoint::Ivr { flow_id: flow }).await;
    let calls = demo.serve();
    // Support routes by best skill on English: dmitri (9) outscores carmen
    // (8), but only carmen speaks Spanish.
    let dmitri = calls.agent_phone("dmitri", Answer::Auto, 440.0).await;
    let carmen = calls.agent_phone("carmen", Answer::Auto, 1_100.0).await;
    calls.log_in("dmitri");
    calls.log_in("carmen");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["ivr_entered"]).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    caller.command("sndcode", "3");
    calls.wait_for_kinds(&["bridged"]).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let offers = of_kind(&events, "offered_to_agent");
    assert_eq!(offers.len(), 1, "{:?}", kinds(&events));
    assert_eq!(offers[0]["agent_id"], calls.agent("carmen").to_string().as_str());
    let matched = offers[0]["reason"]["skills"].as_array().unwrap();
    assert!(
        matched.iter().any(|m| m["skill_id"] == spanish.to_string().as_str() && m["required"] == 7),
        "the offer's reason names the call's own skill: {matched:?}"
    );
    let cdr = calls.cdr().await;
    assert_eq!(cdr.agent_id, Some(calls.agent("carmen")));
    let _ = (caller.quit(), dmitri.quit(), carmen.quit());
    calls.stop();
}
