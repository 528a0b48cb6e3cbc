//! Inside a leg's dialog: re-INVITE and UPDATE (hold/resume), glare (491),
//! INFO, REFER/NOTIFY, CSeq rules, session timers (RFC 4028), virtual time.

use std::time::Duration;

use sip::edge::{EdgeEvent, EndCause};
use sip::message::StatusCode;

use crate::edge_harness::*;

/// An answered and confirmed incoming leg, with our To tag.
fn confirmed(net: &mut Net, call_id: &str, extra: &str) -> (sip::edge::LegId, String) {
    net.deliver(UDP, carrier(), &invite(call_id, &format!("z9hG4bK{call_id}"), extra));
    let leg = incoming_leg(net);
    net.edge.answer(leg, sdp("agent"), net.now).expect("answer");
    net.drain();
    let ok = net.responses().into_iter().find(|r| r.status() == StatusCode::OK).expect("200");
    net.deliver(UDP, carrier(), &ack_for(&ok, &format!("z9hG4bKack{call_id}")));
    let tag = ok.headers().to().tag().expect("tag").to_owned();
    net.clear();
    (leg, tag)
}

#[test]
fn reinvite_from_the_peer_is_offered_to_the_call_layer_and_answered_with_sdp() {
    let mut net = Net::new();
    let (leg, tag) = confirmed(&mut net, "re-1", "");
    let hold = sdp("hold").into_iter().chain(b"a=sendonly\r\n".iter().copied()).collect::<Vec<u8>>();
    net.deliver(UDP, carrier(), &caller_request("INVITE", "re-1", &tag, 2, "z9hG4bKre1", Some(&hold)));
    let offer = net.events().into_iter().find_map(|e| match e {
        EdgeEvent::Reoffer { leg: l, offer } if l == leg => offer,
        _ => None,
    });
    assert_eq!(offer.as_deref(), Some(hold.as_slice()));
    net.edge.accept_reoffer(leg, sdp("recvonly"), net.now).expect("answer the hold");
    net.drain();
    let ok = net.responses().into_iter().rev().find(|r| r.status() == StatusCode::OK).expect("200");
    assert_eq!(ok.body(), sdp("recvonly").as_slice());
    assert_eq!(ok.headers().cseq().seq, 2);
}

#[test]
fn update_in_the_dialog_is_offered_and_answered() {
    let mut net = Net::new();
    let (leg, tag) = confirmed(&mut net, "up-1", "");
    net.deliver(UDP, carrier(), &caller_request("UPDATE", "up-1", &tag, 2, "z9hG4bKup1", Some(&sdp("upd"))));
    assert!(net.events().iter().any(|e| matches!(e, EdgeEvent::Reoffer { .. })));
    net.edge.accept_reoffer(leg, sdp("ans"), net.now).expect("answer");
    net.drain();
    let ok = net.responses().pop().expect("response");
    assert_eq!((ok.status().as_u16(), ok.headers().cseq().method.as_str()), (200, "UPDATE"));
}

#[test]
fn reinvite_while_ours_is_pending_gets_491() {
    let mut net = Net::new();
    let (leg, tag) = confirmed(&mut net, "glare-1", "");
    net.edge.reinvite(leg, Some(sdp("ours")), net.now).expect("our re-INVITE");
    net.drain();
    net.deliver(UDP, carrier(), &caller_request("INVITE", "glare-1", &tag, 2, "z9hG4bKg1", Some(&sdp("theirs"))));
    assert!(net.statuses().contains(&491), "glare: RFC 3261 §14.2");
    assert!(!net.events().iter().any(|e| matches!(e, EdgeEvent::Reoffer { .. })));
}

#[test]
fn our_reinvite_refused_with_491_is_sent_again_after_the_backoff() {
    let mut net = Net::new();
    let (leg, _) = confirmed(&mut net, "glare-2", "");
    net.edge.reinvite(leg, Some(sdp("ours")), net.now).expect("re-INVITE");
    net.drain();
    let first = net.sent_requests("INVITE").pop().expect("re-INVITE");
    net.deliver_message(UDP, carrier(), answer(&first, 491, "c1", None));
    net.clear();
    net.advance(Duration::from_secs(3));
    let again = net.distinct_requests("INVITE");
    assert_eq!(again.len(), 1, "sent again within 0-2 s (we do not own the Call-ID)");
    assert!(again[0].headers().cseq().seq > first.headers().cseq().seq, "with a new CSeq");
    assert_eq!(again[0].body(), sdp("ours").as_slice());
}

