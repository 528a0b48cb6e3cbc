//! Agents on a browser softphone through `serve`: registered over the SIP
//! WebSocket, rung with a WebRTC offer (ICE-lite, DTLS-SRTP, rtcp-mux, Opus,
//! telephone-event), bridged to a G.711 caller through the mix (transcoded
//! both ways); an agent with a desk phone and a browser is rung on both,
//! each with its own kind of offer, and the one answering takes the call;
//! the browser holds with its own re-INVITE, answered by the media
//! engine (one it cannot take gets 488). Each checks the call's events and its CDR row in PostgreSQL.

use model::EntryPoint;
use serde_json::Value;
use str0m::media::Direction;

use crate::browser::{Browser, is_webrtc_sdp, share_16k};
use crate::phones::{baresip_available, share};
use crate::scenario::{Answer, Calls, Demo, kinds, of_kind};

/// The test's DID.
const DID: &str = "+442079460041";
/// The caller's number.
const CALLER: &str = "+447700900141";

/// The demo tenant with the DID into alice's sales queue, served.
async fn served() -> Calls {
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    demo.serve()
}

/// Alice's browser, registered (the wait ends on her device's event).
async fn alice_browser(calls: &Calls) -> Browser {
    let browser = Browser::register(calls.http_addr(), "alice", "alice-sip-demo").await;
    let alice = calls.agent("alice").to_string();
    calls
        .wait_for("alice's browser registered", |events| {
            events.iter().any(|e| e["kind"] == "agent_device_registered" && e["agent_id"] == alice.as_str())
        })
        .await;
    browser
}

/// The last second of a baresip dump (8 kHz): the bridged call, after the
/// music on hold.
fn last_second(audio: &[i16]) -> &[i16] {
    &audio[audio.len().saturating_sub(8_000)..]
}

