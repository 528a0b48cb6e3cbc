//! A call's media session (`media::session`) driven on a virtual clock by
//! simulated RTP peers that send G.711 tones: which path it takes, what
//! each peer hears, stream continuity across a switch, DTMF, players and
//! the recording.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use media::dtmf::{Digit, TelephoneEvent};
use media::g711::Law;
use media::goertzel::tone_energy;
use media::player::Player;
use media::rtp::RtpHeader;
use media::rtp::packet::write_rtp;
use media::session::{CallMedia, DtmfSource, Hearing, LegId, MediaPath, Received, RtpLegSpec, SessionEvent};
use media::tone::{DtmfDigit, ToneGenerator};
use media::wav::Wav;

const LOCAL: &str = "127.0.0.1:40000";
const FRAME: Duration = Duration::from_millis(20);

/// One packet a peer received.
#[derive(Debug, Clone)]
pub struct Got {
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub marker: bool,
    pub payload: Vec<u8>,
}

/// A simulated RTP phone: sends a tone as PCMU every 20 ms, keeps what it gets.
pub struct Peer {
    pub leg: LegId,
    pub addr: SocketAddr,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    /// The tone it sends (0: silence), and how many samples it has sent.
    pub frequency: f64,
    sent_samples: usize,
    /// Sends nothing while false.
    pub talking: bool,
    pub got: Vec<Got>,
}

impl Peer {
    /// The μ-law packet for the next 20 ms.
    fn next_packet(&mut self) -> Vec<u8> {
        let samples: Vec<i16> = (0..160)
            .map(|i| {
                let n = (self.sent_samples + i) as f64;
                (8_000.0 * (std::f64::consts::TAU * self.frequency * n / 8_000.0).sin()) as i16
            })
            .collect();
        self.sent_samples += 160;
        let mut payload = [0u8; 160];
        Law::Ulaw.encode_into(&samples, &mut payload);
        let packet = self.packet(0, false, self.timestamp, &payload);
        self.timestamp = self.timestamp.wrapping_add(160);
        packet
    }

    fn packet(&mut self, payload_type: u8, marker: bool, timestamp: u32, payload: &[u8]) -> Vec<u8> {
        let header = RtpHeader { payload_type, marker, sequence: self.sequence, timestamp, ssrc: self.ssrc, payload };
        self.sequence = self.sequence.wrapping_add(1);
        let mut out = vec![0; 12 + payload.len()];
        let len = write_rtp(&header, &mut out).unwrap();
        out.truncate(len);
        out
    }

    /// The audio packets received, decoded to 8 kHz, from index `from` on.
    pub fn audio(&self, from: usize) -> Vec<i16> {
        let mut out = Vec::new();
        for got in self.got.iter().skip(from).filter(|g| g.payload_type == 0) {
            let mut pcm = [0i16; 160];
            let n = Law::Ulaw.decode_into(&got.payload, &mut pcm);
            out.extend_from_slice(&pcm[..n]);
        }
        out
    }
}

/// A session and its peers on one virtual clock.
pub struct Sim {
    pub now: Instant,
    pub media: CallMedia,
    pub peers: Vec<Peer>,
    pub events: Vec<SessionEvent>,
    /// Packets that went the fast path.
    pub forwarded: usize,
    /// Datagrams for addresses no simulated peer has.
    pub unrouted: Vec<(SocketAddr, Vec<u8>)>,
}

impl Sim {
    pub fn new() -> Sim {
        Sim {
            now: Instant::now(),
            media: CallMedia::new(7),
            peers: Vec::new(),
            events: Vec::new(),
            forwarded: 0,
            unrouted: Vec::new(),
        }
    }

