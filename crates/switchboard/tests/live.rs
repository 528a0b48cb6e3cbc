//! The live feed through `serve` during a real call: a supervisor watches
//! `/api/v1/live` while the baresip caller of `calls.rs` reaches alice's
//! baresip phone, and sees the call arrive, bridge and end, alice's state
//! change, and the queue's figures move.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::calls::{CALLER, DID, add_did, wait_for_kinds};
use crate::http::request;
use crate::phones::{Phone, baresip_available};
use crate::serve::{Node, login, terminate};

/// Reads the feed into a channel of JSON messages until it closes.
async fn watch(url: String) -> mpsc::UnboundedReceiver<Value> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("the live feed upgrades");
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Text(text) = message
                && tx.send(serde_json::from_str::<Value>(&text).expect("JSON message")).is_err()
            {
                break;
            }
        }
    });
    rx
}

/// Messages until `done` says the collection is complete (bounded wait on each).
async fn collect(feed: &mut mpsc::UnboundedReceiver<Value>, seen: &mut Vec<Value>, done: impl Fn(&[Value]) -> bool) {
    while !done(seen) {
        match tokio::time::timeout(Duration::from_secs(30), feed.recv()).await {
            Ok(Some(message)) => seen.push(message),
            _ => panic!("the feed stopped short; got {seen:#?}"),
        }
    }
}

fn kinds(seen: &[Value]) -> Vec<String> {
    seen.iter()
        .filter(|m| m["type"] == "event")
        .filter_map(|m| m["event"]["payload"]["kind"].as_str().map(str::to_owned))
        .collect()
}

fn agent_states(seen: &[Value], agent: &str) -> Vec<String> {
    seen.iter()
        .filter(|m| m["type"] == "event" && m["event"]["payload"]["kind"] == "agent_state_changed")
        .filter(|m| m["event"]["payload"]["agent_id"] == agent)
        .filter_map(|m| m["event"]["payload"]["state"]["state"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_supervisors_feed_shows_the_call_and_the_agents_state_as_they_change() {
    if !baresip_available() {
        return;
    }
    let node = Node::new().await.with_own_media_range();
    node.run(&["demo"]);
    let (_, alice, queue) = add_did(&node.database_url).await;
    let (alice, queue) = (alice.0.to_string(), queue.0.to_string());
    let server = node.serve();
    let admin = login(node.addr, "admin", "demo-admin");
    let supervisor = login(node.addr, "supervisor", "demo-supervisor");
    let mut feed = watch(format!("ws://{}/api/v1/live?token={supervisor}", node.addr)).await;
    let mut seen = Vec::new();
    collect(&mut feed, &mut seen, |s| !s.is_empty()).await;
    let snapshot = &seen[0];
    assert_eq!(snapshot["type"], "snapshot", "{snapshot}");
    let agent = snapshot["snapshot"]["agents"].as_array().and_then(|a| a.iter().find(|a| a["agent_id"] == *alice));
    assert_eq!(agent.map(|a| a["state"]["state"].clone()), Some("logged_out".into()), "{snapshot}");
    assert!(
        snapshot["snapshot"]["queues"].as_array().is_some_and(|q| q.iter().any(|q| q["queue_id"] == *queue)),
        "{snapshot}"
    );

    let phone = Phone::start(
        &format!(
            "<sip:alice@demo.switchboard.localhost>;auth_pass=alice-sip-demo;outbound=\"sip:{}\";answermode=auto;regint=60;audio_codecs=pcmu",
            node.sip_udp
        ),
        440.0,
    );
    if std::panic::catch_unwind(|| wait_for_kinds(&node, &admin, &["agent_device_registered"])).is_err() {
        panic!("alice's phone did not register:\n{}", phone.log());
    }
    let token = login(node.addr, "alice", "demo-agent");
    let r = request(node.addr, "POST", "/api/v1/agent/login", Some(&token), None).unwrap();
    assert_eq!(r.status, 204, "alice logs in to take calls: {}", r.body);
    let caller = Phone::start(&format!("<sip:{CALLER}@127.0.0.1>;regint=0;audio_codecs=pcmu"), 700.0);
    caller.command("dial", &format!("sip:{DID}@{}", node.sip_udp));
    collect(&mut feed, &mut seen, |s| kinds(s).iter().any(|k| k == "bridged")).await;
    caller.command("hangup", "");
    let queue_moved = |s: &[Value]| {
        s.iter().any(|m| m["type"] == "queue" && m["queue"]["queue_id"] == *queue && m["queue"]["offered"] == 1)
    };
    collect(&mut feed, &mut seen, |s| {
        kinds(s).iter().any(|k| k == "call_ended")
            && agent_states(s, &alice).iter().any(|k| k == "wrap_up")
            && queue_moved(s)
    })
    .await;

    let kinds = kinds(&seen);
    let at = |kind: &str| kinds.iter().position(|k| k == kind).unwrap_or_else(|| panic!("no {kind} in {kinds:?}"));
    assert!(at("call_arrived") < at("call_queued"), "{kinds:?}");
    assert!(at("call_queued") < at("bridged"), "{kinds:?}");
    assert!(at("bridged") < at("call_ended"), "{kinds:?}");
    let states = agent_states(&seen, &alice);
    for state in ["available", "reserved", "on_call", "wrap_up"] {
        assert!(states.iter().any(|s| s == state), "alice's {state} missing from {states:?}");
    }
    drop(feed);
    for (_, dir) in [caller.quit(), phone.quit()] {
        let _ = std::fs::remove_dir_all(dir);
    }
    assert!(terminate(server).success());
}
