//! A supervisor on a live call through `serve`, with three baresip phones
//! sending three tones (caller 700 Hz, agent 440 Hz, supervisor 1,100 Hz):
//! whisper is heard by the agent and never by the caller; switching the
//! same supervisor to barge (no new call to them) lets the caller hear
//! them; every action is an audited event.

use std::time::Duration;

use model::{EntryPoint, PhoneNumber};

use crate::calls::wait_for_kinds;
use crate::http::request;
use crate::phones::{Phone, baresip_available, share};
use crate::serve::{Node, login, terminate};

const DID: &str = "+442079460002";

/// The test's DID into alice's queue (no wrap-up, so a second call can
/// follow). The demo supervisor's phone is in the demo data.
async fn set_up(database_url: &str) {
    let pool = store::connect(database_url, 2).await.unwrap();
    let tenant = store::repo::tenants::find_by_slug(&pool, "demo").await.unwrap().unwrap().id;
    let agents = store::repo::agents::list(&pool, tenant).await.unwrap();
    let alice = agents.iter().find(|a| a.data.extension == "alice").unwrap();
    let queue_id = alice.data.queues[0].queue_id;
    let mut queue = store::repo::queues::get(&pool, tenant, queue_id).await.unwrap().unwrap().queue;
    queue.wrap_up_secs = 0;
    store::repo::queues::update(&pool, tenant, queue_id, &queue).await.unwrap();
    let number = PhoneNumber { e164: DID.into(), entry: EntryPoint::Queue { queue_id }, label: "Test".into() };
    store::repo::numbers::create(&pool, tenant, &number).await.unwrap();
    pool.close().await;
}

/// The call id of the newest `call_arrived` event.
fn newest_call(node: &Node, token: &str) -> String {
    let events = request(node.addr, "GET", "/api/v1/events?limit=1000", Some(token), None).unwrap();
    let items = events.json()["items"].as_array().unwrap().clone();
    let arrived: Vec<_> = items
        .iter()
        .filter(|e| e["payload"]["kind"].as_str().or_else(|| e["kind"].as_str()) == Some("call_arrived"))
        .filter_map(|e| e["call_id"].as_str().map(str::to_owned))
        .collect();
    arrived.into_iter().max().expect("a call arrived")
}

fn count(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| *k == kind).count()
}

