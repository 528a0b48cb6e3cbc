//! The adaptive jitter buffer on a virtual clock, fed through the seeded
//! network simulator.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use media::jitter::{JitterBuffer, JitterConfig, Playout};
use proptest::prelude::*;

use super::netsim::{Link, Netem};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A packet of the test stream: its index in the stream is its payload.
#[derive(Debug, Clone, Copy)]
struct Pkt {
    index: u32,
    seq: u16,
    ts: u32,
    marker: bool,
}

/// What a tick gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Frame(u32),
    Lost,
    Stretch,
    Nothing,
}

/// A sender of 20 ms G.711 packets, a link, a buffer and a frame clock
/// ticking every 20 ms, 7 ms out of phase with the sender.
struct Sim {
    t0: Instant,
    jb: JitterBuffer,
    link: Link<Pkt>,
    /// Packets sent so far, and which the network lost.
    sent: u32,
    lost: BTreeSet<u32>,
    /// Datagrams delivered to the buffer, and the packets among them.
    delivered: u64,
    distinct: BTreeSet<u32>,
    /// Sequence number each packet was sent with.
    seqs: BTreeMap<u32, u16>,
    /// Every tick's output, with the tick's time.
    out: Vec<(Instant, Out)>,
    ticks: u64,
    seq0: u16,
    ts0: u32,
}

impl Sim {
    fn new(netem: Netem, seed: u64) -> Self {
        Self::starting_at(netem, seed, 1000, 5000)
    }

    fn starting_at(netem: Netem, seed: u64, seq0: u16, ts0: u32) -> Self {
        Self {
            t0: Instant::now(),
            jb: JitterBuffer::new(JitterConfig::new(8_000)),
            link: Link::new(netem, seed),
            sent: 0,
            lost: BTreeSet::new(),
            seqs: BTreeMap::new(),
            delivered: 0,
            distinct: BTreeSet::new(),
            out: Vec::new(),
            ticks: 0,
            seq0,
            ts0,
        }
    }

    fn packet(&self, index: u32) -> Pkt {
        Pkt {
            index,
            seq: self.seq0.wrapping_add(index as u16),
            ts: self.ts0.wrapping_add(index * 160),
            marker: index == 0,
        }
    }

    /// Runs for `duration`; `send` says, for each 20 ms send slot, what
    /// packet (if any) goes out.
    fn run(&mut self, duration: Duration, mut send: impl FnMut(&Sim, u64) -> Option<Pkt>) {
        let end = self.ticks + duration.as_millis() as u64 / 20;
        while self.ticks < end {
            let slot = self.ticks;
            let send_at = self.t0 + ms(20 * slot);
            if let Some(p) = send(self, slot) {
                if self.link.send(p, send_at) {
                    self.lost.insert(p.index);
                }
                self.sent += 1;
                self.seqs.insert(p.index, p.seq);
            }
            let tick = send_at + ms(7);
            while let Some((at, p)) = self.link.receive(tick) {
                self.jb.push(p.seq, p.ts, p.marker, &p.index.to_be_bytes(), at);
                self.delivered += 1;
                self.distinct.insert(p.index);
            }
            let out = match self.jb.poll_playout(tick) {
                Playout::Frame { payload, sequence, .. } => {
                    let index = u32::from_be_bytes(payload.try_into().expect("4-byte payload"));
                    assert_eq!(Some(&sequence), self.seqs.get(&index), "payload of another packet");
                    Out::Frame(index)
                }
                Playout::Lost { .. } => Out::Lost,
                Playout::Stretch => Out::Stretch,
                _ => Out::Nothing,
            };
            self.out.push((tick, out));
            self.ticks += 1;
        }
    }

    /// A continuous stream: packet `slot` in slot `slot`.
    fn stream(&mut self, duration: Duration) {
        self.run(duration, |sim, slot| Some(sim.packet(slot as u32)));
    }

    fn played(&self) -> Vec<u32> {
        self.out.iter().filter_map(|o| if let Out::Frame(i) = o.1 { Some(i) } else { None }).collect()
    }

    /// The outputs from the first frame played to the last.
    fn during_play(&self) -> &[(Instant, Out)] {
        let first = self.out.iter().position(|o| matches!(o.1, Out::Frame(_))).unwrap();
        let last = self.out.iter().rposition(|o| matches!(o.1, Out::Frame(_))).unwrap();
        &self.out[first..=last]
    }

