//! A WebRTC leg against a second str0m instance playing the browser (full
//! ICE, controlling, DTLS-SRTP), through an in-memory network on a virtual
//! clock: no sockets, no sleeping.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::FRAME_SAMPLES;
use media::opus::{Concealment, MAX_PACKET_BYTES, OpusDecoder, OpusEncoder};
use media::webrtc::{Datagram, FrameSource, LegConfig, LegEvent, ReceivedFrame, WebRtcLeg};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::format::{Codec, CodecExtra, FormatParams};
use str0m::media::{Direction, Frequency, MediaData, MediaKind, MediaTime, Mid, Pt, TelephoneEvent};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc, RtcConfig};

use crate::opus_codec::{sine_frame, tone_amplitude};

pub(crate) const LEG_ADDR: &str = "192.0.2.10:40000";
pub(crate) const BROWSER_ADDR: &str = "198.51.100.7:50000";
pub(crate) const LATENCY: Duration = Duration::from_millis(10);
const FRAME: Duration = Duration::from_millis(20);

/// A datagram on its way, delivered at `at`.
pub(crate) struct InFlight {
    pub at: Instant,
    pub to_leg: bool,
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub contents: Vec<u8>,
}

/// The browser: str0m with full ICE, Opus and telephone-event at 48 kHz.
pub(crate) struct Browser {
    pub rtc: Rtc,
    pub mid: Option<Mid>,
    pub timeout: Instant,
    pub media: Vec<MediaData>,
    pub connected: bool,
}

impl Browser {
    pub fn new(now: Instant) -> Self {
        let mut config = RtcConfig::new().clear_codecs().enable_opus(true, false);
        config.codec_config().add_config(
            110.into(),
            None,
            Codec::Tele,
            Frequency::FORTY_EIGHT_KHZ,
            None,
            FormatParams::default(),
        );
        let mut rtc = config.build(now);
        rtc.add_local_candidate(Candidate::host(BROWSER_ADDR.parse().unwrap(), "udp").unwrap());
        Browser { rtc, mid: None, timeout: now, media: Vec::new(), connected: false }
    }

    pub fn opus_pt(&mut self) -> Pt {
        let mid = self.mid.unwrap();
        let writer = self.rtc.writer(mid).unwrap();
        writer.payload_params().find(|p| p.spec().codec == Codec::Opus).unwrap().pt()
    }

    /// Drains str0m, queueing datagrams for the leg.
    pub fn drain(&mut self, now: Instant, net: &mut VecDeque<InFlight>) {
        loop {
            match self.rtc.poll_output().expect("the browser's str0m accepts our leg's packets") {
                Output::Timeout(at) => {
                    self.timeout = at;
                    return;
                }
                Output::Transmit(t) => net.push_back(InFlight {
                    at: now + LATENCY,
                    to_leg: true,
                    source: t.source,
                    destination: t.destination,
                    contents: t.contents.into(),
                }),
                Output::Event(Event::Connected) => self.connected = true,
                Output::Event(Event::MediaData(data)) => self.media.push(data),
                Output::Event(_) => {}
            }
        }
    }
}

/// The leg, the browser, and the network between them.
struct Call {
    now: Instant,
    leg: WebRtcLeg,
    /// A second leg on the same port, never negotiated with this browser:
    /// it must refuse every datagram (one port, many legs).
    bystander: WebRtcLeg,
    browser: Browser,
    net: VecDeque<InFlight>,
    leg_events: Vec<LegEvent>,
    leg_frames: Vec<ReceivedFrame>,
    /// Drops the n-th RTP datagram from the browser to the leg when true.
    drop_rtp: fn(usize) -> bool,
    rtp_sent: usize,
}

