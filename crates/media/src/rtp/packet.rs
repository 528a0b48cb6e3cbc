//! Our small view of an RTP packet, over `rtp-types`, and the RTP/RTCP
//! demultiplexing rule of RFC 5761 §4.
//!
//! Nothing outside this module and [`super::rtcp`] names `rtp-types` or
//! `rtcp-types`: the rest of the crate sees [`RtpHeader`] and
//! [`PacketError`].

use thiserror::Error;

/// Why a datagram is not an RTP or RTCP packet we accept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PacketError {
    /// Shorter than its headers say (or than the 12-byte fixed header).
    #[error("truncated packet: {actual} bytes, at least {expected} needed")]
    Truncated {
        /// Bytes the headers require.
        expected: usize,
        /// Bytes received.
        actual: usize,
    },
    /// The version field is not 2.
    #[error("unsupported RTP/RTCP version {0}")]
    Version(u8),
    /// The padding count is zero or runs into the header.
    #[error("invalid padding")]
    Padding,
    /// A malformed RTCP packet inside a compound packet.
    #[error("malformed RTCP: {0}")]
    Rtcp(String),
}

impl From<rtp_types::RtpParseError> for PacketError {
    fn from(e: rtp_types::RtpParseError) -> Self {
        match e {
            rtp_types::RtpParseError::UnsupportedVersion(v) => Self::Version(v),
            rtp_types::RtpParseError::Truncated { expected, actual } => Self::Truncated { expected, actual },
            rtp_types::RtpParseError::PaddingInvalid(_) => Self::Padding,
        }
    }
}

/// The kind of a datagram received on an RTP port (RFC 5761 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// An RTP data packet.
    Rtp,
    /// An RTCP packet (second byte 192..=223: SR, RR, SDES, BYE, APP, feedback).
    Rtcp,
    /// Neither: too short, or not version 2 (STUN, DTLS, garbage).
    Other,
}

/// Tells RTP from RTCP on a multiplexed port, by the version bits and the
/// second byte (RTCP packet types 192..=223 fall where RTP payload types
/// 64..=95 with the marker bit would, which RFC 5761 reserves).
#[must_use]
pub fn classify(bytes: &[u8]) -> Kind {
    match bytes {
        [first, second, ..] if first >> 6 == 2 => {
            if (192..=223).contains(second) {
                Kind::Rtcp
            } else {
                Kind::Rtp
            }
        }
        _ => Kind::Other,
    }
}

/// A parsed RTP packet: the header fields we use and the payload, borrowed
/// from the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader<'a> {
    /// Payload type (7 bits).
    pub payload_type: u8,
    /// Marker bit (first packet of a talk spurt for audio).
    pub marker: bool,
    /// Sequence number.
    pub sequence: u16,
    /// Media timestamp, in the payload type's clock.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
    /// The payload, without CSRCs, extension and padding.
    pub payload: &'a [u8],
}

impl<'a> RtpHeader<'a> {
    /// Parses an RTP packet (RFC 3550 §5.1); never panics.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, PacketError> {
        let packet = rtp_types::RtpPacket::parse(bytes)?;
        let start = packet.payload_offset();
        let payload = bytes.get(start..start + packet.payload_len()).ok_or(PacketError::Padding)?;
        Ok(Self {
            payload_type: packet.payload_type(),
            marker: packet.marker_bit(),
            sequence: packet.sequence_number(),
            timestamp: packet.timestamp(),
            ssrc: packet.ssrc(),
            payload,
        })
    }
}

/// Writes an RTP header with no CSRC, extension or padding, then `payload`,
/// into `out`; returns the length written, or `None` when `out` is too small
/// or the payload type is over 127.
pub fn write_rtp(header: &RtpHeader<'_>, out: &mut [u8]) -> Option<usize> {
    if header.payload_type > 0x7f {
        return None;
    }
    rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
        .payload_type(header.payload_type)
        .marker_bit(header.marker)
        .sequence_number(header.sequence)
        .timestamp(header.timestamp)
        .ssrc(header.ssrc)
        .payload(header.payload)
        .write_into(out)
        .ok()
}

/// An RTP packet whose header is edited in place: the payload, CSRCs,
/// extension and padding stay as they are.
#[derive(Debug)]
pub struct RtpHeaderMut<'a>(rtp_types::RtpPacketMut<'a>);

impl<'a> RtpHeaderMut<'a> {
    /// Parses the packet in `bytes` for editing (the same checks as
    /// [`RtpHeader::parse`]).
    pub fn parse(bytes: &'a mut [u8]) -> Result<Self, PacketError> {
        Ok(Self(rtp_types::RtpPacketMut::parse(bytes)?))
    }

    /// Payload type.
    #[must_use]
    pub fn payload_type(&self) -> u8 {
        self.0.payload_type()
    }

    /// Marker bit.
    #[must_use]
    pub fn marker(&self) -> bool {
        self.0.marker_bit()
    }

    /// Sequence number.
    #[must_use]
    pub fn sequence(&self) -> u16 {
        self.0.sequence_number()
    }

    /// Timestamp.
    #[must_use]
    pub fn timestamp(&self) -> u32 {
        self.0.timestamp()
    }

    /// Synchronisation source.
    #[must_use]
    pub fn ssrc(&self) -> u32 {
        self.0.ssrc()
    }

    /// Length of the payload (without padding).
    #[must_use]
    pub fn payload_len(&self) -> usize {
        self.0.payload_len()
    }

    /// Sets SSRC, sequence number, timestamp, payload type (its low 7 bits)
    /// and marker bit.
    pub fn set(&mut self, ssrc: u32, sequence: u16, timestamp: u32, payload_type: u8, marker: bool) {
        self.0.set_ssrc(ssrc);
        self.0.set_sequence_number(sequence);
        self.0.set_timestamp(timestamp);
        self.0.set_marker_bit(marker);
        // Cannot fail: the value has 7 bits.
        let _ = self.0.set_payload_type(payload_type & 0x7f);
    }
}
