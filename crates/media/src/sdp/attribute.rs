//! The `a=` lines we read, and the pass-through of the others.

use std::fmt;

/// Which way media flows in a stream, from the describer's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `a=sendrecv`: both ways (the default).
    SendRecv,
    /// `a=sendonly`: the describer sends, does not receive (puts on hold).
    SendOnly,
    /// `a=recvonly`: the describer receives, does not send.
    RecvOnly,
    /// `a=inactive`: neither way.
    Inactive,
}

impl Direction {
    /// The direction with these two abilities.
    pub fn from_parts(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => Self::SendRecv,
            (true, false) => Self::SendOnly,
            (false, true) => Self::RecvOnly,
            (false, false) => Self::Inactive,
        }
    }

    /// Whether the describer sends media.
    pub fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// Whether the describer receives media.
    pub fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }

    /// The same flow seen from the other side: `sendonly` ↔ `recvonly`.
    pub fn reversed(self) -> Self {
        Self::from_parts(self.receives(), self.sends())
    }

    /// What both allow: sends only if both send, receives only if both receive.
    pub fn intersect(self, other: Self) -> Self {
        Self::from_parts(self.sends() && other.sends(), self.receives() && other.receives())
    }

    /// The attribute name: `sendrecv`, `sendonly`, `recvonly`, `inactive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "sendrecv" => Self::SendRecv,
            "sendonly" => Self::SendOnly,
            "recvonly" => Self::RecvOnly,
            "inactive" => Self::Inactive,
            _ => return None,
        })
    }
}

/// `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    /// The RTP payload type, 0 to 127.
    pub payload_type: u8,
    /// The encoding name as written (compare without case: `opus`, `PCMU`).
    pub encoding: String,
    /// The RTP clock rate in Hz.
    pub clock_rate: u32,
    /// The channel count, when given (audio).
    pub channels: Option<u16>,
}

/// `a=fmtp:<pt> <parameters>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fmtp {
    /// The RTP payload type, 0 to 127.
    pub payload_type: u8,
    /// The parameters as written (`minptime=10;useinbandfec=1`, `0-16`).
    pub params: String,
}

/// `a=rtcp:<port> [<nettype> <addrtype> <address>]` (RFC 3605).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rtcp {
    /// The RTCP port.
    pub port: u16,
    /// The RTCP address, when it differs from the stream's.
    pub connection: Option<super::Connection>,
}

