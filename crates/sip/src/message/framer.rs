//! Sans-IO framing of SIP messages on a stream (TCP, TLS): Content-Length
//! delimits the body (RFC 3261 §18.3), CRLF keep-alives (RFC 5626 §4.4.1)
//! are reported apart from messages.

use super::error::ParseError;
use super::parse::{find_head_end, parse_head};
use super::{Limits, Message};

/// What the framer found next on the stream.
#[derive(Debug, Clone)]
pub enum Frame {
    /// A complete message.
    Message(Message),
    /// A double-CRLF keep-alive ping: answer it with a single CRLF.
    Ping,
    /// A single-CRLF keep-alive pong.
    Pong,
}

/// Cuts a byte stream into messages. Feed bytes with [`push`], then call
/// [`poll`] until it returns `None`.
///
/// A message whose head is well delimited but invalid is skipped and
/// reported as an error; the stream goes on. When the stream itself can no
/// longer be followed (a head without end within the limit, a bad or too
/// large Content-Length), every later `poll` returns the same error: close
/// the connection.
///
/// [`push`]: StreamFramer::push
/// [`poll`]: StreamFramer::poll
#[derive(Debug)]
pub struct StreamFramer {
    buf: Vec<u8>,
    /// Bytes of `buf` already searched for the end of the head, so that
    /// each byte is searched about once however the stream is chunked.
    scanned: usize,
    limits: Limits,
    failed: Option<ParseError>,
}

impl StreamFramer {
    /// A framer with the given limits.
    pub fn new(limits: Limits) -> StreamFramer {
        StreamFramer { buf: Vec::new(), scanned: 0, limits, failed: None }
    }

    /// Appends bytes read from the stream. Ignored once the stream failed.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes buffered and not framed yet.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether the stream can no longer be followed.
    pub fn is_failed(&self) -> bool {
        self.failed.is_some()
    }

    /// The next frame, an error, or `None` when more bytes are needed.
    #[must_use]
    pub fn poll(&mut self) -> Option<Result<Frame, ParseError>> {
        if let Some(error) = &self.failed {
            return Some(Err(error.clone()));
        }
        match self.buf.as_slice() {
            [b'\r', b'\n', b'\r', b'\n', ..] => {
                self.consume(4);
                return Some(Ok(Frame::Ping));
            }
            // A lone CRLF may be the start of a ping: wait for more.
            [b'\r', b'\n'] | [b'\r', b'\n', b'\r'] | [b'\r'] | [] => return None,
            [b'\r', b'\n', ..] => {
                self.consume(2);
                return Some(Ok(Frame::Pong));
            }
            _ => {}
        }
        // The end marker may straddle the previous search: back up 3 bytes.
        let from = self.scanned.saturating_sub(3);
        let Some(head_end) = find_head_end(&self.buf[from..]).map(|end| end + from) else {
            self.scanned = self.buf.len();
            if self.buf.len() > self.limits.max_head {
                return Some(Err(self.fail(ParseError::HeadTooLarge { limit: self.limits.max_head })));
            }
            return None;
        };
        if head_end > self.limits.max_head {
            return Some(Err(self.fail(ParseError::HeadTooLarge { limit: self.limits.max_head })));
        }
        let head = match parse_head(&self.buf[..head_end]) {
            Ok(head) => head,
            Err(error) => return Some(Err(self.skip_invalid(head_end, error))),
        };
        // A stream message must carry Content-Length; treating a missing one
        // as 0 is what a message without body needs.
        let length = head.content_length.unwrap_or(0);
        if length > self.limits.max_body {
            let limit = self.limits.max_body;
            return Some(Err(self.fail(ParseError::BodyTooLarge { length, limit })));
        }
        let total = head_end + length;
        if self.buf.len() < total {
            return None;
        }
        let body = self.buf[head_end..total].to_vec();
        self.consume(total);
        Some(Ok(Frame::Message(head.into_message(body))))
    }

    /// Skips a well-delimited invalid message when its Content-Length can
    /// still be read; otherwise the stream fails.
    fn skip_invalid(&mut self, head_end: usize, error: ParseError) -> ParseError {
        match scan_content_length(&self.buf[..head_end]) {
            Some(length) if length <= self.limits.max_body => {
                if self.buf.len() >= head_end + length {
                    self.consume(head_end + length);
                    error
                } else {
                    // Wait for the body of the bad message, then drop it.
                    self.fail(error)
                }
            }
            _ => self.fail(error),
        }
    }

    fn consume(&mut self, n: usize) {
        self.buf.drain(..n);
        self.scanned = 0;
    }

    fn fail(&mut self, error: ParseError) -> ParseError {
        self.buf = Vec::new();
        self.failed = Some(error.clone());
        error
    }
}

/// The Content-Length of a head that failed to parse: `Some(0)` when
/// absent, `None` when present but unreadable or contradictory.
fn scan_content_length(head: &[u8]) -> Option<usize> {
    let text = String::from_utf8_lossy(head);
    let mut found = None;
    for line in text.lines().skip(1) {
        let Some((name, value)) = line.split_once(':') else { continue };
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l") {
            let value: usize = value.trim().parse().ok()?;
            if found.is_some_and(|f| f != value) {
                return None;
            }
            found = Some(value);
        }
    }
    Some(found.unwrap_or(0))
}