impl Call {
    /// Negotiates with the browser as the offerer (its offer, our answer).
    fn new() -> Self {
        let now = Instant::now();
        let config = LegConfig::new(vec![LEG_ADDR.parse().unwrap()]);
        let mut leg = WebRtcLeg::new(&config, now).unwrap();
        let bystander = WebRtcLeg::new(&config, now).unwrap();
        let mut browser = Browser::new(now);

        let mut change = browser.rtc.sdp_api();
        browser.mid = Some(change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None));
        let (offer, pending) = change.apply().unwrap();
        let answer = leg.accept_offer(&offer.to_sdp_string()).unwrap();
        assert!(answer.contains("a=ice-lite"), "{answer}");
        assert!(answer.contains("a=rtcp-mux"), "{answer}");
        assert!(answer.contains("telephone-event/48000"), "{answer}");
        let answer = SdpAnswer::from_sdp_string(&answer).unwrap();
        browser.rtc.sdp_api().accept_answer(pending, answer).unwrap();

        let mut call = Call {
            now,
            leg,
            bystander,
            browser,
            net: VecDeque::new(),
            leg_events: Vec::new(),
            leg_frames: Vec::new(),
            drop_rtp: |_| false,
            rtp_sent: 0,
        };
        call.browser.drain(now, &mut call.net);
        call.collect_leg();
        call
    }

    /// Takes what the leg has for us; its datagrams go on the network.
    fn collect_leg(&mut self) {
        while let Some(t) = self.leg.poll_transmit() {
            self.net.push_back(InFlight {
                at: self.now + LATENCY,
                to_leg: false,
                source: t.source,
                destination: t.destination,
                contents: t.contents,
            });
        }
        while let Some(event) = self.leg.poll_event() {
            self.leg_events.push(event);
        }
        while let Some(frame) = self.leg.poll_frame() {
            self.leg_frames.push(frame);
        }
    }

    /// Whether the browser's datagram is SRTP media (not RTCP, STUN, DTLS).
    fn is_rtp(contents: &[u8]) -> bool {
        contents.len() > 1 && contents[0] >> 6 == 2 && !(192..=223).contains(&contents[1])
    }

    fn deliver(&mut self, d: InFlight) {
        if d.to_leg {
            if Self::is_rtp(&d.contents) {
                self.rtp_sent += 1;
                if (self.drop_rtp)(self.rtp_sent) {
                    return;
                }
            }
            let datagram = Datagram { source: d.source, destination: d.destination, contents: &d.contents };
            assert!(self.leg.accepts(&datagram), "the leg takes its browser's datagrams");
            assert!(!self.bystander.accepts(&datagram), "another leg on the port does not");
            self.leg.handle_datagram(&datagram, self.now).unwrap();
            self.collect_leg();
        } else {
            let receive = Receive::new(Protocol::Udp, d.source, d.destination, &d.contents).unwrap();
            self.browser.rtc.handle_input(Input::Receive(self.now, receive)).unwrap();
            self.browser.drain(self.now, &mut self.net);
        }
    }

    /// Runs the virtual clock to `until`, jumping from one wake-up to the
    /// next: a delivery, the leg's timeout or the browser's.
    fn run_until(&mut self, until: Instant) {
        loop {
            let delivery = self.net.iter().map(|d| d.at).min();
            let next = [delivery, self.leg.poll_timeout(), Some(self.browser.timeout)]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(until);
            if next > until {
                self.now = until;
                return;
            }
            self.now = self.now.max(next);
            while let Some(i) = self.net.iter().position(|d| d.at <= self.now) {
                let d = self.net.remove(i).unwrap();
                self.deliver(d);
            }
            if self.leg.poll_timeout().is_some_and(|t| t <= self.now) {
                self.leg.handle_timeout(self.now).unwrap();
                self.collect_leg();
            }
            if self.browser.timeout <= self.now {
                self.browser.rtc.handle_input(Input::Timeout(self.now)).unwrap();
                self.browser.drain(self.now, &mut self.net);
            }
        }
    }

    /// Runs until both sides are connected, at most five virtual seconds.
    fn connect(&mut self) {
        let deadline = self.now + Duration::from_secs(5);
        while !(self.leg.is_connected() && self.browser.connected) {
            assert!(self.now < deadline, "ICE and DTLS did not complete");
            let step = self.now + Duration::from_millis(5);
            self.run_until(step);
        }
        assert_eq!(self.leg_events, [LegEvent::Connected]);
    }

    /// Exchanges `frames` 20 ms frames: the browser sends 440 Hz, the leg
    /// 700 Hz; then lets the last packets arrive.
    fn talk(&mut self, frames: usize) {
        let mut encoder = OpusEncoder::new().unwrap();
        let mut packet = [0u8; MAX_PACKET_BYTES];
        let pt = self.browser.opus_pt();
        let mid = self.browser.mid.unwrap();
        for i in 0..frames {
            let len = encoder.encode(&sine_frame(440.0, 8_000.0, i), &mut packet).unwrap();
            let time = MediaTime::new(i as u64 * 960, Frequency::FORTY_EIGHT_KHZ);
            let writer = self.browser.rtc.writer(mid).unwrap();
            writer.write(pt, self.now, time, &packet[..len]).unwrap();
            self.browser.drain(self.now, &mut self.net);
            self.leg.send_frame(&sine_frame(700.0, 8_000.0, i), self.now).unwrap();
            self.collect_leg();
            let next = self.now + FRAME;
            self.run_until(next);
        }
        let settle = self.now + Duration::from_millis(200);
        self.run_until(settle);
    }

    /// The browser's received Opus packets, decoded.
    fn browser_decoded(&self) -> Vec<[i16; FRAME_SAMPLES]> {
        let mut decoder = OpusDecoder::new().unwrap();
        let opus: Vec<_> = self.browser.media.iter().filter(|m| m.params.spec().codec == Codec::Opus).collect();
        opus.iter()
            .map(|m| {
                let mut pcm = [0i16; FRAME_SAMPLES];
                decoder.decode(&m.data, &mut pcm).unwrap();
                pcm
            })
            .collect()
    }
}

