//! Hostile traffic at `serve` while a call is up: a SIPp carrier's call is
//! bridged to a baresip agent, then a hostile sender on 127.0.0.1 (raw UDP
//! from the test) throws garbage, truncated and oversized requests, a bad
//! Content-Length, SDP that does not parse, in-dialog requests for the live
//! call with the wrong tags, requests for dialogs that do not exist, and
//! RTP garbage at the call's media port. Each malformed request gets the
//! answer SIP gives it (400, 481, 488, 513) or none when none can be
//! routed; the live call keeps its audio, ends when SIPp hangs up, and its
//! CDR row is right; `serve` stays healthy.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use model::EntryPoint;
use serde_json::Value;

use crate::carrier::{Answered, Carrier, Media};
use crate::http::request;
use crate::phones::{baresip_available, share, take_ports};
use crate::scenario::{Answer, Calls, Demo, kinds};
use crate::serve::sipp_available;

/// The test's DID, straight into the sales queue.
const DID: &str = "+442079460021";
/// The number the carrier presents.
const CALLER: &str = "+447700900421";
/// The number the hostile sender presents.
const HOSTILE: &str = "+447700900666";
/// How long SIPp talks before its BYE: the hostile traffic fits well in it.
const TALK: Duration = Duration::from_secs(14);

/// A hostile SIP sender: one UDP socket of the test's port block.
struct Hostile {
    socket: UdpSocket,
    edge: SocketAddr,
    next: u32,
}

impl Hostile {
    fn new(edge: SocketAddr) -> Hostile {
        let socket = UdpSocket::bind(("127.0.0.1", take_ports(1))).unwrap();
        socket.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        Hostile { socket, edge, next: 0 }
    }

    fn port(&self) -> u16 {
        self.socket.local_addr().unwrap().port()
    }

    /// A fresh branch (and Call-ID suffix).
    fn fresh(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    /// A request from us; `to_tag` makes it an in-dialog one.
    fn request(&mut self, method: &str, call: &Dialog, cseq: &str, extra: &str, body: &str) -> String {
        let (port, n) = (self.port(), self.fresh());
        let to_tag = call.to_tag.as_deref().map(|t| format!(";tag={t}")).unwrap_or_default();
        format!(
            "{method} sip:{DID}@{edge} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-hostile-{n};rport\r\n\
             From: <sip:{HOSTILE}@127.0.0.1:{port}>;tag={from_tag}\r\nTo: <sip:{DID}@{edge}>{to_tag}\r\n\
             Call-ID: {call_id}\r\nCSeq: {cseq}\r\nMax-Forwards: 70\r\nContact: <sip:{HOSTILE}@127.0.0.1:{port}>\r\n\
             {extra}Content-Length: {len}\r\n\r\n{body}",
            edge = self.edge,
            from_tag = call.from_tag,
            call_id = call.call_id,
            len = body.len(),
        )
    }

    fn send(&self, bytes: &[u8]) {
        self.socket.send_to(bytes, self.edge).unwrap();
    }

    /// Every datagram that arrives within `tries` reads (100 ms each)
    /// until `done` says the last one ends the wait.
    fn read_until(&self, tries: u32, done: impl Fn(&str) -> bool) -> Vec<String> {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 65_535];
        for _ in 0..tries {
            if let Ok(n) = self.socket.recv(&mut buf) {
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                let last = done(&text);
                got.push(text);
                if last {
                    break;
                }
            }
        }
        got
    }

    /// Sends `message` and gives its final response (bounded: 10 s),
    /// after any provisional ones; empty when none came.
    fn ask(&self, message: &str, call_id: &str) -> String {
        self.send(message.as_bytes());
        let is_final = |m: &str| status(m).is_some_and(|s| s >= 200) && m.contains(call_id);
        self.read_until(100, is_final).into_iter().find(|m| is_final(m)).unwrap_or_default()
    }

    /// The status of [`Hostile::ask`]'s final response; 0 when none came.
    fn final_status(&self, message: &str, call_id: &str) -> u16 {
        status(&self.ask(message, call_id)).unwrap_or(0)
    }

