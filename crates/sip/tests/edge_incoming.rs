//! Incoming legs through the edge: admission, ringing, answer and ACK,
//! CANCEL, rejection, protection limits (virtual time).

use std::time::Duration;

use sip::edge::{Admission, Directory, EdgeConfig, EdgeEvent, EndCause, TransportId};
use sip::message::{Request, StatusCode};

use crate::edge_harness::*;

fn answered(net: &mut Net, call_id: &str) -> sip::edge::LegId {
    net.deliver(UDP, carrier(), &invite(call_id, &format!("z9hG4bK{call_id}"), ""));
    let leg = incoming_leg(net);
    net.edge.answer(leg, sdp("agent"), net.now).expect("answer");
    net.drain();
    leg
}

#[test]
fn incoming_invite_becomes_a_leg_with_its_sdp_offer_after_100_trying() {
    let mut net = Net::new();
    net.deliver(UDP, carrier(), &invite("in-1", "z9hG4bKin1", ""));
    assert_eq!(net.statuses(), vec![100]);
    let Some(EdgeEvent::Incoming(call)) = net.events().into_iter().next() else { panic!("no Incoming event") };
    assert_eq!(call.offer.as_deref(), Some(sdp("caller").as_slice()));
    assert_eq!(call.request_uri.as_str(), "sip:+4930123@127.0.0.1:5060");
    assert_eq!(call.from.display_name(), Some("Caller"));
    assert_eq!(call.source, carrier());
    assert_eq!(net.edge.live_legs(), 1);
}

#[test]
fn answer_sends_200_with_sdp_and_contact_retransmitted_until_the_ack_confirms() {
    let mut net = Net::new();
    answered(&mut net, "in-2");
    let ok = net.responses().into_iter().find(|r| r.status() == StatusCode::OK).expect("200");
    assert_eq!(ok.body(), sdp("agent").as_slice());
    assert!(ok.headers().get("Contact").is_some_and(|c| c.contains("127.0.0.1:5060")));
    net.advance(Duration::from_millis(1_600));
    let oks = net.statuses().iter().filter(|s| **s == 200).count();
    assert_eq!(oks, 3, "sent at 0 and retransmitted at 500 ms and 1.5 s (T1 doubling)");
    net.deliver(UDP, carrier(), &ack_for(&ok, "z9hG4bKack2"));
    assert!(net.events().iter().any(|e| matches!(e, EdgeEvent::Confirmed { .. })));
    net.clear();
    net.advance(Duration::from_secs(40));
    assert!(net.statuses().is_empty(), "no 2xx retransmission after the ACK");
}

#[test]
fn ring_without_media_sends_180_and_with_early_media_183_with_sdp() {
    let mut net = Net::new();
    net.deliver(UDP, carrier(), &invite("in-3", "z9hG4bKin3", ""));
    let leg = incoming_leg(&net);
    net.edge.ring(leg, None, net.now).expect("ring");
    net.edge.ring(leg, Some(sdp("prompt")), net.now).expect("early media");
    net.drain();
    assert_eq!(net.statuses(), vec![100, 180, 183]);
    let progress = net.responses().into_iter().find(|r| r.status().as_u16() == 183).expect("183");
    assert_eq!(progress.body(), sdp("prompt").as_slice());
    let ringing = net.responses().into_iter().find(|r| r.status().as_u16() == 180).expect("180");
    assert_eq!(ringing.headers().to().tag(), progress.headers().to().tag(), "one early dialog, one To tag");
}

#[test]
fn reject_sends_the_final_status_and_ends_the_leg() {
    let mut net = Net::new();
    net.deliver(UDP, carrier(), &invite("in-4", "z9hG4bKin4", ""));
    let leg = incoming_leg(&net);
    net.edge.reject(leg, StatusCode::BUSY_HERE, net.now).expect("reject");
    net.drain();
    assert_eq!(net.statuses(), vec![100, 486]);
    assert!(ended_with(&net, EndCause::LocalHangup));
    assert_eq!(net.edge.live_legs(), 0);
    assert!(net.edge.answer(leg, sdp("late"), net.now).is_err(), "an ended leg takes no command");
}

#[test]
fn cancel_before_answer_gets_200_and_487_and_ends_the_leg_as_caller_cancelled() {
    let mut net = Net::new();
    net.deliver(UDP, carrier(), &invite("in-5", "z9hG4bKin5", ""));
    let cancel =
        invite("in-5", "z9hG4bKin5", "").replacen("INVITE sip:", "CANCEL sip:", 1).replace("1 INVITE", "1 CANCEL");
    let cancel = cancel.split("Content-Type").next().expect("head").to_owned() + "Content-Length: 0\r\n\r\n";
    net.deliver(UDP, carrier(), &cancel);
    assert_eq!(net.statuses(), vec![100, 200, 487]);
    assert!(ended_with(&net, EndCause::CallerCancelled));
}