#[test]
fn a_browser_leg_connects_as_ice_lite_and_carries_opus_both_ways() {
    let mut call = Call::new();
    call.connect();
    call.talk(50);

    // Our leg hears the browser's 440 Hz tone, and not our own 700 Hz.
    let frames = &call.leg_frames;
    assert!(frames.len() >= 45, "{} frames decoded", frames.len());
    for (i, frame) in frames.iter().enumerate().skip(5) {
        assert_eq!(frame.source, FrameSource::Decoded, "frame {i}: nothing was lost");
        let at_440 = tone_amplitude(&frame.pcm, 440.0);
        assert!(at_440 > 6_000.0, "frame {i}: 440 Hz at {at_440:.0}");
        assert!(tone_amplitude(&frame.pcm, 700.0) < at_440 / 20.0, "frame {i}");
    }
    // The browser hears our 700 Hz tone.
    let decoded = call.browser_decoded();
    assert!(decoded.len() >= 45, "{} packets at the browser", decoded.len());
    for (i, pcm) in decoded.iter().enumerate().skip(5) {
        let at_700 = tone_amplitude(pcm, 700.0);
        assert!(at_700 > 6_000.0, "browser frame {i}: 700 Hz at {at_700:.0}");
        assert!(tone_amplitude(pcm, 440.0) < at_700 / 20.0, "browser frame {i}");
    }
    let stats = call.leg.receive_stats();
    assert_eq!(stats.packets_decoded, frames.len() as u64);
    assert_eq!(call.leg.input_errors(), 0);
}

#[test]
fn lost_browser_packets_are_concealed_and_the_tone_goes_on() {
    let mut call = Call::new();
    call.connect();
    // Every tenth RTP packet from the browser is lost on the way: frames
    // 9, 19, … 59 of the 60 sent.
    call.drop_rtp = |n| n % 10 == 0;
    call.talk(60);

    // Each gap is filled when the packet after it arrives, from its FEC
    // (libopus falls back to PLC where the encoder left none); the last
    // loss has no packet after it.
    let stats = call.leg.receive_stats();
    assert_eq!(stats.packets_decoded, 54, "{stats:?}");
    assert_eq!(stats.frames_concealed_fec, 5, "{stats:?}");
    let frames = &call.leg_frames;
    assert_eq!(frames.len(), 59, "every frame but the trailing lost one is there");
    for i in [9, 19, 29, 39, 49] {
        assert_eq!(frames[i].source, FrameSource::Concealed(Concealment::Fec), "frame {i}");
    }
    let mut full = 0;
    for (i, frame) in frames.iter().enumerate().skip(5) {
        let at_440 = tone_amplitude(&frame.pcm, 440.0);
        assert!(at_440 > 1_500.0, "frame {i} ({:?}): 440 Hz at {at_440:.0}", frame.source);
        assert!(tone_amplitude(&frame.pcm, 700.0) < at_440 / 5.0, "frame {i}");
        full += usize::from(at_440 > 6_000.0);
    }
    assert!(full >= 44, "{full} of 54 frames at full level");
}