/// One `a=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribute {
    /// `a=rtpmap`.
    RtpMap(RtpMap),
    /// `a=fmtp` for an RTP payload type.
    Fmtp(Fmtp),
    /// `a=ptime`: the packet duration the describer wants to receive, in ms.
    Ptime(u32),
    /// `a=maxptime`: the longest packet duration it can receive, in ms.
    MaxPtime(u32),
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly` or `a=inactive`.
    Direction(Direction),
    /// `a=rtcp`.
    Rtcp(Rtcp),
    /// `a=rtcp-mux`: RTP and RTCP on one port (RFC 5761).
    RtcpMux,
    /// Any other attribute, kept as written (ICE, DTLS, `mid`, `ssrc`...).
    Other {
        /// The name, before the first `:`.
        name: String,
        /// The value after the first `:`, `None` for a flag attribute.
        value: Option<String>,
    },
}

/// What is wrong with an attribute's value.
pub(super) type Problem = &'static str;

impl Attribute {
    /// Reads the text after `a=`.
    pub(super) fn parse(text: &str) -> Result<Self, Problem> {
        let (name, value) = match text.split_once(':') {
            Some((name, value)) => (name, Some(value)),
            None => (text, None),
        };
        if name.is_empty() {
            return Err("an attribute needs a name");
        }
        let trimmed = name.trim_end();
        match (trimmed, value) {
            ("rtpmap", Some(v)) => parse_rtpmap(v).map(Self::RtpMap),
            ("fmtp", Some(v)) => match parse_fmtp(v) {
                Some(fmtp) => Ok(Self::Fmtp(fmtp)),
                None => Ok(Self::other(name, value)),
            },
            ("ptime", Some(v)) => parse_millis(v, "ptime is not a packet time in milliseconds").map(Self::Ptime),
            ("maxptime", Some(v)) => {
                parse_millis(v, "maxptime is not a packet time in milliseconds").map(Self::MaxPtime)
            }
            ("rtcp", Some(v)) => parse_rtcp(v).map(Self::Rtcp),
            ("rtpmap" | "fmtp" | "ptime" | "maxptime" | "rtcp", None) => Err("this attribute needs a value"),
            ("rtcp-mux", None) => Ok(Self::RtcpMux),
            (flag, None) => Ok(Direction::from_name(flag).map_or_else(|| Self::other(name, None), Self::Direction)),
            _ => Ok(Self::other(name, value)),
        }
    }

    fn other(name: &str, value: Option<&str>) -> Self {
        Self::Other { name: name.to_owned(), value: value.map(str::to_owned) }
    }
}

fn parse_payload_type(text: &str) -> Result<u8, Problem> {
    match text.parse::<u8>() {
        Ok(pt) if pt <= 127 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(pt),
        _ => Err("the payload type is not a number from 0 to 127"),
    }
}

fn parse_rtpmap(value: &str) -> Result<RtpMap, Problem> {
    let (pt, rest) = value.split_once(' ').ok_or("rtpmap needs `<payload type> <encoding>/<clock rate>`")?;
    let payload_type = parse_payload_type(pt)?;
    let mut parts = rest.trim().split('/');
    let encoding = parts.next().filter(|e| !e.is_empty()).ok_or("rtpmap has no encoding name")?;
    if encoding.contains(char::is_whitespace) {
        return Err("rtpmap's encoding name holds a space");
    }
    let clock_rate = parts
        .next()
        .and_then(|c| c.parse::<u32>().ok())
        .filter(|c| *c > 0)
        .ok_or("rtpmap's clock rate is not a positive number")?;
    let channels = match parts.next() {
        None => None,
        Some(c) => Some(c.parse::<u16>().ok().filter(|c| *c > 0).ok_or("rtpmap's channel count is not a number")?),
    };
    if parts.next().is_some() {
        return Err("rtpmap has more than encoding/clock rate/channels");
    }
    Ok(RtpMap { payload_type, encoding: encoding.to_owned(), clock_rate, channels })
}

/// An `fmtp` for a number up to 127 is an RTP payload type's; one for any
/// other format (`webrtc-datachannel`, an SCTP port) is passed through.
fn parse_fmtp(value: &str) -> Option<Fmtp> {
    let (format, params) = value.split_once(' ').unwrap_or((value, ""));
    let payload_type = parse_payload_type(format).ok()?;
    Some(Fmtp { payload_type, params: params.trim().to_owned() })
}

/// Whole milliseconds; a decimal (`20.0`, sent by some gateways) is rounded.
fn parse_millis(value: &str, problem: Problem) -> Result<u32, Problem> {
    let value = value.trim();
    if let Ok(ms) = value.parse::<u32>() {
        return if ms > 0 { Ok(ms) } else { Err(problem) };
    }
    let (whole, fraction) = value.split_once('.').ok_or(problem)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return Err(problem);
    }
    let whole: u32 = whole.parse().map_err(|_| problem)?;
    let round_up = fraction.as_bytes()[0] >= b'5';
    match whole.checked_add(u32::from(round_up)) {
        Some(ms) if ms > 0 => Ok(ms),
        _ => Err(problem),
    }
}

fn parse_rtcp(value: &str) -> Result<Rtcp, Problem> {
    let mut fields = value.split(' ').filter(|f| !f.is_empty());
    let port =
        fields.next().and_then(|p| p.parse::<u16>().ok()).ok_or("rtcp's port is not a number from 0 to 65535")?;
    let connection = match (fields.next(), fields.next(), fields.next()) {
        (None, _, _) => None,
        (Some(net_type), Some(addr_type), Some(address)) => Some(super::Connection {
            net_type: net_type.to_owned(),
            addr_type: addr_type.to_owned(),
            address: address.to_owned(),
        }),
        _ => return Err("rtcp's address needs `<nettype> <addrtype> <address>`"),
    };
    if fields.next().is_some() {
        return Err("rtcp has text after its address");
    }
    Ok(Rtcp { port, connection })
}

impl fmt::Display for Attribute {
    /// The text after `a=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RtpMap(m) => {
                write!(f, "rtpmap:{} {}/{}", m.payload_type, m.encoding, m.clock_rate)?;
                match m.channels {
                    Some(channels) => write!(f, "/{channels}"),
                    None => Ok(()),
                }
            }
            Self::Fmtp(p) if p.params.is_empty() => write!(f, "fmtp:{}", p.payload_type),
            Self::Fmtp(p) => write!(f, "fmtp:{} {}", p.payload_type, p.params),
            Self::Ptime(ms) => write!(f, "ptime:{ms}"),
            Self::MaxPtime(ms) => write!(f, "maxptime:{ms}"),
            Self::Direction(d) => f.write_str(d.as_str()),
            Self::Rtcp(r) => {
                write!(f, "rtcp:{}", r.port)?;
                match &r.connection {
                    Some(c) => write!(f, " {} {} {}", c.net_type, c.addr_type, c.address),
                    None => Ok(()),
                }
            }
            Self::RtcpMux => f.write_str("rtcp-mux"),
            Self::Other { name, value: Some(value) } => write!(f, "{name}:{value}"),
            Self::Other { name, value: None } => f.write_str(name),
        }
    }
}