    fn count(&self, what: Out) -> usize {
        self.during_play().iter().filter(|o| o.1 == what).count()
    }
}

fn lossy_jittery() -> Netem {
    Netem { loss: 0.05, jitter: ms(40), ..Netem::clean(ms(30)) }
}

#[test]
fn under_5_percent_loss_and_40_ms_jitter_every_timely_packet_plays_in_order() {
    let mut sim = Sim::new(lossy_jittery(), 0x5eed_0001);
    sim.stream(Duration::from_secs(20));
    let played = sim.played();
    assert!(played.windows(2).all(|w| w[0] < w[1]), "played out of order");
    let (first, last) = (played[0], *played.last().unwrap());
    let stats = sim.jb.stats();
    // Every packet in the played range is played, lost by the network, or
    // arrived after its time (counted late): none vanishes.
    let played_set: BTreeSet<u32> = played.iter().copied().collect();
    let missing: Vec<u32> = (first..=last).filter(|i| !played_set.contains(i)).collect();
    let lost_in_range = missing.iter().filter(|i| sim.lost.contains(i)).count();
    let late = missing.len() - lost_in_range;
    assert_eq!(late as u64, stats.late, "a packet that arrived in time was not played");
    assert!(lost_in_range > 20, "the network lost {lost_in_range} of ~1000: loss not simulated?");
    assert!(late < 20, "{late} late packets: the delay did not adapt");
    // Each missing packet is reported for concealment at its time, and
    // nothing else happens in a continuous stream.
    assert_eq!(sim.count(Out::Lost), missing.len());
    assert_eq!(sim.count(Out::Nothing), 0);
    assert_eq!(stats.skipped, 0);
    assert_eq!(sim.during_play().len(), played.len() + missing.len() + sim.count(Out::Stretch));
}

#[test]
fn the_delay_settles_near_the_jitter() {
    let mut sim = Sim::new(lossy_jittery(), 0x5eed_0002);
    sim.stream(Duration::from_secs(20));
    let stats = sim.jb.stats();
    let target = stats.target_delay.as_millis();
    assert!((32..=48).contains(&target), "target {target} ms for 40 ms of jitter");
    let playout = stats.playout_delay.as_millis();
    assert!(playout >= target && playout <= target + 30, "playout delay {playout} ms, target {target} ms");
}

#[test]
fn without_jitter_the_delay_stays_at_the_minimum() {
    let mut sim = Sim::new(Netem::clean(ms(30)), 0x5eed_0003);
    sim.stream(Duration::from_secs(10));
    let stats = sim.jb.stats();
    assert_eq!(stats.target_delay, ms(20));
    assert!(stats.playout_delay >= ms(20) && stats.playout_delay < ms(40), "{:?}", stats.playout_delay);
    assert_eq!((stats.concealed, stats.stretched, stats.late), (0, 0, 0));
    assert_eq!(sim.played(), (0..sim.played().len() as u32).collect::<Vec<_>>());
}

#[test]
fn the_delay_grows_fast_and_shrinks_slowly() {
    let mut sim = Sim::new(Netem::clean(ms(30)), 0x5eed_0004);
    sim.stream(Duration::from_secs(5));
    assert_eq!(sim.jb.stats().target_delay, ms(20));
    sim.link.netem.jitter = ms(100);
    sim.stream(Duration::from_secs(1));
    let grown = sim.jb.stats();
    assert!(grown.target_delay >= ms(85), "after 1 s of 100 ms jitter: {:?}", grown.target_delay);
    assert!(grown.playout_delay >= ms(60), "playout caught up by stretching: {:?}", grown.playout_delay);
    sim.stream(Duration::from_secs(4));
    sim.link.netem.jitter = Duration::ZERO;
    let skipped_before = sim.jb.stats().skipped;
    sim.stream(Duration::from_secs(1));
    assert!(sim.jb.stats().target_delay >= ms(80), "1 s after the jitter stopped: {:?}", sim.jb.stats().target_delay);
    sim.stream(Duration::from_secs(14));
    let settled = sim.jb.stats();
    assert!(settled.target_delay <= ms(30), "15 s later: {:?}", settled.target_delay);
    assert!(settled.playout_delay <= settled.target_delay + ms(30), "playout {:?}", settled.playout_delay);
    let skipped = settled.skipped - skipped_before;
    assert!((1..=15).contains(&skipped), "{skipped} frames skipped in 15 s of speech: at most one a second");
}

