//! The journal's record format, sans-IO: bytes in, records out.
//!
//! A record is `len: u32 LE | crc32(payload): u32 LE | payload`, where the
//! payload is the JSON array of the events of one journalled batch. The
//! decoder sees untrusted bytes (a torn write, a damaged disk) and answers
//! with a [`DecodeError`], never a panic.

use model::event::Event;

/// Bytes in a record header (length and checksum).
pub const HEADER_LEN: usize = 8;

/// The largest payload a record may carry (64 MiB); a longer length field is
/// treated as corruption.
pub const MAX_PAYLOAD_LEN: usize = 64 << 20;

/// Why bytes do not hold a valid record.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes end before the record does (a torn tail).
    #[error("truncated record: {needed} bytes needed, {available} available")]
    Truncated {
        /// Bytes the record needs.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// The length field is beyond [`MAX_PAYLOAD_LEN`].
    #[error("record length {0} exceeds the limit")]
    TooLong(usize),
    /// The payload does not match its checksum.
    #[error("record checksum mismatch")]
    Checksum,
    /// The checksum matched but the payload is not a list of events.
    #[error("record payload is not a list of events: {0}")]
    Payload(String),
}

/// Encodes `events` as one record.
pub fn encode<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Vec<u8>, serde_json::Error> {
    let events: Vec<&Event> = events.into_iter().collect();
    let payload = serde_json::to_vec(&events)?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    // A payload over 4 GiB cannot happen: batches are bounded far below.
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes the record at the start of `buf`: its events and the bytes it
/// occupies.
pub fn decode(buf: &[u8]) -> Result<(Vec<Event>, usize), DecodeError> {
    let payload = frame(buf)?;
    let events = serde_json::from_slice(payload).map_err(|e| DecodeError::Payload(e.to_string()))?;
    Ok((events, HEADER_LEN + payload.len()))
}

/// Checks the framing and checksum of the record at the start of `buf` and
/// returns its payload.
pub fn frame(buf: &[u8]) -> Result<&[u8], DecodeError> {
    let header = buf.get(..HEADER_LEN).ok_or(DecodeError::Truncated { needed: HEADER_LEN, available: buf.len() })?;
    let (len_bytes, crc_bytes) = header.split_at(4);
    let len = u32::from_le_bytes(len_bytes.try_into().map_err(|_| DecodeError::Checksum)?) as usize;
    let crc = u32::from_le_bytes(crc_bytes.try_into().map_err(|_| DecodeError::Checksum)?);
    if len > MAX_PAYLOAD_LEN {
        return Err(DecodeError::TooLong(len));
    }
    let payload = buf
        .get(HEADER_LEN..HEADER_LEN + len)
        .ok_or(DecodeError::Truncated { needed: HEADER_LEN + len, available: buf.len() })?;
    if crc32fast::hash(payload) != crc {
        return Err(DecodeError::Checksum);
    }
    Ok(payload)
}

/// The records of a segment's bytes, in order, and the length of the valid
/// prefix: decoding stops at the first bad record (a torn or corrupt tail).
#[derive(Debug, Default)]
pub struct Decoded {
    /// The batches, oldest first.
    pub batches: Vec<Vec<Event>>,
    /// Bytes of the valid prefix.
    pub valid_len: usize,
    /// Why decoding stopped before the end, if it did.
    pub stopped_by: Option<DecodeError>,
}

/// Decodes every record of `buf` up to the first bad one.
pub fn decode_all(buf: &[u8]) -> Decoded {
    let mut out = Decoded::default();
    while out.valid_len < buf.len() {
        match decode(&buf[out.valid_len..]) {
            Ok((events, used)) => {
                out.batches.push(events);
                out.valid_len += used;
            }
            Err(e) => {
                out.stopped_by = Some(e);
                break;
            }
        }
    }
    out
}
