//! Outgoing legs: forking to every contact (first 2xx wins, the others
//! CANCELled), CANCEL rules, late 2xx, trunk failover (virtual time).

use std::net::SocketAddr;
use std::time::Duration;

use sip::edge::{EdgeEvent, EndCause, LegId, Originate, Target};
use sip::message::{Address, Message, Request, StatusCode, Uri};

use crate::edge_harness::*;

fn phone(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn target(user: &str, port: u16) -> Target {
    Target::new(Uri::parse(&format!("sip:{user}@127.0.0.1:{port}")).expect("uri"), UDP, phone(port))
}

fn plan(attempts: Vec<Vec<Target>>) -> Originate {
    Originate {
        from: Address::parse("\"Queue Sales\" <sip:+4930123@switchboard.example>").expect("from"),
        to: Address::parse("<sip:alice@switchboard.example>").expect("to"),
        attempts,
        offer: Some(sdp("edge")),
        headers: vec![("X-Switchboard-Call".to_owned(), "call-1".to_owned())],
    }
}

/// The INVITE sent to `port`.
fn invite_to(net: &Net, port: u16) -> Request {
    net.requests()
        .into_iter()
        .find(|(_, t, r)| t.to == phone(port) && r.method().as_str() == "INVITE")
        .map(|(_, _, r)| r)
        .unwrap_or_else(|| panic!("no INVITE to port {port}"))
}

/// A leg forked to a desk phone (port 5091) and a softphone (5092), and
/// the INVITE each got.
fn forked(net: &mut Net) -> (LegId, Request, Request) {
    let leg =
        net.edge.originate(plan(vec![vec![target("desk", 5091), target("soft", 5092)]]), net.now).expect("originate");
    net.drain();
    (leg, invite_to(net, 5091), invite_to(net, 5092))
}

fn ended(net: &Net, leg: LegId) -> Option<EndCause> {
    net.events().into_iter().find_map(|e| match e {
        EdgeEvent::Ended { leg: l, cause } if l == leg => Some(cause),
        _ => None,
    })
}

#[test]
fn originate_forks_to_every_contact_and_the_first_2xx_wins_while_the_others_are_cancelled() {
    let mut net = Net::new();
    let (leg, desk, soft) = forked(&mut net);
    assert_eq!(desk.headers().call_id(), soft.headers().call_id(), "one call, forked");
    assert_ne!(desk.headers().top_via().branch(), soft.headers().top_via().branch());
    assert_eq!(desk.body(), sdp("edge").as_slice());
    assert_eq!(desk.headers().get("X-Switchboard-Call"), Some("call-1"));
    net.deliver_message(UDP, phone(5091), answer(&desk, 180, "d1", None));
    net.deliver_message(UDP, phone(5092), answer(&soft, 180, "s1", None));
    net.deliver_message(UDP, phone(5092), answer(&soft, 200, "s1", Some(sdp("soft"))));
    let answered = net.events().into_iter().find_map(|e| match e {
        EdgeEvent::Answered { leg: l, answer } if l == leg => answer,
        _ => None,
    });
    assert_eq!(answered.as_deref(), Some(sdp("soft").as_slice()));
    let acks: Vec<_> = net.requests().into_iter().filter(|(_, _, r)| r.method().as_str() == "ACK").collect();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].1.to, phone(5092), "the ACK goes to the winner");
    assert_eq!(acks[0].2.headers().to().tag(), Some("s1"));
    let cancels: Vec<_> = net.requests().into_iter().filter(|(_, _, r)| r.method().as_str() == "CANCEL").collect();
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].1.to, phone(5091), "the losing fork is CANCELled");
    assert_eq!(cancels[0].2.headers().top_via().branch(), desk.headers().top_via().branch());
    let progress = net.events().iter().filter(|e| matches!(e, EdgeEvent::Progress { .. })).count();
    assert_eq!(progress, 2, "each 180 is reported");
}