#[test]
fn telephone_events_are_reported_once_per_key_press_both_ways() {
    let mut call = Call::new();
    call.connect();
    let pt = call.browser.opus_pt();
    let mid = call.browser.mid.unwrap();
    // The browser presses 5 for 120 ms; str0m sends its start, updates and
    // three end packets.
    let report = TelephoneEvent { event: 5, end: true, volume: 10, duration: Duration::from_millis(120) };
    let time = MediaTime::new(0, Frequency::FORTY_EIGHT_KHZ);
    let writer = call.browser.rtc.writer(mid).unwrap();
    writer.telephone_event(report).write(pt, call.now, time, &[][..]).unwrap();
    call.browser.drain(call.now, &mut call.net);
    // And our leg sends # (11) for 100 ms.
    call.leg.send_dtmf(11, Duration::from_millis(100), call.now).unwrap();
    assert!(matches!(
        call.leg.send_dtmf(3, Duration::from_millis(100), call.now),
        Err(media::webrtc::WebRtcError::DtmfBusy)
    ));
    call.collect_leg();
    let until = call.now + Duration::from_millis(500);
    call.run_until(until);

    assert_eq!(
        call.leg_events[1..],
        [LegEvent::DtmfStarted { event: 5 }, LegEvent::DtmfEnded { event: 5, duration: Duration::from_millis(120) },]
    );
    let at_browser: Vec<TelephoneEvent> = call
        .browser
        .media
        .iter()
        .filter_map(|m| match m.codec_extra {
            CodecExtra::Tele(t) => Some(t),
            _ => None,
        })
        .collect();
    assert!(at_browser.iter().all(|t| t.event == 11), "{at_browser:?}");
    let last = at_browser.last().expect("the browser got the telephone event");
    assert!(last.end && last.duration == Duration::from_millis(100), "{last:?}");
}

#[test]
fn garbage_datagrams_are_refused_and_the_leg_goes_on() {
    let mut call = Call::new();
    call.connect();
    let source: SocketAddr = BROWSER_ADDR.parse().unwrap();
    let destination: SocketAddr = LEG_ADDR.parse().unwrap();
    for contents in [&b""[..], &[0xff; 40], &[0x80, 0x6f, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], &[0x16; 13]] {
        let datagram = Datagram { source, destination, contents };
        // Refused or ignored, never a panic; the call is still up after.
        let _ = call.leg.handle_datagram(&datagram, call.now);
    }
    call.collect_leg();
    call.talk(20);
    assert!(call.leg_frames.len() >= 15);
    assert!(call.leg.is_connected());
}

#[test]
fn the_leg_offers_and_takes_the_browser_answer() {
    let now = Instant::now();
    let config = LegConfig::new(vec![LEG_ADDR.parse().unwrap()]);
    let mut leg = WebRtcLeg::new(&config, now).unwrap();
    let offer = leg.create_offer().unwrap();
    assert!(offer.contains("a=ice-lite") && offer.contains("a=setup:actpass"), "{offer}");
    let mut browser = Browser::new(now);
    let answer = browser.rtc.sdp_api().accept_offer(SdpOffer::from_sdp_string(&offer).unwrap()).unwrap();
    leg.accept_answer(&answer.to_sdp_string()).unwrap();
    assert!(matches!(leg.accept_answer(&answer.to_sdp_string()), Err(media::webrtc::WebRtcError::WrongState { .. })));
    assert!(matches!(leg.accept_offer("v=0 nonsense"), Err(media::webrtc::WebRtcError::Sdp(_))));
}

