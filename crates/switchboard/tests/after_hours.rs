//! After hours through `serve` with real phones: an IVR flow whose
//! business-hours check is closed all week sends the caller to voicemail;
//! the caller's message (their phone's tone) is in the WAV file the
//! `voicemail_recorded` event names, and the CDR row says voicemail,
//! outside business hours.

use std::time::Duration;

use model::{BusinessHours, EntryPoint, IvrExit, IvrFlow, IvrNode, QueueId};

use crate::phones::baresip_available;
use crate::scenario::{Demo, kinds, of_kind};

/// The test's DID, into the test's flow.
const DID: &str = "+442079460004";
/// The caller's number.
const CALLER: &str = "+447700900321";
/// The caller's tone: their message.
const MESSAGE_HZ: f64 = 700.0;

/// Closed every day of the week, in the tenant's time zone.
fn never_open() -> BusinessHours {
    BusinessHours { time_zone: "Europe/London".into(), weekly: Vec::new(), holidays: Vec::new() }
}

/// The business-hours check first: open to the queue, closed to voicemail.
fn after_hours_flow(queue_id: QueueId) -> IvrFlow {
    let nodes = [
        ("hours", IvrNode::BusinessHours { hours: never_open(), open: "queue".into(), closed: "voicemail".into() }),
        ("queue", IvrNode::Enqueue { queue_id }),
        ("voicemail", IvrNode::Voicemail { prompt: "voicemail_greeting".into(), max_secs: 30 }),
    ];
    IvrFlow {
        name: "After hours".into(),
        start: "hours".into(),
        nodes: nodes.into_iter().map(|(name, node)| (name.to_owned(), node)).collect(),
    }
}

/// The share of `frequency` in one channel of `samples` at `rate`.
fn share(samples: &[i16], frequency: f64, rate: f64) -> f64 {
    let total: f64 = samples.iter().map(|&x| f64::from(x).powi(2)).sum();
    if total == 0.0 {
        return 0.0;
    }
    media::goertzel::tone_energy(samples, frequency, rate) / total
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_after_hours_leaves_a_voicemail_that_is_stored_with_its_audio() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    let flow = demo.add_flow(&after_hours_flow(sales)).await;
    demo.add_number(DID, EntryPoint::Ivr { flow_id: flow }).await;
    let calls = demo.serve();

    let caller = calls.dial(CALLER, DID, MESSAGE_HZ);
    calls.wait_for_kinds(&["ivr_left"]).await;
    // The greeting (a short beep here), then the caller speaks a moment
    // (a wait, not a timing assertion: no event marks the message's end).
    tokio::time::sleep(Duration::from_secs(3)).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;

    assert_eq!(of_kind(&events, "call_arrived")[0]["outside_business_hours"], true, "{:?}", kinds(&events));
    let left = of_kind(&events, "ivr_left");
    assert_eq!(left.len(), 1, "{:?}", kinds(&events));
    assert_eq!(left[0]["exit"], serde_json::to_value(IvrExit::Voicemail).unwrap());
    assert_eq!(left[0]["node"], "voicemail");
    assert!(of_kind(&events, "call_queued").is_empty(), "nobody is rung after hours: {:?}", kinds(&events));
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "voicemail");
    let recorded = of_kind(&events, "voicemail_recorded");
    assert_eq!(recorded.len(), 1, "{:?}", kinds(&events));
    let path = recorded[0]["path"].as_str().unwrap();
    assert!(recorded[0]["duration_secs"].as_u64().is_some_and(|s| s >= 1), "{}", recorded[0]);

    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("the voicemail file {path}: {e}"));
    let wav = media::wav::Wav::parse(&bytes).unwrap();
    let spec = wav.spec();
    let channels = usize::from(spec.channels);
    // The caller's side (left, or the only channel).
    let caller_side: Vec<i16> = wav.samples().step_by(channels).collect();
    let rate = f64::from(spec.sample_rate);
    assert!(caller_side.len() as f64 >= rate, "at least a second of message: {} samples", caller_side.len());
    let tone = share(&caller_side, MESSAGE_HZ, rate);
    assert!(tone > 0.3, "the message holds the caller's tone: share {tone:.3}");

    let cdr = calls.cdr().await;
    assert_eq!(cdr.outcome, "voicemail");
    assert!(cdr.outside_business_hours, "{cdr:?}");
    assert_eq!(cdr.abandon_stage, None);
    assert_eq!(cdr.queue_id, None);
    assert_eq!(cdr.caller_number, CALLER);
    let _ = caller.quit();
    calls.stop();
}
