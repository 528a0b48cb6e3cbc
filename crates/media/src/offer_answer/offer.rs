//! Our offers, and the answers to them.

use super::{
    Codec, CodecKey, CodecSpec, Encoding, LocalMedia, Negotiated, OfferAnswerError, describe_section, format_of,
    packet_time, remote_addresses, spec_for,
};
use crate::sdp::{Direction, MediaDescription, SessionDescription};

/// The first and last dynamic RTP payload types (RFC 3551 §3).
const DYNAMIC: std::ops::RangeInclusive<u8> = 96..=127;

/// An offer of ours waiting for its answer.
#[derive(Debug, Clone)]
pub(super) struct SentOffer {
    /// The description sent.
    pub sdp: SessionDescription,
    /// Which section is our audio stream.
    pub audio_index: usize,
    /// The direction we offered.
    pub direction: Direction,
    /// Our codecs with the payload types offered.
    pub codecs: Vec<(u8, CodecSpec)>,
    /// Whether we offered rtcp-mux.
    pub rtcp_mux: bool,
}

/// The sections of an offer: the last exchange's `layout` kept in place
/// with every section but our audio one at port 0 (RFC 3264 §8), or just
/// the audio section for a first offer.
pub(super) fn sections(
    local: &LocalMedia,
    layout: Option<(&[MediaDescription], usize)>,
    learned: &[(CodecKey, u8)],
    direction: Direction,
) -> (Vec<MediaDescription>, usize, Vec<(u8, CodecSpec)>) {
    let codecs = assign_payload_types(&local.codecs, learned);
    let formats = codecs.iter().map(|(pt, _)| pt.to_string()).collect();
    let proto = local.profiles.first().map_or("RTP/AVP", String::as_str);
    let mut audio = MediaDescription::new("audio", local.port, proto, formats);
    let listed: Vec<(u8, &CodecSpec)> = codecs.iter().map(|(pt, spec)| (*pt, spec)).collect();
    describe_section(&mut audio, &listed, local.ptime, direction, local.rtcp_mux);
    match layout {
        None => (vec![audio], 0, codecs),
        Some((previous, audio_index)) => {
            let mut sections: Vec<MediaDescription> = previous.iter().map(super::answer::refused).collect();
            match sections.get_mut(audio_index) {
                Some(slot) => *slot = audio,
                None => sections.push(audio),
            }
            let audio_index = audio_index.min(sections.len() - 1);
            (sections, audio_index, codecs)
        }
    }
}

/// Payload types for our codecs: the one already used in the session for
/// that codec, else our usual one when free, else a free dynamic one; a
/// codec with no free number left is not offered.
fn assign_payload_types(codecs: &[CodecSpec], learned: &[(CodecKey, u8)]) -> Vec<(u8, CodecSpec)> {
    let mut assigned: Vec<(u8, CodecSpec)> = Vec::with_capacity(codecs.len());
    let taken = |pt: u8, assigned: &[(u8, CodecSpec)], key: CodecKey| {
        assigned.iter().any(|(p, _)| *p == pt) || learned.iter().any(|(k, p)| *p == pt && *k != key)
    };
    for spec in codecs {
        let key = spec.key();
        let known = learned.iter().find(|(k, _)| *k == key).map(|(_, pt)| *pt);
        let pt = known
            .filter(|pt| !assigned.iter().any(|(p, _)| p == pt))
            .or_else(|| (!taken(spec.payload_type, &assigned, key)).then_some(spec.payload_type))
            .or_else(|| DYNAMIC.clone().find(|pt| !taken(*pt, &assigned, key)));
        if let Some(pt) = pt {
            assigned.push((pt, spec.clone()));
        }
    }
    assigned
}

/// What the answer to `sent` agrees on.
pub(super) fn take_answer(
    local: &LocalMedia,
    sent: &SentOffer,
    answer: &SessionDescription,
) -> Result<Negotiated, OfferAnswerError> {
    if answer.media.len() != sent.sdp.media.len() {
        return Err(OfferAnswerError::SectionCount { offer: sent.sdp.media.len(), answer: answer.media.len() });
    }
    let index = sent.audio_index;
    let m = &answer.media[index];
    if m.port == 0 {
        return Err(OfferAnswerError::Rejected);
    }
    let offered: Vec<CodecSpec> = sent.codecs.iter().map(|(_, spec)| spec.clone()).collect();
    let mut audio: Vec<Codec> = Vec::new();
    let mut events: Vec<Codec> = Vec::new();
    let mut answered = Vec::new();
    for payload_type in m.payload_types() {
        let Some(format) = format_of(m, payload_type) else { continue };
        answered.push(format.describe());
        let Some(spec) = spec_for(&offered, &format) else { continue };
        let codec = super::agreed(spec, &format);
        match spec.encoding {
            Encoding::TelephoneEvent => events.push(codec),
            _ => audio.push(codec),
        }
    }
    let Some(chosen) = audio.first().cloned() else {
        return Err(OfferAnswerError::NoCommonCodec { offered: answered.join(" "), ours: super::list_ours(&offered) });
    };
    let rtcp_mux = sent.rtcp_mux && m.rtcp_mux();
    let (remote_rtp, remote_rtcp) = remote_addresses(answer, index, rtcp_mux)?;
    Ok(Negotiated {
        media_index: index,
        telephone_event: events.into_iter().find(|e| e.clock_rate == chosen.clock_rate),
        codec: chosen,
        codecs: audio,
        remote_rtp,
        remote_rtcp,
        rtcp_mux,
        direction: answer.direction_for(index).reversed().intersect(sent.direction),
        ptime: packet_time(m, local.ptime),
    })
}
