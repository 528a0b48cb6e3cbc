//! The transaction layer: dispatch, stateless answers, CANCEL, rport.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::layer::{LayerEvent, TransactionLayer, Transmit};
use sip::message::{Limits, Method, StatusCode};
use sip::transaction::{Config, Event, Timer};

use crate::harness::{as_response, request, response};

fn peer() -> SocketAddr {
    "192.0.2.1:5060".parse().expect("addr")
}

fn nat_peer() -> SocketAddr {
    "198.51.100.7:40000".parse().expect("addr")
}

fn layer() -> TransactionLayer {
    TransactionLayer::new(Config::default(), Limits::default(), 0x5b)
}

fn transmits(layer: &mut TransactionLayer) -> Vec<Transmit> {
    std::iter::from_fn(|| layer.poll_transmit()).collect()
}

fn events(layer: &mut TransactionLayer) -> Vec<LayerEvent> {
    std::iter::from_fn(|| layer.poll_event()).collect()
}

fn statuses(sent: &[Transmit]) -> Vec<u16> {
    sent.iter().map(|t| as_response(&t.message).status().as_u16()).collect()
}

fn request_key(events: &[LayerEvent]) -> sip::transaction::TransactionKey {
    events
        .iter()
        .find_map(|e| match e {
            LayerEvent::Request { key, .. } => Some(key.clone()),
            _ => None,
        })
        .expect("a Request event")
}

#[test]
fn new_request_reaches_the_user_once_and_retransmissions_get_the_response() {
    let (mut l, now) = (layer(), Instant::now());
    let options = request("OPTIONS", "z9hG4bKl1");
    l.handle_datagram(&options.to_bytes(), peer(), now);
    let evs = events(&mut l);
    assert_eq!(evs.len(), 1);
    let key = request_key(&evs);
    l.respond(&key, options.response(StatusCode::OK, Some("t")), now).expect("respond");
    l.handle_datagram(&options.to_bytes(), peer(), now);
    let sent = transmits(&mut l);
    assert_eq!(statuses(&sent), vec![200, 200]);
    assert!(sent.iter().all(|t| t.to == peer()));
    assert!(events(&mut l).is_empty(), "the retransmission is absorbed");
}

#[test]
fn invite_gets_100_trying_at_once() {
    let (mut l, now) = (layer(), Instant::now());
    l.handle_datagram(&request("INVITE", "z9hG4bKl2").to_bytes(), peer(), now);
    assert_eq!(statuses(&transmits(&mut l)), vec![100]);
}

/// The end-to-end ACK of the 2xx (tag `t`) to `invite`, with its own branch.
fn ack_for_2xx(invite: &sip::message::Request) -> Vec<u8> {
    let branch = invite.headers().top_via().branch().expect("branch").to_owned();
    String::from_utf8(invite.to_bytes())
        .expect("utf8")
        .replacen("INVITE sip:", "ACK sip:", 1)
        .replace(&format!("branch={branch}"), &format!("branch={branch}-ack"))
        .replace("CSeq: 7 INVITE", "CSeq: 7 ACK")
        .replace("To: <sip:agent@example.com>", "To: <sip:agent@example.com>;tag=t")
        .into_bytes()
}

/// An INVITE answered 200 (tag `t`) through the layer.
fn answered_invite(l: &mut TransactionLayer, branch: &str, now: Instant) -> sip::message::Request {
    let invite = request("INVITE", branch);
    l.handle_datagram(&invite.to_bytes(), peer(), now);
    let key = request_key(&events(l));
    l.respond(&key, invite.response(StatusCode::OK, Some("t")), now).expect("200");
    let _ = (transmits(l), events(l));
    invite
}

#[test]
fn ack_for_2xx_is_passed_to_the_user_and_ends_the_2xx_retransmissions() {
    let (mut l, now) = (layer(), Instant::now());
    let invite = answered_invite(&mut l, "z9hG4bKl3", now);
    l.handle_datagram(&ack_for_2xx(&invite), peer(), now);
    let evs = events(&mut l);
    assert!(evs.iter().any(|e| matches!(e, LayerEvent::Ack { request, .. } if request.method() == &Method::Ack)));
    assert!(l.is_empty(), "nothing left to retransmit");
    assert_eq!(l.poll_timeout(), Some(now + Duration::from_millis(500)), "a stale wake-up at most");
    l.handle_timeout(now + Duration::from_millis(500));
    assert!(transmits(&mut l).is_empty());
}

