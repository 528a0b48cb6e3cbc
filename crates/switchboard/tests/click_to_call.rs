//! An agent's click-to-call through `serve`: the agent asks for a call to
//! a contact over the API, their phone rings and picks up, the contact's
//! number is dialled through the demo trunk to a phone there, and the two
//! talk. The CDR row is the agent's outbound call to that contact.

use std::time::Duration;

use serde_json::json;

use crate::phones::{baresip_available, share};
use crate::scenario::{Answer, Calls, Demo, kinds, of_kind};

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_calls_a_contact_and_the_call_is_recorded_as_their_outbound_call() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let contacts = store::repo::contacts::search(demo.pool(), demo.tenant(), None, 10, 0).await.unwrap();
    let contact = contacts.first().expect("a demo contact").clone();
    let number = contact.data.phone_numbers[0].clone();
    let customer = Calls::customer(&number, 700.0);
    demo.point_trunk_at(customer.sip_port()).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    calls.log_in("alice");

    let placed = calls.api_as("alice", "POST", "/api/v1/agent/call", Some(&json!({"contact_id": contact.id})));
    assert_eq!(placed.status, 202, "{}", placed.body);
    let call_id = placed.json()["call_id"].as_str().unwrap().to_owned();
    let busy = calls.api_as("alice", "POST", "/api/v1/agent/call", Some(&json!({"number": "+447700900999"})));
    assert_eq!(busy.status, 409, "one call at a time: {}", busy.body);
    calls.wait_for_kinds(&["bridged"]).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    customer.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let arrived = of_kind(&events, "call_arrived");
    assert_eq!(arrived.len(), 1, "{:?}", kinds(&events));
    assert_eq!(arrived[0]["direction"], "outbound");
    assert_eq!(arrived[0]["to"], number.as_str());
    assert!(of_kind(&events, "call_queued").is_empty(), "no queue for an outbound call");
    assert!(of_kind(&events, "callback_dialled").is_empty(), "not a callback");
    let ringing = events.iter().position(|e| e["kind"] == "agent_ringing").unwrap();
    let bridged = events.iter().position(|e| e["kind"] == "bridged").unwrap();
    assert!(ringing < bridged, "the agent is rung first");

    let row: (String, String, Option<uuid::Uuid>, Option<uuid::Uuid>, String, bool) = sqlx::query_as(
        "SELECT direction, outcome, agent_id, contact_id, dialled_number, answered_at IS NOT NULL \
         FROM calls WHERE tenant_id = $1 AND call_id = $2",
    )
    .bind(calls.tenant().0)
    .bind(uuid::Uuid::parse_str(&call_id).unwrap())
    .fetch_one(calls.pool())
    .await
    .unwrap();
    assert_eq!(row.0, "outbound");
    assert_eq!(row.1, "answered");
    assert_eq!(row.2, Some(calls.agent("alice").0));
    assert_eq!(row.3, Some(contact.id.0));
    assert_eq!(row.4, number);
    assert!(row.5, "answered when the contact picked up");

    let (heard, _) = customer.quit();
    assert!(share(&heard, 440.0) > 0.2, "the contact heard alice: {}", share(&heard, 440.0));
    let (alice_heard, _) = alice.quit();
    assert!(share(&alice_heard, 700.0) > 0.05, "alice heard the contact: {}", share(&alice_heard, 700.0));
    calls.stop();
}
