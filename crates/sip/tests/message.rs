//! The message facade: parsing, typed headers, responses, ACK, CANCEL.

use sip::message::{Limits, Message, Method, ParseError, Request, Response, StatusCode, parse_datagram};

const INVITE: &str = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n\
Via: SIP/2.0/UDP proxy.example.com:5070;branch=z9hG4bKproxy1;received=192.0.2.9\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@biloxi.example.com>\r\n\
From: \"Alice, A.\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@pc33.atlanta.example.com>, \"B\" <sip:b@192.0.2.4:5062;transport=tcp>;expires=30\r\n\
Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 4\r\n\
\r\n\
v=0\n";

fn request(text: &str) -> Request {
    match Message::parse(text.as_bytes()).expect("parses") {
        Message::Request(r) => r,
        Message::Response(_) => panic!("expected a request"),
    }
}

fn response(text: &str) -> Response {
    match Message::parse(text.as_bytes()).expect("parses") {
        Message::Response(r) => r,
        Message::Request(_) => panic!("expected a response"),
    }
}

#[test]
fn invite_headers_are_typed() {
    let req = request(INVITE);
    let h = req.headers();
    assert_eq!(req.method(), &Method::Invite);
    assert_eq!(req.uri().as_str(), "sip:bob@biloxi.example.com");
    assert_eq!(h.vias().len(), 2);
    assert_eq!(h.top_via().branch(), Some("z9hG4bK776asdhds"));
    assert_eq!(h.top_via().rport(), Some(None));
    assert_eq!(h.top_via().sent_by(), "pc33.atlanta.example.com");
    assert_eq!(h.vias()[1].sent_by(), "proxy.example.com:5070");
    assert_eq!(h.vias()[1].received(), Some("192.0.2.9"));
    assert_eq!(h.from().tag(), Some("1928301774"));
    assert_eq!(h.from().display_name(), Some("Alice, A."));
    assert_eq!(h.to().tag(), None);
    assert_eq!(h.call_id(), "a84b4c76e66710@pc33.atlanta.example.com");
    assert_eq!(h.cseq().seq, 314159);
    assert_eq!(h.cseq().method, Method::Invite);
    assert_eq!(h.max_forwards(), Some(70));
    let contacts = h.contacts().expect("contacts");
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1].params().get("expires"), Some(Some("30")));
    assert_eq!(h.routes().expect("routes").len(), 2);
    assert_eq!(req.body(), b"v=0\n");
}

#[test]
fn compact_header_forms_are_understood() {
    let text = "OPTIONS sip:a@example.com SIP/2.0\r\n\
v: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKc1\r\n\
f: <sip:b@example.com>;tag=x\r\n\
t: <sip:a@example.com>\r\n\
i: compact-1\r\n\
CSeq: 1 OPTIONS\r\n\
m: <sip:b@10.0.0.1>\r\n\
l: 0\r\n\r\n";
    let req = request(text);
    assert_eq!(req.headers().top_via().transport(), "TCP");
    assert_eq!(req.headers().call_id(), "compact-1");
    assert_eq!(req.headers().get("Contact"), Some("<sip:b@10.0.0.1>"));
    assert_eq!(req.headers().get("m"), Some("<sip:b@10.0.0.1>"));
}

#[test]
fn tel_uris_are_accepted_in_request_line_and_from() {
    let text = "INVITE tel:+15551234567 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKtel\r\n\
From: <tel:+15559876543>;tag=t1\r\n\
To: tel:+15551234567\r\n\
Call-ID: tel-1\r\n\
CSeq: 1 INVITE\r\n\
Content-Length: 0\r\n\r\n";
    let req = request(text);
    assert_eq!(req.uri().scheme(), "tel");
    assert!(!req.uri().is_sip());
    assert_eq!(req.headers().from().tag(), Some("t1"));
}

