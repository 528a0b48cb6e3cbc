//! A callback through `serve` with real phones: the caller, told the wait
//! is long, presses 1 and hangs up; once the agent is free they are rung
//! first, then the customer is dialled through the demo trunk, and the two
//! talk. The events tell each step and the CDR row is a completed
//! callback.

use std::time::Duration;

use model::EntryPoint;
use serde_json::{Value, json};

use crate::phones::{baresip_available, share};
use crate::scenario::{Answer, Calls, Demo, kinds, of_kind};

const DID: &str = "+442079460021";
/// The customer's number: they call from it and are called back on it.
const CUSTOMER: &str = "+447700900521";

/// The position of the first event of `kind` (with `field` = `value` when
/// given), or a panic listing them.
fn position(events: &[Value], kind: &str) -> usize {
    events.iter().position(|e| e["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {:?}", kinds(events)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_callback_accepted_in_the_queue_rings_the_agent_then_the_customer_and_connects_them() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let customer = Calls::customer(CUSTOMER, 700.0);
    demo.point_trunk_at(customer.sip_port()).await;
    let sales = demo.queue("sales").await;
    demo.change_queue(sales, |q| {
        q.callback_threshold_secs = Some(1);
        q.wrap_up_secs = 0;
    })
    .await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    calls.log_in("alice");
    let busy = calls.api_as("alice", "PUT", "/api/v1/agent/state", Some(&json!({"state": "do_not_disturb"})));
    assert_eq!(busy.status, 204, "{}", busy.body);

    calls.dial_from(&customer, DID);
    calls.wait_for_kinds(&["callback_offered"]).await;
    customer.command("sndcode", "1");
    calls
        .wait_for("the first call_ended", |events| {
            events.iter().any(|e| e["kind"] == "call_ended" && e["cause"] == "callback_requested")
        })
        .await;
    customer.set_aside_dumps();

    let free = calls.api_as("alice", "PUT", "/api/v1/agent/state", Some(&json!({"state": "available"})));
    assert_eq!(free.status, 204, "{}", free.body);
    calls.wait_for_kinds(&["bridged"]).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    alice.command("hangup", "");
    let events = calls.wait_for("the callback's end", |events| of_kind(events, "call_ended").len() == 2).await;

    let accepted = of_kind(&events, "callback_accepted");
    assert_eq!(accepted.len(), 1, "{:?}", kinds(&events));
    assert_eq!(accepted[0]["number"], CUSTOMER);
    assert_eq!(of_kind(&events, "callback_dialled")[0]["attempt"], 1);
    assert_eq!(of_kind(&events, "callback_result")[0]["answered"], true);
    let order = [
        "callback_offered",
        "callback_accepted",
        "call_ended",
        "agent_answered",
        "callback_dialled",
        "callback_result",
        "bridged",
    ];
    let at: Vec<usize> = order.iter().map(|k| position(&events, k)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "the steps in order {order:?}: {at:?} in {:?}", kinds(&events));
    let ended: Vec<_> = of_kind(&events, "call_ended").iter().map(|e| e["cause"].clone()).collect();
    assert_eq!(ended, vec![json!("callback_requested"), json!("agent_hangup")]);

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "callback");
    assert_eq!(cdr.agent_id, Some(calls.agent("alice")));
    let (reached,): (bool,) = sqlx::query_as("SELECT answered_at IS NOT NULL FROM calls WHERE tenant_id = $1")
        .bind(calls.tenant().0)
        .fetch_one(calls.pool())
        .await
        .unwrap();
    assert!(reached, "a completed callback has its answer time");

    let heard = customer.quit_per_call();
    assert_eq!(heard.len(), 2, "the customer's call in and the call back");
    assert!(share(&heard[1], 440.0) > 0.2, "the customer heard alice on the call back: {}", share(&heard[1], 440.0));
    let (alice_heard, _) = alice.quit();
    assert!(share(&alice_heard, 700.0) > 0.05, "alice heard the customer: {}", share(&alice_heard, 700.0));
    calls.stop();
}