    /// Adds a PCMU leg (with telephone-event 101 when `events`) and its peer.
    pub fn add_peer(&mut self, frequency: f64, events: bool) -> LegId {
        let n = self.peers.len() as u16;
        let addr: SocketAddr = format!("127.0.0.1:{}", 50_000 + 2 * n).parse().unwrap();
        let mut spec = RtpLegSpec::pcmu(Some(addr));
        if events {
            spec = spec.with_telephone_event(101);
        }
        let leg = self.media.add_rtp_leg(spec, self.now).unwrap();
        let ssrc = 0x1000 + u32::from(n);
        self.peers.push(Peer {
            leg,
            addr,
            ssrc,
            sequence: 100 * n,
            timestamp: 1_000 * u32::from(n),
            frequency,
            sent_samples: 0,
            talking: true,
            got: Vec::new(),
        });
        self.collect();
        leg
    }

    pub fn peer(&self, leg: LegId) -> usize {
        self.peers.iter().position(|p| p.leg == leg).unwrap()
    }

    /// Hands a datagram from peer `i` to the session; a relayed one goes
    /// straight to its destination.
    pub fn deliver(&mut self, i: usize, mut packet: Vec<u8>) {
        let (leg, source) = (self.peers[i].leg, self.peers[i].addr);
        let len = packet.len();
        let received = self.media.handle_datagram(leg, &mut packet, len, source, LOCAL.parse().unwrap(), self.now);
        if let Received::Forward { destination, len, .. } = received {
            self.forwarded += 1;
            packet.truncate(len);
            self.arrive(destination, &packet);
        }
        self.collect();
    }

    fn arrive(&mut self, destination: SocketAddr, packet: &[u8]) {
        let Some(peer) = self.peers.iter_mut().find(|p| p.addr == destination) else { return };
        let Ok(h) = RtpHeader::parse(packet) else { return };
        // RTCP (payload types 72-76 with the marker) is not audio.
        if (200..=204).contains(&packet[1]) {
            return;
        }
        peer.got.push(Got {
            payload_type: h.payload_type,
            sequence: h.sequence,
            timestamp: h.timestamp,
            ssrc: h.ssrc,
            marker: h.marker,
            payload: h.payload.to_vec(),
        });
    }

    /// Moves the session's datagrams to the peers and keeps its events.
    pub fn collect(&mut self) {
        while let Some(t) = self.media.poll_transmit() {
            if t.rtcp {
                continue;
            }
            if self.peers.iter().any(|p| p.addr == t.destination) {
                self.arrive(t.destination, &t.contents);
            } else {
                self.unrouted.push((t.destination, t.contents));
            }
        }
        while let Some(event) = self.media.poll_event() {
            self.events.push(event);
        }
    }

    /// 20 ms: every talking peer sends a packet, then the session's timers run.
    pub fn step(&mut self) {
        self.now += FRAME;
        for i in 0..self.peers.len() {
            if self.peers[i].talking {
                let packet = self.peers[i].next_packet();
                self.deliver(i, packet);
            }
        }
        while self.media.poll_timeout().is_some_and(|at| at <= self.now) {
            self.media.handle_timeout(self.now);
            self.collect();
        }
    }

    pub fn run(&mut self, frames: usize) {
        for _ in 0..frames {
            self.step();
        }
    }
}

/// Energy of `frequency` in 8 kHz audio, relative to the block's energy.
fn share(audio: &[i16], frequency: f64) -> f64 {
    let total: f64 = audio.iter().map(|&x| f64::from(x).powi(2)).sum();
    if total == 0.0 {
        return 0.0;
    }
    tone_energy(audio, frequency, 8_000.0) / total
}

fn hears(audio: &[i16], frequency: f64) -> bool {
    share(audio, frequency) > 0.05
}