#[test]
fn cancel_waits_for_a_provisional_response_before_it_is_sent() {
    let mut net = Net::new();
    let leg = net.edge.originate(plan(vec![vec![target("desk", 5091)]]), net.now).expect("originate");
    net.drain();
    net.edge.hangup(leg, net.now).expect("hang up while calling");
    net.drain();
    assert!(net.sent_requests("CANCEL").is_empty(), "RFC 3261 §9.1: no CANCEL before a provisional");
    assert_eq!(ended(&net, leg), Some(EndCause::LocalHangup));
    let desk = invite_to(&net, 5091);
    net.deliver_message(UDP, phone(5091), answer(&desk, 100, "d1", None));
    assert_eq!(net.sent_requests("CANCEL").len(), 1, "sent once the 100 arrived");
}

#[test]
fn late_2xx_from_a_losing_fork_is_acknowledged_and_hung_up() {
    let mut net = Net::new();
    let (leg, desk, soft) = forked(&mut net);
    net.deliver_message(UDP, phone(5091), answer(&desk, 200, "d1", Some(sdp("desk"))));
    net.clear();
    net.deliver_message(UDP, phone(5092), answer(&soft, 200, "s1", Some(sdp("soft"))));
    let to_soft: Vec<_> =
        net.requests().into_iter().filter(|(_, t, _)| t.to == phone(5092)).map(|(_, _, r)| r).collect();
    let methods: Vec<&str> = to_soft.iter().map(|r| r.method().as_str()).collect();
    assert_eq!(methods, vec!["ACK", "BYE"], "RFC 3261 §13.2.2.4");
    assert_eq!(to_soft[1].headers().to().tag(), Some("s1"));
    assert!(!net.events().iter().any(|e| matches!(e, EdgeEvent::Answered { .. })), "the leg was answered once");
    assert!(ended(&net, leg).is_none());
}

#[test]
fn retransmitted_2xx_gets_the_same_ack_again() {
    let mut net = Net::new();
    net.edge.originate(plan(vec![vec![target("desk", 5091)]]), net.now).expect("originate");
    net.drain();
    let desk = invite_to(&net, 5091);
    let ok = answer(&desk, 200, "d1", Some(sdp("desk")));
    net.deliver_message(UDP, phone(5091), ok.clone());
    net.deliver_message(UDP, phone(5091), ok);
    let acks = net.sent_requests("ACK");
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[0].headers().top_via().branch(), acks[1].headers().top_via().branch(), "the same ACK");
    assert_eq!(net.events().iter().filter(|e| matches!(e, EdgeEvent::Answered { .. })).count(), 1);
}

#[test]
fn failover_to_the_second_trunk_on_503() {
    let mut net = Net::new();
    let leg = net
        .edge
        .originate(plan(vec![vec![target("+4940", 5093)], vec![target("+4940", 5094)]]), net.now)
        .expect("originate");
    net.drain();
    let first = invite_to(&net, 5093);
    net.deliver_message(UDP, phone(5093), answer(&first, 503, "t1", None));
    let second = invite_to(&net, 5094);
    assert_eq!(second.headers().call_id(), first.headers().call_id());
    assert!(second.headers().cseq().seq > first.headers().cseq().seq);
    net.deliver_message(UDP, phone(5094), answer(&second, 200, "t2", Some(sdp("trunk2"))));
    assert!(net.events().iter().any(|e| matches!(e, EdgeEvent::Answered { leg: l, .. } if *l == leg)));
}

#[test]
fn failover_to_the_second_trunk_when_the_first_never_answers() {
    let mut net = Net::new();
    let leg = net
        .edge
        .originate(plan(vec![vec![target("+4940", 5093)], vec![target("+4940", 5094)]]), net.now)
        .expect("originate");
    net.run_until(Duration::from_secs(31));
    assert!(net.requests().iter().all(|(_, t, _)| t.to == phone(5093)), "still retransmitting to the first");
    net.run_until(Duration::from_secs(33));
    let second = invite_to(&net, 5094);
    assert!(second.headers().cseq().seq > 1, "Timer B (64*T1) moved the call to the second trunk");
    net.run_until(Duration::from_secs(70));
    assert_eq!(ended(&net, leg), Some(EndCause::Timeout));
}

#[test]
fn busy_does_not_fail_over_and_ends_the_leg_rejected() {
    let mut net = Net::new();
    let leg = net
        .edge
        .originate(plan(vec![vec![target("+4940", 5093)], vec![target("+4940", 5094)]]), net.now)
        .expect("originate");
    net.drain();
    let first = invite_to(&net, 5093);
    net.deliver_message(UDP, phone(5093), answer(&first, 486, "t1", None));
    assert_eq!(ended(&net, leg), Some(EndCause::Rejected(StatusCode::BUSY_HERE)));
    assert!(net.requests().iter().all(|(_, t, _)| t.to != phone(5094)));
    assert_eq!(net.sent_requests("ACK").len(), 1, "the transaction ACKs the 486");
}

