//! The session's frame: every 20 ms on the mixed path (pull, mix, play,
//! send, record) or the recording's tap on the relay; and moving each
//! leg's datagrams and events into the session's queues.

use std::time::Instant;

use super::{CallMedia, DtmfSource, LegEnd, LegKind, MediaPath, RECORDING_FLUSH_FRAMES, SessionEvent, Transmit};
use crate::FRAME_SAMPLES;
use crate::dtmf::Digit;
use crate::player::Played;
use crate::rtp;
use crate::webrtc::LegEvent;

impl CallMedia {
    /// One frame of the mix: pull, mix, play, send, record.
    pub(super) fn mix_frame(&mut self, now: Instant) {
        for leg in &mut self.legs {
            let pushed = match &mut leg.kind {
                LegKind::Rtp(rtp) => {
                    rtp.pull(now, true, &mut self.scratch);
                    true
                }
                LegKind::WebRtc(webrtc) => match webrtc.poll_frame() {
                    Some(frame) => {
                        self.scratch = frame.pcm;
                        true
                    }
                    None => false,
                },
            };
            if pushed {
                let _ = self.mixer.push_input(leg.participant, &self.scratch);
            }
            if let Some(recording) = &mut self.recording
                && recording.leg == leg.id
            {
                recording.left_frame = if pushed { self.scratch } else { [0; FRAME_SAMPLES] };
            }
        }
        self.mixer.mix();
        for index in 0..self.legs.len() {
            self.send_frame(index, now);
        }
        self.write_recording();
        self.update_path(now);
    }

    /// Sends one leg its frame: the player's, or what it hears.
    pub(super) fn send_frame(&mut self, index: usize, now: Instant) {
        let leg = &mut self.legs[index];
        let heard = self.mixer.output(leg.participant).map(|out| *out.samples).unwrap_or([0; FRAME_SAMPLES]);
        if let Some(recording) = &mut self.recording
            && recording.leg == leg.id
        {
            recording.right_frame = heard;
        }
        self.scratch = heard;
        if let Some((player, play)) = &mut leg.player
            && player.next_frame(&mut self.scratch) != Played::Audio
        {
            let play = *play;
            leg.player = None;
            self.events.push_back(SessionEvent::PlayFinished { leg: leg.id, play });
        }
        let id = leg.id;
        match &mut leg.kind {
            LegKind::Rtp(rtp) => {
                if let Some((destination, packet)) = rtp.send(&self.scratch, now) {
                    let contents = packet.to_vec();
                    self.transmits.push_back(Transmit { leg: id, destination, rtcp: false, contents });
                }
            }
            LegKind::WebRtc(webrtc) => {
                if webrtc.is_connected() {
                    // An encoder failure loses this frame only.
                    let _ = webrtc.send_frame(&self.scratch, now);
                }
            }
        }
        self.drain_leg(index);
    }

    /// One frame of a relayed call's recording: both legs decoded, the
    /// recorded leg left and the leg relayed with it (what it hears) right.
    pub(super) fn tap_frame(&mut self, now: Instant) {
        let Some(recording) = &mut self.recording else { return };
        let heard = self.fast.as_ref().map(|fast| if fast.a == recording.leg { fast.b } else { fast.a });
        for leg in &mut self.legs {
            let LegKind::Rtp(rtp) = &mut leg.kind else { continue };
            if leg.id == recording.leg {
                rtp.pull(now, false, &mut recording.left_frame);
            } else if Some(leg.id) == heard {
                rtp.pull(now, false, &mut recording.right_frame);
            }
        }
        self.write_recording();
    }

    pub(super) fn write_recording(&mut self) {
        let Some(recording) = &mut self.recording else { return };
        let mut result = recording.writer.write_frame(&recording.left_frame, &recording.right_frame);
        recording.frames += 1;
        if result.is_ok() && recording.frames.is_multiple_of(RECORDING_FLUSH_FRAMES) {
            result = recording.writer.flush();
        }
        if let Err(error) = result
            && let Some(recording) = self.recording.take()
        {
            self.events.push_back(SessionEvent::RecordingFailed { path: recording.path, error: error.to_string() });
        }
    }

    /// Moves a leg's datagrams and events into the session's queues.
    pub(super) fn drain_leg(&mut self, index: usize) {
        let leg = &mut self.legs[index];
        let id = leg.id;
        match &mut leg.kind {
            LegKind::Rtp(rtp) => {
                while let Some(t) = rtp.session.poll_transmit() {
                    self.transmits.push_back(Transmit {
                        leg: id,
                        destination: t.destination,
                        rtcp: t.rtcp,
                        contents: t.contents,
                    });
                }
                while let Some(event) = rtp.session.poll_event() {
                    let event = match event {
                        rtp::Event::Latched(peer) => SessionEvent::Latched { leg: id, peer },
                        rtp::Event::Ended(rtp::EndReason::Bye(_)) => {
                            SessionEvent::LegEnded { leg: id, reason: LegEnd::Bye }
                        }
                        rtp::Event::Ended(rtp::EndReason::Timeout) => {
                            SessionEvent::LegEnded { leg: id, reason: LegEnd::MediaTimeout }
                        }
                        _ => continue,
                    };
                    self.events.push_back(event);
                }
                while let Some(heard) = rtp.poll_digit() {
                    // In-band tones reach the other legs in the audio itself.
                    if self.path == MediaPath::Mix
                        && heard.source == DtmfSource::Rfc4733
                        && let Some(digit) = Digit::from_char(heard.digit)
                    {
                        self.heard_digits.push((id, digit, heard.duration));
                    }
                    self.events.push_back(SessionEvent::Dtmf {
                        leg: id,
                        digit: heard.digit,
                        duration: heard.duration,
                        source: heard.source,
                    });
                }
            }
            LegKind::WebRtc(webrtc) => {
                while let Some(t) = webrtc.poll_transmit() {
                    self.transmits.push_back(Transmit {
                        leg: id,
                        destination: t.destination,
                        rtcp: false,
                        contents: t.contents,
                    });
                }
                while let Some(event) = webrtc.poll_event() {
                    let event = match event {
                        LegEvent::Connected => SessionEvent::Connected { leg: id },
                        LegEvent::DtmfEnded { event, duration } if self.path == MediaPath::Mix => {
                            if let Some(digit) = Digit::from_event(event) {
                                self.heard_digits.push((id, digit, duration));
                            }
                            SessionEvent::Dtmf {
                                leg: id,
                                digit: Digit::from_event(event).map_or('?', Digit::as_char),
                                duration,
                                source: DtmfSource::Rfc4733,
                            }
                        }
                        LegEvent::DtmfEnded { event, duration } => SessionEvent::Dtmf {
                            leg: id,
                            digit: Digit::from_event(event).map_or('?', Digit::as_char),
                            duration,
                            source: DtmfSource::Rfc4733,
                        },
                        LegEvent::Closed => SessionEvent::LegEnded { leg: id, reason: LegEnd::Closed },
                        _ => continue,
                    };
                    self.events.push_back(event);
                }
            }
        }
    }
}
