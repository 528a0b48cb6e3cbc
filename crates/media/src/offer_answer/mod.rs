//! SDP offer/answer (RFC 3264) for SIP legs: one audio stream over plain RTP.
//!
//! A [`Negotiator`] belongs to one leg. It builds our offers
//! ([`Negotiator::create_offer`]) and takes the answer
//! ([`Negotiator::handle_answer`]), or answers the peer's offer
//! ([`Negotiator::handle_offer`]); each successful exchange gives a
//! [`Negotiated`]: the codec to send and receive, the telephone-event
//! payload type, the peer's RTP and RTCP addresses, the direction and the
//! packet time. The rules, each pinned by a test:
//!
//! - **Our codecs** are [`LocalMedia::codecs`], in preference order: PCMU 0,
//!   PCMA 8, Opus 111 (48000/2, `minptime=10;useinbandfec=1`),
//!   telephone-event 101 at 8000 Hz and 110 at 48000 Hz by default.
//! - **An answer never offers what the peer did not**: per audio section
//!   it lists the offered formats we also have, with the offerer's payload
//!   type numbers, in the offerer's order (RFC 3264 §6.1 recommends it),
//!   save one exception: when telephone-event is offered, the first codec
//!   with a telephone-event at its clock rate is moved first, so DTMF works
//!   for the IVR. The first codec of the answer is the one both sides send.
//! - **telephone-event** is answered only at the clock rate of a codec the
//!   answer keeps.
//! - **ptime**: the offered `a=ptime` (10 to 120 ms, at most the offered
//!   `a=maxptime`) is what we send and what the answer asks for; without
//!   one, [`LocalMedia::ptime`].
//! - **Direction** (RFC 3264 §6.1): the offer's, reversed, and cut by what
//!   we want (`sendonly` is answered `recvonly`, `inactive` `inactive`).
//! - **Streams we cannot take** (not audio, a profile other than
//!   [`LocalMedia::profiles`], a second audio stream, a port of 0) are
//!   answered with port 0; no audio stream at all, or no codec in common,
//!   is an error the SIP layer answers with 488
//!   ([`OfferAnswerError::sip_status`]).
//! - **o= version** goes up by one whenever what we send changes, and only
//!   then (RFC 3264 §8); a re-offer keeps the sections of the last exchange
//!   in place and the payload type numbers already in use (§8.3.2).

mod answer;
mod negotiator;
mod offer;

use std::net::{IpAddr, SocketAddr};

pub use negotiator::Negotiator;

use crate::sdp::{Direction, MediaDescription, SessionDescription};

/// An encoding we can send and receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// G.711 μ-law.
    Pcmu,
    /// G.711 A-law.
    Pcma,
    /// Opus (RFC 7587).
    Opus,
    /// RFC 4733 events (DTMF).
    TelephoneEvent,
}

impl Encoding {
    /// The encoding name of `a=rtpmap`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pcmu => "PCMU",
            Self::Pcma => "PCMA",
            Self::Opus => "opus",
            Self::TelephoneEvent => "telephone-event",
        }
    }
}

/// One codec of our preference list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecSpec {
    /// The encoding.
    pub encoding: Encoding,
    /// The payload type we offer it with.
    pub payload_type: u8,
    /// The RTP clock rate in Hz.
    pub clock_rate: u32,
    /// The channel count of `a=rtpmap` (1 unless Opus).
    pub channels: u16,
    /// Our `a=fmtp` parameters: what we can receive.
    pub fmtp: Option<String>,
}

impl CodecSpec {
    /// PCMU, static payload type 0.
    pub fn pcmu() -> Self {
        Self { encoding: Encoding::Pcmu, payload_type: 0, clock_rate: 8000, channels: 1, fmtp: None }
    }

    /// PCMA, static payload type 8.
    pub fn pcma() -> Self {
        Self { encoding: Encoding::Pcma, payload_type: 8, clock_rate: 8000, channels: 1, fmtp: None }
    }

    /// Opus at 48000/2 with in-band FEC, on dynamic payload type `pt`.
    pub fn opus(payload_type: u8) -> Self {
        let fmtp = Some("minptime=10;useinbandfec=1".to_owned());
        Self { encoding: Encoding::Opus, payload_type, clock_rate: 48000, channels: 2, fmtp }
    }

    /// telephone-event at `clock_rate`, events 0-16 (DTMF and flash).
    pub fn telephone_event(payload_type: u8, clock_rate: u32) -> Self {
        let fmtp = Some("0-16".to_owned());
        Self { encoding: Encoding::TelephoneEvent, payload_type, clock_rate, channels: 1, fmtp }
    }

