//! Parsing a message head and a whole datagram.
//!
//! Lines are split with ezk's pull parser (which keeps folded lines
//! together); the start line and the header typing are ours.

use ezk_sip_types::msg::PullParser;
use ezk_sip_types::{Headers as RawHeaders, Name};

use super::address::Uri;
use super::error::ParseError;
use super::headers::Headers;
use super::method::Method;
use super::status::StatusCode;
use super::{Limits, Message, Request, Response};

/// The start line of a message.
pub(crate) enum StartLine {
    Request(Method, Uri),
    Response(StatusCode, String),
}

/// A parsed head: start line, headers and the declared Content-Length.
pub(crate) struct Head {
    pub(crate) start: StartLine,
    pub(crate) headers: Headers,
    pub(crate) content_length: Option<usize>,
}

impl Head {
    /// Joins the head with its body into a message.
    pub(crate) fn into_message(self, body: Vec<u8>) -> Message {
        match self.start {
            StartLine::Request(method, uri) => Message::Request(Request::from_parts(method, uri, self.headers, body)),
            StartLine::Response(status, reason) => {
                Message::Response(Response::from_parts(status, reason, self.headers, body))
            }
        }
    }
}

/// The index just past the empty line that ends the head, if present.
pub(crate) fn find_head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Number of leading CR/LF bytes (ignored before a start line, §7.5).
pub(crate) fn leading_crlf(buf: &[u8]) -> usize {
    buf.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count()
}

/// Parses one datagram (UDP): the body is what follows the head, cut to
/// Content-Length when that is shorter (RFC 3261 §18.3).
pub fn parse_datagram(datagram: &[u8], limits: &Limits) -> Result<Message, ParseError> {
    let start = leading_crlf(datagram);
    let datagram = &datagram[start..];
    if datagram.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let head_end = find_head_end(datagram).ok_or(ParseError::IncompleteHead)?;
    if head_end > limits.max_head {
        return Err(ParseError::HeadTooLarge { limit: limits.max_head });
    }
    let head = parse_head(&datagram[..head_end])?;
    let rest = &datagram[head_end..];
    let length = head.content_length.unwrap_or(rest.len());
    if length > limits.max_body {
        return Err(ParseError::BodyTooLarge { length, limit: limits.max_body });
    }
    if length > rest.len() {
        return Err(ParseError::BodyTruncated { declared: length, received: rest.len() });
    }
    Ok(head.into_message(rest[..length].to_vec()))
}

/// Parses a head that ends with its empty line.
pub(crate) fn parse_head(head: &[u8]) -> Result<Head, ParseError> {
    let (start, raw) = split_head(head)?;
    let (headers, content_length) = Headers::from_raw(raw)?;
    if let StartLine::Request(method, _) = &start
        && headers.cseq().method != *method
    {
        return Err(ParseError::InvalidHeader("CSeq"));
    }
    Ok(Head { start, headers, content_length })
}

/// Splits a head into its start line and its untyped headers.
fn split_head(head: &[u8]) -> Result<(StartLine, RawHeaders), ParseError> {
    if let Some(&b) = head.iter().find(|&&b| (b < 0x20 && !matches!(b, b'\r' | b'\n' | b'\t')) || b == 0x7f) {
        return Err(ParseError::ControlCharacter(b));
    }
    std::str::from_utf8(head).map_err(|_| ParseError::NotUtf8)?;
    let mut lines = PullParser::new(head, 0);
    let first = match lines.next() {
        Some(Ok(line)) => as_str(line)?,
        Some(Err(_)) => return Err(ParseError::IncompleteHead),
        None => return Err(ParseError::Empty),
    };
    let start = parse_start_line(first)?;
    let mut raw = RawHeaders::new();
    for (index, line) in lines.enumerate() {
        let line = as_str(line.map_err(|_| ParseError::IncompleteHead)?)?;
        let (name, value) = line.split_once(':').ok_or(ParseError::InvalidHeaderLine(index + 1))?;
        let name = name.trim_end_matches([' ', '\t']);
        if name.is_empty() || !name.bytes().all(super::method::is_token_byte) {
            return Err(ParseError::InvalidHeaderLine(index + 1));
        }
        raw.insert(Name::from(name.to_owned()), unfold(value));
    }
    Ok((start, raw))
}

/// The response a stateless server sends to a datagram that failed to
/// parse with `error`: 400 (or 413, 513) with the reason, when the datagram
/// is a request other than ACK whose Via, From, To, Call-ID and CSeq can be
/// read so that the response can be routed. `None` means drop it.
pub fn reject(datagram: &[u8], error: &ParseError) -> Option<Response> {
    let datagram = &datagram[leading_crlf(datagram)..];
    let end = find_head_end(datagram)?;
    let (start, mut raw) = split_head(&datagram[..end]).ok()?;
    let StartLine::Request(method, _) = start else { return None };
    if method == Method::Ack {
        return None;
    }
    raw.remove(&Name::CONTENT_LENGTH);
    let (headers, _) = Headers::from_raw(raw).ok()?;
    let status = StatusCode::new(error.status_code())?;
    let mut headers = headers.clone_core();
    if headers.to().tag().is_none() {
        // Stateless: the same request must get the same tag (§8.2.7).
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(headers.call_id(), &mut hasher);
        std::hash::Hash::hash(&headers.top_via().branch(), &mut hasher);
        headers.set_to_tag(&format!("{:x}", std::hash::Hasher::finish(&hasher)));
    }
    Some(Response::new(status, &format!("{} ({error})", status.canonical_reason()), headers))
}

fn as_str(line: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(line).map_err(|_| ParseError::NotUtf8)
}

/// Joins folded lines (CRLF followed by white space) with one space and
/// trims the value (RFC 3261 §7.3.1).
fn unfold(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .map(|part| part.trim_matches([' ', '\t']))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_start_line(line: &str) -> Result<StartLine, ParseError> {
    if let Some(rest) = line.strip_prefix("SIP/") {
        let (version, rest) = rest.split_once(' ').ok_or(ParseError::InvalidStartLine("no status code"))?;
        if version != "2.0" {
            return Err(ParseError::UnsupportedVersion);
        }
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        let code = (code.len() == 3)
            .then(|| code.parse::<u16>().ok())
            .flatten()
            .and_then(StatusCode::new)
            .ok_or(ParseError::InvalidStartLine("bad status code"))?;
        return Ok(StartLine::Response(code, reason.trim().to_owned()));
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ParseError::InvalidStartLine("request line needs three parts"));
    };
    let method = Method::parse(method).ok_or(ParseError::InvalidStartLine("bad method"))?;
    let uri = Uri::parse(uri).ok_or(ParseError::InvalidStartLine("bad Request-URI"))?;
    if !version.starts_with("SIP/") {
        return Err(ParseError::InvalidStartLine("no SIP version"));
    }
    if version != "SIP/2.0" {
        return Err(ParseError::UnsupportedVersion);
    }
    Ok(StartLine::Request(method, uri))
}
