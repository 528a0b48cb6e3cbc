//! The message facade: parse, inspect, build and serialise SIP messages.
//!
//! Built on `ezk-sip-types` (header names with compact forms, the header
//! container, line splitting, host validation); nothing outside this module
//! names that crate. See docs/architecture.md, section "sip", for what is
//! parsed here instead and why.

mod address;
mod error;
mod framer;
mod headers;
mod method;
mod params;
mod parse;
mod request;
mod response;
mod status;
mod via;

pub use address::{Address, Uri};
pub use error::ParseError;
pub use framer::{Frame, StreamFramer};
pub use headers::{CSeq, Headers};
pub use method::Method;
pub use params::Params;
pub(crate) use parse::{find_head_end, leading_crlf};
pub use parse::{parse_datagram, reject};
pub use request::Request;
pub use response::Response;
pub use status::StatusCode;
pub use via::{BRANCH_MAGIC_COOKIE, Via};

/// Size limits applied to every message read from the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest head (start line and headers), in bytes.
    pub max_head: usize,
    /// The largest body, in bytes.
    pub max_body: usize,
}

impl Default for Limits {
    /// 16 KiB of head, 64 KiB of body.
    fn default() -> Limits {
        Limits { max_head: 16 * 1024, max_body: 64 * 1024 }
    }
}

/// A request or a response.
#[derive(Debug, Clone)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
}

impl Message {
    /// Parses one datagram with the default [`Limits`].
    pub fn parse(datagram: &[u8]) -> Result<Message, ParseError> {
        parse_datagram(datagram, &Limits::default())
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => r.headers(),
            Message::Response(r) => r.headers(),
        }
    }

    /// The message as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

/// Ends a head with Content-Length and the empty line, then appends the body.
fn finish(mut head: String, body: &[u8]) -> Vec<u8> {
    head.push_str("Content-Length: ");
    head.push_str(&body.len().to_string());
    head.push_str("\r\n\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}
