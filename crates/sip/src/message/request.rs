//! SIP requests.

use super::address::Uri;
use super::headers::{CSeq, Headers};
use super::method::Method;
use super::response::Response;
use super::status::StatusCode;

/// A SIP request: method, Request-URI, headers and body.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    uri: Uri,
    headers: Headers,
    body: Vec<u8>,
}

impl Request {
    /// A request with the given headers and no body. Max-Forwards is set
    /// to 70 when the headers have none (RFC 3261 §8.1.1.6).
    pub fn new(method: Method, uri: Uri, mut headers: Headers) -> Request {
        if headers.max_forwards().is_none() {
            headers.set_max_forwards(70);
        }
        Request { method, uri, headers, body: Vec::new() }
    }

    pub(crate) fn from_parts(method: Method, uri: Uri, headers: Headers, body: Vec<u8>) -> Request {
        Request { method, uri, headers, body }
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The Request-URI.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }

    /// The body (Content-Length is written from it).
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

    /// A response to this request (RFC 3261 §8.2.6.2): Via, From, To,
    /// Call-ID and CSeq copied; `to_tag` added to a To without a tag,
    /// except on 100 Trying, which copies Timestamp instead (§8.2.6.1).
    /// Responses that can establish a dialog (101..=299 to INVITE,
    /// SUBSCRIBE, REFER, NOTIFY) copy the Record-Route set (§12.1.1).
    pub fn response(&self, status: StatusCode, to_tag: Option<&str>) -> Response {
        let mut headers = self.headers.clone_core();
        if status == StatusCode::TRYING {
            headers.copy_raw_from(&self.headers, "Timestamp");
        } else if let Some(tag) = to_tag
            && headers.to().tag().is_none()
        {
            headers.set_to_tag(tag);
        }
        let creates_dialog = matches!(self.method, Method::Invite | Method::Subscribe | Method::Refer | Method::Notify);
        if creates_dialog && (101..300).contains(&status.as_u16()) {
            headers.copy_raw_from(&self.headers, "Record-Route");
        }
        Response::new(status, status.canonical_reason(), headers)
    }

    /// The ACK for a non-2xx final response to this INVITE, sent by the
    /// client transaction (RFC 3261 §17.1.1.3): same Request-URI, top Via,
    /// From, Call-ID and CSeq number, the response's To, and the Route set.
    pub fn ack_for(&self, response: &Response) -> Request {
        let mut headers = self.headers.clone_core();
        headers.keep_top_via_only();
        headers.set_to(response.headers().to().clone());
        headers.set_cseq(CSeq { seq: self.headers.cseq().seq, method: Method::Ack });
        headers.copy_raw_from(&self.headers, "Route");
        Request::new(Method::Ack, self.uri.clone(), headers)
    }

    /// A CANCEL for this request (RFC 3261 §9.1): same Request-URI, top
    /// Via, From, To, Call-ID and CSeq number, and the Route set.
    pub fn cancel(&self) -> Request {
        let mut headers = self.headers.clone_core();
        headers.keep_top_via_only();
        headers.set_cseq(CSeq { seq: self.headers.cseq().seq, method: Method::Cancel });
        headers.copy_raw_from(&self.headers, "Route");
        Request::new(Method::Cancel, self.uri.clone(), headers)
    }

    /// The request as bytes, with Content-Length.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} SIP/2.0\r\n", self.method, self.uri);
        self.headers.write_to(&mut out);
        super::finish(out, &self.body)
    }
}