#[test]
fn cancel_after_200_is_ignored() {
    let mut net = Net::new();
    answered(&mut net, "in-6");
    let cancel =
        invite("in-6", "z9hG4bKin-6", "").replacen("INVITE sip:", "CANCEL sip:", 1).replace("1 INVITE", "1 CANCEL");
    let cancel = cancel.split("Content-Type").next().expect("head").to_owned() + "Content-Length: 0\r\n\r\n";
    net.deliver(UDP, carrier(), &cancel);
    assert!(!net.statuses().contains(&487), "an answered INVITE is not terminated");
    assert!(!net.events().iter().any(|e| matches!(e, EdgeEvent::Ended { .. })));
    assert_eq!(net.edge.live_legs(), 1);
}

#[test]
fn bye_from_the_caller_gets_200_and_ends_the_leg() {
    let mut net = Net::new();
    answered(&mut net, "in-7");
    let tag = to_tag_of(&net, 200);
    net.deliver(UDP, carrier(), &caller_request("BYE", "in-7", &tag, 2, "z9hG4bKbye7", None));
    assert_eq!(net.statuses().last(), Some(&200));
    assert!(ended_with(&net, EndCause::RemoteBye));
    assert_eq!(net.edge.live_legs(), 0);
}

#[test]
fn hangup_of_an_answered_leg_sends_bye_to_the_callers_contact_with_the_dialog_tags() {
    let mut net = Net::new();
    let leg = answered(&mut net, "in-8");
    let tag = to_tag_of(&net, 200);
    net.edge.hangup(leg, net.now).expect("hangup");
    net.drain();
    let bye = net.sent_requests("BYE").pop().expect("BYE");
    assert_eq!(bye.uri().as_str(), "sip:+4917000@127.0.0.1:5070", "Request-URI = the remote target");
    assert_eq!(bye.headers().from().tag(), Some(tag.as_str()), "our tag in From");
    assert_eq!(bye.headers().to().tag(), Some("c1"), "the caller's tag in To");
    assert_eq!(bye.headers().call_id(), "in-8");
    assert!(ended_with(&net, EndCause::LocalHangup));
}

#[test]
fn unacknowledged_2xx_times_out_after_64_t1_and_the_leg_is_hung_up() {
    let mut net = Net::new();
    answered(&mut net, "in-9");
    net.run_until(Duration::from_secs(31));
    assert!(!ended_with(&net, EndCause::Timeout));
    net.run_until(Duration::from_secs(33));
    assert!(ended_with(&net, EndCause::Timeout), "Timer L (64*T1 = 32 s) ends the leg");
    assert_eq!(net.distinct_requests("BYE").len(), 1, "the dialog is ended with BYE");
}

#[test]
fn pending_incoming_leg_hung_up_gets_480() {
    let mut net = Net::new();
    net.deliver(UDP, carrier(), &invite("in-10", "z9hG4bKin10", ""));
    let leg = incoming_leg(&net);
    net.edge.hangup(leg, net.now).expect("hangup");
    net.drain();
    assert_eq!(net.statuses(), vec![100, 480]);
}

#[test]
fn live_call_limit_sheds_new_invites_with_503_and_retry_after_while_existing_calls_go_on() {
    let config = EdgeConfig { max_live_legs: 1, ..EdgeConfig::default() };
    let mut net = Net::with(config, Box::new(sip::edge::OpenDirectory));
    answered(&mut net, "lim-1");
    let tag = to_tag_of(&net, 200);
    net.clear();
    net.deliver(UDP, carrier(), &invite("lim-2", "z9hG4bKlim2", ""));
    let shed = net.responses().into_iter().find(|r| r.status().as_u16() == 503).expect("503");
    assert_eq!(shed.headers().get("Retry-After"), Some("5"));
    assert_eq!(net.edge.stats().shed_live_calls, 1);
    net.clear();
    net.deliver(UDP, carrier(), &caller_request("INFO", "lim-1", &tag, 2, "z9hG4bKinfo", None));
    assert_eq!(net.statuses(), vec![200], "the live call is still served");
}