#[test]
fn two_pcmu_legs_bridged_are_relayed_with_our_ssrc_and_no_decoding() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    assert_eq!(sim.media.path(), MediaPath::Mix, "two legs that hear nobody are mixed");
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Relay);
    sim.run(50);
    let (c, a) = (sim.peer(caller), sim.peer(agent));
    // The first packet of each peer is its latch's learning packet.
    assert_eq!(sim.peers[a].got.len(), 49);
    assert_eq!(sim.peers[c].got.len(), 49);
    assert_eq!(sim.forwarded, 98);
    assert!(sim.peers[a].got.iter().all(|g| g.ssrc != 0x1000), "the caller's SSRC is replaced");
    assert!(hears(&sim.peers[a].audio(0), 440.0));
    assert!(hears(&sim.peers[c].audio(0), 700.0));
    let sequences: Vec<u16> = sim.peers[a].got.iter().map(|g| g.sequence).collect();
    assert!(sequences.windows(2).all(|w| w[1] == w[0].wrapping_add(1)));
}

#[test]
fn a_supervisor_joining_switches_to_the_mix_with_the_streams_continuous() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    sim.run(20);
    let supervisor = sim.add_peer(1_100.0, false);
    sim.media.set_hearing(Hearing::Monitor { caller, agent, supervisor }, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Mix);
    let a = sim.peer(agent);
    let relayed = sim.peers[a].got.len();
    sim.run(30);
    let got = &sim.peers[a].got;
    assert!(got.len() > relayed + 25, "the mixer sends every 20 ms: {}", got.len());
    let ssrcs: Vec<u32> = got.iter().map(|g| g.ssrc).collect();
    assert!(ssrcs.iter().all(|&s| s == ssrcs[0]), "one SSRC across the switch");
    assert!(got.windows(2).all(|w| w[1].sequence == w[0].sequence.wrapping_add(1)), "no gap, no repeat");
    assert!(got.windows(2).all(|w| w[1].timestamp.wrapping_sub(w[0].timestamp) < 0x8000_0000), "time runs on");
    assert!(got[relayed].marker, "the first mixed packet starts a talk spurt");
    // Back to two parties: the relay takes over again, still continuous.
    sim.media.remove_leg(supervisor, sim.now).unwrap();
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Relay);
    sim.run(10);
    let got = &sim.peers[a].got;
    assert!(got.windows(2).all(|w| w[1].sequence == w[0].sequence.wrapping_add(1)));
    assert!(got.windows(2).all(|w| w[1].timestamp.wrapping_sub(w[0].timestamp) < 0x8000_0000));
}

#[test]
fn whisper_is_heard_by_the_agent_only_and_monitor_by_nobody() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    let supervisor = sim.add_peer(1_100.0, false);
    let (c, a, s) = (sim.peer(caller), sim.peer(agent), sim.peer(supervisor));

    sim.media.set_hearing(Hearing::Whisper { caller, agent, supervisor }, sim.now).unwrap();
    sim.run(25);
    let marks = [sim.peers[c].got.len(), sim.peers[a].got.len(), sim.peers[s].got.len()];
    sim.run(25);
    let caller_hears = sim.peers[c].audio(marks[0]);
    let agent_hears = sim.peers[a].audio(marks[1]);
    let supervisor_hears = sim.peers[s].audio(marks[2]);
    assert!(hears(&caller_hears, 700.0) && !hears(&caller_hears, 1_100.0), "the caller never hears the whisper");
    assert!(hears(&agent_hears, 440.0) && hears(&agent_hears, 1_100.0));
    assert!(hears(&supervisor_hears, 440.0) && hears(&supervisor_hears, 700.0));

    sim.media.set_hearing(Hearing::Monitor { caller, agent, supervisor }, sim.now).unwrap();
    sim.run(5);
    let marks = [sim.peers[c].got.len(), sim.peers[a].got.len()];
    sim.run(25);
    assert!(!hears(&sim.peers[c].audio(marks[0]), 1_100.0));
    assert!(!hears(&sim.peers[a].audio(marks[1]), 1_100.0), "in monitor nobody hears the supervisor");

    sim.media.set_hearing(Hearing::Barge { caller, agent, supervisor }, sim.now).unwrap();
    sim.run(5);
    let marks = [sim.peers[c].got.len(), sim.peers[a].got.len()];
    sim.run(25);
    assert!(hears(&sim.peers[c].audio(marks[0]), 1_100.0), "in barge everyone hears the supervisor");
    assert!(hears(&sim.peers[a].audio(marks[1]), 1_100.0));
}