/// Checks the call was answered by alice: its events and its CDR row.
async fn answered_by_alice(calls: &Calls, events: &[Value]) {
    let alice = calls.agent("alice").to_string();
    assert_eq!(of_kind(events, "agent_ringing").len(), 1, "one ringing per offer: {:?}", kinds(events));
    let answered = of_kind(events, "agent_answered");
    assert_eq!(answered.len(), 1, "{:?}", kinds(events));
    assert_eq!(answered[0]["agent_id"], alice.as_str());
    assert_eq!(answered[0]["leg_id"], of_kind(events, "agent_ringing")[0]["leg_id"]);
    assert_eq!(of_kind(events, "bridged")[0]["agent_id"], alice.as_str());
    assert_eq!(of_kind(events, "call_ended")[0]["cause"], "caller_hangup");
    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "answered", "{cdr:?}");
    assert_eq!(cdr.agent_id, Some(calls.agent("alice")));
    assert_eq!(cdr.caller_number, CALLER);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_agent_is_rung_with_webrtc_and_hears_and_is_heard_by_a_g711_caller() {
    if !baresip_available() {
        return;
    }
    let calls = served().await;
    let mut browser = alice_browser(&calls).await;
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    let offer = browser.ring().await;
    assert!(is_webrtc_sdp(&offer), "the browser is offered WebRTC:\n{offer}");
    browser.answer(440.0).await;
    calls.wait_for_kinds(&["bridged"]).await;
    browser.wait_connected().await;
    browser.hear_for(3).await;
    caller.command("hangup", "");
    let heard = browser.hung_up().await;
    let events = calls.wait_for_kinds(&["call_ended"]).await;
    answered_by_alice(&calls, &events).await;

    // The browser hears the caller's 700 Hz (G.711 in, Opus out), and the
    // caller the browser's 440 Hz (Opus in, G.711 out).
    let tail = &heard[heard.len().saturating_sub(16_000)..];
    assert!(share_16k(tail, 700.0) > 0.3, "the browser hears the caller: {}", share_16k(tail, 700.0));
    assert!(share_16k(tail, 440.0) < 0.05, "and not itself");
    let (caller_heard, caller_dir) = caller.quit();
    let tail = last_second(&caller_heard);
    assert!(
        share(tail, 440.0) > 0.3,
        "the caller hears the browser: {} ({})",
        share(tail, 440.0),
        caller_dir.display()
    );
    let _ = std::fs::remove_dir_all(caller_dir);
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_agent_holds_and_resumes_with_its_own_re_invites_answered_by_the_media_engine() {
    if !baresip_available() {
        return;
    }
    let calls = served().await;
    let mut browser = alice_browser(&calls).await;
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    browser.ring().await;
    browser.answer(440.0).await;
    calls.wait_for_kinds(&["bridged"]).await;
    browser.wait_connected().await;
    browser.hear_for(1).await;
    // An offer the media engine cannot take is refused; the call goes on.
    let (status, _) = browser.reinvite_with("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n").await;
    assert_eq!(status, 488, "a re-INVITE without a usable WebRTC offer is refused");
    browser.hear_for(1).await;
    let (status, answer) = browser.reinvite(Direction::SendOnly).await;
    assert_eq!(status, 200, "the hold re-INVITE is answered: {answer}");
    assert!(answer.contains("a=recvonly") && is_webrtc_sdp(&answer), "a WebRTC answer, receiving only:\n{answer}");
    calls.wait_for_kinds(&["held"]).await;
    let (status, answer) = browser.reinvite(Direction::SendRecv).await;
    assert_eq!(status, 200, "the resume re-INVITE is answered: {answer}");
    assert!(answer.contains("a=sendrecv"), "sending again:\n{answer}");
    calls.wait_for_kinds(&["resumed"]).await;
    browser.hear_for(2).await;
    caller.command("hangup", "");
    let heard = browser.hung_up().await;
    let events = calls.wait_for_kinds(&["call_ended"]).await;
    answered_by_alice(&calls, &events).await;
    let alice = calls.agent("alice").to_string();
    assert_eq!(of_kind(&events, "held")[0]["agent_id"], alice.as_str());
    assert_eq!(of_kind(&events, "resumed")[0]["agent_id"], alice.as_str());

    let tail = &heard[heard.len().saturating_sub(16_000)..];
    assert!(share_16k(tail, 700.0) > 0.3, "resumed, the browser hears the caller again");
    let (caller_heard, caller_dir) = caller.quit();
    let tail = last_second(&caller_heard);
    assert!(share(tail, 440.0) > 0.3, "resumed, the caller hears the browser again ({})", caller_dir.display());
    let _ = std::fs::remove_dir_all(caller_dir);
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_with_a_desk_phone_and_a_browser_is_rung_on_both_and_the_browser_answering_cancels_the_phone() {
    if !baresip_available() {
        return;
    }
    let calls = served().await;
    let phone = calls.agent_phone("alice", Answer::Manual, 300.0).await;
    let mut browser = alice_browser(&calls).await;
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    let offer = browser.ring().await;
    assert!(is_webrtc_sdp(&offer), "the browser is offered WebRTC:\n{offer}");
    assert!(phone.wait_log("Incoming call"), "the desk phone rings too:\n{}", phone.log());
    browser.answer(440.0).await;
    assert!(phone.wait_log("session closed"), "the desk phone's INVITE is cancelled:\n{}", phone.log());
    calls.wait_for_kinds(&["bridged"]).await;
    browser.wait_connected().await;
    browser.hear_for(2).await;
    caller.command("hangup", "");
    let heard = browser.hung_up().await;
    let events = calls.wait_for_kinds(&["call_ended"]).await;
    answered_by_alice(&calls, &events).await;

    let tail = &heard[heard.len().saturating_sub(16_000)..];
    assert!(share_16k(tail, 700.0) > 0.3, "the browser that answered hears the caller");
    let (caller_heard, caller_dir) = caller.quit();
    let tail = last_second(&caller_heard);
    assert!(share(tail, 440.0) > 0.3, "the caller hears the browser, not the desk phone ({})", caller_dir.display());
    assert!(share(tail, 300.0) < 0.05, "the desk phone that lost is not in the call");
    let _ = std::fs::remove_dir_all(caller_dir);
    let _ = phone.quit_per_call();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_with_a_desk_phone_and_a_browser_is_rung_on_both_and_the_phone_answering_cancels_the_browser() {
    if !baresip_available() {
        return;
    }
    let calls = served().await;
    let mut browser = alice_browser(&calls).await;
    // The phone registers last and answers at once; the browser only rings.
    let phone = calls.agent_phone("alice", Answer::Auto, 300.0).await;
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    let offer = browser.ring().await;
    assert!(is_webrtc_sdp(&offer), "the browser is offered WebRTC:\n{offer}");
    browser.cancelled().await;
    calls.wait_for_kinds(&["bridged"]).await;
    assert!(phone.wait_log("Call established"), "the desk phone took the call:\n{}", phone.log());
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;
    answered_by_alice(&calls, &events).await;
    assert!(phone.wait_log("session closed"), "the desk phone's call ends with the caller's:\n{}", phone.log());
    let _ = caller.quit_per_call();
    let _ = phone.quit_per_call();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_phone_refusing_leaves_the_agents_browser_ringing_and_the_browser_takes_the_call() {
    if !baresip_available() {
        return;
    }
    let calls = served().await;
    let phone = calls.agent_phone("alice", Answer::Manual, 300.0).await;
    let mut browser = alice_browser(&calls).await;
    calls.log_in("alice");

    let caller = calls.dial(CALLER, DID, 700.0);
    browser.ring().await;
    assert!(phone.wait_log("Incoming call"), "the desk phone rings too:\n{}", phone.log());
    phone.command("hangup", "");
    assert!(phone.wait_log("rejecting incoming call"), "the desk phone refused (486):\n{}", phone.log());
    // The browser still rings: its INVITE was not cancelled, and answering it takes the call.
    browser.answer(440.0).await;
    calls.wait_for_kinds(&["bridged"]).await;
    browser.wait_connected().await;
    browser.hear_for(1).await;
    caller.command("hangup", "");
    let heard = browser.hung_up().await;
    let events = calls.wait_for_kinds(&["call_ended"]).await;
    assert!(of_kind(&events, "agent_rejected").is_empty(), "one device refusing is no refusal: {:?}", kinds(&events));
    assert!(of_kind(&events, "agent_no_answer").is_empty(), "{:?}", kinds(&events));
    answered_by_alice(&calls, &events).await;
    let tail = &heard[heard.len().saturating_sub(16_000)..];
    assert!(share_16k(tail, 700.0) > 0.3, "the browser hears the caller");
    let _ = caller.quit_per_call();
    let _ = phone.quit_per_call();
    calls.stop();
}
