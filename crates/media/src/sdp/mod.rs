//! SDP (RFC 4566) parsing and serialising, for the offer/answer of SIP legs.
//!
//! [`SessionDescription::parse`] reads the body of an INVITE, a 200 or an
//! ACK; `to_string()` (its [`Display`](std::fmt::Display)) writes one back
//! with CRLF line ends, in the RFC's line order. Every line is kept: the
//! lines we read (`o`, `s`, `c`, `t`, `m`, `b` and the attributes
//! `rtpmap`, `fmtp`, `ptime`, `maxptime`, the four directions, `rtcp`,
//! `rtcp-mux`) become typed fields, the others (`i`, `u`, `e`, `p`, `r`,
//! `z`, `k` and every other attribute, such as ICE's, DTLS's, `mid`, `msid`,
//! `ssrc`, `extmap`, `group`) are passed through as written, in order.
//!
//! A description that cannot be read gives an [`SdpError`] naming the line
//! (its number and its text, cut to [`ERROR_TEXT_MAX`] characters with
//! control characters replaced) and what is wrong with it: the SIP layer
//! answers 488 Not Acceptable Here with it. Parsing never panics and
//! refuses inputs over [`MAX_SDP_BYTES`] or with more than [`MAX_MEDIA`]
//! media sections.

mod attribute;
mod parse;
mod write;

use std::net::IpAddr;

pub use attribute::{Attribute, Direction, Fmtp, Rtcp, RtpMap};

/// The largest description [`SessionDescription::parse`] reads, in bytes.
pub const MAX_SDP_BYTES: usize = 64 * 1024;

/// The most media sections (`m=` lines) a description may have.
pub const MAX_MEDIA: usize = 32;

/// The longest line text an [`SdpError`] quotes, in characters.
pub const ERROR_TEXT_MAX: usize = 80;

/// A description that cannot be read, naming the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// The body is larger than [`MAX_SDP_BYTES`].
    #[error("the SDP is {size} bytes, more than the {MAX_SDP_BYTES} accepted")]
    TooLarge {
        /// The body's size in bytes.
        size: usize,
    },
    /// The body holds no line at all.
    #[error("the SDP is empty")]
    Empty,
    /// A line is not valid UTF-8.
    #[error("line {line}: not valid UTF-8")]
    NotUtf8 {
        /// The line number, from 1.
        line: usize,
    },
    /// A line is not `<type>=<value>` with a known type letter.
    #[error("line {line} `{text}`: {problem}")]
    NotALine {
        /// The line number, from 1.
        line: usize,
        /// The line, cut and cleaned for quoting.
        text: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// The first line is not `v=0`.
    #[error("line {line} `{text}`: an SDP starts with v=0")]
    Version {
        /// The line number, from 1.
        line: usize,
        /// The line, cut and cleaned for quoting.
        text: String,
    },
    /// A line the description must have is missing.
    #[error("no {kind}= line ({what})")]
    Missing {
        /// The line's type letter.
        kind: char,
        /// What that line gives.
        what: &'static str,
    },
    /// A line stands where it may not (a second `o=`, an `s=` after `m=`...).
    #[error("line {line} `{text}`: {problem}")]
    Misplaced {
        /// The line number, from 1.
        line: usize,
        /// The line, cut and cleaned for quoting.
        text: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A field of a line is invalid.
    #[error("line {line} `{text}`: {problem}")]
    Invalid {
        /// The line number, from 1.
        line: usize,
        /// The line, cut and cleaned for quoting.
        text: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// More than [`MAX_MEDIA`] media sections.
    #[error("line {line}: more than {MAX_MEDIA} media sections")]
    TooManyMedia {
        /// The line number of the first `m=` line over the limit.
        line: usize,
    },
}

impl SdpError {
    /// The number of the line the error is about, when it is about one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::NotUtf8 { line }
            | Self::NotALine { line, .. }
            | Self::Version { line, .. }
            | Self::Misplaced { line, .. }
            | Self::Invalid { line, .. }
            | Self::TooManyMedia { line } => Some(*line),
            Self::TooLarge { .. } | Self::Empty | Self::Missing { .. } => None,
        }
    }
}