#[test]
fn setup_rate_limit_sheds_a_burst_with_503_and_recovers() {
    let config = EdgeConfig { setup_rate: 10, setup_burst: 2, ..EdgeConfig::default() };
    let mut net = Net::with(config, Box::new(sip::edge::OpenDirectory));
    for i in 0..3 {
        net.deliver(UDP, carrier(), &invite(&format!("rate-{i}"), &format!("z9hG4bKrate{i}"), ""));
    }
    assert_eq!(net.statuses().iter().filter(|s| **s == 503).count(), 1, "the third of a burst of 3 is shed");
    net.advance(Duration::from_millis(100));
    net.clear();
    net.deliver(UDP, carrier(), &invite("rate-3", "z9hG4bKrate3", ""));
    assert_eq!(net.statuses(), vec![100], "a token is back after 1/rate");
}

#[test]
fn required_unknown_extension_gets_420_with_unsupported() {
    let mut net = Net::new();
    net.deliver(UDP, carrier(), &invite("ext-1", "z9hG4bKext1", "Require: 100rel\r\n"));
    let bad = net.responses().into_iter().find(|r| r.status().as_u16() == 420).expect("420");
    assert_eq!(bad.headers().get("Unsupported"), Some("100rel"));
    assert_eq!(net.edge.live_legs(), 0);
}

struct Carriers;

impl Directory for Carriers {
    fn admit(&mut self, invite: &Request, _: std::net::SocketAddr, _: TransportId, _: std::time::Instant) -> Admission {
        match invite.headers().call_id() {
            "blocked" => Admission::Drop,
            "unknown-did" => Admission::Reject { status: StatusCode::NOT_FOUND, headers: vec![] },
            "challenge" => Admission::Reject {
                status: StatusCode::new(407).expect("407"),
                headers: vec![("Proxy-Authenticate".to_owned(), "Digest realm=\"t\", nonce=\"n\"".to_owned())],
            },
            _ => Admission::Accept(sip::edge::InboundRoute { tenant: Some("acme".to_owned()), ..Default::default() }),
        }
    }
}

#[test]
fn directory_decides_admission_rejection_challenge_and_silent_drop() {
    let mut net = Net::with(EdgeConfig::default(), Box::new(Carriers));
    net.deliver(UDP, carrier(), &invite("unknown-did", "z9hG4bKd1", ""));
    net.deliver(UDP, carrier(), &invite("challenge", "z9hG4bKd2", ""));
    net.deliver(UDP, carrier(), &invite("blocked", "z9hG4bKd3", ""));
    net.deliver(UDP, carrier(), &invite("ok", "z9hG4bKd4", ""));
    assert_eq!(net.statuses(), vec![100, 404, 100, 407, 100, 100]);
    let challenge = net.responses().into_iter().find(|r| r.status().as_u16() == 407).expect("407");
    assert!(challenge.headers().get("Proxy-Authenticate").is_some());
    let Some(EdgeEvent::Incoming(call)) = net.events().into_iter().find(|e| matches!(e, EdgeEvent::Incoming(_))) else {
        panic!("no call admitted")
    };
    assert_eq!(call.route.tenant.as_deref(), Some("acme"));
    assert_eq!(net.edge.stats().refused, 3);
    assert_eq!(net.edge.live_legs(), 1);
}

#[test]
fn ack_for_2xx_reuses_ws_flow() {
    let mut net = Net::new();
    let text = invite("ws-1", "z9hG4bKws1", "")
        .replace("SIP/2.0/UDP 127.0.0.1:5070", "SIP/2.0/WS df7jal23ls0d.invalid")
        .replace("<sip:+4917000@127.0.0.1:5070>", "<sip:agent@df7jal23ls0d.invalid;transport=ws>");
    net.deliver(WS, browser(), &text);
    let leg = incoming_leg(&net);
    net.edge.answer(leg, sdp("agent"), net.now).expect("answer");
    net.drain();
    let ok = net.responses().into_iter().find(|r| r.status() == StatusCode::OK).expect("200");
    assert!(ok.headers().get("Contact").is_some_and(|c| c.contains("transport=ws")));
    let ack = ack_for(&ok, "z9hG4bKwsack").replace("SIP/2.0/UDP 127.0.0.1:5070", "SIP/2.0/WS df7jal23ls0d.invalid");
    net.deliver(WS, browser(), &ack);
    assert!(net.events().iter().any(|e| matches!(e, EdgeEvent::Confirmed { .. })));
    net.edge.hangup(leg, net.now).expect("hangup");
    net.drain();
    let (_, transmit, bye) = net.requests().into_iter().find(|(_, _, r)| r.method().as_str() == "BYE").expect("BYE");
    assert_eq!(transmit.transport, WS, "in-dialog requests go back over the WebSocket");
    assert_eq!(transmit.to, browser(), "to the flow, not the .invalid Contact host");
    assert_eq!(bye.headers().top_via().transport(), "WS");
}