#[test]
fn ack_of_2xx_reusing_the_invite_branch_still_reaches_the_user() {
    let (mut l, now) = (layer(), Instant::now());
    let invite = answered_invite(&mut l, "z9hG4bKl3b", now);
    let same_branch = String::from_utf8(ack_for_2xx(&invite)).expect("utf8").replace("z9hG4bKl3b-ack", "z9hG4bKl3b");
    l.handle_datagram(same_branch.as_bytes(), peer(), now);
    let evs = events(&mut l);
    assert!(evs.iter().any(|e| matches!(e, LayerEvent::Ack { .. })));
    assert!(l.is_empty(), "the ACK ended the 2xx retransmissions");
}

#[test]
fn unacknowledged_2xx_is_retransmitted_doubling_to_t2() {
    let (mut l, start) = (layer(), Instant::now());
    let _invite = answered_invite(&mut l, "z9hG4bKr1", start);
    let mut sent = Vec::new();
    while let Some(at) = l.poll_timeout().filter(|at| *at <= start + Duration::from_secs(20)) {
        l.handle_timeout(at);
        for t in transmits(&mut l) {
            assert_eq!(as_response(&t.message).status(), StatusCode::OK);
            sent.push((at - start).as_millis());
        }
    }
    assert_eq!(sent, vec![500, 1500, 3500, 7500, 11500, 15500, 19500]);
}

#[test]
fn unacknowledged_2xx_times_out_with_timer_l() {
    let (mut l, start) = (layer(), Instant::now());
    let _invite = answered_invite(&mut l, "z9hG4bKr2", start);
    while let Some(at) = l.poll_timeout() {
        l.handle_timeout(at);
    }
    let evs = events(&mut l);
    assert!(evs.iter().any(|e| matches!(e, LayerEvent::Transaction { event: Event::Timeout(Timer::L), .. })));
    assert!(l.is_empty());
}

#[test]
fn invite_retransmission_after_2xx_gets_the_2xx_not_a_new_transaction() {
    let (mut l, now) = (layer(), Instant::now());
    let invite = answered_invite(&mut l, "z9hG4bKr3", now);
    l.handle_datagram(&invite.to_bytes(), peer(), now);
    assert_eq!(statuses(&transmits(&mut l)), vec![200]);
    assert!(events(&mut l).is_empty(), "the retransmission does not reach the user");
}

#[test]
fn reliable_transport_keeps_no_state_after_2xx() {
    let mut l = TransactionLayer::new(Config::reliable(), Limits::default(), 1);
    let now = Instant::now();
    let _invite = answered_invite(&mut l, "z9hG4bKr4", now);
    assert!(l.is_empty());
}

#[test]
fn cancel_of_a_pending_invite_answers_200_and_487() {
    let (mut l, now) = (layer(), Instant::now());
    let invite = request("INVITE", "z9hG4bKl4");
    l.handle_datagram(&invite.to_bytes(), peer(), now);
    let _ = events(&mut l);
    l.handle_datagram(&invite.cancel().to_bytes(), peer(), now);
    let sent = transmits(&mut l);
    assert_eq!(statuses(&sent), vec![100, 200, 487]);
    let cancel_ok = as_response(&sent[1].message);
    assert_eq!(cancel_ok.headers().cseq().method, Method::Cancel);
    assert!(events(&mut l).iter().any(|e| matches!(e, LayerEvent::Cancelled { .. })));
}

#[test]
fn cancel_without_matching_invite_gets_481() {
    let (mut l, now) = (layer(), Instant::now());
    l.handle_datagram(&request("INVITE", "z9hG4bKl5").cancel().to_bytes(), peer(), now);
    assert_eq!(statuses(&transmits(&mut l)), vec![481]);
}

#[test]
fn cancel_after_200_does_not_touch_the_answered_invite() {
    let (mut l, now) = (layer(), Instant::now());
    let invite = answered_invite(&mut l, "z9hG4bKl6", now);
    l.handle_datagram(&invite.cancel().to_bytes(), peer(), now);
    // The accepted INVITE still matches: the CANCEL gets 200 and no effect (§9.2).
    assert_eq!(statuses(&transmits(&mut l)), vec![200], "no 487 after a 2xx");
    assert!(!events(&mut l).iter().any(|e| matches!(e, LayerEvent::Cancelled { .. })));
}

#[test]
fn malformed_request_gets_400_with_the_reason() {
    let (mut l, now) = (layer(), Instant::now());
    let text = String::from_utf8(request("OPTIONS", "z9hG4bKl7").to_bytes())
        .expect("utf8")
        .replace("CSeq: 7 OPTIONS", "CSeq: 7 INVITE");
    l.handle_datagram(text.as_bytes(), peer(), now);
    let sent = transmits(&mut l);
    assert_eq!(statuses(&sent), vec![400]);
    let bad = as_response(&sent[0].message);
    assert_eq!(bad.reason(), "Bad Request (malformed CSeq header)");
    assert!(bad.headers().to().tag().is_some());
    assert!(events(&mut l).is_empty());
}