#[test]
fn a_player_replaces_what_the_leg_hears_and_reports_its_end() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    let mut clip = vec![0i16; 16_000];
    ToneGenerator::new(16_000, &[(1_500.0, 0.3)], media::tone::Cadence::Continuous).fill(&mut clip);
    sim.media.play(caller, Player::once([clip.into()]), sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Mix, "playing needs the mix");
    let c = sim.peer(caller);
    sim.run(40);
    let during = sim.peers[c].audio(5);
    assert!(hears(&during, 1_500.0) && !hears(&during, 700.0), "on hold the caller hears the music only");
    sim.run(20);
    assert!(sim.events.contains(&SessionEvent::PlayFinished { leg: caller, play: 1 }));
    assert_eq!(sim.media.path(), MediaPath::Relay, "the bridge is relayed again once the player ends");
}

#[test]
fn rfc4733_digits_are_reported_on_the_relay_and_passed_through() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, true);
    let agent = sim.add_peer(700.0, true);
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    sim.run(5);
    let c = sim.peer(caller);
    sim.peers[c].talking = false;
    let start = 12_345;
    for (k, duration) in [(0u16, 160u16), (1, 320), (2, 480)] {
        let end = k == 2;
        let payload = TelephoneEvent { event: 5, end, volume: 10, duration }.to_bytes();
        for _ in 0..if end { 3 } else { 1 } {
            let packet = sim.peers[c].packet(101, k == 0, start, &payload);
            sim.deliver(c, packet);
        }
        sim.step();
    }
    let digits: Vec<_> = sim.events.iter().filter(|e| matches!(e, SessionEvent::Dtmf { .. })).collect();
    assert_eq!(digits.len(), 1, "{digits:?}");
    assert!(matches!(digits[0], SessionEvent::Dtmf { digit: '5', source: DtmfSource::Rfc4733, .. }));
    let a = sim.peer(agent);
    assert_eq!(sim.peers[a].got.iter().filter(|g| g.payload_type == 101).count(), 5, "relayed to the agent too");
}

#[test]
fn in_band_digits_are_detected_when_the_call_is_mixed() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(0.0, false);
    let c = sim.peer(caller);
    sim.peers[c].talking = false;
    // The caller is alone in the IVR: mixed, with a prompt playing.
    let mut tones = vec![0i16; 8_000];
    ToneGenerator::dtmf(8_000, DtmfDigit::from_char('7').unwrap(), 120, 880).fill(&mut tones);
    for chunk in tones.chunks(160) {
        let mut payload = [0u8; 160];
        Law::Ulaw.encode_into(chunk, &mut payload);
        let ts = sim.peers[c].timestamp;
        sim.peers[c].timestamp = ts.wrapping_add(160);
        let packet = sim.peers[c].packet(0, false, ts, &payload);
        sim.deliver(c, packet);
        sim.step();
    }
    let digits: Vec<_> = sim.events.iter().filter(|e| matches!(e, SessionEvent::Dtmf { .. })).collect();
    assert_eq!(digits.len(), 1, "{digits:?}");
    assert!(matches!(digits[0], SessionEvent::Dtmf { digit: '7', source: DtmfSource::InBand, .. }));
}

/// The telephone-events peer `i` received, as (event, end).
fn events_got(sim: &Sim, i: usize) -> Vec<(u8, bool)> {
    sim.peers[i]
        .got
        .iter()
        .filter(|g| g.payload_type == 101)
        .map(|g| TelephoneEvent::parse(&g.payload).unwrap())
        .map(|e| (e.event, e.end))
        .collect()
}