#[test]
fn duplicates_are_dropped_and_counted() {
    let netem = Netem { duplicate: 0.1, jitter: ms(10), ..Netem::clean(ms(20)) };
    let mut sim = Sim::new(netem, 0x5eed_0005);
    sim.stream(Duration::from_secs(10));
    let played = sim.played();
    assert!(played.windows(2).all(|w| w[0] < w[1]), "a packet played twice or out of order");
    let stats = sim.jb.stats();
    assert!(stats.duplicates > 20, "{} duplicates seen", stats.duplicates);
    assert_eq!(stats.received + stats.duplicates, sim.delivered);
    assert_eq!(stats.duplicates, sim.delivered - sim.distinct.len() as u64);
}

#[test]
fn a_late_packet_is_dropped_counted_and_concealed() {
    let mut sim = Sim::new(Netem::clean(ms(20)), 0x5eed_0006);
    sim.stream(Duration::from_secs(2));
    // Packet 100 is held up for 400 ms, beyond any delay the buffer keeps.
    sim.link.netem.delay = ms(420);
    sim.stream(ms(20));
    sim.link.netem.delay = ms(20);
    sim.stream(Duration::from_secs(2));
    assert!(!sim.played().contains(&100));
    let stats = sim.jb.stats();
    assert_eq!(stats.late, 1);
    assert_eq!(sim.count(Out::Lost), 1);
}

#[test]
fn reordering_within_the_window_is_absorbed() {
    let netem = Netem { reorder: 0.2, reorder_by: ms(25), ..Netem::clean(ms(20)) };
    let mut sim = Sim::new(netem, 0x5eed_0007);
    sim.stream(Duration::from_secs(10));
    let played = sim.played();
    let n = played.len() as u32;
    // The target grows to cover the 25 ms hold-up at once; at most the
    // first reordered packet (before the buffer learnt) is late.
    assert!(sim.jb.stats().late <= 1, "late {}", sim.jb.stats().late);
    assert!(played.windows(2).all(|w| w[0] < w[1]));
    assert!(n >= 495, "{n} of 500 played");
}

#[test]
fn a_pause_then_a_marker_restarts_playout_at_the_target_delay() {
    let mut sim = Sim::new(Netem::clean(ms(30)), 0x5eed_0008);
    sim.stream(Duration::from_secs(1));
    // 2 s of silence (nothing sent, timestamps go on), then a new spurt
    // with the marker bit.
    sim.run(Duration::from_secs(2), |_, _| None);
    sim.run(Duration::from_secs(1), |sim, slot| {
        let mut p = sim.packet(50 + (slot as u32 - 150));
        p.ts = sim.ts0.wrapping_add(slot as u32 * 160);
        p.marker = slot == 150;
        Some(p)
    });
    let pause = &sim.out[52..150];
    let concealed = pause.iter().filter(|o| o.1 == Out::Lost).count();
    assert!(concealed <= 10, "{concealed} frames concealed in a pause");
    assert!(pause[20..].iter().all(|o| o.1 == Out::Nothing), "the pause is played as nothing");
    let started = sim.out.iter().position(|o| matches!(o.1, Out::Frame(0))).unwrap();
    let resumed = sim.out[150..].iter().position(|o| matches!(o.1, Out::Frame(50))).unwrap();
    assert_eq!(resumed, started, "the new spurt waits as long as the first did");
    // All played (the last ones sent are still on their way at the end).
    let played = sim.played();
    assert_eq!(played, (0..played.len() as u32).collect::<Vec<_>>());
    assert!(played.len() >= 97);
    assert!(sim.jb.stats().playout_delay < ms(40));
}

#[test]
fn a_new_talk_spurt_plays_at_the_target_delay() {
    // 3 s of 100 ms jitter, then a clean link: the target comes down, but
    // playout (skipping at most a frame a second in speech) lags behind it.
    let mut sim = Sim::new(Netem { jitter: ms(100), ..Netem::clean(ms(30)) }, 0x5eed_000b);
    sim.stream(Duration::from_secs(3));
    sim.link.netem.jitter = Duration::ZERO;
    sim.stream(ms(3500));
    let before = sim.jb.stats();
    let lag = before.playout_delay.saturating_sub(before.target_delay);
    assert!(lag > ms(20), "precondition: playout {:?} lags the target {:?}", before.playout_delay, before.target_delay);
    // A pause, then a new spurt with the marker bit.
    sim.run(Duration::from_secs(1), |_, _| None);
    let restart = sim.ticks;
    sim.run(Duration::from_secs(1), |sim, slot| {
        let mut p = sim.packet(slot as u32 - 50);
        p.ts = sim.ts0.wrapping_add(slot as u32 * 160);
        p.marker = slot == restart;
        Some(p)
    });
    let after = sim.jb.stats();
    assert!(
        after.playout_delay < after.target_delay + ms(20),
        "playout {:?}, target {:?}",
        after.playout_delay,
        after.target_delay
    );
}