#[test]
fn request_with_a_head_over_the_limit_gets_513_message_too_large() {
    // RFC 3261 §21.5.7; 494 would claim a security agreement is required
    // (RFC 3329), which a client then tries to negotiate.
    let (mut l, now) = (layer(), Instant::now());
    let text = String::from_utf8(request("OPTIONS", "z9hG4bKl8").to_bytes())
        .expect("utf8")
        .replace("Content-Length: 0", &format!("X-Huge: {}\r\nContent-Length: 0", "a".repeat(20_000)));
    l.handle_datagram(text.as_bytes(), peer(), now);
    let sent = transmits(&mut l);
    assert_eq!(statuses(&sent), vec![513]);
    assert!(as_response(&sent[0].message).reason().starts_with("Message Too Large"));
    assert!(events(&mut l).is_empty());
}

#[test]
fn unroutable_garbage_is_dropped_and_counted() {
    let (mut l, now) = (layer(), Instant::now());
    l.handle_datagram(b"\x00\x01garbage\r\n\r\n", peer(), now);
    l.handle_datagram(b"SIP/2.0 200 OK\r\nVia: broken\r\n\r\n", peer(), now);
    assert!(transmits(&mut l).is_empty());
    assert_eq!(l.dropped().malformed, 2);
}

#[test]
fn responses_go_to_the_source_with_received_and_rport_filled_in() {
    let (mut l, now) = (layer(), Instant::now());
    let options = request("OPTIONS", "z9hG4bKl8");
    l.handle_datagram(&options.to_bytes(), nat_peer(), now);
    let evs = events(&mut l);
    let LayerEvent::Request { key, request, source } = &evs[0] else { panic!("expected a request") };
    assert_eq!(*source, nat_peer());
    l.respond(key, request.response(StatusCode::OK, Some("t")), now).expect("respond");
    let sent = transmits(&mut l);
    assert_eq!(sent[0].to, nat_peer());
    let via = as_response(&sent[0].message).headers().top_via().clone();
    assert_eq!(via.received(), Some("198.51.100.7"));
    assert_eq!(via.rport(), Some(Some(40000)));
}

#[test]
fn client_request_is_retransmitted_and_its_response_reaches_the_user() {
    let (mut l, start) = (layer(), Instant::now());
    let options = request("OPTIONS", "z9hG4bKl9");
    let key = l.send_request(options.clone(), peer(), start).expect("sent");
    assert_eq!(l.poll_timeout(), Some(start + Duration::from_millis(500)));
    l.handle_timeout(start + Duration::from_millis(500));
    assert_eq!(transmits(&mut l).len(), 2);
    l.handle_datagram(&response(&options, 200).to_bytes(), peer(), start + Duration::from_millis(600));
    let evs = events(&mut l);
    assert!(
        matches!(&evs[..], [LayerEvent::Response { key: k, response }] if *k == key && response.status() == StatusCode::OK)
    );
}

#[test]
fn stray_2xx_goes_to_the_user() {
    let (mut l, now) = (layer(), Instant::now());
    let invite = request("INVITE", "z9hG4bKl10");
    l.handle_datagram(&response(&invite, 200).to_bytes(), peer(), now);
    assert!(matches!(&events(&mut l)[..], [LayerEvent::StrayResponse { .. }]));
}

#[test]
fn timed_out_transactions_are_reported_and_removed() {
    let (mut l, start) = (layer(), Instant::now());
    l.send_request(request("OPTIONS", "z9hG4bKl11"), peer(), start).expect("sent");
    while let Some(deadline) = l.poll_timeout() {
        l.handle_timeout(deadline);
    }
    let evs = events(&mut l);
    assert!(evs.iter().any(|e| matches!(e, LayerEvent::Transaction { event: Event::Timeout(Timer::F), .. })));
    assert!(evs.iter().any(|e| matches!(e, LayerEvent::Transaction { event: Event::Terminated, .. })));
    assert!(l.is_empty());
}

