//! The reader: one pass over the lines, session section then media sections.

use super::{
    Attribute, Bandwidth, Connection, ERROR_TEXT_MAX, Line, MAX_MEDIA, MAX_SDP_BYTES, MediaDescription, Origin,
    SdpError, SessionDescription, is_rtp_proto,
};

/// One line being read: its number, its text and its split.
struct At<'a> {
    number: usize,
    text: &'a str,
    kind: char,
    value: &'a str,
}

impl At<'_> {
    fn invalid(&self, problem: &'static str) -> SdpError {
        SdpError::Invalid { line: self.number, text: quote(self.text), problem }
    }

    fn misplaced(&self, problem: &'static str) -> SdpError {
        SdpError::Misplaced { line: self.number, text: quote(self.text), problem }
    }

    fn kept(&self) -> Line {
        Line { kind: self.kind, value: self.value.to_owned() }
    }
}

/// The line's text for an error message: at most [`ERROR_TEXT_MAX`]
/// characters, control characters replaced, so it is safe in a header.
pub(super) fn quote(text: &str) -> String {
    let mut quoted: String = text.chars().take(ERROR_TEXT_MAX).map(|c| if c.is_control() { '?' } else { c }).collect();
    if text.chars().nth(ERROR_TEXT_MAX).is_some() {
        quoted.push('…');
    }
    quoted
}

pub(super) fn parse(bytes: &[u8]) -> Result<SessionDescription, SdpError> {
    if bytes.len() > MAX_SDP_BYTES {
        return Err(SdpError::TooLarge { size: bytes.len() });
    }
    let mut reader = Reader::default();
    let mut started = false;
    for (index, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let number = index + 1;
        // RFC 4566 §5: CRLF, but a bare LF is accepted too. Blank lines
        // (a trailing CRLF too many) are skipped.
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.is_empty() {
            continue;
        }
        let text = std::str::from_utf8(raw).map_err(|_| SdpError::NotUtf8 { line: number })?;
        let at = split(number, text)?;
        if !started {
            if at.kind != 'v' || at.value != "0" {
                return Err(SdpError::Version { line: number, text: quote(text) });
            }
            started = true;
            continue;
        }
        reader.line(&at)?;
    }
    if !started {
        return Err(SdpError::Empty);
    }
    reader.finish()
}

fn split(number: usize, text: &str) -> Result<At<'_>, SdpError> {
    let not_a_line = |problem| SdpError::NotALine { line: number, text: quote(text), problem };
    let bytes = text.as_bytes();
    if bytes.len() < 2 || bytes[1] != b'=' || !bytes[0].is_ascii_lowercase() {
        return Err(not_a_line("a line is `<type letter>=<value>`"));
    }
    let kind = char::from(bytes[0]);
    // RFC 4566 §5: a description with an unknown type letter is ignored
    // whole; we say so rather than guess.
    if !"vosiuepcbtrzkam".contains(kind) {
        return Err(not_a_line("unknown line type (RFC 4566 §5 ignores such a description)"));
    }
    Ok(At { number, text, kind, value: &text[2..] })
}

#[derive(Default)]
struct Reader {
    origin: Option<Origin>,
    session_name: Option<String>,
    info: Vec<Line>,
    connection: Option<Connection>,
    bandwidths: Vec<Bandwidth>,
    timing: Vec<Line>,
    other: Vec<Line>,
    attributes: Vec<Attribute>,
    media: Vec<MediaDescription>,
}

impl Reader {
    fn line(&mut self, at: &At<'_>) -> Result<(), SdpError> {
        if at.kind == 'm' {
            if self.media.len() == MAX_MEDIA {
                return Err(SdpError::TooManyMedia { line: at.number });
            }
            self.media.push(parse_media(at)?);
            return Ok(());
        }
        if let Some(media) = self.media.last_mut() {
            return media_line(media, at);
        }
        match at.kind {
            'v' => return Err(at.misplaced("a second v= line")),
            'o' if self.origin.is_some() => return Err(at.misplaced("a second o= line")),
            'o' => self.origin = Some(parse_origin(at)?),
            's' if self.session_name.is_some() => return Err(at.misplaced("a second s= line")),
            's' => self.session_name = Some(at.value.to_owned()),
            'i' | 'u' | 'e' | 'p' => self.info.push(at.kept()),
            'c' if self.connection.is_some() => return Err(at.misplaced("a second c= line in the session section")),
            'c' => self.connection = Some(parse_connection(at)?),
            'b' => self.bandwidths.push(parse_bandwidth(at)?),
            't' => {
                check_time(at)?;
                self.timing.push(at.kept());
            }
            'r' if self.timing.is_empty() => return Err(at.misplaced("an r= line comes after a t= line")),
            'r' | 'z' => self.timing.push(at.kept()),
            'a' => self.attributes.push(parse_attribute(at)?),
            _ => self.other.push(at.kept()),
        }
        Ok(())
    }