/// Peer `i` presses `event` (RFC 4733: a start, an update, three ends).
fn press(sim: &mut Sim, i: usize, event: u8, start: u32) {
    for (k, duration) in [(0u16, 160u16), (1, 320), (2, 480)] {
        let end = k == 2;
        let payload = TelephoneEvent { event, end, volume: 10, duration }.to_bytes();
        for _ in 0..if end { 3 } else { 1 } {
            let packet = sim.peers[i].packet(101, k == 0, start, &payload);
            sim.deliver(i, packet);
        }
        sim.step();
    }
}

#[test]
fn on_the_mixed_path_a_digit_reaches_the_legs_that_hear_its_leg_and_no_other() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, true);
    let agent = sim.add_peer(700.0, true);
    let supervisor = sim.add_peer(1_100.0, true);
    sim.media.set_hearing(Hearing::Whisper { caller, agent, supervisor }, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Mix);
    sim.run(5);
    let (c, a, s) = (sim.peer(caller), sim.peer(agent), sim.peer(supervisor));
    press(&mut sim, a, 5, 40_000);
    sim.run(20);
    // The agent's key reaches the caller (an IVR they called) and the
    // supervisor, who hears them; as events of its own, ended.
    for heard in [c, s] {
        let got = events_got(&sim, heard);
        assert!(!got.is_empty() && got.iter().all(|&(e, _)| e == 5), "peer {heard}: {got:?}");
        assert!(got.iter().any(|&(_, end)| end), "the digit ends: {got:?}");
    }
    assert!(events_got(&sim, a).is_empty(), "not back to the agent");
    // In whisper the supervisor is heard by the agent only: so is their key.
    let caller_before = events_got(&sim, c).len();
    press(&mut sim, s, 3, 50_000);
    sim.run(20);
    assert!(events_got(&sim, a).iter().all(|&(e, _)| e == 3) && !events_got(&sim, a).is_empty());
    assert_eq!(events_got(&sim, c).len(), caller_before, "the caller gets none of the supervisor's key");
    let reported = sim.events.iter().filter(|e| matches!(e, SessionEvent::Dtmf { .. })).count();
    assert_eq!(reported, 2, "each key is still reported once, on its own leg");
}

#[test]
fn a_digit_sent_on_a_relayed_leg_goes_as_rfc4733_then_the_relay_resumes() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, true);
    let agent = sim.add_peer(700.0, true);
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    sim.run(5);
    sim.media.send_dtmf(caller, Digit::from_char('9').unwrap(), Duration::from_millis(100), sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Mix);
    sim.run(30);
    let c = sim.peer(caller);
    let events: Vec<TelephoneEvent> = sim.peers[c]
        .got
        .iter()
        .filter(|g| g.payload_type == 101)
        .map(|g| TelephoneEvent::parse(&g.payload).unwrap())
        .collect();
    assert!(events.iter().all(|e| e.event == 9));
    assert!(events.iter().filter(|e| e.end).count() >= 3, "{events:?}");
    assert_eq!(sim.media.path(), MediaPath::Relay);
    let got = &sim.peers[c].got;
    assert!(got.windows(2).all(|w| w[1].sequence == w[0].sequence.wrapping_add(1)));
}