#[test]
fn folded_header_lines_are_joined() {
    let text = "OPTIONS sip:a@example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKfold\r\n\
Subject: I know you're there,\r\n   pick up the phone\r\n\
From: <sip:b@example.com>;tag=x\r\n\
To: <sip:a@example.com>\r\n\
Call-ID: fold-1\r\n\
CSeq: 1\r\n OPTIONS\r\n\
\r\n";
    let req = request(text);
    assert_eq!(req.headers().get("Subject"), Some("I know you're there, pick up the phone"));
    assert_eq!(req.headers().cseq().method, Method::Options);
}

#[test]
fn response_to_request_copies_headers_and_adds_to_tag() {
    let req = request(INVITE);
    let resp = req.response(StatusCode::BUSY_HERE, Some("uas-tag"));
    let bytes = resp.to_bytes();
    let parsed = response(std::str::from_utf8(&bytes).expect("utf8"));
    assert_eq!(parsed.status(), StatusCode::BUSY_HERE);
    assert_eq!(parsed.reason(), "Busy Here");
    let h = parsed.headers();
    assert_eq!(h.vias(), req.headers().vias());
    assert_eq!(h.from(), req.headers().from());
    assert_eq!(h.to().tag(), Some("uas-tag"));
    assert_eq!(h.call_id(), req.headers().call_id());
    assert_eq!(h.cseq(), req.headers().cseq());
    assert!(parsed.body().is_empty());
}

#[test]
fn trying_gets_no_to_tag() {
    let req = request(INVITE);
    let resp = req.response(StatusCode::TRYING, Some("uas-tag"));
    assert_eq!(resp.headers().to().tag(), None);
}

#[test]
fn serialised_request_parses_back_identically() {
    let req = request(INVITE);
    let again = request(std::str::from_utf8(&req.to_bytes()).expect("utf8"));
    assert_eq!(again.headers().vias(), req.headers().vias());
    assert_eq!(again.headers().from(), req.headers().from());
    assert_eq!(again.headers().contacts(), req.headers().contacts());
    assert_eq!(again.body(), req.body());
}

#[test]
fn ack_for_non_2xx_copies_the_invite_and_the_response_to() {
    let invite = request(INVITE);
    let resp = invite.response(StatusCode::BUSY_HERE, Some("t9"));
    let ack = invite.ack_for(&resp);
    assert_eq!(ack.method(), &Method::Ack);
    assert_eq!(ack.uri(), invite.uri());
    assert_eq!(ack.headers().vias(), &invite.headers().vias()[..1]);
    assert_eq!(ack.headers().to().tag(), Some("t9"));
    assert_eq!(ack.headers().cseq().seq, 314159);
    assert_eq!(ack.headers().cseq().method, Method::Ack);
    assert_eq!(ack.headers().routes().expect("routes").len(), 2);
}

#[test]
fn cancel_copies_the_request_top_via_and_cseq_number() {
    let invite = request(INVITE);
    let cancel = invite.cancel();
    assert_eq!(cancel.method(), &Method::Cancel);
    assert_eq!(cancel.headers().top_via(), invite.headers().top_via());
    assert_eq!(cancel.headers().vias().len(), 1);
    assert_eq!(cancel.headers().cseq().seq, 314159);
    assert_eq!(cancel.headers().to().tag(), None);
}

#[test]
fn received_and_rport_are_set_on_the_top_via() {
    let mut req = request(INVITE);
    req.headers_mut().set_top_via_received("198.51.100.7", 40123);
    let via = req.headers().top_via();
    assert_eq!(via.received(), Some("198.51.100.7"));
    assert_eq!(via.rport(), Some(Some(40123)));
    let again = request(std::str::from_utf8(&req.to_bytes()).expect("utf8"));
    assert_eq!(again.headers().vias(), req.headers().vias());
}

#[test]
fn udp_body_is_cut_to_content_length() {
    let text = INVITE.replace("Content-Length: 4", "Content-Length: 2");
    assert_eq!(request(&text).body(), b"v=");
}