#[test]
fn our_reinvite_answered_reports_the_answer_and_acks_it() {
    let mut net = Net::new();
    let (leg, _) = confirmed(&mut net, "re-2", "");
    net.edge.reinvite(leg, Some(sdp("resume")), net.now).expect("re-INVITE");
    net.drain();
    let reinvite = net.sent_requests("INVITE").pop().expect("re-INVITE");
    assert!(reinvite.headers().get("Contact").is_some(), "a re-INVITE carries Contact");
    net.deliver_message(UDP, carrier(), answer(&reinvite, 200, "c1", Some(sdp("peer"))));
    let ack = net.sent_requests("ACK").pop().expect("ACK of the re-INVITE's 2xx");
    assert_eq!(ack.headers().cseq().seq, reinvite.headers().cseq().seq);
    let answered = net.events().into_iter().find_map(|e| match e {
        EdgeEvent::ReofferAnswered { answer, .. } => answer,
        _ => None,
    });
    assert_eq!(answered.as_deref(), Some(sdp("peer").as_slice()));
    assert!(net.edge.reinvite(leg, None, net.now).is_ok(), "idle again");
}

#[test]
fn info_is_answered_200_and_reported_with_its_body() {
    let mut net = Net::new();
    let (_, tag) = confirmed(&mut net, "info-1", "");
    let text = caller_request("INFO", "info-1", &tag, 2, "z9hG4bKi1", Some(b"Signal=5\r\nDuration=160\r\n"))
        .replace("application/sdp", "application/dtmf-relay");
    net.deliver(UDP, carrier(), &text);
    assert_eq!(net.statuses(), vec![200]);
    let info = net.events().into_iter().find_map(|e| match e {
        EdgeEvent::Info { content_type, body, .. } => Some((content_type, body)),
        _ => None,
    });
    assert_eq!(info, Some((Some("application/dtmf-relay".to_owned()), b"Signal=5\r\nDuration=160\r\n".to_vec())));
}

#[test]
fn request_for_an_unknown_dialog_gets_481() {
    let mut net = Net::new();
    confirmed(&mut net, "d-1", "");
    net.deliver(UDP, carrier(), &caller_request("BYE", "d-1", "not-our-tag", 2, "z9hG4bKx1", None));
    assert_eq!(net.statuses(), vec![481]);
    assert_eq!(net.edge.live_legs(), 1);
}

#[test]
fn in_dialog_request_with_a_lower_cseq_gets_500() {
    let mut net = Net::new();
    let (_, tag) = confirmed(&mut net, "cseq-1", "");
    net.deliver(UDP, carrier(), &caller_request("INFO", "cseq-1", &tag, 5, "z9hG4bKc1", None));
    net.deliver(UDP, carrier(), &caller_request("INFO", "cseq-1", &tag, 4, "z9hG4bKc2", None));
    assert_eq!(net.statuses(), vec![200, 500], "RFC 3261 §12.2.2");
}

#[test]
fn refer_from_the_peer_gets_202_a_100_trying_notify_and_a_final_notify_from_the_call_layer() {
    let mut net = Net::new();
    let (leg, tag) = confirmed(&mut net, "refer-1", "");
    let refer = caller_request("REFER", "refer-1", &tag, 2, "z9hG4bKr1", None)
        .replace("Contact:", "Refer-To: <sip:2001@switchboard.example>\r\nContact:");
    net.deliver(UDP, carrier(), &refer);
    assert_eq!(net.statuses(), vec![202]);
    let target = net.events().into_iter().find_map(|e| match e {
        EdgeEvent::TransferRequested { target, .. } => Some(target),
        _ => None,
    });
    assert_eq!(target.map(|t| t.to_string()), Some("sip:2001@switchboard.example".to_owned()));
    let notify = net.sent_requests("NOTIFY").pop().expect("NOTIFY");
    assert_eq!(notify.body(), b"SIP/2.0 100 Trying\r\n");
    assert_eq!(notify.headers().get("Event"), Some("refer"));
    assert!(notify.headers().get("Subscription-State").is_some_and(|s| s.starts_with("active")));
    net.edge.notify_refer(leg, StatusCode::OK, net.now).expect("final NOTIFY");
    net.drain();
    let last = net.sent_requests("NOTIFY").pop().expect("NOTIFY");
    assert_eq!(last.body(), b"SIP/2.0 200 OK\r\n");
    assert!(last.headers().get("Subscription-State").is_some_and(|s| s.starts_with("terminated")));
    assert!(last.headers().cseq().seq > notify.headers().cseq().seq);
}

