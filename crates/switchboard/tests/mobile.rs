//! An agent set to mobile through `serve`: their mobile (a phone behind
//! the demo trunk) is rung with the caller's number; when it answers and
//! nobody presses 1 (a voicemail box) the offer rings out like any
//! unanswered one; the agent's 1 takes the call and the two talk.

use std::time::Duration;

use model::{AgentDevice, EntryPoint};
use serde_json::json;

use crate::phones::{baresip_available, share};
use crate::scenario::{Calls, Demo, kinds, of_kind};

const DID: &str = "+442079460031";
const CALLER: &str = "+447700900631";
const MOBILE: &str = "+447700900777";

#[tokio::test(flavor = "multi_thread")]
async fn a_mobile_agent_takes_the_call_only_by_pressing_1_so_a_voicemail_never_does() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let mobile = Calls::customer(MOBILE, 440.0);
    demo.point_trunk_at(mobile.sip_port()).await;
    let sales = demo.queue("sales").await;
    demo.change_queue(sales, |q| {
        q.ring_timeout_secs = 5;
        q.callback_threshold_secs = None;
    })
    .await;
    demo.change_agent("alice", |a| {
        a.device = AgentDevice::Mobile;
        a.mobile_number = Some(MOBILE.into());
    })
    .await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    // The mobile answers by itself (a voicemail box would): no key, so the
    // offer rings out.
    calls.wait_for_kinds(&["agent_no_answer"]).await;
    let events = calls.events().await;
    assert!(of_kind(&events, "bridged").is_empty(), "answering is not accepting: {:?}", kinds(&events));
    assert!(mobile.wait_log("Call established"), "the mobile answered:\n{}", mobile.log());

    // Back to available, rung again; this time the agent presses 1.
    let free = calls.api_as("alice", "PUT", "/api/v1/agent/state", Some(&json!({"state": "available"})));
    assert_eq!(free.status, 204, "{}", free.body);
    calls.wait_for("the second ring", |events| of_kind(events, "agent_ringing").len() == 2).await;
    for _ in 0..100 {
        if mobile.log().matches("Call established").count() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    mobile.command("sndcode", "1");
    calls.wait_for_kinds(&["bridged"]).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    assert_eq!(of_kind(&events, "agent_answered").len(), 1, "{:?}", kinds(&events));
    assert_eq!(of_kind(&events, "bridged")[0]["agent_id"], calls.agent("alice").to_string().as_str());
    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered");
    assert_eq!(cdr.agent_id, Some(calls.agent("alice")));

    let (heard, _) = caller.quit();
    // The last second: the bridge, after seconds of music on hold.
    let last = &heard[heard.len().saturating_sub(8_000)..];
    assert!(share(last, 440.0) > 0.2, "the caller heard the agent's mobile: {}", share(last, 440.0));
    let heard = mobile.quit_per_call();
    assert!(heard.last().is_some_and(|h| share(h, 700.0) > 0.05), "the mobile heard the caller");
    calls.stop();
}
