//! Calls from a SIPp carrier through `serve` to a baresip agent: the call
//! is answered, queued, bridged to the agent who auto-answers, the G.711
//! audio crosses the bridge both ways, and SIPp hangs up (its BYE answered
//! 200); the events and the CDR row are in PostgreSQL.

use std::time::Duration;

use model::EntryPoint;

use crate::carrier::{Carrier, Media};
use crate::phones::{baresip_available, share};
use crate::scenario::{Answer, Calls, Demo, kinds, of_kind};
use crate::serve::sipp_available;

/// The test's DID, straight into the sales queue.
const DID: &str = "+442079460011";
/// The number the carrier presents.
const CALLER: &str = "+447700900311";
/// How long SIPp talks before its BYE (the agent answers within it).
const TALK: Duration = Duration::from_secs(8);

/// The demo tenant with the test's DID into sales, served; alice's phone
/// (auto-answer, sending 440 Hz) registered and logged in.
async fn serve_with_alice() -> (Calls, crate::phones::Phone) {
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    calls.log_in("alice");
    (calls, alice)
}

/// The last second of each of the phone's calls (before the bridge the
/// agent heard nothing; the call's tail is the bridged talk).
fn tail(audio: &[i16]) -> &[i16] {
    &audio[audio.len().saturating_sub(8_000)..]
}

/// Waits for the bridge and the end of the call, then checks SIPp's run,
/// the events and the CDR row: an answered call of alice, ended by the
/// caller.
async fn check_answered_and_hung_up_by_the_carrier(calls: &Calls, carrier: Carrier) {
    calls.wait_for_kinds(&["bridged"]).await;
    let events = calls.wait_for_kinds(&["call_ended"]).await;
    let outcome = carrier.finish();
    assert_eq!(outcome.code, Some(0), "SIPp's call succeeded, its BYE answered 200:\n{}", outcome.log);
    assert_eq!((outcome.successful, outcome.failed), (1, 0), "{}", outcome.log);

    let alice = calls.agent("alice").to_string();
    for kind in ["call_arrived", "call_queued", "offered_to_agent", "agent_answered", "bridged"] {
        assert_eq!(of_kind(&events, kind).len(), 1, "one {kind} in {:?}", kinds(&events));
    }
    assert_eq!(of_kind(&events, "bridged")[0]["agent_id"], alice.as_str());
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "caller_hangup", "{:?}", kinds(&events));
    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered", "{cdr:?}");
    assert_eq!(cdr.agent_id, Some(calls.agent("alice")));
    assert_eq!(cdr.caller_number, CALLER);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sipp_carriers_call_is_bridged_to_the_agent_who_hears_its_g711_stream_and_its_bye_gets_200() {
    if !baresip_available() || !sipp_available() {
        return;
    }
    let (calls, alice) = serve_with_alice().await;
    let carrier = Carrier::dial(calls.sip_udp(), CALLER, DID, Media::Tone(700.0), TALK);
    check_answered_and_hung_up_by_the_carrier(&calls, carrier).await;

    let (heard, dir) = alice.quit();
    let heard = tail(&heard);
    assert!(
        share(heard, 700.0) > 0.3,
        "alice hears the carrier's 700 Hz stream ({} samples, 700 Hz share {:.3}, in {})",
        heard.len(),
        share(heard, 700.0),
        dir.display()
    );
    let _ = std::fs::remove_dir_all(dir);
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agents_rtp_reaches_a_sipp_carrier_and_its_echo_comes_back_to_the_agent_over_the_bridge() {
    if !baresip_available() || !sipp_available() {
        return;
    }
    let (calls, alice) = serve_with_alice().await;
    // SIPp echoes what reaches its media port: alice's 440 Hz comes back
    // to her only by going to the carrier and back through the bridge.
    let carrier = Carrier::dial(calls.sip_udp(), CALLER, DID, Media::Echo, TALK);
    check_answered_and_hung_up_by_the_carrier(&calls, carrier).await;

    let (heard, dir) = alice.quit();
    let heard = tail(&heard);
    assert!(
        share(heard, 440.0) > 0.3,
        "alice hears her own 440 Hz echoed by the carrier ({} samples, 440 Hz share {:.3}, in {})",
        heard.len(),
        share(heard, 440.0),
        dir.display()
    );
    let _ = std::fs::remove_dir_all(dir);
    calls.stop();
}
