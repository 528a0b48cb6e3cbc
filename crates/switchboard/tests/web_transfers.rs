//! Reject and warm transfer from the softphone's call card in Chromium,
//! against `serve`, in the loopback-only namespace of [`crate::netns`].
//! alice (a fake microphone at 440 Hz) rejects a regular caller's call
//! (SIPp, echoing): the ACD keeps her available and does not offer it to
//! her again, and once farid logs in his desk phone (baresip) takes it. Then
//! a VIP caller's call, alice's once farid has logged out: she answers, consults a
//! customer's number (a baresip phone behind the demo trunk, 700 Hz),
//! who hears her, and completes the transfer: she files her wrap-up while
//! caller and customer talk on (the customer hears its own tone come back
//! through the caller's echo). Checked in PostgreSQL too.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use crate::carrier::Carrier;
use crate::netns::PrivateCluster;
use crate::phones::{baresip_available, share};
use crate::scenario::{Answer, Calls, kinds, of_call, of_kind};
use crate::web_call::{DID, GRACE, in_browser_namespace, serve_with_web};
use crate::web_softphone::{Guard, ScriptLines, artifacts, script_command};
use crate::web_supervise::tone_wav;

/// A caller who is no contact: the regular tier, which farid takes too (bob lacks the sales level).
const REGULAR: &str = "+447700900777";
/// The customer alice consults.
const CUSTOMER: &str = "+447700900556";

#[test]
fn an_agent_rejects_a_call_and_completes_a_warm_transfer_from_the_call_card() {
    if !baresip_available() {
        return;
    }
    in_browser_namespace(transfers_in_the_browser);
}

async fn transfers_in_the_browser(web: PathBuf) {
    let web = web.as_path();
    let pg = PrivateCluster::start();
    let customer = Calls::customer(CUSTOMER, 700.0);
    let port = customer.sip_port();
    let calls = serve_with_web(web, &pg, async |demo| demo.point_trunk_at(port).await).await;
    let farid = calls.agent_phone("farid", Answer::Auto, 550.0).await;
    let tones = tempfile::tempdir().expect("a directory for the tone");
    let tone = tones.path().join("agent-440.wav");
    std::fs::write(&tone, tone_wav(440.0, 20)).expect("write the tone");

    let url = format!("http://{}", calls.http_addr());
    let mut command = script_command(web, "transfers.mjs", &url);
    command.env("AGENT_TONE_WAV", &tone).env("CUSTOMER_NUMBER", CUSTOMER);
    let mut script = Guard(Some(command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("node")));
    let mut lines = ScriptLines::of(script.child());
    lines.expect("READY");

    // 1. alice rejects; farid, logged in afterwards, takes the call.
    let regular = Carrier::dial_echo_until_hung_up(calls.sip_udp(), REGULAR, DID);
    let rejected = lines.expect("REJECTED ");
    let first = rejected.trim_start_matches("REJECTED ").trim().to_owned();
    calls.log_in("farid");
    let farid_id = calls.agent("farid").to_string();
    calls
        .wait_for("farid answers the call alice rejected", |events| {
            events.iter().any(|e| e["kind"] == "bridged" && e["agent_id"] == farid_id.as_str())
        })
        .await;
    farid.command("hangup", "");
    let outcome = regular.finish();
    assert_eq!((outcome.code, outcome.successful, outcome.failed), (Some(0), 1, 0), "{}", outcome.log);
    // The VIP call that follows is alice's alone (farid takes VIPs too).
    let out = calls.api_as("farid", "POST", "/api/v1/agent/logout", None);
    assert_eq!(out.status, 204, "farid logs out: {}", out.body);
    writeln!(script.child().stdin.as_mut().expect("stdin"), "next").expect("tell the script");

    // 2. The VIP call: consult the customer, then complete.
    let vip = Carrier::dial_echo_until_hung_up(calls.sip_udp(), GRACE, DID);
    let answered = lines.expect("ANSWERED ");
    let second = answered.trim_start_matches("ANSWERED ").trim().to_owned();
    lines.expect("CONSULTING ");
    assert!(customer.wait_log("Call established"), "the customer's phone did not answer:\n{}", customer.log());
    // Let the consultation's audio start and run (it takes about a second, see transfer.rs).
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    writeln!(script.child().stdin.as_mut().expect("stdin"), "complete").expect("tell the script");
    lines.expect("COMPLETED ");
    lines.expect("OK transfers");
    eprintln!("{}", lines.seen());
    assert!(script.child().wait().expect("the script ends").success());
    let png = std::fs::read(artifacts().join("softphone-after-transfer.png")).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG"));
    // Caller and customer talk on; then the customer hangs up.
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    customer.command("hangup", "");
    let outcome = vip.finish();
    assert_eq!((outcome.code, outcome.successful, outcome.failed), (Some(0), 1, 0), "{}", outcome.log);

    // What the server did.
    let alice = calls.agent("alice").to_string();
    let events = calls
        .wait_for("both calls' ends and alice's disposition", |events| {
            events.iter().filter(|e| e["kind"] == "call_ended").count() >= 2
                && events.iter().any(|e| e["kind"] == "disposition_set")
        })
        .await;
    let by_call = calls.call_events().await;
    let refused = of_call(&by_call, &first);
    let rejections = of_kind(&refused, "agent_rejected");
    assert_eq!(rejections.len(), 1, "{:?}", kinds(&refused));
    assert_eq!(rejections[0]["agent_id"], alice.as_str());
    let offered: Vec<_> = of_kind(&refused, "offered_to_agent").iter().map(|e| e["agent_id"].clone()).collect();
    assert_eq!(offered, [json!(alice), json!(farid_id)], "offered to alice once, then to farid: {:?}", kinds(&refused));
    let answered_by: Vec<_> = of_kind(&refused, "agent_answered").iter().map(|e| e["agent_id"].clone()).collect();
    assert_eq!(answered_by, [json!(farid_id)]);

    let carried = of_call(&by_call, &second);
    let transferred = of_kind(&carried, "transferred");
    assert_eq!(transferred.len(), 1, "{:?}", kinds(&carried));
    assert_eq!(transferred[0]["transfer"], "warm");
    assert_eq!(transferred[0]["target"], json!({"type": "number", "number": CUSTOMER}));
    let filed = of_kind(&carried, "disposition_set");
    assert_eq!((filed.len(), &filed[0]["code"]), (1, &json!("resolved")), "{:?}", kinds(&events));
    assert_eq!(of_kind(&carried, "held").len(), 1, "the caller held for the consultation");
    let rows = calls.cdrs(2).await;
    let row = rows.iter().find(|r| r.call_id == second).expect("the VIP call's CDR row");
    assert_eq!((row.outcome.as_str(), row.agent_id), ("answered", Some(calls.agent("alice"))), "{row:?}");
    assert_eq!(row.disposition.as_deref(), Some("resolved"));

    let (heard, _) = customer.quit();
    assert!(share(&heard, 440.0) > 0.05, "the customer heard alice while consulted: {}", share(&heard, 440.0));
    let last = &heard[heard.len().saturating_sub(8_000)..];
    assert!(share(last, 700.0) > 0.2, "then the caller's echo of its own tone: {}", share(last, 700.0));
    drop(farid.quit());
    calls.stop();
    drop(pg);
}
