//! A supervisor takes a live call over through `serve`, with three baresip
//! phones sending three tones (caller 700 Hz, agent 440 Hz, supervisor
//! 1,100 Hz) into a queue that records calls. Call 1: the supervisor
//! barges, then switches to take-over on the same leg (no new call to
//! them): the agent's phone is hung up, the caller hears the supervisor
//! and no longer the agent, the recording's right channel goes from the
//! agent to the supervisor, `supervisor_took_over` audits it and the CDR
//! stays the agent's. Call 2: the agent, released by the ACD, takes the
//! next call; the supervisor is rung straight for take-over, then hangs
//! up, which ends the call.

use std::time::Duration;

use model::{CallId, EntryPoint};
use serde_json::{Value, json};

use crate::phones::{baresip_available, share};
use crate::recording::{channels, seconds, share16};
use crate::scenario::{Answer, Calls, Demo, kinds, of_kind};

const DID: &str = "+442079460031";
const CALLER: &str = "+447700900431";

/// The CDR columns this test pins, once the row is written (bounded).
async fn cdr_of(calls: &Calls, call: CallId) -> (String, Option<uuid::Uuid>, Option<String>, Option<String>) {
    for _ in 0..200 {
        let row = sqlx::query_as(
            "SELECT outcome, agent_id, end_cause, recording_path FROM calls WHERE call_id = $1 AND ended_at IS NOT NULL",
        )
        .bind(call.0)
        .fetch_optional(calls.pool())
        .await
        .unwrap();
        if let Some(row) = row {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no CDR row for {call}");
}

fn shares(audio: &[i16]) -> String {
    format!(
        "{} samples: 440 {:.3}, 700 {:.3}, 1100 {:.3}",
        audio.len(),
        share(audio, 440.0),
        share(audio, 700.0),
        share(audio, 1_100.0)
    )
}

/// The last `secs` of 8 kHz audio.
fn tail(audio: &[i16], secs: usize) -> &[i16] {
    &audio[audio.len().saturating_sub(secs * 8_000)..]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_takes_over_from_barge_without_a_new_call_and_the_caller_hears_only_them() {
    if !baresip_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.change_queue(sales, |q| {
        q.record_calls = true;
        q.wrap_up_secs = 0;
        q.post_call_survey = false;
    })
    .await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let supervisor_id = demo.supervisor().await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    let sam = calls.agent_phone("sam", Answer::Auto, 1_100.0).await;
    calls.log_in("alice");
    let supervisor = calls.token("supervisor", "demo-supervisor");
    let supervise = |call: CallId, mode: &str| {
        let body = json!({ "mode": mode }).to_string();
        calls.api("POST", &format!("/api/v1/calls/{call}/supervision"), &supervisor, Some(&body))
    };
    let alice_id = calls.agent("alice").to_string();
    let took_over = |n: usize| move |events: &[Value]| of_kind(events, "supervisor_took_over").len() >= n;

    // Call 1: barge, then take over on the same leg.
    let caller = calls.dial(CALLER, DID, 700.0);
    calls.wait_for_kinds(&["bridged", "recording_started"]).await;
    let first = calls.newest_call().await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let r = supervise(first, "barge");
    assert_eq!(r.status, 202, "{}", r.body);
    calls.wait_for_kinds(&["supervisor_joined"]).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let r = supervise(first, "take_over");
    assert_eq!(r.status, 202, "{}", r.body);
    calls.wait_for("the take-over", took_over(1)).await;
    assert!(alice.wait_log("session closed"), "the agent's phone was hung up:\n{}", alice.log());
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    let again = supervise(first, "monitor");
    assert_eq!(again.status, 409, "a supervisor who took the call over does not supervise it: {}", again.body);
    caller.command("hangup", "");
    let events = calls.wait_for("the first end", |events| of_kind(events, "call_ended").len() == 1).await;

    let taken = of_kind(&events, "supervisor_took_over");
    assert_eq!(taken[0]["supervisor_id"], supervisor_id.to_string().as_str());
    assert_eq!(taken[0]["agent_id"], alice_id.as_str());
    let joined: Vec<&Value> = of_kind(&events, "supervisor_joined").into_iter().map(|e| &e["mode"]).collect();
    assert_eq!(joined, vec!["barge"], "the take-over is its own event: {:?}", kinds(&events));
    assert_eq!(of_kind(&events, "call_ended")[0]["cause"], "caller_hangup");
    let (outcome, agent, cause, recording) = cdr_of(&calls, first).await;
    assert_eq!(
        (outcome.as_str(), agent, cause.as_deref()),
        ("answered", Some(calls.agent("alice").0), Some("caller_hangup")),
        "the call stays answered by the agent"
    );
    let (_, right) = channels(std::path::Path::new(&recording.expect("recorded")), 6).await;
    let secs = right.len() as f64 / 16_000.0;
    let (before, after) = (seconds(&right, 0.3, 1.3), seconds(&right, secs - 2.0, secs - 0.3));
    let figures = format!(
        "before 440 {:.3} 1100 {:.3}; after 1100 {:.3} 440 {:.3}",
        share16(before, 440.0),
        share16(before, 1_100.0),
        share16(after, 1_100.0),
        share16(after, 440.0)
    );
    eprintln!("recording across the take-over ({secs:.1} s): {figures}");
    assert!(share16(before, 440.0) > 0.5, "the agent is right before: {figures}");
    assert!(share16(after, 1_100.0) > 0.5 && share16(after, 440.0) < 0.02, "the supervisor after: {figures}");

    // Call 2: the agent takes the next call; the supervisor is rung to take it over.
    for phone in [&caller, &alice, &sam] {
        phone.set_aside_dumps();
    }
    calls.dial_from(&caller, DID);
    calls.wait_for("the second bridge", |events| of_kind(events, "bridged").len() == 2).await;
    let second = calls.newest_call().await;
    assert_ne!(second, first);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let r = supervise(second, "take_over");
    assert_eq!(r.status, 202, "{}", r.body);
    calls.wait_for("the second take-over", took_over(2)).await;
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    sam.command("hangup", "");
    let events = calls.wait_for("the second end", |events| of_kind(events, "call_ended").len() == 2).await;
    assert_eq!(of_kind(&events, "supervisor_joined").len(), 1, "rung for take-over, never supervising");
    assert_eq!(of_kind(&events, "call_ended")[1]["cause"], "agent_hangup", "the supervisor in the agent's seat");
    let (outcome, agent, _, _) = cdr_of(&calls, second).await;
    assert_eq!((outcome.as_str(), agent), ("answered", Some(calls.agent("alice").0)));

    let caller_calls = caller.quit_per_call();
    let agent_calls = alice.quit_per_call();
    let supervisor_calls = sam.quit_per_call();
    let all: Vec<String> = [&caller_calls, &agent_calls, &supervisor_calls]
        .iter()
        .flat_map(|calls| calls.iter().map(|c| shares(c)))
        .collect();
    eprintln!("caller, agent, supervisor calls: {all:#?}");
    assert_eq!(
        (caller_calls.len(), agent_calls.len(), supervisor_calls.len()),
        (2, 2, 2),
        "one call to the supervisor per call: the switch to take-over did not redial"
    );
    for (n, heard) in caller_calls.iter().enumerate() {
        let end = tail(heard, 2);
        assert!(share(end, 1_100.0) > 0.3, "call {n}: the caller hears the supervisor: {}", shares(end));
        assert!(share(end, 440.0) < 0.01, "call {n}: the caller no longer hears the agent: {}", shares(end));
    }
    assert!(share(&caller_calls[0], 440.0) > 0.05, "before the take-over the caller heard the agent");
    assert!(share(tail(&supervisor_calls[1], 2), 700.0) > 0.3, "the supervisor hears the caller");
    calls.stop();
}
