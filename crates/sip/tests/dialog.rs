//! Dialogs (RFC 3261 §12): identity, route set, remote target, CSeq.

use sip::dialog::{Dialog, DialogError, DialogId, DialogState};
use sip::message::{Message, Method, Request, Response, StatusCode, Via};

const INVITE: &str = "INVITE sip:agent@edge.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP carrier.example.net:5060;branch=z9hG4bKd1\r\n\
Record-Route: <sip:p1.example.net;lr>\r\n\
Record-Route: <sip:p2.example.net;lr>\r\n\
From: <sip:+15551234@carrier.example.net>;tag=caller\r\n\
To: <sip:agent@edge.example.com>\r\n\
Call-ID: dlg-1\r\n\
CSeq: 10 INVITE\r\n\
Contact: <sip:gw@192.0.2.50:5060>\r\n\
Content-Length: 0\r\n\r\n";

fn parse_request(text: &str) -> Request {
    match Message::parse(text.as_bytes()) {
        Ok(Message::Request(r)) => r,
        other => panic!("bad request: {other:?}"),
    }
}

fn parse_response(bytes: &[u8]) -> Response {
    match Message::parse(bytes) {
        Ok(Message::Response(r)) => r,
        other => panic!("bad response: {other:?}"),
    }
}

/// Our answer to INVITE: To tag `edge`, our Contact.
fn answer(invite: &Request, status: StatusCode) -> Response {
    let mut response = invite.response(status, Some("edge"));
    response.headers_mut().push("Contact", "<sip:edge@198.51.100.1:5060>").expect("contact");
    response
}

fn via(branch: &str) -> Via {
    Via::new("UDP", "198.51.100.1", Some(5060), branch)
}

#[test]
fn uas_dialog_takes_remote_target_and_route_set_from_the_invite() {
    let invite = parse_request(INVITE);
    let dialog = Dialog::for_uas(&invite, &answer(&invite, StatusCode::OK), 1).expect("dialog");
    assert_eq!(dialog.id(), &DialogId::new("dlg-1", "edge", "caller"));
    assert_eq!(dialog.state(), DialogState::Confirmed);
    assert_eq!(dialog.remote_target().as_str(), "sip:gw@192.0.2.50:5060");
    let routes: Vec<_> = dialog.route_set().iter().map(|r| r.uri().as_str().to_owned()).collect();
    assert_eq!(routes, ["sip:p1.example.net;lr", "sip:p2.example.net;lr"]);
}

#[test]
fn uac_dialog_reverses_record_route_from_the_response() {
    let invite = parse_request(INVITE);
    // The same exchange seen by the caller: its INVITE, our 200 back.
    let ok = parse_response(&answer(&invite, StatusCode::OK).to_bytes());
    let dialog = Dialog::for_uac(&invite, &ok).expect("dialog");
    assert_eq!(dialog.id(), &DialogId::new("dlg-1", "caller", "edge"));
    assert_eq!(dialog.remote_target().as_str(), "sip:edge@198.51.100.1:5060");
    let routes: Vec<_> = dialog.route_set().iter().map(|r| r.uri().as_str().to_owned()).collect();
    assert_eq!(routes, ["sip:p2.example.net;lr", "sip:p1.example.net;lr"]);
}

#[test]
fn in_dialog_request_carries_route_set_and_increments_cseq() {
    let invite = parse_request(INVITE);
    let mut dialog = Dialog::for_uas(&invite, &answer(&invite, StatusCode::OK), 100).expect("dialog");
    let bye = dialog.request(Method::Bye, via("z9hG4bKbye"));
    let again = parse_request(std::str::from_utf8(&bye.to_bytes()).expect("utf8"));
    let h = again.headers();
    assert_eq!(again.uri().as_str(), "sip:gw@192.0.2.50:5060");
    assert_eq!(h.cseq().seq, 101);
    assert_eq!(h.cseq().method, Method::Bye);
    assert_eq!(h.from().tag(), Some("edge"));
    assert_eq!(h.to().tag(), Some("caller"));
    assert_eq!(h.call_id(), "dlg-1");
    assert_eq!(h.routes().expect("routes").len(), 2);
    assert_eq!(dialog.state(), DialogState::Terminated, "sending BYE ends the dialog");
}