#[test]
fn every_fork_failing_reports_the_best_status() {
    let mut net = Net::new();
    let (leg, desk, soft) = forked(&mut net);
    net.deliver_message(UDP, phone(5091), answer(&desk, 480, "d1", None));
    assert!(ended(&net, leg).is_none(), "one fork is still ringing");
    net.deliver_message(UDP, phone(5092), answer(&soft, 603, "s1", None));
    assert_eq!(ended(&net, leg), Some(EndCause::Rejected(StatusCode::DECLINE)), "6xx beats 4xx (RFC 3261 §16.7)");
}

#[test]
fn bye_from_the_answered_callee_ends_the_outgoing_leg() {
    let mut net = Net::new();
    let leg = net.edge.originate(plan(vec![vec![target("desk", 5091)]]), net.now).expect("originate");
    net.drain();
    let desk = invite_to(&net, 5091);
    net.deliver_message(UDP, phone(5091), answer(&desk, 200, "d1", Some(sdp("desk"))));
    let h = desk.headers();
    let bye = format!(
        "BYE sip:sb@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5091;branch=z9hG4bKdeskbye\r\n\
From: <sip:alice@switchboard.example>;tag=d1\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
        h.from(),
        h.call_id()
    );
    net.deliver(UDP, phone(5091), &bye);
    assert_eq!(ended(&net, leg), Some(EndCause::RemoteBye));
    assert_eq!(net.statuses().last(), Some(&200));
}

#[test]
fn originate_without_targets_is_refused_with_an_error() {
    let mut net = Net::new();
    assert!(net.edge.originate(plan(vec![]), net.now).is_err());
    assert!(net.edge.originate(plan(vec![vec![]]), net.now).is_err());
    let mut bad = target("x", 5091);
    bad.transport = sip::edge::TransportId(9);
    assert!(net.edge.originate(plan(vec![vec![bad]]), net.now).is_err());
}

#[test]
fn trunk_challenge_is_answered_once_with_the_trunks_digest_credentials() {
    use sip::auth::{Algorithm, Authorization, Credentials, DigestServer, Verdict};
    let mut carrier = DigestServer::new("carrier.example", &[Algorithm::Sha256, Algorithm::Md5], b"carrier", 300);
    let mut net = Net::new();
    let trunk = target("+4940999", 5093).with_credentials("acme-trunk", "trunk-secret");
    let leg = net.edge.originate(plan(vec![vec![trunk]]), net.now).expect("originate");
    net.drain();
    let first = invite_to(&net, 5093);
    let Message::Response(mut challenge) = answer(&first, 407, "t1", None) else { unreachable!() };
    for value in carrier.challenges(0, false) {
        challenge.headers_mut().push("Proxy-Authenticate", &value).expect("challenge");
    }
    net.deliver_message(UDP, phone(5093), Message::Response(challenge));
    let invites = net.distinct_requests("INVITE");
    assert_eq!(invites.len(), 2, "sent again once, in a new transaction");
    let retry = &invites[1];
    assert_eq!(retry.headers().call_id(), first.headers().call_id());
    assert_eq!(retry.headers().from().tag(), first.headers().from().tag());
    assert_eq!(retry.headers().cseq().seq, first.headers().cseq().seq + 1);
    let value = retry.headers().get("Proxy-Authorization").expect("Proxy-Authorization");
    let auth = Authorization::parse(value).expect("parses");
    let stored = Credentials::from_password("acme-trunk", "carrier.example", "trunk-secret");
    assert_eq!(carrier.verify(&auth, "INVITE", &stored, 1), Verdict::Authenticated);
    // A second challenge is not answered again: the leg fails with it.
    net.deliver_message(UDP, phone(5093), answer(retry, 407, "t1", None));
    assert_eq!(ended(&net, leg), Some(EndCause::Rejected(StatusCode::new(407).expect("407"))));
    assert_eq!(net.distinct_requests("INVITE").len(), 2);
}