#[test]
fn the_recording_has_the_caller_left_and_the_agent_right_and_plays_while_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    let file = std::fs::File::create(&path).unwrap();
    sim.media.start_recording(path.clone(), file, caller, sim.now).unwrap();
    sim.collect();
    assert!(sim.events.contains(&SessionEvent::RecordingStarted { path: path.clone() }));
    assert_eq!(sim.media.path(), MediaPath::Relay, "recording taps the relay");
    sim.run(120);
    // Before the end: what was flushed already plays (a crash now loses at most a second).
    let bytes = std::fs::read(&path).unwrap();
    let partial = Wav::parse(&bytes).unwrap();
    assert!(partial.frames() >= 16_000, "{} frames flushed", partial.frames());
    // A supervisor barges: the recording goes on from the mix.
    let supervisor = sim.add_peer(1_100.0, false);
    sim.media.set_hearing(Hearing::Barge { caller, agent, supervisor }, sim.now).unwrap();
    sim.run(60);
    sim.media.stop_recording();
    sim.collect();
    assert!(sim.events.iter().any(
        |e| matches!(e, SessionEvent::RecordingStopped { duration, .. } if *duration == Duration::from_millis(3_600))
    ));
    let bytes = std::fs::read(&path).unwrap();
    let wav = Wav::parse(&bytes).unwrap();
    assert_eq!(wav.spec().channels, 2);
    let samples: Vec<i16> = wav.samples().collect();
    let channel = |offset: usize, from: usize, to: usize| -> Vec<i16> {
        samples.chunks(2).skip(from).take(to - from).map(|s| s[offset]).collect()
    };
    let rate = 16_000.0;
    let share16 = |audio: &[i16], f: f64| {
        let total: f64 = audio.iter().map(|&x| f64::from(x).powi(2)).sum();
        tone_energy(audio, f, rate) / total
    };
    // Relayed part (0.5 s to 2 s): caller left, agent right.
    let (left, right) = (channel(0, 8_000, 32_000), channel(1, 8_000, 32_000));
    assert!(share16(&left, 440.0) > 0.5 && share16(&left, 700.0) < 0.01);
    assert!(share16(&right, 700.0) > 0.5 && share16(&right, 440.0) < 0.01);
    // Mixed part with the barge: the right channel carries agent and supervisor.
    let right = channel(1, 44_000, 56_000);
    assert!(share16(&right, 700.0) > 0.1 && share16(&right, 1_100.0) > 0.1);
}

#[test]
fn a_leg_put_on_hold_by_its_peer_gets_nothing_and_the_call_is_mixed() {
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    sim.run(10);
    let (c, a) = (sim.peer(caller), sim.peer(agent));
    // The agent's phone holds: its re-INVITE says sendonly, we answer recvonly.
    let held = RtpLegSpec::pcmu(Some(sim.peers[a].addr)).with_sending(false);
    sim.media.update_rtp_leg(agent, held, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Mix);
    let before = sim.peers[a].got.len();
    sim.run(20);
    assert_eq!(sim.peers[a].got.len(), before, "nothing is sent to a peer that holds");
    assert!(hears(&sim.peers[c].audio(sim.peers[c].got.len() - 10), 700.0), "the caller still hears the agent's side");
    // Resumed: sendrecv again, back on the relay with the stream continuous.
    let resumed = RtpLegSpec::pcmu(Some(sim.peers[a].addr));
    sim.media.update_rtp_leg(agent, resumed, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Relay);
    sim.run(10);
    let got = &sim.peers[a].got;
    assert!(got.len() >= before + 9);
    assert!(got.windows(2).all(|w| w[1].sequence == w[0].sequence.wrapping_add(1)));
}

#[test]
fn an_offer_answer_agreement_becomes_the_legs_spec() {
    use media::offer_answer::{LocalMedia, Negotiator};
    use media::sdp::{Direction, SessionDescription};
    let offer = "v=0\r\no=carrier 1 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n\
                 m=audio 30000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
                 a=sendonly\r\n";
    let mut negotiator = Negotiator::new(LocalMedia::new("127.0.0.1".parse().unwrap(), 40_000), 1);
    negotiator.handle_offer(&SessionDescription::parse(offer.as_bytes()).unwrap(), Direction::SendRecv).unwrap();
    let spec = RtpLegSpec::from_negotiated(negotiator.negotiated().unwrap()).unwrap();
    assert_eq!(spec.codec, media::session::RtpCodec::Pcma);
    assert_eq!((spec.payload_type, spec.telephone_event), (8, Some(101)));
    assert_eq!(spec.remote, Some("203.0.113.5:30000".parse().unwrap()));
    assert!(!spec.sends, "the carrier holds us (sendonly): we only receive");
}

