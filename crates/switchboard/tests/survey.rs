//! The post-call survey through `serve` with real phones: in a queue that
//! asks for it, the agent hangs up first, the caller stays on and presses
//! a key (RFC 4733 from baresip); `survey_answered` has the score and the
//! CDR row keeps it, with the disposition the agent filed meanwhile.

use std::time::Duration;

use model::EntryPoint;
use serde_json::Value;

use crate::phones::baresip_available;
use crate::scenario::{Answer, Demo, kinds, of_kind};

/// The test's DID.
const DID: &str = "+442079460005";
/// The caller's number.
const CALLER: &str = "+447700900654";

/// The position of the first event of `kind`, or a panic listing them.
fn position(events: &[Value], kind: &str) -> usize {
    events.iter().position(|e| e["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {:?}", kinds(events)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_who_rates_the_call_after_the_agent_hangs_up_has_the_score_in_the_cdr() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.change_queue(sales, |q| {
        q.post_call_survey = true;
        q.callback_threshold_secs = None;
        q.routing.announce_interval_secs = None;
    })
    .await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice_id = calls.agent("alice").to_string();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged"]).await;
    alice.command("hangup", "");
    // The ACD hears the call end (alice goes to wrap-up) as the survey starts.
    let wrapping_up = |events: &[Value]| {
        events.iter().any(|e| {
            e["kind"] == "agent_state_changed" && e["agent_id"] == alice_id.as_str() && e["state"]["state"] == "wrap_up"
        })
    };
    calls.wait_for("alice in wrap-up", wrapping_up).await;
    // Her disposition is taken while the caller is still in the survey.
    let token = calls.token("alice", "demo-agent");
    let body = r#"{"disposition":"resolved","notes":"during the survey"}"#;
    let r = calls.api("POST", "/api/v1/agent/wrap-up", &token, Some(body));
    assert_eq!(r.status, 204, "the disposition is filed during the survey: {}", r.body);
    // The survey prompt starts playing (a wait for the media, as in calls_ivr.rs).
    tokio::time::sleep(Duration::from_millis(500)).await;
    caller.command("sndcode", "4");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    let answered = of_kind(&events, "survey_answered");
    assert_eq!(answered.len(), 1, "{:?}", kinds(&events));
    assert_eq!((answered[0]["score"].as_u64(), answered[0]["scale"].as_u64()), (Some(4), Some(5)));
    assert!(position(&events, "bridged") < position(&events, "survey_answered"));
    assert!(position(&events, "survey_answered") < position(&events, "call_ended"));
    assert!(position(&events, "disposition_set") < position(&events, "survey_answered"));
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "agent_hangup");
    assert!(caller.wait_log("session closed"), "the call ends after the thanks:\n{}", caller.log());

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.agent_id, Some(calls.agent("alice")));
    assert_eq!(cdr.survey_score, Some(4), "{cdr:?}");
    assert_eq!(cdr.disposition.as_deref(), Some("resolved"), "{cdr:?}");
    let _ = caller.quit();
    let _ = alice.quit();
    calls.stop();
}
