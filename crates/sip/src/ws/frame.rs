//! One WebSocket message, one SIP message (RFC 7118 §5.2): what a frame's
//! bytes mean. Sans-IO.

use crate::message::{Limits, Message, Method, StatusCode, find_head_end, leading_crlf, parse_datagram};

/// What a received WebSocket frame holds.
#[derive(Debug)]
pub enum FrameContent {
    /// Exactly one SIP message.
    Message(Message),
    /// Only CR/LF or whitespace: RFC 5626 keep-alives are not used over
    /// WebSocket (RFC 7118 §6), so it is ignored.
    KeepAlive,
    /// Bytes that are not one SIP message; the answer to send back, when
    /// one can be routed (400 with the reason), else `None`: drop and count.
    Invalid(Option<Message>),
}

/// Reads one frame's payload.
pub fn read_frame(payload: &[u8], limits: &Limits) -> FrameContent {
    if payload.iter().all(u8::is_ascii_whitespace) {
        return FrameContent::KeepAlive;
    }
    match parse_datagram(payload, limits) {
        Ok(message) if has_trailing_bytes(payload, &message) => FrameContent::Invalid(match message {
            Message::Request(request) if *request.method() != Method::Ack => {
                let mut response = request.response(StatusCode::BAD_REQUEST, None);
                response.set_reason("More than one SIP message in a WebSocket frame");
                Some(Message::Response(response))
            }
            _ => None,
        }),
        Ok(message) => FrameContent::Message(message),
        Err(error) => FrameContent::Invalid(crate::message::reject(payload, &error).map(Message::Response)),
    }
}

/// Whether bytes other than whitespace follow the message's body (a
/// second message, or a body longer than its Content-Length).
fn has_trailing_bytes(payload: &[u8], message: &Message) -> bool {
    let payload = &payload[leading_crlf(payload)..];
    let Some(head_end) = find_head_end(payload) else { return false };
    let body = message_body(message).len();
    payload[head_end..].get(body..).is_some_and(|rest| !rest.iter().all(u8::is_ascii_whitespace))
}

fn message_body(message: &Message) -> &[u8] {
    match message {
        Message::Request(request) => request.body(),
        Message::Response(response) => response.body(),
    }
}