#[test]
fn a_big_timestamp_jump_resynchronises() {
    let mut sim = Sim::new(Netem::clean(ms(30)), 0x5eed_0009);
    sim.stream(Duration::from_secs(1));
    // Another source: sequence and timestamp from elsewhere, no marker.
    sim.run(Duration::from_secs(1), |_, slot| {
        let k = slot as u32 - 50;
        Some(Pkt { index: 1000 + k, seq: 40_000 + k as u16, ts: 3_000_000_000 + k * 160, marker: false })
    });
    let stats = sim.jb.stats();
    assert_eq!(stats.resyncs, 1);
    assert!(sim.played().contains(&1000) && sim.played().contains(&1045), "the new stream plays");
}

#[test]
fn sequence_and_timestamp_wrap_are_followed() {
    let mut sim = Sim::starting_at(lossy_jittery(), 0x5eed_000a, 65_500, u32::MAX - 3 * 160);
    sim.stream(Duration::from_secs(4));
    let stats = sim.jb.stats();
    assert_eq!(stats.resyncs, 0);
    let played = sim.played();
    assert!(played.windows(2).all(|w| w[0] < w[1]));
    assert!(played.len() > 170, "{} of 200 played", played.len());
}

#[test]
fn after_a_lost_frame_the_next_packet_can_be_peeked_and_still_plays() {
    let t0 = Instant::now();
    let mut jb = JitterBuffer::new(JitterConfig::new(8_000));
    assert_eq!(jb.peek_next(), None, "nothing before playout");
    let mut lost_seen = false;
    for i in 0..12u16 {
        let now = t0 + ms(20 * u64::from(i));
        // Packet 5 is lost; each frame plays 20 ms after its packet arrives,
        // so packet 6 is held when frame 5 is found missing.
        if i != 5 {
            jb.push(i, u32::from(i) * 160, i == 0, &payload_of(i), now);
        }
        match jb.poll_playout(now) {
            Playout::Lost { timestamp } => {
                assert_eq!(timestamp, 5 * 160, "the frame of packet 5 is the one lost");
                assert_eq!(jb.peek_next(), Some(&payload_of(6)[..]), "packet 6 follows the lost frame");
                assert_eq!(jb.peek_next(), Some(&payload_of(6)[..]), "peeking takes nothing");
                lost_seen = true;
            }
            Playout::Frame { sequence, .. } if lost_seen => {
                assert_eq!(sequence, 6, "the peeked packet plays on the next tick");
                return;
            }
            _ => {}
        }
    }
    panic!("the loss and the next packet were not both seen (lost: {lost_seen})");
}

fn payload_of(seq: u16) -> Vec<u8> {
    (0..usize::from(seq % 7) + 1).map(|i| (seq as usize * 31 + i) as u8).collect()
}

proptest! {
    #![proptest_config(super::fixed_seed())]

    /// Whatever arrives, in any order and at any time, the buffer never
    /// panics and a frame it plays carries the payload pushed with its
    /// sequence number.
    #[test]
    fn any_input_plays_only_what_was_pushed(ops in prop::collection::vec((any::<u16>(), any::<u32>(), any::<bool>(), 0u64..100, any::<bool>()), 1..300)) {
        let t0 = Instant::now();
        let mut jb = JitterBuffer::new(JitterConfig::new(8_000));
        let mut now = t0;
        for (seq, ts, marker, advance, tick) in ops {
            now += ms(advance);
            let seq = seq % 64;
            let ts = if ts % 4 == 0 { ts } else { u32::from(seq) * 160 };
            jb.push(seq, ts, marker, &payload_of(seq), now);
            if tick && let Playout::Frame { sequence, payload, .. } = jb.poll_playout(now) {
                prop_assert_eq!(payload, &payload_of(sequence)[..]);
            }
        }
    }
}
