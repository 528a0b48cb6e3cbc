//! Cost of one connected WebRTC leg per 20 ms frame, both directions: a
//! browser's Opus packet in (SRTP, RTP, decode) and one frame of ours out
//! (encode, RTP, SRTP), in thread CPU time of the leg's calls only; beside,
//! in the same run, the Opus work alone (decode one packet, encode one
//! frame) as the baseline. The browser is a second str0m instance; both
//! run on a virtual clock, datagrams handed over in memory.
//!
//! Run: `cargo bench -p media --bench webrtc`.
#![allow(missing_docs, reason = "criterion's macros generate undocumented items")]

#[path = "common/cpu_time.rs"]
mod cpu_time;
#[path = "common/speech.rs"]
mod speech;

use std::collections::VecDeque;
use std::hint::black_box;
use std::time::{Duration, Instant};

use cpu_time::{ThreadCpu, on_cpu_ns};
use criterion::{Criterion, criterion_group, criterion_main};
use media::opus::{MAX_PACKET_BYTES, OpusDecoder, OpusEncoder};
use media::webrtc::{Datagram, LegConfig, WebRtcLeg};
use speech::{FRAME, FRAMES, speech_like};
use str0m::change::SdpAnswer;
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Input, Output, Rtc, RtcConfig};

type Frames = Vec<[i16; FRAME]>;

/// A datagram between the two sides: (to the leg?, source, destination, bytes).
type Wire = (bool, std::net::SocketAddr, std::net::SocketAddr, Vec<u8>);

struct Pair {
    now: Instant,
    leg: WebRtcLeg,
    browser: Rtc,
    browser_timeout: Instant,
    mid: Mid,
    pt: Pt,
    wire: VecDeque<Wire>,
    /// Thread CPU spent inside the leg's calls.
    leg_ns: u64,
}

impl Pair {
    fn connected() -> Self {
        let now = Instant::now();
        let leg_addr = "192.0.2.10:40000".parse().unwrap();
        let mut leg = WebRtcLeg::new(&LegConfig::new(vec![leg_addr]), now).unwrap();
        let mut browser = RtcConfig::new().clear_codecs().enable_opus(true, false).build(now);
        let browser_addr = "198.51.100.7:50000".parse().unwrap();
        browser.add_local_candidate(Candidate::host(browser_addr, "udp").unwrap());
        let mut change = browser.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().unwrap();
        let answer = leg.accept_offer(&offer.to_sdp_string()).unwrap();
        let answer = SdpAnswer::from_sdp_string(&answer).unwrap();
        browser.sdp_api().accept_answer(pending, answer).unwrap();
        let pt = browser.codec_config().find(|p| p.spec().codec == Codec::Opus).unwrap().pt();
        let mut pair = Pair { now, leg, browser, browser_timeout: now, mid, pt, wire: VecDeque::new(), leg_ns: 0 };
        pair.drain_browser();
        for _ in 0..1000 {
            if pair.leg.is_connected() {
                break;
            }
            pair.step(Duration::from_millis(5));
        }
        assert!(pair.leg.is_connected());
        pair
    }

    fn drain_browser(&mut self) {
        loop {
            match self.browser.poll_output().unwrap() {
                Output::Timeout(at) => {
                    self.browser_timeout = at;
                    return;
                }
                Output::Transmit(t) => self.wire.push_back((true, t.source, t.destination, t.contents.into())),
                Output::Event(_) => {}
            }
        }
    }

    /// Calls `f` on the leg, counting its CPU time, then takes its output.
    fn on_leg(&mut self, f: impl FnOnce(&mut WebRtcLeg, Instant)) {
        let start = on_cpu_ns();
        f(&mut self.leg, self.now);
        while let Some(t) = self.leg.poll_transmit() {
            self.wire.push_back((false, t.source, t.destination, t.contents));
        }
        while let Some(frame) = self.leg.poll_frame() {
            black_box(frame);
        }
        while self.leg.poll_event().is_some() {}
        self.leg_ns += on_cpu_ns() - start;
    }

    /// Delivers everything on the wire and fires due timeouts.
    fn settle(&mut self) {
        while let Some((to_leg, source, destination, contents)) = self.wire.pop_front() {
            if to_leg {
                let d = Datagram { source, destination, contents: &contents };
                self.on_leg(|leg, now| leg.handle_datagram(&d, now).unwrap());
            } else {
                let r = Receive::new(Protocol::Udp, source, destination, &contents).unwrap();
                self.browser.handle_input(Input::Receive(self.now, r)).unwrap();
                self.drain_browser();
            }
        }
        if self.leg.poll_timeout().is_some_and(|t| t <= self.now) {
            self.on_leg(|leg, now| leg.handle_timeout(now).unwrap());
        }
        if self.browser_timeout <= self.now {
            self.browser.handle_input(Input::Timeout(self.now)).unwrap();
            self.drain_browser();
        }
    }

    fn step(&mut self, by: Duration) {
        self.now += by;
        self.settle();
        self.settle();
    }
}

fn frames_and_packets() -> (Frames, Vec<Vec<u8>>) {
    let frames: Frames = speech_like().chunks(FRAME).map(|f| f.try_into().unwrap()).collect();
    let mut enc = OpusEncoder::new().unwrap();
    let mut out = [0u8; MAX_PACKET_BYTES];
    let packets = frames
        .iter()
        .map(|f| {
            let n = enc.encode(f, &mut out).unwrap();
            out[..n].to_vec()
        })
        .collect();
    (frames, packets)
}

fn leg_frame(c: &mut Criterion<ThreadCpu>) {
    let (frames, packets) = frames_and_packets();
    let mut group = c.benchmark_group("webrtc_leg_per_20ms_frame");
    let mut pair = Pair::connected();
    let mut i = 0u64;
    group.bench_function("leg: packet in + frame out", |b| {
        b.iter_custom(|iters| {
            pair.leg_ns = 0;
            for _ in 0..iters {
                let k = (i % FRAMES as u64) as usize;
                let time = MediaTime::new(i * 960, Frequency::FORTY_EIGHT_KHZ);
                let (mid, pt, now) = (pair.mid, pair.pt, pair.now);
                pair.browser.writer(mid).unwrap().write(pt, now, time, &packets[k][..]).unwrap();
                pair.drain_browser();
                pair.on_leg(|leg, now| leg.send_frame(&frames[k], now).unwrap());
                pair.step(Duration::from_millis(20));
                i += 1;
            }
            pair.leg_ns
        })
    });
    let stats = pair.leg.receive_stats();
    assert!(stats.packets_decoded > 0 && stats.frames_concealed_plc == 0, "{stats:?}");
    let mut enc = OpusEncoder::new().unwrap();
    let mut dec = OpusDecoder::new().unwrap();
    let (mut out, mut pcm) = ([0u8; MAX_PACKET_BYTES], [0i16; FRAME]);
    let mut k = 0;
    group.bench_function("baseline: Opus decode + encode", |b| {
        b.iter(|| {
            k = (k + 1) % FRAMES;
            black_box(dec.decode(&packets[k], &mut pcm).unwrap());
            black_box(enc.encode(&frames[k], &mut out).unwrap())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = leg_frame
}
criterion_main!(benches);