/// Polls (bounded) until `kind` has come `n` times.
fn wait_for_count(node: &Node, token: &str, kind: &str, n: usize) {
    for _ in 0..400 {
        if count(&crate::calls::event_kinds(node, token), kind) >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{kind} did not come {n} times");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whisper_is_heard_by_the_agent_only_and_a_switch_to_barge_lets_the_caller_hear_the_supervisor() {
    if !baresip_available() {
        return;
    }
    let node = Node::new().await.with_own_media_range();
    node.run(&["demo"]);
    set_up(&node.database_url).await;
    let server = node.serve();
    let admin = login(node.addr, "admin", "demo-admin");
    let account = |user: &str, password: &str| {
        format!(
            "<sip:{user}@demo.switchboard.localhost>;auth_pass={password};outbound=\"sip:{}\";answermode=auto;regint=60;audio_codecs=pcmu",
            node.sip_udp
        )
    };
    let agent = Phone::start(&account("alice", "alice-sip-demo"), 440.0);
    let supervisor_phone = Phone::start(&account("sam", "sam-sip-demo"), 1_100.0);
    wait_for_count(&node, &admin, "agent_device_registered", 2);
    let alice = login(node.addr, "alice", "demo-agent");
    assert_eq!(request(node.addr, "POST", "/api/v1/agent/login", Some(&alice), None).unwrap().status, 204);
    let supervisor = login(node.addr, "supervisor", "demo-supervisor");
    let caller = Phone::start("<sip:+447700900124@127.0.0.1>;regint=0;audio_codecs=pcmu", 700.0);
    let supervise = |call: &str, mode: &str| {
        let body = format!(r#"{{"mode":"{mode}"}}"#);
        request(node.addr, "POST", &format!("/api/v1/calls/{call}/supervision"), Some(&supervisor), Some(&body))
            .unwrap()
    };

    // Call 1: a whisper.
    caller.command("dial", &format!("sip:{DID}@{}", node.sip_udp));
    wait_for_kinds(&node, &admin, &["bridged"]);
    let call = newest_call(&node, &admin);
    let r = supervise(&call, "whisper");
    assert_eq!(r.status, 202, "{}", r.body);
    wait_for_count(&node, &admin, "supervisor_joined", 1);
    std::thread::sleep(Duration::from_secs(3));
    caller.command("hangup", "");
    wait_for_count(&node, &admin, "call_ended", 1);
    wait_for_count(&node, &admin, "supervisor_left", 1);

    // Call 2: a whisper switched to barge on the same supervisor leg.
    for phone in [&caller, &agent, &supervisor_phone] {
        phone.set_aside_dumps();
    }
    caller.command("dial", &format!("sip:{DID}@{}", node.sip_udp));
    wait_for_count(&node, &admin, "bridged", 2);
    let call = newest_call(&node, &admin);
    assert_eq!(supervise(&call, "whisper").status, 202);
    wait_for_count(&node, &admin, "supervisor_joined", 2);
    let r = supervise(&call, "barge");
    assert_eq!(r.status, 202, "{}", r.body);
    wait_for_count(&node, &admin, "supervisor_joined", 3);
    std::thread::sleep(Duration::from_secs(3));
    let leave =
        request(node.addr, "DELETE", &format!("/api/v1/calls/{call}/supervision"), Some(&supervisor), None).unwrap();
    let events = request(node.addr, "GET", "/api/v1/events?limit=1000", Some(&admin), None).unwrap();
    assert_eq!(leave.status, 204, "{} {}", leave.body, events.body);
    wait_for_count(&node, &admin, "supervisor_left", 2);
    caller.command("hangup", "");
    wait_for_count(&node, &admin, "call_ended", 2);
    let missing = request(
        node.addr,
        "POST",
        &format!("/api/v1/calls/{call}/supervision"),
        Some(&supervisor),
        Some(r#"{"mode":"monitor"}"#),
    );
    assert_eq!(missing.unwrap().status, 404, "an ended call cannot be supervised");
    let as_agent = request(
        node.addr,
        "POST",
        &format!("/api/v1/calls/{call}/supervision"),
        Some(&alice),
        Some(r#"{"mode":"monitor"}"#),
    );
    assert_eq!(as_agent.unwrap().status, 403, "agents do not supervise");

    let caller_calls = caller.quit_per_call();
    let agent_calls = agent.quit_per_call();
    let supervisor_calls = supervisor_phone.quit_per_call();
    assert_eq!((caller_calls.len(), agent_calls.len(), supervisor_calls.len()), (2, 2, 2));
    let tail = |audio: &[i16], secs: usize| audio[audio.len().saturating_sub(secs * 8_000)..].to_vec();
    let shares = |audio: &[i16]| {
        format!(
            "{} samples: 440 {:.3}, 700 {:.3}, 1100 {:.3}",
            audio.len(),
            share(audio, 440.0),
            share(audio, 700.0),
            share(audio, 1_100.0)
        )
    };
    let all: Vec<String> = [&caller_calls, &agent_calls, &supervisor_calls]
        .iter()
        .flat_map(|calls| calls.iter().map(|c| shares(c)))
        .collect();
    eprintln!("caller, agent, supervisor calls: {all:#?}");
    // Whisper: the agent hears caller and supervisor, the caller never the supervisor.
    let agent_in_whisper = tail(&agent_calls[0], 2);
    assert!(
        share(&agent_in_whisper, 700.0) > 0.1 && share(&agent_in_whisper, 1_100.0) > 0.1,
        "the agent hears caller and whisper: {} ({all:#?})",
        shares(&agent_in_whisper)
    );
    assert!(share(&caller_calls[0], 1_100.0) < 0.01, "the caller never hears the whisper");
    // Barge: the caller hears the supervisor.
    assert!(share(&caller_calls[1], 1_100.0) > 0.05, "in barge the caller hears the supervisor");
    // The supervisor heard both in each call.
    assert!(share(&supervisor_calls[0], 700.0) > 0.05 && share(&supervisor_calls[0], 440.0) > 0.05);
    assert!(terminate(server).success());
}
