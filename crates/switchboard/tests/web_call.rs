//! A carrier's call answered in the browser softphone, end to end: `serve`
//! with the demo tenant hands out the built web app; Debian's Chromium,
//! driven by playwright-core (`web/tests/call.mjs`) with a fake
//! microphone, signs alice in, logs her in to her queues and registers
//! her browser over SIP-over-WebSocket with JsSIP (a short-lived web
//! login); SIPp, as the carrier, calls the demo DID from Grace Hopper's
//! number, presses 1 for sales in its IVR (made open around the clock)
//! and echoes every RTP packet it gets. The browser
//! rings with the screen pop (Grace's name, VIP tier 3, her company),
//! answers, and receives audio — `getStats()` counts packets and audio
//! energy, which can only be its own microphone come back through `serve`
//! and SIPp, so audio went both ways; it holds, resumes, hangs up and
//! files a disposition in the wrap-up form. Then SIPp must have had its
//! call hung up cleanly, and PostgreSQL must hold the call's events and
//! its CDR row with the answer time and the disposition.
//!
//! Everything runs in a network namespace with only loopback
//! ([`crate::netns`]), so WebRTC's candidates are 127.0.0.1 only.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use chrono::{DateTime, Utc};
use model::{BusinessHours, EntryPoint, IvrNode};

use crate::carrier::Carrier;
use crate::netns::{PrivateCluster, in_loopback_namespace};
use crate::scenario::{Demo, kinds, of_kind};
use crate::serve::Node;
use crate::web_softphone::{Guard, ScriptLines, artifacts, require_browser_setup, script_command, web_root};

/// The demo's number, into its IVR (the Main line).
const DEMO_DID: &str = "+442079460000";
/// The test's DID, into the sales queue.
pub(crate) const DID: &str = "+442079460042";
/// Grace Hopper's number: a VIP (tier 3) contact of the demo tenant.
pub(crate) const GRACE: &str = "+442079460101";

#[test]
fn an_agent_answers_a_carrier_call_in_chromium_with_audio_both_ways_and_files_its_disposition() {
    in_browser_namespace(call_in_the_browser);
}

/// The demo tenant on `pg` with [`DID`] into the sales queue, changed by
/// `adjust`, served with the built web app.
pub(crate) async fn serve_with_web(
    web: &Path,
    pg: &PrivateCluster,
    adjust: impl AsyncFnOnce(&mut Demo),
) -> crate::scenario::Calls {
    let mut demo = Demo::seed_on(Node::on_database(pg.url())).await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    adjust(&mut demo).await;
    let dist = web.join("dist").canonicalize().expect("web/dist");
    demo.with_setting("SWITCHBOARD_HTTP__WEB_DIR", dist.display().to_string()).serve()
}

/// Runs `test` on a runtime of the loopback-only namespace, with the web
/// app's directory (which the browser set-up must hold).
pub(crate) fn in_browser_namespace<F: Future<Output = ()>>(test: impl FnOnce(PathBuf) -> F + Send) {
    let web = web_root();
    require_browser_setup(&web);
    in_loopback_namespace(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
        runtime.block_on(test(web));
    });
}