#[test]
fn forty_ms_packets_come_out_as_20_ms_frames() {
    let mut call = Call::new();
    call.connect();
    let mut encoder = opus::Encoder::new(16_000, opus::Channels::Mono, opus::Application::Voip).unwrap();
    let pt = call.browser.opus_pt();
    let mid = call.browser.mid.unwrap();
    let mut packet = [0u8; MAX_PACKET_BYTES];
    for i in 0..20 {
        let mut pcm = [0i16; 2 * FRAME_SAMPLES];
        pcm[..FRAME_SAMPLES].copy_from_slice(&sine_frame(440.0, 8_000.0, 2 * i));
        pcm[FRAME_SAMPLES..].copy_from_slice(&sine_frame(440.0, 8_000.0, 2 * i + 1));
        let len = encoder.encode(&pcm, &mut packet).unwrap();
        let time = MediaTime::new(i as u64 * 1920, Frequency::FORTY_EIGHT_KHZ);
        let writer = call.browser.rtc.writer(mid).unwrap();
        writer.write(pt, call.now, time, &packet[..len]).unwrap();
        call.browser.drain(call.now, &mut call.net);
        let next = call.now + 2 * FRAME;
        call.run_until(next);
    }
    assert_eq!(call.leg.receive_stats().packets_decoded, 20);
    assert_eq!(call.leg_frames.len(), 40);
    assert!(call.leg_frames.iter().all(|f| f.source == FrameSource::Decoded));
    for (i, frame) in call.leg_frames.iter().enumerate().skip(5) {
        assert!(tone_amplitude(&frame.pcm, 440.0) > 6_000.0, "frame {i}");
    }
}

#[test]
fn an_offered_video_line_is_refused_and_audio_still_negotiated() {
    let now = Instant::now();
    let config = LegConfig::new(vec![LEG_ADDR.parse().unwrap()]);
    let mut leg = WebRtcLeg::new(&config, now).unwrap();
    let mut browser = RtcConfig::new().enable_vp8(true).build(now);
    browser.add_local_candidate(Candidate::host(BROWSER_ADDR.parse().unwrap(), "udp").unwrap());
    let mut change = browser.sdp_api();
    change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    change.add_media(MediaKind::Video, Direction::SendRecv, None, None, None);
    let (offer, _pending) = change.apply().unwrap();
    let offer = offer.to_sdp_string();
    assert!(offer.contains("m=video 9"), "{offer}");
    let answer = leg.accept_offer(&offer).unwrap();
    assert!(answer.contains("m=audio 9"), "{answer}");
    assert!(answer.contains("m=video 0"), "{answer}");
    assert!(!answer.contains("VP8"), "{answer}");
}

