//! SIP responses.

use super::headers::Headers;
use super::status::StatusCode;

/// A SIP response: status, reason phrase, headers and body.
#[derive(Debug, Clone)]
pub struct Response {
    status: StatusCode,
    reason: String,
    headers: Headers,
    body: Vec<u8>,
}

impl Response {
    /// A response with the given headers and no body. Build responses to a
    /// request with [`Request::response`](super::Request::response).
    pub fn new(status: StatusCode, reason: &str, headers: Headers) -> Response {
        Response { status, reason: reason.to_owned(), headers, body: Vec::new() }
    }

    pub(crate) fn from_parts(status: StatusCode, reason: String, headers: Headers, body: Vec<u8>) -> Response {
        Response { status, reason, headers, body }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The reason phrase.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Replaces the reason phrase.
    pub fn set_reason(&mut self, reason: &str) {
        reason.clone_into(&mut self.reason);
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Sets the body and its Content-Type.
    pub fn set_body(&mut self, content_type: &str, body: Vec<u8>) {
        let _ = self.headers.remove("Content-Type");
        if !body.is_empty() {
            let _ = self.headers.push("Content-Type", content_type);
        }
        self.body = body;
    }

    /// The response as bytes, with Content-Length.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("SIP/2.0 {} {}\r\n", self.status, self.reason);
        self.headers.write_to(&mut out);
        super::finish(out, &self.body)
    }
}