/// A line kept as written: its type letter and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The type letter (`i`, `u`, `e`, `p`, `t`, `r`, `z`, `k`).
    pub kind: char,
    /// Everything after the `=`.
    pub value: String,
}

/// The `o=` line: who made the description and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The user name, `-` when there is none.
    pub username: String,
    /// The session id, a numeric string kept as written.
    pub session_id: String,
    /// The version, incremented by the maker on each change (RFC 3264 §8).
    pub session_version: u64,
    /// The network type, `IN`.
    pub net_type: String,
    /// The address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// The maker's address.
    pub address: String,
}

/// A `c=` line: where media goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The network type, `IN`.
    pub net_type: String,
    /// The address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// The address as written (an IP address, a name, or multicast `addr/ttl`).
    pub address: String,
}

impl Connection {
    /// A `c=IN IP4 <ip>` or `c=IN IP6 <ip>` line for `ip`.
    pub fn for_ip(ip: IpAddr) -> Self {
        let addr_type = if ip.is_ipv4() { "IP4" } else { "IP6" };
        Self { net_type: "IN".to_owned(), addr_type: addr_type.to_owned(), address: ip.to_string() }
    }

    /// The address as an IP address, when it is one (`IN`, no TTL suffix).
    pub fn ip(&self) -> Option<IpAddr> {
        if self.net_type != "IN" {
            return None;
        }
        let ip: IpAddr = self.address.parse().ok()?;
        let family_matches = match self.addr_type.as_str() {
            "IP4" => ip.is_ipv4(),
            "IP6" => ip.is_ipv6(),
            _ => false,
        };
        family_matches.then_some(ip)
    }
}

/// A `b=` line: a bandwidth limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bandwidth {
    /// The modifier (`AS`, `CT`, `TIAS`...).
    pub kind: String,
    /// The value, in the modifier's unit (kb/s for `AS` and `CT`).
    pub value: u64,
}

/// One media section: its `m=` line and the lines after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// The media type: `audio`, `video`, `application`...
    pub kind: String,
    /// The transport port; 0 for a rejected or disabled stream.
    pub port: u16,
    /// The number of ports after a `/`, when given.
    pub port_count: Option<u16>,
    /// The transport protocol: `RTP/AVP`, `UDP/TLS/RTP/SAVPF`...
    pub proto: String,
    /// The formats: RTP payload type numbers for RTP protocols.
    pub formats: Vec<String>,
    /// `i=` lines, kept as written.
    pub info: Vec<Line>,
    /// The section's `c=` line, when it has one.
    pub connection: Option<Connection>,
    /// The section's `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `k=` lines, kept as written.
    pub other: Vec<Line>,
    /// The section's attributes, in order.
    pub attributes: Vec<Attribute>,
}

impl MediaDescription {
    /// A section with no line but its `m=` line.
    pub fn new(kind: &str, port: u16, proto: &str, formats: Vec<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            port,
            port_count: None,
            proto: proto.to_owned(),
            formats,
            info: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            other: Vec::new(),
            attributes: Vec::new(),
        }
    }

    /// Whether the protocol carries RTP, so the formats are payload types.
    pub fn is_rtp(&self) -> bool {
        is_rtp_proto(&self.proto)
    }

    /// The formats read as RTP payload types (those that are numbers).
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + '_ {
        self.formats.iter().filter_map(|f| f.parse().ok())
    }

    /// The `rtpmap` of `payload_type`, when the section has one.
    pub fn rtpmap(&self, payload_type: u8) -> Option<&RtpMap> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::RtpMap(m) if m.payload_type == payload_type => Some(m),
            _ => None,
        })
    }

    /// The `fmtp` parameters of `payload_type`, when the section has them.
    pub fn fmtp(&self, payload_type: u8) -> Option<&str> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Fmtp(f) if f.payload_type == payload_type => Some(f.params.as_str()),
            _ => None,
        })
    }

    /// The `ptime` in milliseconds, when given.
    pub fn ptime(&self) -> Option<u32> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Ptime(ms) => Some(*ms),
            _ => None,
        })
    }

    /// The `maxptime` in milliseconds, when given.
    pub fn maxptime(&self) -> Option<u32> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::MaxPtime(ms) => Some(*ms),
            _ => None,
        })
    }

    /// The section's own direction attribute, when it has one.
    pub fn own_direction(&self) -> Option<Direction> {
        direction_of(&self.attributes)
    }

    /// The `rtcp` attribute, when given.
    pub fn rtcp(&self) -> Option<&Rtcp> {
        self.attributes.iter().find_map(|a| match a {
            Attribute::Rtcp(r) => Some(r),
            _ => None,
        })
    }

    /// Whether the section has `a=rtcp-mux`.
    pub fn rtcp_mux(&self) -> bool {
        self.attributes.contains(&Attribute::RtcpMux)
    }

    /// The value of the first attribute named `name` that we pass through
    /// (`ice-ufrag`, `fingerprint`, `mid`...): `Some(None)` for a flag.
    pub fn attribute(&self, name: &str) -> Option<Option<&str>> {
        other_attribute(&self.attributes, name)
    }
}