#[test]
fn arbitrary_datagrams_and_mangled_offers_never_panic() {
    use proptest::prelude::*;
    use proptest::test_runner::TestRunner;
    use std::cell::RefCell;

    let call = RefCell::new(Call::new());
    call.borrow_mut().connect();
    let source: SocketAddr = BROWSER_ADDR.parse().unwrap();
    let destination: SocketAddr = LEG_ADDR.parse().unwrap();
    // First bytes that str0m demultiplexes as STUN, DTLS and RTP/RTCP, so
    // the rest reaches each parser.
    let datagram =
        (prop_oneof![0u8..2, 20u8..64, 128u8..192, any::<u8>()], proptest::collection::vec(any::<u8>(), 0..600));
    let mut runner = TestRunner::new(crate::opus_codec::fixed_seed());
    runner
        .run(&datagram, |(first, rest)| {
            let mut contents = vec![first];
            contents.extend(rest);
            let mut call = call.borrow_mut();
            let datagram = Datagram { source, destination, contents: &contents };
            let _ = call.leg.accepts(&datagram);
            let now = call.now;
            let _ = call.leg.handle_datagram(&datagram, now);
            call.collect_leg();
            Ok(())
        })
        .unwrap();
    let mut call = call.into_inner();
    call.leg_frames.clear();
    call.talk(20);
    assert!(call.leg.is_connected() && call.leg_frames.len() >= 15);

    // An offer with one byte replaced, or cut short.
    let now = Instant::now();
    let mut browser = Browser::new(now);
    let mut change = browser.rtc.sdp_api();
    change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let offer = change.apply().unwrap().0.to_sdp_string();
    let config = LegConfig::new(vec![LEG_ADDR.parse().unwrap()]);
    let mangled = (0..offer.len(), any::<char>(), any::<bool>());
    // A runner runs its cases once: a fresh one for the second property.
    TestRunner::new(crate::opus_codec::fixed_seed())
        .run(&mangled, |(at, c, cut)| {
            let at = (0..=at).rev().find(|&i| offer.is_char_boundary(i)).unwrap_or(0);
            let mut text = offer[..at].to_string();
            if !cut {
                text.push(c);
                text.push_str(offer[at..].get(1..).unwrap_or(""));
            }
            let mut leg = WebRtcLeg::new(&config, now).unwrap();
            let _ = leg.accept_offer(&text);
            Ok(())
        })
        .unwrap();
}

#[test]
fn closing_the_leg_says_goodbye_and_ends_with_a_closed_event() {
    let mut call = Call::new();
    call.connect();
    let on_the_wire = call.net.len();
    call.leg.close();
    call.collect_leg();
    assert!(call.net.len() > on_the_wire, "close sends RTCP BYE and DTLS close_notify");
    let until = call.now + Duration::from_secs(1);
    call.run_until(until);
    assert_eq!(call.leg_events, [LegEvent::Connected, LegEvent::Closed]);
    assert!(!call.leg.is_connected());
    assert_eq!(call.leg.poll_timeout(), None);
    assert!(matches!(
        call.leg.send_frame(&[0; FRAME_SAMPLES], call.now),
        Err(media::webrtc::WebRtcError::NotConnected)
    ));
}

#[test]
fn a_wrong_answer_call_leaves_a_connected_leg_connected() {
    let mut call = Call::new();
    call.connect();
    let offer = {
        let mut other = Browser::new(call.now);
        let mut change = other.rtc.sdp_api();
        change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        change.apply().unwrap().0.to_sdp_string()
    };
    // An offer is no answer, and there is no offer of ours pending.
    assert!(matches!(call.leg.accept_answer(&offer), Err(media::webrtc::WebRtcError::WrongState { .. })));
    assert!(call.leg.is_connected());
    call.talk(10);
    assert!(call.leg_frames.len() >= 8);
}

#[test]
fn a_sender_clock_that_jumps_back_is_followed_not_dropped() {
    let mut call = Call::new();
    call.connect();
    let mut encoder = OpusEncoder::new().unwrap();
    let mut packet = [0u8; MAX_PACKET_BYTES];
    let pt = call.browser.opus_pt();
    let mid = call.browser.mid.unwrap();
    // 20 frames at RTP time 10 s on, then 20 from 0 again (a restarted
    // sender), then a packet 40 ms late, which is dropped.
    let times = (0..20u64).map(|i| 480_000 + i * 960).chain((0..20u64).map(|i| i * 960)).chain([17 * 960]);
    for (i, rtp) in times.enumerate() {
        let len = encoder.encode(&sine_frame(440.0, 8_000.0, i), &mut packet).unwrap();
        let time = MediaTime::new(rtp, Frequency::FORTY_EIGHT_KHZ);
        let writer = call.browser.rtc.writer(mid).unwrap();
        writer.write(pt, call.now, time, &packet[..len]).unwrap();
        call.browser.drain(call.now, &mut call.net);
        let next = call.now + FRAME;
        call.run_until(next);
    }
    let stats = call.leg.receive_stats();
    assert_eq!(stats.packets_decoded, 40, "{stats:?}");
    assert_eq!(stats.packets_late, 1, "{stats:?}");
    assert_eq!(call.leg_frames.len(), 40);
}