#[test]
fn refer_we_send_reports_the_notified_progress_and_its_end() {
    let mut net = Net::new();
    let (leg, tag) = confirmed(&mut net, "refer-2", "");
    let target = sip::message::Uri::parse("sip:+4940999@carrier.example").expect("uri");
    net.edge.refer(leg, &target, net.now).expect("REFER");
    net.drain();
    let refer = net.sent_requests("REFER").pop().expect("REFER");
    assert_eq!(refer.headers().get("Refer-To"), Some("<sip:+4940999@carrier.example>"));
    net.deliver_message(UDP, carrier(), answer(&refer, 202, "c1", None));
    for (seq, (frag, state)) in
        [("SIP/2.0 180 Ringing", "active"), ("SIP/2.0 200 OK", "terminated;reason=noresource")].into_iter().enumerate()
    {
        let notify = caller_request(
            "NOTIFY",
            "refer-2",
            &tag,
            10 + seq as u32,
            &format!("z9hG4bKn{seq}"),
            Some(frag.as_bytes()),
        )
        .replace("application/sdp", "message/sipfrag;version=2.0")
        .replace("Contact:", &format!("Event: refer\r\nSubscription-State: {state}\r\nContact:"));
        net.deliver(UDP, carrier(), &notify);
    }
    let progress: Vec<(u16, bool)> = net
        .events()
        .into_iter()
        .filter_map(|e| match e {
            EdgeEvent::TransferProgress { status, last, .. } => Some((status.as_u16(), last)),
            _ => None,
        })
        .collect();
    assert_eq!(progress, vec![(180, false), (200, true)]);
    assert_eq!(net.statuses().iter().filter(|s| **s == 200).count(), 2, "each NOTIFY answered 200");
}

#[test]
fn session_expires_below_min_se_gets_422_with_min_se() {
    let mut net = Net::new();
    net.deliver(UDP, carrier(), &invite("st-1", "z9hG4bKst1", "Supported: timer\r\nSession-Expires: 60\r\n"));
    let too_small = net.responses().into_iter().find(|r| r.status().as_u16() == 422).expect("422");
    assert_eq!(too_small.headers().get("Min-SE"), Some("90"));
    assert_eq!(net.edge.live_legs(), 0);
}

#[test]
fn session_timer_asked_by_the_uac_is_answered_with_refresher_uac_and_require_timer() {
    let mut net = Net::new();
    net.deliver(UDP, carrier(), &invite("st-2", "z9hG4bKst2", "Supported: timer\r\nSession-Expires: 1800\r\n"));
    let leg = incoming_leg(&net);
    net.edge.answer(leg, sdp("agent"), net.now).expect("answer");
    net.drain();
    let ok = net.responses().into_iter().find(|r| r.status() == StatusCode::OK).expect("200");
    assert_eq!(ok.headers().get("Session-Expires"), Some("1800;refresher=uac"));
    assert_eq!(ok.headers().get("Require"), Some("timer"));
}

#[test]
fn session_without_refresh_is_ended_with_bye_before_it_expires() {
    let mut net = Net::new();
    let (_, _) = confirmed(&mut net, "st-3", "Supported: timer\r\nSession-Expires: 90;refresher=uac\r\n");
    // §10: BYE at interval - min(32, interval/3) = 90 - 30 = 60 s.
    net.run_until(Duration::from_secs(59));
    assert!(!ended_with(&net, EndCause::SessionExpired));
    net.run_until(Duration::from_secs(61));
    assert!(ended_with(&net, EndCause::SessionExpired));
    assert_eq!(net.distinct_requests("BYE").len(), 1);
}

#[test]
fn session_refreshed_by_the_peer_does_not_expire() {
    let mut net = Net::new();
    let (leg, tag) = confirmed(&mut net, "st-4", "Supported: timer\r\nSession-Expires: 90;refresher=uac\r\n");
    net.run_until(Duration::from_secs(45));
    let refresh = caller_request("UPDATE", "st-4", &tag, 2, "z9hG4bKst4", None)
        .replace("Contact:", "Supported: timer\r\nSession-Expires: 90;refresher=uac\r\nContact:");
    net.deliver(UDP, carrier(), &refresh);
    net.edge.accept_reoffer(leg, sdp("same"), net.now).expect("answer the refresh");
    net.run_until(Duration::from_secs(100));
    assert!(!ended_with(&net, EndCause::SessionExpired), "the refresh at 45 s moved expiry to 105 s");
    net.run_until(Duration::from_secs(106));
    assert!(ended_with(&net, EndCause::SessionExpired));
}

#[test]
fn session_we_refresh_gets_a_reinvite_at_half_the_interval() {
    let mut net = Net::new();
    // Without Supported: timer the UAS (we) must refresh.
    confirmed(&mut net, "st-5", "Session-Expires: 120\r\n");
    net.run_until(Duration::from_secs(59));
    assert!(net.sent_requests("INVITE").is_empty());
    net.run_until(Duration::from_secs(61));
    let refresh = net.sent_requests("INVITE").pop().expect("refresh re-INVITE at 60 s");
    assert_eq!(refresh.body(), sdp("agent").as_slice(), "the refresh repeats our SDP");
    assert!(!net.events().iter().any(|e| matches!(e, EdgeEvent::Reoffer { .. } | EdgeEvent::ReofferAnswered { .. })));
}