    /// Sends an OPTIONS and gives every datagram that came before its 200
    /// (bounded: 10 s): what `serve` answered to what we sent before it.
    fn answers_before_marker(&mut self) -> Vec<String> {
        let n = self.fresh();
        let marker = Dialog::new(&format!("hostile-marker-{n}"));
        let options = self.request("OPTIONS", &marker, "1 OPTIONS", "", "");
        self.send(options.as_bytes());
        let mut got = self.read_until(100, |m| m.contains(&marker.call_id) && status(m) == Some(200));
        let marked = got.pop().is_some_and(|m| m.contains(&marker.call_id));
        assert!(marked, "serve answers an OPTIONS after the garbage (got {got:?})");
        got
    }
}

/// The dialog identifiers a hostile request carries.
struct Dialog {
    call_id: String,
    from_tag: String,
    to_tag: Option<String>,
}

impl Dialog {
    fn new(call_id: &str) -> Dialog {
        Dialog { call_id: call_id.to_owned(), from_tag: "hostile".to_owned(), to_tag: None }
    }
}

/// The status code of a response.
fn status(message: &str) -> Option<u16> {
    message.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
}

/// `len` bytes of noise from a fixed seed (no RNG read).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as u8
        })
        .collect()
}

/// The ACK of the non-2xx final `response` to `invite` (same branch, its
/// To tag, §17.1.1.3).
fn ack_for(invite: &str, response: &str) -> String {
    let to = response.lines().find(|l| l.starts_with("To:")).unwrap_or("To: <sip:x@127.0.0.1>");
    let head = invite.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines: Vec<String> = Vec::new();
    for line in head.lines() {
        if let Some(rest) = line.strip_prefix("INVITE ") {
            lines.push(format!("ACK {rest}"));
        } else if let Some(cseq) = line.strip_prefix("CSeq:") {
            lines.push(format!("CSeq: {} ACK", cseq.trim().split(' ').next().unwrap_or("1")));
        } else if line.starts_with("To:") {
            lines.push(to.trim_end().to_owned());
        } else if !line.starts_with("Content-") {
            lines.push(line.to_owned());
        }
    }
    format!("{}\r\nContent-Length: 0\r\n\r\n", lines.join("\r\n"))
}

