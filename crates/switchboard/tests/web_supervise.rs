//! A supervisor on a live call from the browser console, end to end, with
//! two Chromiums: alice's softphone (a fake microphone playing 440 Hz) and
//! the demo supervisor's wallboard (1,100 Hz), each registered over
//! SIP-over-WebSocket with JsSIP; SIPp, as the carrier, calls the sales
//! queue's DID and echoes every RTP packet it gets, so what the caller
//! receives comes back into the call. Alice answers; the supervisor sees
//! the call on the wallboard, whispers — alice's browser hears 1,100 Hz,
//! the supervisor hears alice's 440 Hz but never their own tone back
//! through the caller, so SIPp got none of it — then barges (their tone
//! now comes back through the caller) and leaves; alice hangs up and
//! files a disposition. The tones are measured in the pages (Goertzel on
//! the remote audio, `web/tests/tones.mjs`); the audit events
//! (`supervisor_joined` whisper then barge, `supervisor_left`) and the CDR
//! are checked in PostgreSQL. In the loopback-only namespace of
//! [`crate::netns`].

use std::path::PathBuf;
use std::process::Stdio;

use crate::carrier::Carrier;
use crate::netns::PrivateCluster;
use crate::scenario::{kinds, of_kind};
use crate::web_call::{DID, GRACE, in_browser_namespace, serve_with_web};
use crate::web_softphone::{Guard, ScriptLines, artifacts, script_command};

/// A mono 16-bit PCM WAV at 48 kHz: `seconds` of a `frequency` sine at
/// 0.3 of full scale (Chromium loops it as the fake microphone).
pub(crate) fn tone_wav(frequency: f64, seconds: u32) -> Vec<u8> {
    const RATE: u32 = 48_000;
    let samples: Vec<i16> = (0..RATE * seconds)
        .map(|n| {
            let t = f64::from(n) / f64::from(RATE);
            (0.3 * f64::from(i16::MAX) * (2.0 * std::f64::consts::PI * frequency * t).sin()).round() as i16
        })
        .collect();
    crate::phones::pcm16_wav(RATE, &samples)
}

/// The value after `name=` in a line of the script.
pub(crate) fn figure(line: &str, name: &str) -> f64 {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {line:?}"))
}

#[test]
fn a_supervisor_whispers_to_and_barges_into_a_browser_call_from_the_console() {
    in_browser_namespace(supervise_in_the_browser);
}

async fn supervise_in_the_browser(web: PathBuf) {
    let web = web.as_path();
    let pg = PrivateCluster::start();
    // The demo supervisor's own phone (an agent profile of no queue) is in the demo data.
    let calls = serve_with_web(web, &pg, async |_| {}).await;
    let tones = tempfile::tempdir().expect("a directory for the tones");
    let (agent_tone, supervisor_tone) = (tones.path().join("agent-440.wav"), tones.path().join("supervisor-1100.wav"));
    std::fs::write(&agent_tone, tone_wav(440.0, 10)).expect("write the agent's tone");
    std::fs::write(&supervisor_tone, tone_wav(1_100.0, 10)).expect("write the supervisor's tone");

    let url = format!("http://{}", calls.http_addr());
    let mut command = script_command(web, "supervise.mjs", &url);
    command.env("AGENT_TONE_WAV", &agent_tone).env("SUPERVISOR_TONE_WAV", &supervisor_tone);
    let mut script = Guard(Some(command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("node")));
    let mut lines = ScriptLines::of(script.child());
    lines.expect("READY");
    let carrier = Carrier::dial_echo_until_hung_up(calls.sip_udp(), GRACE, DID);
    let answered = lines.expect("ANSWERED ");
    let call_id = answered.trim_start_matches("ANSWERED ").trim().to_owned();
    lines.expect("WALLBOARD ");
    let whisper = lines.expect("WHISPER ");
    let barge = lines.expect("BARGE ");
    lines.expect("LEFT");
    let done = lines.expect("OK call ");
    eprintln!("{}", lines.seen());
    assert_eq!(done.trim(), format!("OK call {call_id}"));
    assert!(script.child().wait().expect("the script ends").success());

    // The script checked these too; the figures, pinned here as well.
    let (agent1100, supervisor440) = (figure(&whisper, "agent1100"), figure(&whisper, "supervisor440"));
    assert!(agent1100 > 0.01, "in whisper the agent hears the supervisor: {whisper}");
    assert!(supervisor440 > 0.01, "the supervisor hears the agent: {whisper}");
    assert!(
        figure(&whisper, "supervisor1100") < supervisor440 / 10.0,
        "in whisper the caller does not get the supervisor's audio (it would echo back): {whisper}"
    );
    assert!(figure(&barge, "supervisor1100") > 0.01, "in barge the caller hears the supervisor: {barge}");
    let png = std::fs::read(artifacts().join("supervisor-whisper.png")).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG"));

    let outcome = carrier.finish();
    assert_eq!((outcome.code, outcome.successful, outcome.failed), (Some(0), 1, 0), "{}", outcome.log);
    let events = calls.wait_for_kinds(&["supervisor_joined", "supervisor_left", "disposition_set"]).await;
    let modes: Vec<&serde_json::Value> = of_kind(&events, "supervisor_joined").iter().map(|e| &e["mode"]).collect();
    assert_eq!(modes, [&serde_json::json!("whisper"), &serde_json::json!("barge")], "{:?}", kinds(&events));
    assert_eq!(of_kind(&events, "supervisor_left").len(), 1);
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "agent_hangup");
    let cdr = calls.cdr().await;
    assert_eq!((cdr.outcome.as_str(), cdr.agent_id), ("answered", Some(calls.agent("alice"))), "{cdr:?}");

    calls.stop();
    drop(pg);
}
