//! A WebRTC leg (a browser agent: a second str0m instance, full ICE,
//! DTLS-SRTP, Opus) bridged in one session to a plain RTP leg (a caller on
//! a G.711 trunk): the audio is transcoded through the mix both ways. A
//! virtual clock, an in-memory network, no sockets.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use media::g711::Law;
use media::opus::{MAX_PACKET_BYTES, OpusDecoder, OpusEncoder};
use media::rtp::RtpHeader;
use media::rtp::packet::write_rtp;
use media::session::{CallMedia, Hearing, LegId, MediaPath, RtpLegSpec, SessionEvent};
use media::webrtc::{LegConfig, WebRtcLeg};
use media::{FRAME_SAMPLES, goertzel::tone_energy};
use str0m::Input;
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime};
use str0m::net::{Protocol, Receive};

use crate::opus_codec::sine_frame;
use crate::webrtc_leg::{Browser, InFlight, LATENCY, LEG_ADDR};

const TRUNK: &str = "127.0.0.1:50000";
const FRAME: Duration = Duration::from_millis(20);

struct Bridge {
    now: Instant,
    media: CallMedia,
    browser: Browser,
    net: VecDeque<InFlight>,
    webrtc: LegId,
    trunk: LegId,
    /// μ-law audio the trunk peer received, decoded.
    trunk_heard: Vec<i16>,
    trunk_sequence: u16,
    events: Vec<SessionEvent>,
}

impl Bridge {
    /// The browser calls in: its offer, the session's answer.
    fn new() -> Bridge {
        Bridge::negotiated(false)
    }

    /// The session calls the browser (an agent's softphone rung): our
    /// offer, the browser's answer.
    fn we_offer() -> Bridge {
        Bridge::negotiated(true)
    }

    fn negotiated(we_offer: bool) -> Bridge {
        let now = Instant::now();
        let mut media = CallMedia::new(11);
        let leg = WebRtcLeg::new(&LegConfig::new(vec![LEG_ADDR.parse().unwrap()]), now).unwrap();
        let webrtc = media.add_webrtc_leg(leg, now).unwrap();
        let trunk = media.add_rtp_leg(RtpLegSpec::pcmu(Some(TRUNK.parse().unwrap())), now).unwrap();
        let mut browser = Browser::new(now);
        if we_offer {
            let offer = media.create_webrtc_offer(webrtc).unwrap();
            let answer = browser.rtc.sdp_api().accept_offer(SdpOffer::from_sdp_string(&offer).unwrap()).unwrap();
            browser.mid = answer.media_lines.first().map(|line| line.mid());
            media.accept_webrtc_answer(webrtc, &answer.to_sdp_string()).unwrap();
        } else {
            let mut change = browser.rtc.sdp_api();
            browser.mid = Some(change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None));
            let (offer, pending) = change.apply().unwrap();
            let answer = media.accept_webrtc_offer(webrtc, &offer.to_sdp_string()).unwrap();
            browser.rtc.sdp_api().accept_answer(pending, SdpAnswer::from_sdp_string(&answer).unwrap()).unwrap();
        }
        media.set_hearing(Hearing::Bridge { caller: trunk, agent: webrtc }, now).unwrap();
        let mut bridge = Bridge {
            now,
            media,
            browser,
            net: VecDeque::new(),
            webrtc,
            trunk,
            trunk_heard: Vec::new(),
            trunk_sequence: 1,
            events: Vec::new(),
        };
        bridge.browser.drain(now, &mut bridge.net);
        bridge
    }

    /// Moves the session's datagrams onto the network or to the trunk peer.
    fn collect(&mut self) {
        while let Some(t) = self.media.poll_transmit() {
            if t.leg == self.webrtc {
                let source = LEG_ADDR.parse().unwrap();
                let contents = t.contents;
                self.net.push_back(InFlight {
                    at: self.now + LATENCY,
                    to_leg: false,
                    source,
                    destination: t.destination,
                    contents,
                });
            } else if !t.rtcp
                && let Ok(h) = RtpHeader::parse(&t.contents)
            {
                let mut pcm = [0i16; 160];
                let n = Law::Ulaw.decode_into(h.payload, &mut pcm);
                self.trunk_heard.extend_from_slice(&pcm[..n]);
            }
        }
        while let Some(event) = self.media.poll_event() {
            self.events.push(event);
        }
    }

    /// The trunk peer's next 20 ms of 440 Hz as a μ-law packet to the session.
    fn trunk_sends(&mut self, index: usize) {
        let samples: Vec<i16> = (0..160)
            .map(|i| (8_000.0 * (std::f64::consts::TAU * 440.0 * (index * 160 + i) as f64 / 8_000.0).sin()) as i16)
            .collect();
        let mut payload = [0u8; 160];
        Law::Ulaw.encode_into(&samples, &mut payload);
        let header = RtpHeader {
            payload_type: 0,
            marker: false,
            sequence: self.trunk_sequence,
            timestamp: (index * 160) as u32,
            ssrc: 0xabc,
            payload: &payload,
        };
        self.trunk_sequence = self.trunk_sequence.wrapping_add(1);
        let mut packet = [0u8; 172];
        let len = write_rtp(&header, &mut packet).unwrap();
        let (trunk, local) = (self.trunk, "127.0.0.1:40002".parse().unwrap());
        self.media.handle_datagram(trunk, &mut packet, len, TRUNK.parse().unwrap(), local, self.now);
        self.collect();
    }

    fn run_until(&mut self, until: Instant) {
        loop {
            let delivery = self.net.iter().map(|d| d.at).min();
            let next = [delivery, self.media.poll_timeout(), Some(self.browser.timeout)]
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
                let mut d = self.net.remove(i).unwrap();
                if d.to_leg {
                    let len = d.contents.len();
                    let webrtc = self.webrtc;
                    self.media.handle_datagram(webrtc, &mut d.contents, len, d.source, d.destination, self.now);
                    self.collect();
                } else {
                    let receive = Receive::new(Protocol::Udp, d.source, d.destination, &d.contents).unwrap();
                    self.browser.rtc.handle_input(Input::Receive(self.now, receive)).unwrap();
                    self.browser.drain(self.now, &mut self.net);
                }
            }
            if self.media.poll_timeout().is_some_and(|t| t <= self.now) {
                self.media.handle_timeout(self.now);
                self.collect();
            }
            if self.browser.timeout <= self.now {
                self.browser.rtc.handle_input(Input::Timeout(self.now)).unwrap();
                self.browser.drain(self.now, &mut self.net);
            }
        }
    }
}