proptest::proptest! {
    #![proptest_config(crate::fixed_seed())]

    /// Any datagrams on either leg, relayed or mixed: no panic, and what
    /// the relay forwards is RTP that fits the buffer.
    #[test]
    fn random_datagrams_never_panic_and_forwarded_packets_parse(
        relayed in proptest::bool::ANY,
        datagrams in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..200), 1..40),
    ) {
        let mut sim = Sim::new();
        let caller = sim.add_peer(440.0, true);
        let agent = sim.add_peer(700.0, true);
        let hearing = if relayed { Hearing::Bridge { caller, agent } } else { Hearing::Conference };
        sim.media.set_hearing(hearing, sim.now).unwrap();
        for (i, mut datagram) in datagrams.into_iter().enumerate() {
            // Half of them look like RTP, so they get past the first checks.
            if i % 2 == 0 && datagram.len() >= 12 {
                datagram[0] = 0x80;
            }
            let leg = if i % 2 == 0 { caller } else { agent };
            let source = sim.peers[sim.peer(leg)].addr;
            let len = datagram.len();
            let received = sim.media.handle_datagram(leg, &mut datagram, len, source, LOCAL.parse().unwrap(), sim.now);
            if let Received::Forward { len, .. } = received {
                proptest::prop_assert!(len <= datagram.len());
                proptest::prop_assert!(RtpHeader::parse(&datagram[..len]).is_ok());
            }
            sim.step();
        }
    }
}

#[test]
fn an_opus_phone_and_a_g711_trunk_are_transcoded_through_the_mix() {
    use media::opus::{MAX_PACKET_BYTES, OpusDecoder, OpusEncoder};
    let mut sim = Sim::new();
    let trunk = sim.add_peer(440.0, false);
    let phone_addr: SocketAddr = "127.0.0.1:51000".parse().unwrap();
    let phone = sim.media.add_rtp_leg(RtpLegSpec::opus(111, Some(phone_addr)), sim.now).unwrap();
    sim.media.set_hearing(Hearing::Bridge { caller: trunk, agent: phone }, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Mix, "Opus and G.711 cannot be relayed");
    let mut encoder = OpusEncoder::new().unwrap();
    let mut decoder = OpusDecoder::new().unwrap();
    let mut heard_by_phone = Vec::new();
    for i in 0..60u16 {
        // The phone sends 700 Hz as Opus, 20 ms per packet at 48 kHz RTP time.
        let frame = crate::opus_codec::sine_frame(700.0, 8_000.0, usize::from(i));
        let mut payload = [0u8; MAX_PACKET_BYTES];
        let len = encoder.encode(&frame, &mut payload).unwrap();
        let header = RtpHeader {
            payload_type: 111,
            marker: i == 0,
            sequence: i,
            timestamp: u32::from(i) * 960,
            ssrc: 0x0905,
            payload: &payload[..len],
        };
        let mut packet = vec![0u8; 12 + len];
        write_rtp(&header, &mut packet).unwrap();
        let n = packet.len();
        sim.media.handle_datagram(phone, &mut packet, n, phone_addr, LOCAL.parse().unwrap(), sim.now);
        sim.step();
        for (destination, contents) in std::mem::take(&mut sim.unrouted) {
            if destination == phone_addr {
                let h = RtpHeader::parse(&contents).unwrap();
                assert_eq!(h.payload_type, 111);
                let mut pcm = [0i16; 320];
                decoder.decode(h.payload, &mut pcm).unwrap();
                heard_by_phone.extend_from_slice(&pcm);
            }
        }
    }
    let t = sim.peer(trunk);
    let at_trunk = sim.peers[t].audio(sim.peers[t].got.len() - 20);
    assert!(hears(&at_trunk, 700.0) && !hears(&at_trunk, 440.0), "the trunk hears the phone's Opus as μ-law");
    let tail = &heard_by_phone[heard_by_phone.len() - 6_400..];
    let total: f64 = tail.iter().map(|&x| f64::from(x).powi(2)).sum();
    assert!(tone_energy(tail, 440.0, 16_000.0) / total > 0.5, "the phone hears the trunk's μ-law as Opus");
}
