//! Errors from parsing and framing SIP messages.

/// Why bytes from the network are not a SIP message we accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Only whitespace: a keep-alive, not a message.
    #[error("no message, only whitespace")]
    Empty,
    /// The head does not end with an empty line.
    #[error("message head is not terminated by an empty line")]
    IncompleteHead,
    /// The head is larger than the configured limit.
    #[error("message head exceeds {limit} bytes")]
    HeadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The declared body is larger than the configured limit.
    #[error("body of {length} bytes exceeds {limit} bytes")]
    BodyTooLarge {
        /// The declared Content-Length.
        length: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The head holds a NUL or another control character.
    #[error("control character 0x{0:02x} in message head")]
    ControlCharacter(u8),
    /// The head is not valid UTF-8.
    #[error("message head is not UTF-8")]
    NotUtf8,
    /// The request or status line is malformed.
    #[error("malformed start line: {0}")]
    InvalidStartLine(&'static str),
    /// The SIP version is not `SIP/2.0`.
    #[error("unsupported SIP version")]
    UnsupportedVersion,
    /// A header line has no colon or an invalid name.
    #[error("malformed header line {0}")]
    InvalidHeaderLine(usize),
    /// A header that every request and response needs is missing.
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    /// A header is present but malformed (or repeated where it may not be).
    #[error("malformed {0} header")]
    InvalidHeader(&'static str),
    /// Content-Length is not a number, or repeated with other values.
    #[error("malformed Content-Length")]
    InvalidContentLength,
    /// A datagram carries fewer body bytes than its Content-Length.
    #[error("body truncated: Content-Length {declared}, {received} bytes received")]
    BodyTruncated {
        /// The declared Content-Length.
        declared: usize,
        /// The bytes that follow the head.
        received: usize,
    },
    /// The header may only be changed through its typed setter.
    #[error("{0} is managed by the message, use its typed setter")]
    ManagedHeader(String),
}

impl ParseError {
    /// The status a request with this error should be answered with, when
    /// a response can be routed (RFC 3261 §21.4).
    pub fn status_code(&self) -> u16 {
        match self {
            ParseError::HeadTooLarge { .. } => 513,
            ParseError::BodyTooLarge { .. } => 413,
            ParseError::UnsupportedVersion => 505,
            _ => 400,
        }
    }
}
