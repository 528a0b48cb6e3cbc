//! Answering an offer: per section, take it or refuse it with port 0.

use super::{
    Codec, CodecSpec, Encoding, Format, LocalMedia, Negotiated, OfferAnswerError, describe_section, format_of,
    list_ours, packet_time, remote_addresses, spec_for,
};
use crate::sdp::{Attribute, Direction, MediaDescription, SessionDescription};

/// The media sections of our answer to `offer` and what they agree on.
pub(super) fn answer(
    local: &LocalMedia,
    offer: &SessionDescription,
    wish: Direction,
) -> Result<(Vec<MediaDescription>, Negotiated), OfferAnswerError> {
    let mut taken: Option<Negotiated> = None;
    let mut failure: Option<OfferAnswerError> = None;
    let mut sections = Vec::with_capacity(offer.media.len());
    for (index, m) in offer.media.iter().enumerate() {
        let can_take = taken.is_none()
            && m.kind == "audio"
            && m.port != 0
            && local.profiles.iter().any(|p| p.eq_ignore_ascii_case(&m.proto));
        if can_take {
            match take(local, offer, index, wish) {
                Ok((section, negotiated)) => {
                    sections.push(section);
                    taken = Some(negotiated);
                    continue;
                }
                Err(e) => failure = Some(e),
            }
        }
        sections.push(refused(m));
    }
    match taken {
        Some(negotiated) => Ok((sections, negotiated)),
        None => Err(failure.unwrap_or_else(|| no_audio(local, offer))),
    }
}

fn no_audio(local: &LocalMedia, offer: &SessionDescription) -> OfferAnswerError {
    let offered: Vec<String> = offer.media.iter().map(|m| format!("{} {} {}", m.kind, m.port, m.proto)).collect();
    let offered = if offered.is_empty() { "no media section".to_owned() } else { offered.join(", ") };
    OfferAnswerError::NoAudio { profiles: local.profiles.join(" "), offered }
}

/// A section we do not take: port 0, its formats as offered, its `mid`.
pub(super) fn refused(m: &MediaDescription) -> MediaDescription {
    let mut section = MediaDescription::new(&m.kind, 0, &m.proto, m.formats.clone());
    section.attributes.extend(mid_of(m));
    section
}

fn mid_of(m: &MediaDescription) -> Option<Attribute> {
    m.attributes.iter().find(|a| matches!(a, Attribute::Other { name, .. } if name == "mid")).cloned()
}

/// Our answer to audio section `index`.
fn take(
    local: &LocalMedia,
    offer: &SessionDescription,
    index: usize,
    wish: Direction,
) -> Result<(MediaDescription, Negotiated), OfferAnswerError> {
    let m = &offer.media[index];
    let (mut audio, events) = common_codecs(local, m)?;
    prefer_dtmf_capable(&mut audio, &events);
    let events: Vec<(Format<'_>, &CodecSpec)> =
        events.into_iter().filter(|(f, _)| audio.iter().any(|(a, _)| a.clock_rate == f.clock_rate)).collect();
    let rtcp_mux = local.rtcp_mux && m.rtcp_mux();
    let (remote_rtp, remote_rtcp) = remote_addresses(offer, index, rtcp_mux)?;
    let ptime = packet_time(m, local.ptime);
    let direction = offer.direction_for(index).reversed().intersect(wish);

    let codecs: Vec<Codec> = audio.iter().map(|(f, spec)| super::agreed(spec, f)).collect();
    let chosen = codecs[0].clone();
    let telephone_event =
        events.iter().find(|(f, _)| f.clock_rate == chosen.clock_rate).map(|(f, spec)| super::agreed(spec, f));

    let formats: Vec<String> = audio.iter().chain(&events).map(|(f, _)| f.payload_type.to_string()).collect();
    let mut section = MediaDescription::new("audio", local.port, &m.proto, formats);
    let listed: Vec<(u8, &CodecSpec)> = audio.iter().chain(&events).map(|(f, spec)| (f.payload_type, *spec)).collect();
    describe_section(&mut section, &listed, ptime, direction, rtcp_mux);
    section.attributes.extend(mid_of(m));

    let negotiated = Negotiated {
        media_index: index,
        codec: chosen,
        codecs,
        telephone_event,
        remote_rtp,
        remote_rtcp,
        rtcp_mux,
        direction,
        ptime,
    };
    Ok((section, negotiated))
}

type Taken<'a, 'b> = Vec<(Format<'a>, &'b CodecSpec)>;

/// The offered audio codecs we have and the offered telephone-events we
/// have, in the offer's order, each payload type once.
fn common_codecs<'a, 'b>(
    local: &'b LocalMedia,
    m: &'a MediaDescription,
) -> Result<(Taken<'a, 'b>, Taken<'a, 'b>), OfferAnswerError> {
    let mut audio: Taken<'a, 'b> = Vec::new();
    let mut events: Taken<'a, 'b> = Vec::new();
    let mut offered = Vec::new();
    for payload_type in m.payload_types() {
        let Some(format) = format_of(m, payload_type) else {
            offered.push(payload_type.to_string());
            continue;
        };
        offered.push(format.describe());
        let seen = audio.iter().chain(&events).any(|(f, _)| f.payload_type == payload_type);
        match spec_for(&local.codecs, &format) {
            Some(spec) if !seen && spec.encoding == Encoding::TelephoneEvent => events.push((format, spec)),
            Some(spec) if !seen => audio.push((format, spec)),
            _ => {}
        }
    }
    if audio.is_empty() {
        return Err(OfferAnswerError::NoCommonCodec { offered: offered.join(" "), ours: list_ours(&local.codecs) });
    }
    Ok((audio, events))
}

/// When telephone-event is offered, moves the first codec that has one at
/// its clock rate to the front (the rest keep the offer's order).
fn prefer_dtmf_capable(audio: &mut Taken<'_, '_>, events: &Taken<'_, '_>) {
    let first_capable = audio.iter().position(|(a, _)| events.iter().any(|(e, _)| e.clock_rate == a.clock_rate));
    if let Some(position) = first_capable {
        audio[..=position].rotate_right(1);
    }
}
