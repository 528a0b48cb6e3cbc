//! The softphone's and the console's other controls in Chromium, against
//! `serve`, in the loopback-only namespace of [`crate::netns`]: alice
//! (a fake microphone at 440 Hz) answers a carrier's call (SIPp, echoing
//! the RTP it gets); muting her stops the energy coming back, unmuting
//! brings it back; she transfers the call blind to the support queue from
//! the call card and files its wrap-up; the supervisor's console raises
//! the waiting call's priority, sets alice not ready and, once she is
//! available again, moves the call to sales, where it rings her again; and
//! alice finds a customer's contact by name and calls it (her browser answers its own
//! ring, the number is dialled through the demo trunk to a baresip phone)
//! and keys 1, 2, 3 on the keypad, which that phone receives as RFC 4733
//! digits through the mix. Each step is checked in PostgreSQL too.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use serde_json::Value;

use crate::carrier::Carrier;
use crate::netns::PrivateCluster;
use crate::phones::baresip_available;
use crate::scenario::{Calls, kinds, of_call, of_kind};
use crate::web_call::{DID, GRACE, in_browser_namespace, serve_with_web};
use crate::web_softphone::{Guard, ScriptLines, artifacts, script_command};
use crate::web_supervise::{figure, tone_wav};

/// The customer alice calls from the dial card: a contact, found by name.
const CUSTOMER: &str = "+447700900555";
/// The customer's contact.
const CUSTOMER_NAME: &str = "Katherine Johnson";

#[test]
fn the_softphones_and_consoles_controls_work_against_the_server() {
    if !baresip_available() {
        return;
    }
    in_browser_namespace(controls_in_the_browser);
}

async fn controls_in_the_browser(web: PathBuf) {
    let web = web.as_path();
    let pg = PrivateCluster::start();
    let customer = Calls::customer(CUSTOMER, 700.0);
    let port = customer.sip_port();
    let calls = serve_with_web(web, &pg, async |demo| {
        demo.point_trunk_at(port).await;
        let contact = model::Contact {
            name: CUSTOMER_NAME.into(),
            phone_numbers: vec![CUSTOMER.into()],
            company: "Langley Research".into(),
            vip_tier: model::VipTier::REGULAR,
            deal_stage: "customer".into(),
            notes: String::new(),
            owner_agent_id: None,
        };
        store::repo::contacts::create(demo.pool(), demo.tenant(), &contact).await.expect("the customer's contact");
    })
    .await;
    let tones = tempfile::tempdir().expect("a directory for the tone");
    let tone = tones.path().join("agent-440.wav");
    std::fs::write(&tone, tone_wav(440.0, 10)).expect("write the tone");

    let url = format!("http://{}", calls.http_addr());
    let mut command = script_command(web, "controls.mjs", &url);
    command.env("AGENT_TONE_WAV", &tone).env("CUSTOMER_NUMBER", CUSTOMER).env("CUSTOMER_NAME", CUSTOMER_NAME);
    let mut script = Guard(Some(command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("node")));
    let mut lines = ScriptLines::of(script.child());
    lines.expect("READY");
    let carrier = Carrier::dial_echo_until_hung_up(calls.sip_udp(), GRACE, DID);
    let answered = lines.expect("ANSWERED ");
    let first = answered.trim_start_matches("ANSWERED ").trim().to_owned();
    let mute = lines.expect("MUTE ");
    let (unmuted, muted) = (figure(&mute, "unmuted"), figure(&mute, "muted"));
    assert!(unmuted > 0.0 && muted < unmuted / 10.0, "muting stops the audio that comes back: {mute}");
    lines.expect("TRANSFERRED ");
    lines.expect("PRIORITY");
    lines.expect("STATE not_ready");
    lines.expect("MOVED");
    lines.expect("REANSWERED ");
    let dialled = lines.expect("DIALLED ");
    let outbound = dialled.trim_start_matches("DIALLED ").trim().to_owned();
    lines.expect("DIGITS 123");
    // The customer's phone heard the keys as RFC 4733 events (baresip's
    // verbose log, `-v`), each ended.
    for digit in ['1', '2', '3'] {
        let heard = customer.wait_log(&format!("received event: '{digit}' (end=1)"));
        assert!(heard, "the customer's phone got no {digit}:\n{}", customer.log());
    }
    writeln!(script.child().stdin.as_mut().expect("stdin"), "checked").expect("tell the script");
    lines.expect("OK controls");
    eprintln!("{}", lines.seen());
    assert!(script.child().wait().expect("the script ends").success());
    let png = std::fs::read(artifacts().join("console-waiting-call.png")).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG"));

    // What the server did, call by call.
    let alice = calls.agent("alice").to_string();
    let events = calls
        .wait_for("the outbound call's end", |events| {
            events.iter().filter(|e| e["kind"] == "disposition_set").count() >= 3
        })
        .await;
    let by_call = calls.call_events().await;
    let carried = of_call(&by_call, &first);
    let transferred = of_kind(&carried, "transferred");
    assert_eq!(transferred.len(), 1, "{:?}", kinds(&events));
    assert_eq!(transferred[0]["kind"], "transferred");
    assert_eq!(of_kind(&carried, "priority_changed").len(), 1, "the console's priority");
    assert_eq!(of_kind(&carried, "call_moved").len(), 1, "the console's move");
    assert_eq!(of_kind(&carried, "agent_answered").len(), 2, "alice answered it twice");
    let set = of_kind(&events, "agent_state_set");
    assert!(set.iter().any(|e| e["agent_id"] == alice.as_str()), "the console set alice's state");
    let placed = of_call(&by_call, &outbound);
    let arrived = of_kind(&placed, "call_arrived");
    assert_eq!((arrived.len(), &arrived[0]["direction"]), (1, &Value::from("outbound")));
    assert_eq!(arrived[0]["to"], CUSTOMER);

    // Both of the carrier's call's CDR rows and the outbound call's are
    // written: a disposition filed while the call went on without alice
    // does not stop its projection.
    let rows = calls.cdrs(2).await;
    assert!(rows.iter().any(|r| r.call_id == first && r.outcome == "answered"), "{rows:?}");
    assert!(rows.iter().any(|r| r.call_id == outbound), "{rows:?}");

    let outcome = carrier.finish();
    assert_eq!((outcome.code, outcome.successful, outcome.failed), (Some(0), 1, 0), "{}", outcome.log);
    drop(customer.quit());
    calls.stop();
    drop(pg);
}