#[test]
fn udp_body_shorter_than_content_length_is_rejected() {
    let text = INVITE.replace("Content-Length: 4", "Content-Length: 40");
    let err = Message::parse(text.as_bytes()).expect_err("truncated");
    assert_eq!(err, ParseError::BodyTruncated { declared: 40, received: 4 });
}

#[test]
fn malformed_messages_are_errors() {
    let cases: &[(&str, ParseError)] = &[
        ("\r\n\r\n", ParseError::Empty),
        ("INVITE sip:a@b SIP/2.0\r\nVia: x", ParseError::IncompleteHead),
        ("INVITE sip:a@b SIP/3.0\r\n\r\n", ParseError::UnsupportedVersion),
        ("INVITE  SIP/2.0\r\n\r\n", ParseError::InvalidStartLine("bad Request-URI")),
        ("INVITE sip:a@b\r\n\r\n", ParseError::InvalidStartLine("request line needs three parts")),
        ("SIP/2.0 99 Odd\r\n\r\n", ParseError::InvalidStartLine("bad status code")),
        ("INVITE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n", ParseError::MissingHeader("Via")),
        ("INVITE sip:a@b SIP/2.0\r\nVia: garbage\r\n\r\n", ParseError::InvalidHeader("Via")),
        ("INVITE sip:a@b SIP/2.0\r\nNo colon here\r\n\r\n", ParseError::InvalidHeaderLine(1)),
        ("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\0st\r\n\r\n", ParseError::ControlCharacter(0)),
    ];
    for (text, expected) in cases {
        assert_eq!(&Message::parse(text.as_bytes()).expect_err(text), expected, "{text:?}");
    }
}

#[test]
fn bad_content_length_is_an_error() {
    for bad in ["-1", "abc", "4, 5", ""] {
        let text = INVITE.replace("Content-Length: 4", &format!("Content-Length: {bad}"));
        assert_eq!(Message::parse(text.as_bytes()).expect_err(bad), ParseError::InvalidContentLength);
    }
}

#[test]
fn cseq_method_must_match_request_method() {
    let text = INVITE.replace("CSeq: 314159 INVITE", "CSeq: 314159 BYE");
    assert_eq!(Message::parse(text.as_bytes()).expect_err("mismatch"), ParseError::InvalidHeader("CSeq"));
}

#[test]
fn oversized_datagram_parts_are_rejected() {
    let limits = Limits { max_head: 256, max_body: 2 };
    assert_eq!(parse_datagram(INVITE.as_bytes(), &limits).expect_err("head"), ParseError::HeadTooLarge { limit: 256 });
    let limits = Limits { max_head: 4096, max_body: 2 };
    assert_eq!(
        parse_datagram(INVITE.as_bytes(), &limits).expect_err("body"),
        ParseError::BodyTooLarge { length: 4, limit: 2 }
    );
}

#[test]
fn dialog_creating_responses_copy_record_route_in_order() {
    let text = INVITE.replace(
        "Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\n",
        "Record-Route: <sip:p1.example.com;lr>\r\nRecord-Route: <sip:p2.example.com;lr>\r\n",
    );
    let req = request(&text);
    let ok = req.response(StatusCode::OK, Some("t"));
    let routes = ok.headers().record_routes().expect("record-route");
    assert_eq!(routes.len(), 2);
    assert_eq!(routes[0].uri().as_str(), "sip:p1.example.com;lr");
    let busy = req.response(StatusCode::BUSY_HERE, Some("t"));
    assert!(busy.headers().record_routes().expect("none").is_empty());
}

#[test]
fn trying_copies_timestamp() {
    let text = INVITE.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nTimestamp: 54\r\n");
    let trying = request(&text).response(StatusCode::TRYING, None);
    assert_eq!(trying.headers().get("Timestamp"), Some("54"));
}