/// A whole session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// The `o=` line.
    pub origin: Origin,
    /// The `s=` line's value (`-` or a single space when meaningless).
    pub session_name: String,
    /// `i=`, `u=`, `e=` and `p=` lines, kept as written.
    pub info: Vec<Line>,
    /// The session-level `c=` line, the default for every section.
    pub connection: Option<Connection>,
    /// The session-level `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `t=`, `r=` and `z=` lines, kept as written (at least one `t=`).
    pub timing: Vec<Line>,
    /// `k=` lines, kept as written.
    pub other: Vec<Line>,
    /// The session-level attributes, in order.
    pub attributes: Vec<Attribute>,
    /// The media sections, in order.
    pub media: Vec<MediaDescription>,
}

impl SessionDescription {
    /// A description with `o=`, `s=-` and `t=0 0` and nothing else.
    pub fn new(origin: Origin) -> Self {
        Self {
            origin,
            session_name: "-".to_owned(),
            info: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            timing: vec![Line { kind: 't', value: "0 0".to_owned() }],
            other: Vec::new(),
            attributes: Vec::new(),
            media: Vec::new(),
        }
    }

    /// Parses a description (a SIP body); see the module documentation.
    pub fn parse(bytes: &[u8]) -> Result<Self, SdpError> {
        parse::parse(bytes)
    }

    /// The `c=` line that applies to media section `index`: its own, or the
    /// session's.
    pub fn connection_for(&self, index: usize) -> Option<&Connection> {
        self.media.get(index)?.connection.as_ref().or(self.connection.as_ref())
    }

    /// The direction of media section `index`: its own attribute, else the
    /// session's, else `sendrecv` (RFC 3264 §5.1).
    pub fn direction_for(&self, index: usize) -> Direction {
        self.media
            .get(index)
            .and_then(MediaDescription::own_direction)
            .or_else(|| direction_of(&self.attributes))
            .unwrap_or(Direction::SendRecv)
    }

    /// The value of the first session-level attribute named `name` that we
    /// pass through (`ice-lite`, `group`, `msid-semantic`...).
    pub fn attribute(&self, name: &str) -> Option<Option<&str>> {
        other_attribute(&self.attributes, name)
    }
}

/// Whether `proto` is an RTP profile (`RTP/AVP`, `UDP/TLS/RTP/SAVPF`...).
pub(crate) fn is_rtp_proto(proto: &str) -> bool {
    proto.split('/').any(|part| part == "RTP")
}

fn direction_of(attributes: &[Attribute]) -> Option<Direction> {
    attributes.iter().find_map(|a| match a {
        Attribute::Direction(d) => Some(*d),
        _ => None,
    })
}

fn other_attribute<'a>(attributes: &'a [Attribute], wanted: &str) -> Option<Option<&'a str>> {
    attributes.iter().find_map(|a| match a {
        Attribute::Other { name, value } if name == wanted => Some(value.as_deref()),
        _ => None,
    })
}