#[test]
fn a_browser_leg_and_a_g711_trunk_leg_hear_each_other_through_the_mix() {
    let mut bridge = Bridge::new();
    assert_eq!(bridge.media.path(), MediaPath::Mix, "Opus and G.711: transcoded through the mix");
    let deadline = bridge.now + Duration::from_secs(5);
    while !bridge.browser.connected || !bridge.events.contains(&SessionEvent::Connected { leg: bridge.webrtc }) {
        assert!(bridge.now < deadline, "ICE and DTLS did not complete");
        let step = bridge.now + Duration::from_millis(5);
        bridge.run_until(step);
    }

    let mut encoder = OpusEncoder::new().unwrap();
    let mut packet = [0u8; MAX_PACKET_BYTES];
    let pt = bridge.browser.opus_pt();
    let mid = bridge.browser.mid.unwrap();
    for i in 0..100 {
        let len = encoder.encode(&sine_frame(700.0, 8_000.0, i), &mut packet).unwrap();
        let time = MediaTime::new(i as u64 * 960, Frequency::FORTY_EIGHT_KHZ);
        bridge.browser.rtc.writer(mid).unwrap().write(pt, bridge.now, time, &packet[..len]).unwrap();
        bridge.browser.drain(bridge.now, &mut bridge.net);
        bridge.trunk_sends(i);
        let next = bridge.now + FRAME;
        bridge.run_until(next);
    }

    // The trunk hears the browser's 700 Hz, transcoded to μ-law.
    let heard = &bridge.trunk_heard[bridge.trunk_heard.len() - 8_000..];
    let total: f64 = heard.iter().map(|&x| f64::from(x).powi(2)).sum();
    assert!(total > 0.0, "the trunk got audio");
    assert!(tone_energy(heard, 700.0, 8_000.0) / total > 0.5, "700 Hz reaches the trunk");
    assert!(tone_energy(heard, 440.0, 8_000.0) / total < 0.01, "and not its own 440 Hz");

    // The browser hears the trunk's 440 Hz, transcoded to Opus.
    let mut decoder = OpusDecoder::new().unwrap();
    let opus: Vec<_> = bridge.browser.media.iter().filter(|m| m.params.spec().codec == Codec::Opus).collect();
    assert!(opus.len() >= 80, "{} Opus packets at the browser", opus.len());
    let mut pcm = Vec::new();
    for m in &opus[opus.len() - 25..] {
        let mut frame = [0i16; FRAME_SAMPLES];
        decoder.decode(&m.data, &mut frame).unwrap();
        pcm.extend_from_slice(&frame);
    }
    let total: f64 = pcm.iter().map(|&x| f64::from(x).powi(2)).sum();
    assert!(tone_energy(&pcm, 440.0, 16_000.0) / total > 0.5, "440 Hz reaches the browser");
    assert!(tone_energy(&pcm, 700.0, 16_000.0) / total < 0.01, "and not its own 700 Hz");
}

