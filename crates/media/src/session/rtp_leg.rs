//! One plain RTP leg of a call (a trunk, a desk phone): its RTP session,
//! its codec path to and from the mixer's 16 kHz frames, and its DTMF:
//! RFC 4733 received and sent when the peer agreed on telephone-event,
//! in-band tones detected on the decoded audio otherwise.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::FRAME_SAMPLES;
use crate::dtmf::{Digit, DtmfError, DtmfReceiver, DtmfSender, ReceiverConfig, SenderConfig};
use crate::dtmf_detect::{DtmfConfig, DtmfDetector, DtmfEvent as InBandEvent};
use crate::opus::{MAX_PACKET_BYTES, OpusError};
use crate::rtp::{self, Handled, RtpSession};

use super::codec::Codec;
use super::{DtmfSource, RtpLegSpec};

/// The rate in-band DTMF is detected at (G.711's).
const IN_BAND_RATE: u64 = 8_000;

/// The RTP header of an audio or telephone-event packet that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arrived {
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub marker: bool,
    /// Whether it is a telephone-event packet.
    pub event: bool,
}

/// A digit heard on the leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeardDigit {
    pub digit: char,
    pub duration: Duration,
    pub source: DtmfSource,
}

/// One RTP leg: see the [module docs](self).
#[derive(Debug)]
pub(crate) struct RtpLeg {
    pub session: RtpSession,
    pub spec: RtpLegSpec,
    pub codec: Codec,
    dtmf_in: Option<DtmfReceiver>,
    dtmf_out: Option<DtmfSender>,
    in_band: DtmfDetector,
    /// The RTP timestamp of the next frame we send ourselves.
    pub next_timestamp: u32,
    /// Set the marker bit on the next packet we send (a new talk spurt).
    pub marker_next: bool,
    payload: [u8; MAX_PACKET_BYTES],
    packet: [u8; 12 + MAX_PACKET_BYTES],
}

impl RtpLeg {
    /// A leg as `spec` describes it, with our `ssrc`, first sequence
    /// number and first timestamp.
    pub fn new(spec: RtpLegSpec, ssrc: u32, sequence: u16, timestamp: u32, now: Instant) -> Result<RtpLeg, OpusError> {
        let rate = Codec::clock_rate(spec.codec);
        let mut config = rtp::Config::new(ssrc, sequence).with_payload(spec.payload_type, rate);
        if let Some(pt) = spec.telephone_event {
            config = config.with_telephone_event(pt, rate);
        }
        config.remote = spec.remote;
        config.rtcp_mux = spec.rtcp_mux;
        config.media_timeout = spec.media_timeout;
        Ok(RtpLeg {
            session: RtpSession::new(config, now),
            codec: Codec::new(spec.codec)?,
            dtmf_in: spec.telephone_event.map(|_| DtmfReceiver::new(ReceiverConfig::new(rate))),
            dtmf_out: spec.telephone_event.map(|_| DtmfSender::new(SenderConfig::new(rate))),
            in_band: DtmfDetector::new(DtmfConfig::default()),
            spec,
            next_timestamp: timestamp,
            marker_next: true,
            payload: [0; MAX_PACKET_BYTES],
            packet: [0; 12 + MAX_PACKET_BYTES],
        })
    }

    /// Takes what a new offer/answer agreed (a re-INVITE): the peer's
    /// address, the codec, telephone-event, whether we send.
    pub fn update(&mut self, spec: RtpLegSpec) -> Result<(), OpusError> {
        self.session.set_remote(spec.remote);
        let rate = Codec::clock_rate(spec.codec);
        if spec.codec != self.spec.codec {
            self.codec = Codec::new(spec.codec)?;
            self.session.set_payload(spec.payload_type, rate);
        }
        if let Some(pt) = spec.telephone_event {
            self.session.set_telephone_event(pt, rate);
        }
        let events_changed = spec.telephone_event.is_some() != self.spec.telephone_event.is_some();
        if events_changed || spec.codec != self.spec.codec {
            self.dtmf_in = spec.telephone_event.map(|_| DtmfReceiver::new(ReceiverConfig::new(rate)));
            self.dtmf_out = spec.telephone_event.map(|_| DtmfSender::new(SenderConfig::new(rate)));
        }
        self.spec = spec;
        Ok(())
    }

    /// Takes a datagram: the header of an RTP packet of ours to decode or
    /// relay, or `None` (RTCP, or dropped and counted). A telephone-event
    /// packet also goes to the DTMF receiver.
    pub fn receive(&mut self, bytes: &[u8], source: SocketAddr, now: Instant) -> Option<(Arrived, usize)> {
        let Handled::Rtp(header) = self.session.handle_packet(bytes, source, now) else {
            return None;
        };
        let event = Some(header.payload_type) == self.spec.telephone_event;
        if !event && header.payload_type != self.spec.payload_type {
            return None;
        }
        let arrived = Arrived {
            payload_type: header.payload_type,
            sequence: header.sequence,
            timestamp: header.timestamp,
            marker: header.marker,
            event,
        };
        if event && let Some(dtmf) = &mut self.dtmf_in {
            // A bad telephone-event payload is ignored; the stream goes on.
            let _ = dtmf.handle_packet(header.timestamp, header.sequence, header.marker, header.payload, now);
        }
        let offset = bytes.len() - header.payload.len();
        Some((arrived, offset))
    }

