//! Stream framing: Content-Length, keep-alives, limits.

use sip::message::{Frame, Limits, ParseError, StreamFramer};

const OPTIONS: &[u8] = b"OPTIONS sip:a@example.com SIP/2.0\r\n\
Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKf1\r\n\
From: <sip:b@example.com>;tag=x\r\n\
To: <sip:a@example.com>\r\n\
Call-ID: frame-1\r\n\
CSeq: 1 OPTIONS\r\n\
Content-Length: 5\r\n\
\r\n\
hello";

fn message_body(frame: Option<Result<Frame, ParseError>>) -> Vec<u8> {
    match frame {
        Some(Ok(Frame::Message(m))) => match m {
            sip::message::Message::Request(r) => r.body().to_vec(),
            sip::message::Message::Response(r) => r.body().to_vec(),
        },
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn message_split_at_every_byte_is_framed_once_complete() {
    for split in 1..OPTIONS.len() {
        let mut framer = StreamFramer::new(Limits::default());
        framer.push(&OPTIONS[..split]);
        assert!(framer.poll().is_none(), "complete after {split} bytes?");
        framer.push(&OPTIONS[split..]);
        assert_eq!(message_body(framer.poll()), b"hello");
        assert!(framer.poll().is_none());
        assert_eq!(framer.buffered(), 0);
    }
}

#[test]
fn back_to_back_messages_and_keepalives_are_separated() {
    let mut framer = StreamFramer::new(Limits::default());
    let mut stream = b"\r\n\r\n".to_vec();
    stream.extend_from_slice(OPTIONS);
    stream.extend_from_slice(OPTIONS);
    stream.extend_from_slice(b"\r\nOPT");
    framer.push(&stream);
    assert!(matches!(framer.poll(), Some(Ok(Frame::Ping))));
    assert_eq!(message_body(framer.poll()), b"hello");
    assert_eq!(message_body(framer.poll()), b"hello");
    assert!(matches!(framer.poll(), Some(Ok(Frame::Pong))));
    assert!(framer.poll().is_none());
}

#[test]
fn head_without_end_beyond_limit_fails_the_stream() {
    let mut framer = StreamFramer::new(Limits { max_head: 64, max_body: 1024 });
    framer.push(&OPTIONS[..100]);
    assert_eq!(framer.poll().expect("error").expect_err("too large"), ParseError::HeadTooLarge { limit: 64 });
    assert!(framer.is_failed());
    framer.push(OPTIONS);
    assert!(framer.poll().expect("still failed").is_err());
}

#[test]
fn declared_body_beyond_limit_fails_the_stream() {
    let mut framer = StreamFramer::new(Limits { max_head: 4096, max_body: 4 });
    framer.push(OPTIONS);
    assert_eq!(framer.poll().expect("error").expect_err("too large"), ParseError::BodyTooLarge { length: 5, limit: 4 });
}

#[test]
fn bad_content_length_fails_the_stream() {
    let mut framer = StreamFramer::new(Limits::default());
    let text = String::from_utf8_lossy(OPTIONS).replace("Content-Length: 5", "Content-Length: five");
    framer.push(text.as_bytes());
    assert_eq!(framer.poll().expect("error").expect_err("bad"), ParseError::InvalidContentLength);
    assert!(framer.is_failed());
}

#[test]
fn invalid_message_with_readable_length_is_skipped() {
    let mut framer = StreamFramer::new(Limits::default());
    let bad = String::from_utf8_lossy(OPTIONS).replace("Call-ID: frame-1\r\n", "");
    framer.push(bad.as_bytes());
    framer.push(OPTIONS);
    assert_eq!(framer.poll().expect("error").expect_err("bad"), ParseError::MissingHeader("Call-ID"));
    assert!(!framer.is_failed());
    assert_eq!(message_body(framer.poll()), b"hello");
}