impl Bridge {
    /// Runs until both sides are connected (at most five virtual seconds).
    fn connect(&mut self) {
        let deadline = self.now + Duration::from_secs(5);
        while !self.browser.connected || !self.events.contains(&SessionEvent::Connected { leg: self.webrtc }) {
            assert!(self.now < deadline, "ICE and DTLS did not complete");
            let step = self.now + Duration::from_millis(5);
            self.run_until(step);
        }
    }

    /// `frames` 20 ms frames: the browser sends 700 Hz, the trunk 440 Hz.
    fn talk(&mut self, first: usize, frames: usize) {
        let mut encoder = OpusEncoder::new().unwrap();
        let mut packet = [0u8; MAX_PACKET_BYTES];
        let pt = self.browser.opus_pt();
        let mid = self.browser.mid.unwrap();
        for i in first..first + frames {
            let len = encoder.encode(&sine_frame(700.0, 8_000.0, i), &mut packet).unwrap();
            let time = MediaTime::new(i as u64 * 960, Frequency::FORTY_EIGHT_KHZ);
            self.browser.rtc.writer(mid).unwrap().write(pt, self.now, time, &packet[..len]).unwrap();
            self.browser.drain(self.now, &mut self.net);
            self.trunk_sends(i);
            let next = self.now + FRAME;
            self.run_until(next);
        }
    }

    /// The browser offers again with `direction`; the session answers.
    fn browser_reoffers(&mut self, direction: Direction) -> String {
        let mid = self.browser.mid.unwrap();
        let mut change = self.browser.rtc.sdp_api();
        change.set_direction(mid, direction);
        let (offer, pending) = change.apply().expect("a change to offer");
        let answer = self.media.accept_webrtc_offer(self.webrtc, &offer.to_sdp_string()).unwrap();
        self.browser.rtc.sdp_api().accept_answer(pending, SdpAnswer::from_sdp_string(&answer).unwrap()).unwrap();
        self.browser.drain(self.now, &mut self.net);
        self.collect();
        answer
    }

    /// Opus packets the browser has received so far.
    fn opus_received(&self) -> usize {
        self.browser.media.iter().filter(|m| m.params.spec().codec == Codec::Opus).count()
    }
}

#[test]
fn a_browser_we_call_connects_and_its_hold_re_offer_is_answered_recvonly_then_resumed() {
    let mut bridge = Bridge::we_offer();
    bridge.connect();
    bridge.talk(0, 50);
    let heard = &bridge.trunk_heard[bridge.trunk_heard.len() - 4_000..];
    let total: f64 = heard.iter().map(|&x| f64::from(x).powi(2)).sum();
    assert!(tone_energy(heard, 700.0, 8_000.0) / total > 0.5, "the browser we called is heard by the trunk");
    assert!(bridge.opus_received() >= 30, "and hears the call: {} packets", bridge.opus_received());

    // Hold: the browser offers sendonly, we answer recvonly.
    let answer = bridge.browser_reoffers(Direction::SendOnly);
    assert!(answer.contains("a=recvonly"), "{answer}");
    let settle = bridge.now + Duration::from_millis(100);
    bridge.run_until(settle);
    let before = bridge.opus_received();
    bridge.talk(50, 50);
    assert_eq!(bridge.opus_received(), before, "nothing is sent to a browser holding the call");
    let heard = &bridge.trunk_heard[bridge.trunk_heard.len() - 4_000..];
    let total: f64 = heard.iter().map(|&x| f64::from(x).powi(2)).sum();
    assert!(tone_energy(heard, 700.0, 8_000.0) / total > 0.5, "the held browser is still heard (it sends)");

    // Resume: sendrecv again, and the browser hears the call again.
    let answer = bridge.browser_reoffers(Direction::SendRecv);
    assert!(answer.contains("a=sendrecv"), "{answer}");
    bridge.talk(100, 50);
    assert!(bridge.opus_received() >= before + 30, "the resumed browser hears the call again");
}