    fn finish(self) -> Result<SessionDescription, SdpError> {
        let origin = self.origin.ok_or(SdpError::Missing { kind: 'o', what: "origin" })?;
        let session_name = self.session_name.ok_or(SdpError::Missing { kind: 's', what: "session name" })?;
        if !self.timing.iter().any(|l| l.kind == 't') {
            return Err(SdpError::Missing { kind: 't', what: "timing" });
        }
        Ok(SessionDescription {
            origin,
            session_name,
            info: self.info,
            connection: self.connection,
            bandwidths: self.bandwidths,
            timing: self.timing,
            other: self.other,
            attributes: self.attributes,
            media: self.media,
        })
    }
}

fn media_line(media: &mut MediaDescription, at: &At<'_>) -> Result<(), SdpError> {
    match at.kind {
        'i' => media.info.push(at.kept()),
        'c' if media.connection.is_some() => {
            return Err(at.misplaced("a second c= line in a media section (layered multicast is not supported)"));
        }
        'c' => media.connection = Some(parse_connection(at)?),
        'b' => media.bandwidths.push(parse_bandwidth(at)?),
        'k' => media.other.push(at.kept()),
        'a' => media.attributes.push(parse_attribute(at)?),
        _ => return Err(at.misplaced("this line belongs to the session section, before the first m= line")),
    }
    Ok(())
}

/// The value's fields, split at spaces (a run of spaces counts as one).
fn fields(value: &str) -> impl Iterator<Item = &str> {
    value.split(' ').filter(|f| !f.is_empty())
}

fn parse_origin(at: &At<'_>) -> Result<Origin, SdpError> {
    let f: Vec<&str> = fields(at.value).take(7).collect();
    let [username, session_id, version, net_type, addr_type, address] = f[..] else {
        return Err(at.invalid("o= needs `<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`"));
    };
    if !session_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(at.invalid("o='s session id is not a number"));
    }
    let session_version = version
        .parse::<u64>()
        .ok()
        .filter(|_| version.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| at.invalid("o='s session version is not a number below 2^64"))?;
    Ok(Origin {
        username: username.to_owned(),
        session_id: session_id.to_owned(),
        session_version,
        net_type: net_type.to_owned(),
        addr_type: addr_type.to_owned(),
        address: address.to_owned(),
    })
}

fn parse_connection(at: &At<'_>) -> Result<Connection, SdpError> {
    let f: Vec<&str> = fields(at.value).take(4).collect();
    let [net_type, addr_type, address] = f[..] else {
        return Err(at.invalid("c= needs `<nettype> <addrtype> <address>`"));
    };
    Ok(Connection { net_type: net_type.to_owned(), addr_type: addr_type.to_owned(), address: address.to_owned() })
}

fn parse_bandwidth(at: &At<'_>) -> Result<Bandwidth, SdpError> {
    let (kind, value) = at.value.split_once(':').ok_or_else(|| at.invalid("b= needs `<type>:<bandwidth>`"))?;
    let value = value.trim();
    if kind.is_empty() || kind.contains(' ') {
        return Err(at.invalid("b='s type is empty or holds a space"));
    }
    let value = value
        .parse::<u64>()
        .ok()
        .filter(|_| value.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| at.invalid("b='s bandwidth is not a number"))?;
    Ok(Bandwidth { kind: kind.to_owned(), value })
}

fn check_time(at: &At<'_>) -> Result<(), SdpError> {
    let numbers: Vec<&str> = fields(at.value).take(3).collect();
    let is_number = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    match numbers[..] {
        [start, stop] if is_number(start) && is_number(stop) => Ok(()),
        _ => Err(at.invalid("t= needs `<start time> <stop time>`, two numbers")),
    }
}

fn parse_attribute(at: &At<'_>) -> Result<Attribute, SdpError> {
    Attribute::parse(at.value).map_err(|problem| at.invalid(problem))
}

fn parse_media(at: &At<'_>) -> Result<MediaDescription, SdpError> {
    let mut f = fields(at.value);
    let (Some(kind), Some(port), Some(proto)) = (f.next(), f.next(), f.next()) else {
        return Err(at.invalid("m= needs `<media> <port> <proto> <fmt> ...`"));
    };
    let (port, port_count) = match port.split_once('/') {
        Some((port, count)) => (port, Some(count)),
        None => (port, None),
    };
    let number = |s: &str| s.parse::<u16>().ok().filter(|_| s.bytes().all(|b| b.is_ascii_digit()));
    let port = number(port).ok_or_else(|| at.invalid("m='s port is not a number from 0 to 65535"))?;
    let port_count = match port_count {
        None => None,
        Some(count) => Some(number(count).ok_or_else(|| at.invalid("m='s port count is not a number"))?),
    };
    let formats: Vec<String> = f.map(str::to_owned).collect();
    if formats.is_empty() && port != 0 {
        return Err(at.invalid("m= lists no format"));
    }
    if is_rtp_proto(proto) && !formats.iter().all(|f| is_payload_type(f)) {
        return Err(at.invalid("an RTP format is not a payload type from 0 to 127"));
    }
    let mut media = MediaDescription::new(kind, port, proto, formats);
    media.port_count = port_count;
    Ok(media)
}

fn is_payload_type(format: &str) -> bool {
    format.len() <= 3 && format.bytes().all(|b| b.is_ascii_digit()) && format.parse::<u8>().is_ok_and(|pt| pt <= 127)
}