/// Datagrams no SIP answer can be routed to: each is dropped.
fn unanswerable(port: u16) -> Vec<Vec<u8>> {
    let cut_invite = format!(
        "INVITE sip:{DID}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-cut\r\nFrom: <sip:"
    );
    let no_via = format!(
        "OPTIONS sip:{DID}@127.0.0.1 SIP/2.0\r\nFrom: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:{DID}@127.0.0.1>\r\n\
         Call-ID: hostile-no-via\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    );
    let stray_response = format!(
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-stray\r\nFrom: <sip:x@127.0.0.1>;tag=1\r\n\
         To: <sip:y@127.0.0.1>;tag=2\r\nCall-ID: hostile-stray\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
    );
    let stray_ack = format!(
        "ACK sip:{DID}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-strayack\r\n\
         From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:{DID}@127.0.0.1>;tag=2\r\nCall-ID: hostile-ack\r\n\
         CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
    );
    vec![
        noise(1_400, 7),
        vec![0],
        b"SIP/2.0 ".iter().copied().chain(noise(300, 8)).collect(),
        noise(8_000, 9),
        cut_invite.into_bytes(),
        no_via.into_bytes(),
        stray_response.into_bytes(),
        stray_ack.into_bytes(),
    ]
}

/// The events of one call, oldest first.
async fn call_events(calls: &Calls, call: uuid::Uuid) -> Vec<Value> {
    let rows: Vec<(Value,)> = sqlx::query_as("SELECT payload FROM events WHERE call_id = $1 ORDER BY seq")
        .bind(call)
        .fetch_all(calls.pool())
        .await
        .unwrap();
    rows.into_iter().map(|(p,)| p).collect()
}

/// The call that was bridged (the carrier's).
async fn bridged_call(calls: &Calls) -> uuid::Uuid {
    calls.wait_for_kinds(&["bridged"]).await;
    sqlx::query_scalar("SELECT call_id FROM events WHERE kind = 'bridged'").fetch_one(calls.pool()).await.unwrap()
}

/// The hostile SIP requests and their answers while the call is up.
async fn hostile_sip(calls: &Calls, live: &Answered) {
    let mut hostile = Hostile::new(calls.sip_udp());
    for datagram in unanswerable(hostile.port()) {
        hostile.send(&datagram);
    }
    let answered = hostile.answers_before_marker();
    assert!(answered.is_empty(), "datagrams no answer can be routed to are dropped, got {answered:?}");

    let call = Dialog::new("hostile-bad-length");
    let short_body = hostile.request("INVITE", &call, "1 INVITE", "Content-Type: application/sdp\r\n", "v=0\r\n");
    let short_body = short_body.replace("Content-Length: 5", "Content-Length: 500");
    assert_eq!(hostile.final_status(&short_body, &call.call_id), 400, "a body shorter than its Content-Length");

    let call = Dialog::new("hostile-bad-header");
    let bad_length =
        hostile.request("OPTIONS", &call, "1 OPTIONS", "", "").replace("Content-Length: 0", "Content-Length: x");
    assert_eq!(hostile.final_status(&bad_length, &call.call_id), 400, "a Content-Length that is no number");

    let call = Dialog::new("hostile-huge-header");
    let huge = format!("X-Huge: {}\r\n", "a".repeat(20_000));
    let huge = hostile.request("OPTIONS", &call, "1 OPTIONS", &huge, "");
    assert_eq!(hostile.final_status(&huge, &call.call_id), 513, "a head over the limit: 513 Message Too Large");

    let call = Dialog::new("hostile-bad-sdp");
    let invite =
        hostile.request("INVITE", &call, "1 INVITE", "Content-Type: application/sdp\r\n", "this is not SDP\r\n");
    let answer = hostile.ask(&invite, &call.call_id);
    assert_eq!(status(&answer), Some(488), "an offer that does not parse: {answer}");
    hostile.send(ack_for(&invite, &answer).as_bytes());

    // The live call's Call-ID with tags that are not its dialog's.
    let wrong_to = Dialog { to_tag: Some("not-serves-tag".into()), ..Dialog::new(&live.call_id) };
    let wrong_to = Dialog { from_tag: live.from_tag.clone(), ..wrong_to };
    let bye = hostile.request("BYE", &wrong_to, "7 BYE", "", "");
    assert_eq!(hostile.final_status(&bye, &live.call_id), 481, "a BYE with the wrong To tag");
    let reinvite = hostile.request("INVITE", &wrong_to, "8 INVITE", "", "");
    let answer = hostile.ask(&reinvite, &live.call_id);
    assert_eq!(status(&answer), Some(481), "a re-INVITE with the wrong To tag: {answer}");
    hostile.send(ack_for(&reinvite, &answer).as_bytes());
    let wrong_from = Dialog { to_tag: Some(live.to_tag.clone()), ..Dialog::new(&live.call_id) };
    let bye = hostile.request("BYE", &wrong_from, "9 BYE", "", "");
    assert_eq!(hostile.final_status(&bye, &live.call_id), 481, "a BYE with the wrong From tag");
    let cancel = Dialog { from_tag: live.from_tag.clone(), ..Dialog::new(&live.call_id) };
    let cancel = hostile.request("CANCEL", &cancel, "1 CANCEL", "", "");
    assert_eq!(hostile.final_status(&cancel, &live.call_id), 481, "a CANCEL matching no INVITE");

    // Dialogs that do not exist.
    let unknown = Dialog { to_tag: Some("t".into()), ..Dialog::new("hostile-unknown-1") };
    for method in ["BYE", "INFO", "UPDATE"] {
        let message = hostile.request(method, &unknown, &format!("2 {method}"), "", "");
        assert_eq!(hostile.final_status(&message, &unknown.call_id), 481, "{method} in an unknown dialog");
    }
    let unknown = Dialog::new("hostile-unknown-2");
    let bye = hostile.request("BYE", &unknown, "1 BYE", "", "");
    assert_eq!(hostile.final_status(&bye, &unknown.call_id), 481, "a BYE without a dialog");
}

/// RTP garbage at the live call's media port, from another source.
fn hostile_rtp(media: SocketAddr) {
    let socket = UdpSocket::bind(("127.0.0.1", take_ports(1))).unwrap();
    let mut datagrams: Vec<Vec<u8>> = vec![vec![], vec![0x80], noise(12, 1), noise(1_500, 2), noise(9_000, 3)];
    // Version 1, RTCP with a length past the end, an RTP header claiming
    // CSRCs and an extension it does not have, padding longer than it.
    datagrams.push([vec![0x40, 0, 0, 1], noise(168, 4)].concat());
    datagrams.push(vec![0x80, 200, 0xff, 0xff, 0, 0, 0, 1]);
    datagrams.push(vec![0x9f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    datagrams.push([vec![0xa0, 0, 0, 1, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef], vec![0xff; 8]].concat());
    // A burst of well-formed PCMU packets of another SSRC: it must not
    // move the latch away from the carrier.
    for seq in 0u16..40 {
        let mut packet = vec![0x80, 0];
        packet.extend_from_slice(&seq.to_be_bytes());
        packet.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
        packet.extend_from_slice(&0x0bad_cafe_u32.to_be_bytes());
        packet.extend_from_slice(&[0x7f; 160]);
        datagrams.push(packet);
    }
    for datagram in &datagrams {
        socket.send_to(datagram, media).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_sip_and_rtp_during_a_call_get_the_right_answers_and_the_call_keeps_its_audio_and_cdr() {
    if !baresip_available() || !sipp_available() {
        return;
    }
    let demo = Demo::seed().await;
    let sales = demo.queue("sales").await;
    demo.add_number(DID, EntryPoint::Queue { queue_id: sales }).await;
    let calls = demo.serve();
    let alice = calls.agent_phone("alice", Answer::Auto, 440.0).await;
    calls.log_in("alice");
    let carrier = Carrier::dial(calls.sip_udp(), CALLER, DID, Media::Tone(700.0), TALK);
    let live = carrier.answered();
    let call = bridged_call(&calls).await;

    hostile_sip(&calls, &live).await;
    hostile_rtp(live.media);

    let health = request(calls.http(), "GET", "/healthz", None, None).unwrap();
    assert_eq!(health.status, 200, "serve is healthy after the hostile traffic");
    let events = call_events(&calls, call).await;
    assert!(kinds(&events).last() == Some(&"bridged"), "the live call is still bridged: {:?}", kinds(&events));

    let outcome = carrier.finish();
    assert_eq!(outcome.code, Some(0), "SIPp's call went to its end, its BYE answered 200:\n{}", outcome.log);
    let mut events = call_events(&calls, call).await;
    for _ in 0..200 {
        if kinds(&events).contains(&"call_ended") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        events = call_events(&calls, call).await;
    }
    let ended: Vec<_> = events.iter().filter(|e| e["kind"] == "call_ended").collect();
    assert_eq!(ended.len(), 1, "{:?}", kinds(&events));
    assert_eq!(ended[0]["cause"], "caller_hangup");
    let mut row = None;
    for _ in 0..200 {
        row = sqlx::query_as::<_, (String, Option<uuid::Uuid>, String)>(
            "SELECT outcome, agent_id, caller_number FROM calls WHERE call_id = $1",
        )
        .bind(call)
        .fetch_optional(calls.pool())
        .await
        .unwrap();
        if row.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (outcome, agent, caller) = row.expect("the live call's CDR row");
    assert_eq!((outcome.as_str(), agent, caller.as_str()), ("answered", Some(calls.agent("alice").0), CALLER));
    let hostile_rows: Vec<(String,)> = sqlx::query_as("SELECT outcome FROM calls WHERE caller_number = $1")
        .bind(HOSTILE)
        .fetch_all(calls.pool())
        .await
        .unwrap();
    assert!(hostile_rows.iter().all(|(o,)| o != "answered"), "no hostile request made a call: {hostile_rows:?}");

    let (heard, dir) = alice.quit();
    let tail = &heard[heard.len().saturating_sub(8_000)..];
    assert!(
        share(tail, 700.0) > 0.3,
        "alice still hears the carrier's 700 Hz after the hostile traffic (share {:.3}, in {})",
        share(tail, 700.0),
        dir.display()
    );
    let _ = std::fs::remove_dir_all(dir);
    calls.stop();
}