#[test]
fn merged_request_from_another_path_gets_482() {
    let (mut l, now) = (layer(), Instant::now());
    let first = request("INVITE", "z9hG4bKm1");
    l.handle_datagram(&first.to_bytes(), peer(), now);
    let _ = (transmits(&mut l), events(&mut l));
    // Same From tag, Call-ID and CSeq, another branch: forked copy.
    let text = String::from_utf8(first.to_bytes()).expect("utf8").replace(";branch=z9hG4bKm1", ";branch=z9hG4bKm2");
    l.handle_datagram(text.as_bytes(), peer(), now);
    assert_eq!(statuses(&transmits(&mut l)), vec![100, 482]);
    assert!(events(&mut l).iter().all(|e| !matches!(e, LayerEvent::Request { .. })));
}

#[test]
fn response_with_more_than_one_via_is_dropped() {
    let (mut l, now) = (layer(), Instant::now());
    let options = request("OPTIONS", "z9hG4bKv1");
    l.send_request(options.clone(), peer(), now).expect("sent");
    let text = String::from_utf8(response(&options, 200).to_bytes())
        .expect("utf8")
        .replace("Via: ", "Via: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bKx\r\nVia: ");
    l.handle_datagram(text.as_bytes(), peer(), now);
    assert!(events(&mut l).is_empty());
    assert_eq!(l.dropped().unmatched, 1);
}

#[test]
fn layer_wakes_at_each_transactions_next_deadline() {
    let (mut l, start) = (layer(), Instant::now());
    l.send_request(request("OPTIONS", "z9hG4bKw1"), peer(), start).expect("a");
    l.send_request(request("OPTIONS", "z9hG4bKw2"), peer(), start + Duration::from_millis(100)).expect("b");
    let _ = transmits(&mut l);
    let mut fired = Vec::new();
    while let Some(at) = l.poll_timeout().filter(|at| *at <= start + Duration::from_millis(1700)) {
        l.handle_timeout(at);
        for t in transmits(&mut l) {
            let branch = crate::harness::as_request(&t.message).headers().top_via().branch().map(str::to_owned);
            fired.push(((at - start).as_millis(), branch.unwrap_or_default()));
        }
    }
    let expected = [(500, "z9hG4bKw1"), (600, "z9hG4bKw2"), (1500, "z9hG4bKw1"), (1600, "z9hG4bKw2")];
    assert_eq!(fired, expected.map(|(t, b)| (t, b.to_owned())).to_vec());
}

#[test]
fn full_layer_sheds_new_requests_with_503_and_keeps_existing_ones() {
    let mut l = TransactionLayer::new(Config::default(), Limits::default(), 1).with_max_transactions(1);
    let now = Instant::now();
    let first = request("INVITE", "z9hG4bKo1");
    l.handle_datagram(&first.to_bytes(), peer(), now);
    l.handle_datagram(&request("OPTIONS", "z9hG4bKo2").to_bytes(), peer(), now);
    let sent = transmits(&mut l);
    assert_eq!(statuses(&sent), vec![100, 503]);
    assert_eq!(as_response(&sent[1].message).headers().get("Retry-After"), Some("5"));
    assert_eq!(l.dropped().shed, 1);
    assert_eq!(l.len(), 1);
    let key = request_key(&events(&mut l));
    l.respond(&key, first.response(StatusCode::RINGING, Some("t")), now).expect("the existing call goes on");
    assert_eq!(
        l.send_request(request("OPTIONS", "z9hG4bKo3"), peer(), now),
        Err(sip::transaction::TransactionError::Overloaded)
    );
}

#[test]
fn known_scanner_user_agents_are_dropped_unanswered() {
    let (mut l, now) = (layer(), Instant::now());
    let mut options = request("OPTIONS", "z9hG4bKs1");
    options.headers_mut().push("User-Agent", "friendly-scanner").expect("ua");
    l.handle_datagram(&options.to_bytes(), peer(), now);
    let mut invite = request("INVITE", "z9hG4bKs2");
    invite.headers_mut().push("User-Agent", "SIPVicious 0.3").expect("ua");
    l.handle_datagram(&invite.to_bytes(), peer(), now);
    assert!(transmits(&mut l).is_empty());
    assert!(events(&mut l).is_empty());
    assert_eq!(l.dropped().scanners, 2);
}

#[test]
fn transport_error_ends_the_transaction_that_sent() {
    let (mut l, now) = (layer(), Instant::now());
    l.send_request(request("OPTIONS", "z9hG4bKt1"), peer(), now).expect("sent");
    let sent = transmits(&mut l);
    let key = sent[0].key.clone().expect("a transaction sent it");
    l.handle_transport_error(&key, now);
    let evs = events(&mut l);
    assert!(evs.iter().any(|e| matches!(e, LayerEvent::Transaction { event: Event::TransportError, .. })));
    assert!(evs.iter().any(|e| matches!(e, LayerEvent::Transaction { event: Event::Terminated, .. })));
    assert!(l.is_empty());
}
