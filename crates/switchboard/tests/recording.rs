//! Recording per queue setting through `serve` with baresip phones (caller
//! 700 Hz, agents 440 Hz and 1,100 Hz): a queue with `record_calls` writes
//! the call as a stereo WAV — the caller left, what the caller hears right
//! — at the path `recording_started` and the CDR's `recording_path` name;
//! a queue without it writes no file and leaves the column NULL; a blind
//! transfer keeps one file whose right channel goes from the first agent to
//! the next.

use std::path::{Path, PathBuf};
use std::time::Duration;

use model::{CallId, EntryPoint};
use serde_json::json;

use crate::phones::baresip_available;
use crate::scenario::{Answer, Calls, Demo, kinds, of_kind};

const RECORDED_DID: &str = "+442079460021";
const PLAIN_DID: &str = "+442079460022";
const CALLER: &str = "+447700900421";

/// The share of `frequency` in 16 kHz audio (the recordings' rate).
pub(crate) fn share16(audio: &[i16], frequency: f64) -> f64 {
    let total: f64 = audio.iter().map(|&x| f64::from(x).powi(2)).sum();
    if total == 0.0 {
        return 0.0;
    }
    media::goertzel::tone_energy(audio, frequency, 16_000.0) / total
}

/// The CDR's `recording_path` of `call`, once its row is written (bounded).
pub(crate) async fn recording_path(calls: &Calls, call: CallId) -> Option<String> {
    for _ in 0..200 {
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT recording_path FROM calls WHERE call_id = $1")
            .bind(call.0)
            .fetch_optional(calls.pool())
            .await
            .unwrap();
        if let Some((path,)) = row {
            return path;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no CDR row for {call}");
}

/// The recording's (left, right) channels once at least `secs` of it are
/// on disk (bounded: the file is flushed every second and completed when
/// the call's media closes).
pub(crate) async fn channels(path: &Path, secs: usize) -> (Vec<i16>, Vec<i16>) {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(bytes) = std::fs::read(path) {
            match media::wav::Wav::parse(&bytes) {
                Ok(wav) if wav.frames() >= secs * 16_000 => {
                    assert_eq!(wav.spec().channels, 2, "the recording is stereo");
                    assert_eq!(wav.spec().sample_rate, 16_000);
                    let samples: Vec<i16> = wav.samples().collect();
                    return samples.chunks(2).map(|s| (s[0], s[1])).unzip();
                }
                Ok(wav) => last = format!("{} frames", wav.frames()),
                Err(error) => last = error.to_string(),
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} never held {secs} s of audio: {last}", path.display());
}

/// Seconds `from..to` of 16 kHz audio.
pub(crate) fn seconds(audio: &[i16], from: f64, to: f64) -> &[i16] {
    let at = |s: f64| ((s * 16_000.0) as usize).min(audio.len());
    &audio[at(from)..at(to)]
}

/// The call ids of `call_arrived`, oldest first.
async fn arrived(calls: &Calls) -> Vec<CallId> {
    let events = calls.call_events().await;
    let ids = events.iter().filter(|(_, e)| e["kind"] == "call_arrived").map(|(id, _)| CallId(id.parse().unwrap()));
    ids.collect()
}

/// The `recording_started` paths of `call`.
async fn started_paths(calls: &Calls, call: CallId) -> Vec<String> {
    let events = calls.call_events().await;
    let call = call.to_string();
    events
        .iter()
        .filter(|(id, e)| *id == call && e["kind"] == "recording_started")
        .map(|(_, e)| e["path"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recording_queue_writes_the_call_caller_left_agent_right_and_a_plain_queue_writes_nothing() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let (sales, support) = (demo.queue("sales").await, demo.queue("support").await);
    demo.change_queue(sales, |q| q.record_calls = true).await;
    demo.change_queue(support, |q| {
        q.record_calls = false;
        q.post_call_survey = false;
    })
    .await;
    demo.add_number(RECORDED_DID, EntryPoint::Queue { queue_id: sales }).await;
    demo.add_number(PLAIN_DID, EntryPoint::Queue { queue_id: support }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    let dmitri = calls.agent_phone("dmitri", Answer::Auto, 440.0).await;
    calls.log_in("alice");
    calls.log_in("dmitri");

    // A call into sales, which records.
    let caller = calls.dial(CALLER, RECORDED_DID, 700.0);
    calls.wait_for_kinds(&["bridged", "recording_started"]).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    caller.command("hangup", "");
    calls.wait_for_kinds(&["call_ended"]).await;
    let recorded = calls.newest_call().await;
    let started = started_paths(&calls, recorded).await;
    assert_eq!(started.len(), 1, "one recording_started: {started:?}");
    let path = recording_path(&calls, recorded).await.expect("the CDR names the recording");
    assert_eq!(path, started[0], "the CDR's path is the event's");
    let file = PathBuf::from(&path);
    assert!(
        file.ends_with(Path::new(&calls.tenant().to_string()).join(format!("call-{recorded}.wav"))),
        "recordings/<tenant>/call-<call id>.wav: {path}"
    );
    let (left, right) = channels(&file, 2).await;
    let (left, right) = (seconds(&left, 0.5, 2.5), seconds(&right, 0.5, 2.5));
    let figures = format!(
        "left 700 {:.3} 440 {:.3}; right 440 {:.3} 700 {:.3}",
        share16(left, 700.0),
        share16(left, 440.0),
        share16(right, 440.0),
        share16(right, 700.0)
    );
    eprintln!("recording: {figures}");
    assert!(share16(left, 700.0) > 0.5 && share16(left, 440.0) < 0.05, "the caller is left: {figures}");
    assert!(share16(right, 440.0) > 0.5 && share16(right, 700.0) < 0.05, "the agent is right: {figures}");

    // A call into support, which does not.
    calls.dial_from(&caller, PLAIN_DID);
    calls.wait_for("the second bridge", |events| of_kind(events, "bridged").len() == 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    caller.command("hangup", "");
    let events = calls.wait_for("the second end", |events| of_kind(events, "call_ended").len() == 2).await;
    let plain = *arrived(&calls).await.last().unwrap();
    assert_ne!(plain, recorded);
    assert_eq!(of_kind(&events, "recording_started").len(), 1, "{:?}", kinds(&events));
    assert_eq!(recording_path(&calls, plain).await, None, "a plain queue's call has a NULL recording_path");
    let folder = file.parent().unwrap();
    let names: Vec<String> =
        std::fs::read_dir(folder).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec![format!("call-{recorded}.wav")], "no file for the plain call");

    let _ = caller.quit();
    let _ = alice.quit();
    let _ = dmitri.quit();
    calls.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recorded_call_transferred_to_another_queue_stays_one_file_with_the_next_agent_right() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let (sales, support) = (demo.queue("sales").await, demo.queue("support").await);
    demo.change_queue(sales, |q| q.record_calls = true).await;
    demo.change_queue(support, |q| {
        q.record_calls = false;
        q.post_call_survey = false;
    })
    .await;
    demo.add_number(RECORDED_DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    let dmitri = calls.agent_phone("dmitri", Answer::Auto, 1_100.0).await;
    calls.log_in("alice");
    calls.log_in("dmitri");

    let caller = calls.dial(CALLER, RECORDED_DID, 700.0);
    calls.wait_for_kinds(&["bridged", "recording_started"]).await;
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    let call = calls.newest_call().await;
    let to_support = json!({"target": {"type": "queue", "queue_id": support}});
    let moved = calls.api_as("alice", "POST", &format!("/api/v1/calls/{call}/transfer"), Some(&to_support));
    assert_eq!(moved.status, 202, "{}", moved.body);
    let dmitri_id = calls.agent("dmitri").to_string();
    calls
        .wait_for("dmitri bridged", |events| {
            events.iter().any(|e| e["kind"] == "bridged" && e["agent_id"] == dmitri_id.as_str())
        })
        .await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    caller.command("hangup", "");
    let events = calls.wait_for_kinds(&["call_ended"]).await;
    assert_eq!(of_kind(&events, "recording_started").len(), 1, "one recording: {:?}", kinds(&events));

    let path = recording_path(&calls, call).await.expect("the CDR names the recording");
    let (left, right) = channels(Path::new(&path), 4).await;
    let secs = right.len() as f64 / 16_000.0;
    let (first, last) = (seconds(&right, 0.3, 1.5), seconds(&right, secs - 1.5, secs - 0.2));
    let figures = format!(
        "{secs:.1} s; first 440 {:.3} 1100 {:.3}; last 1100 {:.3} 440 {:.3}; left 700 {:.3}",
        share16(first, 440.0),
        share16(first, 1_100.0),
        share16(last, 1_100.0),
        share16(last, 440.0),
        share16(&left, 700.0)
    );
    eprintln!("transferred recording: {figures}");
    assert!(share16(&left, 700.0) > 0.5, "the caller is left throughout: {figures}");
    assert!(share16(first, 440.0) > 0.5 && share16(first, 1_100.0) < 0.05, "alice right first: {figures}");
    assert!(share16(last, 1_100.0) > 0.5 && share16(last, 440.0) < 0.05, "dmitri right last: {figures}");

    let _ = caller.quit();
    let _ = alice.quit();
    let _ = dmitri.quit();
    calls.stop();
}