    fn key(&self) -> CodecKey {
        CodecKey { encoding: self.encoding, clock_rate: self.clock_rate }
    }
}

/// A codec as known across a session, whatever its payload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CodecKey {
    encoding: Encoding,
    clock_rate: u32,
}

/// Our side of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMedia {
    /// The address we receive RTP on (our `c=`).
    pub address: IpAddr,
    /// The port we receive RTP on; RTCP on the next one unless muxed.
    pub port: u16,
    /// Our codecs in preference order, telephone-event included.
    pub codecs: Vec<CodecSpec>,
    /// The packet time we ask for when the peer names none, in ms.
    pub ptime: u32,
    /// Whether we take RTP and RTCP on one port when offered (RFC 5761).
    pub rtcp_mux: bool,
    /// The `m=` protocols we take, the first one used in our offers.
    pub profiles: Vec<String>,
}

impl LocalMedia {
    /// Our defaults at `address:port`: PCMU, PCMA, Opus, telephone-event at
    /// 8000 and 48000 Hz, 20 ms, rtcp-mux taken, `RTP/AVP`.
    pub fn new(address: IpAddr, port: u16) -> Self {
        Self {
            address,
            port,
            codecs: vec![
                CodecSpec::pcmu(),
                CodecSpec::pcma(),
                CodecSpec::opus(111),
                CodecSpec::telephone_event(101, 8000),
                CodecSpec::telephone_event(110, 48000),
            ],
            ptime: 20,
            rtcp_mux: true,
            profiles: vec!["RTP/AVP".to_owned()],
        }
    }
}

/// A codec both sides agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codec {
    /// The encoding.
    pub encoding: Encoding,
    /// The payload type, the same both ways.
    pub payload_type: u8,
    /// The RTP clock rate in Hz.
    pub clock_rate: u32,
    /// The channel count of `a=rtpmap`.
    pub channels: u16,
    /// The peer's `a=fmtp` parameters (what it can receive), if any.
    pub peer_fmtp: Option<String>,
}

/// The outcome of one offer/answer exchange, from our point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The index of the audio section among the description's `m=` lines.
    pub media_index: usize,
    /// The codec to send: the answer's first.
    pub codec: Codec,
    /// Every audio codec of the answer, the chosen one first.
    pub codecs: Vec<Codec>,
    /// telephone-event at the chosen codec's clock rate, when agreed.
    pub telephone_event: Option<Codec>,
    /// Where to send RTP; `None` when the peer gave no address to send to
    /// (`c=0.0.0.0`, the old way to hold).
    pub remote_rtp: Option<SocketAddr>,
    /// Where to send RTCP.
    pub remote_rtcp: Option<SocketAddr>,
    /// Whether RTP and RTCP share one port.
    pub rtcp_mux: bool,
    /// Our direction: whether we send, whether we receive.
    pub direction: Direction,
    /// The packet time to send with, in ms.
    pub ptime: u32,
}

/// An offer or answer we cannot go on with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfferAnswerError {
    /// No audio section over a protocol we take.
    #[error("no audio stream we can take: we take {profiles}, the offer has {offered}")]
    NoAudio {
        /// The protocols we take.
        profiles: String,
        /// The offer's sections, `kind port proto` each.
        offered: String,
    },
    /// An audio section, but no codec in common.
    #[error("no codec in common: offered {offered}, we take {ours}")]
    NoCommonCodec {
        /// The codecs offered (or answered), `name/rate` each.
        offered: String,
        /// Ours.
        ours: String,
    },
    /// The audio section has no `c=` line, nor has the session.
    #[error("the audio stream has no c= line, nor has the session")]
    NoConnection,
    /// The audio section's address is not an IP address (a name, or `IN`
    /// with another address type).
    #[error("the audio stream's address `{address}` is not an IP address")]
    AddressNotIp {
        /// The address as written, cut for quoting.
        address: String,
    },
    /// An answer came with no offer of ours waiting for one.
    #[error("an SDP answer came but no offer of ours is waiting for one")]
    NoOfferPending,
    /// An offer came (or we were asked to make one) while ours waits.
    #[error("an offer is already waiting for its answer")]
    OfferPending,
    /// The answer has not as many sections as our offer (RFC 3264 §6).
    #[error("the answer has {answer} media sections, our offer {offer}")]
    SectionCount {
        /// Our offer's count.
        offer: usize,
        /// The answer's count.
        answer: usize,
    },
    /// The answer refused our audio stream with port 0.
    #[error("the answer refuses our audio stream (port 0)")]
    Rejected,
}

impl OfferAnswerError {
    /// The SIP status to answer a request carrying the offer with: 491
    /// Request Pending while our own offer waits, else 488 Not Acceptable
    /// Here.
    pub fn sip_status(&self) -> u16 {
        match self {
            Self::OfferPending => 491,
            _ => 488,
        }
    }
}