    /// Hands an audio packet's payload to the decoder's jitter buffer.
    pub fn buffer(&mut self, arrived: &Arrived, payload: &[u8], now: Instant) {
        if !arrived.event {
            self.codec.push_packet(arrived.sequence, arrived.timestamp, arrived.marker, payload, now);
        }
    }

    /// The next 20 ms of the peer's audio for the mixer. With `detect`
    /// (the call is mixed, the peer sends no telephone-event), decoded
    /// audio also goes through the in-band DTMF detector.
    pub fn pull(&mut self, now: Instant, detect: bool, out: &mut [i16; FRAME_SAMPLES]) {
        self.codec.pull(now, out);
        if detect
            && self.dtmf_in.is_none()
            && let Some(pcm8) = self.codec.last_pcm8()
        {
            self.in_band.push(pcm8);
        }
    }

    /// Sends one mixer frame to the peer: a telephone-event packet instead
    /// while a digit is being sent, else the frame encoded. Returns the
    /// datagram, or `None` when the leg has nowhere to send.
    pub fn send(&mut self, frame: &[i16; FRAME_SAMPLES], now: Instant) -> Option<(SocketAddr, &[u8])> {
        let timestamp = self.next_timestamp;
        self.next_timestamp = timestamp.wrapping_add(Codec::frame_ticks(self.spec.codec));
        if !self.spec.sends {
            self.marker_next = true;
            return None;
        }
        let destination = self.session.destination()?;
        if let (Some(sender), Some(pt)) = (&mut self.dtmf_out, self.spec.telephone_event)
            && let Some(packet) = sender.poll_packet(timestamp)
        {
            let payload = packet.payload();
            let len = self.session.write_rtp(pt, packet.marker, packet.timestamp, &payload, now, &mut self.packet)?;
            self.marker_next = true;
            return Some((destination, &self.packet[..len]));
        }
        if self.dtmf_out.as_ref().is_some_and(DtmfSender::is_active) {
            return None;
        }
        // An encoder failure loses the frame.
        let payload_len = self.codec.encode(frame, &mut self.payload)?;
        let marker = std::mem::take(&mut self.marker_next);
        let payload = &self.payload[..payload_len];
        let len = self.session.write_rtp(self.spec.payload_type, marker, timestamp, payload, now, &mut self.packet)?;
        Some((destination, &self.packet[..len]))
    }

    /// Queues a digit to send as RFC 4733 events; without telephone-event
    /// the caller plays it in band instead.
    pub fn send_digit(&mut self, digit: Digit, duration: Duration) -> Result<bool, DtmfError> {
        let Some(sender) = &mut self.dtmf_out else { return Ok(false) };
        let rate = u128::from(Codec::clock_rate(self.spec.codec));
        let samples = u32::try_from(duration.as_millis() * rate / 1000).unwrap_or(u32::MAX);
        sender.send(digit, samples, self.next_timestamp)?;
        Ok(true)
    }

    /// Whether a digit is being sent or waits to be (the call must mix).
    pub fn is_sending_digits(&self) -> bool {
        self.dtmf_out.as_ref().is_some_and(|s| s.is_active() || s.poll_timeout().is_some())
    }

    /// Fires the leg's timers: its RTCP reports and media timeout, a
    /// telephone event that ended without its end packets.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.session.handle_timeout(now);
        if let Some(dtmf) = &mut self.dtmf_in {
            dtmf.handle_timeout(now);
        }
    }

    /// The earliest of the leg's timers.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let dtmf = self.dtmf_in.as_ref().and_then(DtmfReceiver::poll_timeout);
        [self.session.poll_timeout(), dtmf].into_iter().flatten().min()
    }

    /// The next digit heard, by either detector.
    pub fn poll_digit(&mut self) -> Option<HeardDigit> {
        if let Some(event) = self.dtmf_in.as_mut().and_then(DtmfReceiver::poll_event) {
            return Some(HeardDigit {
                digit: event.digit.as_char(),
                duration: event.duration(),
                source: DtmfSource::Rfc4733,
            });
        }
        while let Some(event) = self.in_band.poll_event() {
            if let InBandEvent::Released { digit, start, end } = event {
                let duration = Duration::from_micros(end.saturating_sub(start) * 1_000_000 / IN_BAND_RATE);
                return Some(HeardDigit { digit: digit.as_char(), duration, source: DtmfSource::InBand });
            }
        }
        None
    }
}