#[test]
fn ack_for_2xx_reuses_the_invite_cseq_in_a_new_transaction() {
    let invite = parse_request(INVITE);
    let ok = parse_response(&answer(&invite, StatusCode::OK).to_bytes());
    let dialog = Dialog::for_uac(&invite, &ok).expect("dialog");
    let ack = dialog.ack(10, via("z9hG4bKack"));
    assert_eq!(ack.method(), &Method::Ack);
    assert_eq!(ack.headers().cseq().seq, 10);
    assert_eq!(ack.headers().top_via().branch(), Some("z9hG4bKack"));
    assert_eq!(ack.uri().as_str(), "sip:edge@198.51.100.1:5060");
}

#[test]
fn lower_cseq_in_dialog_is_rejected_for_a_500() {
    let invite = parse_request(INVITE);
    let mut dialog = Dialog::for_uas(&invite, &answer(&invite, StatusCode::OK), 1).expect("dialog");
    let in_dialog = |method: &str, seq: u32| {
        parse_request(
            &INVITE
                .replace("INVITE sip:", &format!("{method} sip:"))
                .replace("CSeq: 10 INVITE", &format!("CSeq: {seq} {method}"))
                .replace("To: <sip:agent@edge.example.com>", "To: <sip:agent@edge.example.com>;tag=edge"),
        )
    };
    assert_eq!(dialog.handle_request(&in_dialog("ACK", 10)), Ok(()), "ACK reuses the INVITE's CSeq");
    assert_eq!(dialog.handle_request(&in_dialog("INFO", 11)), Ok(()));
    assert_eq!(dialog.handle_request(&in_dialog("INFO", 11)), Err(DialogError::CSeqOutOfOrder { got: 11, last: 11 }));
    assert_eq!(dialog.handle_request(&in_dialog("BYE", 12)), Ok(()));
    assert_eq!(dialog.state(), DialogState::Terminated);
}

#[test]
fn request_of_another_dialog_is_refused() {
    let invite = parse_request(INVITE);
    let mut dialog = Dialog::for_uas(&invite, &answer(&invite, StatusCode::OK), 1).expect("dialog");
    let other = parse_request(
        &INVITE
            .replace("INVITE sip:", "BYE sip:")
            .replace("CSeq: 10 INVITE", "CSeq: 11 BYE")
            .replace("To: <sip:agent@edge.example.com>", "To: <sip:agent@edge.example.com>;tag=someone-else"),
    );
    assert_eq!(dialog.handle_request(&other), Err(DialogError::Mismatch));
}

#[test]
fn early_dialog_is_confirmed_by_2xx_and_takes_its_contact() {
    let invite = parse_request(INVITE);
    let ringing = parse_response(&answer(&invite, StatusCode::RINGING).to_bytes());
    let mut dialog = Dialog::for_uac(&invite, &ringing).expect("early dialog");
    assert_eq!(dialog.state(), DialogState::Early);
    let mut ok = invite.response(StatusCode::OK, Some("edge"));
    ok.headers_mut().push("Contact", "<sip:edge@198.51.100.2:5070>").expect("contact");
    let ok = parse_response(&ok.to_bytes());
    dialog.handle_response(&ok).expect("same dialog");
    assert_eq!(dialog.state(), DialogState::Confirmed);
    assert_eq!(dialog.remote_target().as_str(), "sip:edge@198.51.100.2:5070");
}

#[test]
fn response_without_to_tag_makes_no_dialog() {
    let invite = parse_request(INVITE);
    let trying = invite.response(StatusCode::TRYING, None);
    assert_eq!(Dialog::for_uac(&invite, &trying).err(), Some(DialogError::MissingTag));
}