/// An offered or answered format, from `a=rtpmap` or the static table.
struct Format<'a> {
    payload_type: u8,
    name: &'a str,
    clock_rate: u32,
    channels: u16,
    fmtp: Option<&'a str>,
}

impl Format<'_> {
    fn describe(&self) -> String {
        format!("{}/{}", self.name, self.clock_rate)
    }
}

/// The format of `payload_type` in `m`: its rtpmap, or for 0 and 8 without
/// one, RFC 3551's static PCMU and PCMA.
fn format_of(m: &MediaDescription, payload_type: u8) -> Option<Format<'_>> {
    let fmtp = m.fmtp(payload_type);
    if let Some(map) = m.rtpmap(payload_type) {
        let channels = map.channels.unwrap_or(1);
        return Some(Format { payload_type, name: &map.encoding, clock_rate: map.clock_rate, channels, fmtp });
    }
    let name = match payload_type {
        0 => "PCMU",
        8 => "PCMA",
        _ => return None,
    };
    Some(Format { payload_type, name, clock_rate: 8000, channels: 1, fmtp })
}

/// Our codec for an offered format, if we have it.
fn spec_for<'a>(codecs: &'a [CodecSpec], format: &Format<'_>) -> Option<&'a CodecSpec> {
    codecs.iter().find(|c| {
        c.encoding.name().eq_ignore_ascii_case(format.name)
            && c.clock_rate == format.clock_rate
            && c.channels == format.channels
    })
}

fn agreed(spec: &CodecSpec, format: &Format<'_>) -> Codec {
    Codec {
        encoding: spec.encoding,
        payload_type: format.payload_type,
        clock_rate: spec.clock_rate,
        channels: spec.channels,
        peer_fmtp: format.fmtp.map(str::to_owned),
    }
}

fn list_ours(codecs: &[CodecSpec]) -> String {
    codecs.iter().map(|c| format!("{}/{}", c.encoding.name(), c.clock_rate)).collect::<Vec<_>>().join(" ")
}

/// The packet time to send with: the peer's `ptime` if sane (10 to 120 ms),
/// else ours, and never above the peer's `maxptime`.
fn packet_time(m: &MediaDescription, ours: u32) -> u32 {
    let wanted = m.ptime().filter(|ms| (10..=120).contains(ms)).unwrap_or(ours);
    match m.maxptime() {
        Some(max) if max >= 10 && max < wanted => max,
        _ => wanted,
    }
}

/// The peer's RTP and RTCP addresses for section `index` of `sdp`.
fn remote_addresses(
    sdp: &SessionDescription,
    index: usize,
    rtcp_mux: bool,
) -> Result<(Option<SocketAddr>, Option<SocketAddr>), OfferAnswerError> {
    let m = &sdp.media[index];
    let connection = sdp.connection_for(index).ok_or(OfferAnswerError::NoConnection)?;
    let ip = connection
        .ip()
        .ok_or_else(|| OfferAnswerError::AddressNotIp { address: connection.address.chars().take(64).collect() })?;
    if ip.is_unspecified() {
        return Ok((None, None));
    }
    let rtp = SocketAddr::new(ip, m.port);
    if rtcp_mux {
        return Ok((Some(rtp), Some(rtp)));
    }
    let rtcp = match m.rtcp() {
        Some(r) => Some(SocketAddr::new(r.connection.as_ref().and_then(|c| c.ip()).unwrap_or(ip), r.port)),
        None => m.port.checked_add(1).map(|port| SocketAddr::new(ip, port)),
    };
    Ok((Some(rtp), rtcp))
}

/// The rtpmap, fmtp, ptime, direction and rtcp-mux lines of our section.
fn describe_section(m: &mut MediaDescription, codecs: &[(u8, &CodecSpec)], ptime: u32, dir: Direction, mux: bool) {
    use crate::sdp::{Attribute, Fmtp, RtpMap};
    for (payload_type, spec) in codecs {
        let channels = (spec.channels != 1).then_some(spec.channels);
        let encoding = spec.encoding.name().to_owned();
        let map = RtpMap { payload_type: *payload_type, encoding, clock_rate: spec.clock_rate, channels };
        m.attributes.push(Attribute::RtpMap(map));
        if let Some(params) = &spec.fmtp {
            m.attributes.push(Attribute::Fmtp(Fmtp { payload_type: *payload_type, params: params.clone() }));
        }
    }
    m.attributes.push(Attribute::Ptime(ptime));
    m.attributes.push(Attribute::Direction(dir));
    if mux {
        m.attributes.push(Attribute::RtcpMux);
    }
}