async fn call_in_the_browser(web: PathBuf) {
    let web = web.as_path();
    let pg = PrivateCluster::start();
    // The demo's Main line, open around the clock (its hours would make
    // the test depend on the time of day): the caller presses 1 for sales.
    let calls = serve_with_web(web, &pg, async |demo| {
        let flows = store::repo::ivr_flows::list(demo.pool(), demo.tenant()).await.expect("the flows");
        let main = flows.into_iter().find(|f| f.data.name == "Main line").expect("the demo's Main line");
        let mut flow = main.data;
        match flow.nodes.get_mut("hours") {
            Some(IvrNode::BusinessHours { hours, .. }) => *hours = BusinessHours::always_open(),
            other => panic!("the Main line's hours node: {other:?}"),
        }
        store::repo::ivr_flows::update(demo.pool(), demo.tenant(), main.id, &flow)
            .await
            .expect("store the flow")
            .expect("the flow is there");
    })
    .await;

    let url = format!("http://{}", calls.http_addr());
    let mut script = Guard(Some(
        script_command(web, "call.mjs", &url).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("node"),
    ));
    let mut lines = ScriptLines::of(script.child());
    lines.expect("READY");
    let carrier = Carrier::dial_ivr_press_1_echo_until_hung_up(calls.sip_udp(), GRACE, DEMO_DID);
    let ringing = lines.expect("RINGING ");
    let call_id = ringing.trim_start_matches("RINGING ").trim().to_owned();
    let audio = lines.expect("AUDIO ");
    lines.expect("HELD");
    lines.expect("RESUMED");
    lines.expect("WRAP_UP ");
    let done = lines.expect("OK call ");
    eprintln!("{}", lines.seen());
    assert_eq!(done.trim(), format!("OK call {call_id}"), "the call the page took is the one it wrapped up");
    assert!(script.child().wait().expect("the script ends").success());
    for shot in ["softphone-ringing.png", "softphone-in-call.png"] {
        let png = std::fs::read(artifacts().join(shot)).expect("the screenshot");
        assert!(png.starts_with(b"\x89PNG"), "{shot} is a PNG");
    }
    // The page saw packets and energy; the figures are in the line.
    assert!(audio.contains("packets_received=") && audio.contains("energy="), "{audio}");

    // SIPp got the agent's BYE and answered it: one successful call.
    let outcome = carrier.finish();
    assert_eq!((outcome.code, outcome.successful, outcome.failed), (Some(0), 1, 0), "{}", outcome.log);

    let wanted = ["agent_answered", "held", "resumed", "call_ended", "disposition_set"];
    let events = calls.wait_for_kinds(&wanted).await;
    // Through the IVR: the key 1 chose sales at the menu.
    let choice = of_kind(&events, "ivr_choice");
    assert_eq!(choice.len(), 1, "the caller chose once: {:?}", kinds(&events));
    assert_eq!((&choice[0]["node"], &choice[0]["digits"]), (&"menu".into(), &"1".into()));
    let alice = calls.agent("alice").to_string();
    assert_eq!(of_kind(&events, "agent_answered")[0]["agent_id"], alice.as_str(), "{:?}", kinds(&events));
    assert_eq!(of_kind(&events, "held")[0]["agent_id"], alice.as_str());
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "agent_hangup");
    let disposition = of_kind(&events, "disposition_set")[0];
    assert_eq!(disposition["code"], "resolved");
    assert_eq!(disposition["notes"], "Wanted the enterprise invoice.");

    // The CDR row, refinalised with the late disposition (bounded wait).
    let call = uuid::Uuid::parse_str(&call_id).expect("the page's call id is a UUID");
    type Row = (Option<DateTime<Utc>>, Option<String>, Option<uuid::Uuid>, Option<i64>, i16, String);
    let mut row: Option<Row> = None;
    for _ in 0..200 {
        row = sqlx::query_as(
            "SELECT answered_at, disposition, agent_id, hold_ms, vip_tier, caller_number FROM calls \
             WHERE tenant_id = $1 AND call_id = $2",
        )
        .bind(calls.tenant().0)
        .bind(call)
        .fetch_optional(calls.pool())
        .await
        .expect("read the CDR");
        if row.as_ref().is_some_and(|r| r.1.is_some()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (answered_at, disposition, agent, hold_ms, vip, caller) = row.expect("the call's CDR row");
    assert!(answered_at.is_some(), "the CDR has the answer time");
    assert_eq!(disposition.as_deref(), Some("resolved"));
    assert_eq!(agent, Some(calls.agent("alice").0));
    assert!(hold_ms.is_some_and(|ms| ms > 0), "the hold is in the CDR: {hold_ms:?}");
    assert_eq!((vip, caller.as_str()), (3, GRACE));

    calls.stop();
    drop(pg);
}
