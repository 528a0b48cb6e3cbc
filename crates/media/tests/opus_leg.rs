//! An Opus leg over plain RTP: jitter buffer at 48 kHz, decoding, FEC from
//! the next packet or PLC for lost frames, bad payloads concealed.

use std::time::{Duration, Instant};

use media::FRAME_SAMPLES;
use media::g711_leg::Pulled;
use media::opus::{MAX_PACKET_BYTES, OpusConfig, OpusDecoder, OpusEncoder};
use media::opus_leg::{OPUS_FRAME_TICKS, OpusLeg};
use proptest::prelude::*;

use super::opus_codec::{sine_frame, tone_amplitude};

type Pcm = [i16; FRAME_SAMPLES];

/// Packets of `frames` frames made by `frame(i)`, encoded in order.
fn packets(frames: usize, frame: impl Fn(usize) -> Pcm) -> Vec<Vec<u8>> {
    packets_with(OpusConfig::default(), frames, frame)
}

/// [`packets`] from an encoder with `config`.
fn packets_with(config: OpusConfig, frames: usize, frame: impl Fn(usize) -> Pcm) -> Vec<Vec<u8>> {
    let mut encoder = OpusEncoder::with_config(config).unwrap();
    let mut out = [0u8; MAX_PACKET_BYTES];
    (0..frames)
        .map(|i| {
            let len = encoder.encode(&frame(i), &mut out).unwrap();
            out[..len].to_vec()
        })
        .collect()
}

fn tone(hz: f64, frames: usize) -> Vec<Vec<u8>> {
    packets(frames, |i| sine_frame(hz, 8_000.0, i))
}

/// What the leg gave at each 20 ms tick.
struct Run {
    frames: Vec<Pcm>,
    kinds: Vec<Pulled>,
}

/// Delivers `arrivals` (arrival in ms, packet index), packet `i` carrying
/// sequence `i` and timestamp `i × 960`, and pulls a frame every 20 ms for
/// `ticks` ticks from 0; packets arriving by a tick are pushed before its
/// pull.
fn run(leg: &mut OpusLeg, packets: &[Vec<u8>], mut arrivals: Vec<(u64, usize)>, ticks: u64) -> Run {
    arrivals.sort_by_key(|(at, _)| *at);
    let t0 = Instant::now();
    let mut pending = arrivals.into_iter().peekable();
    let (mut frames, mut kinds) = (Vec::new(), Vec::new());
    for tick in 0..ticks {
        let now = t0 + Duration::from_millis(20 * tick);
        while let Some((at, i)) = pending.next_if(|(at, _)| *at <= 20 * tick) {
            let ts = (i as u32).wrapping_mul(OPUS_FRAME_TICKS);
            leg.push_packet(i as u16, ts, i == 0, &packets[i], t0 + Duration::from_millis(at));
        }
        let mut out = [0i16; FRAME_SAMPLES];
        kinds.push(leg.pull(now, &mut out));
        frames.push(out);
    }
    Run { frames, kinds }
}

/// Each packet arrives when it is sent (every 20 ms), but those in `lost`.
fn on_time(count: usize, lost: &[usize]) -> Vec<(u64, usize)> {
    (0..count).filter(|i| !lost.contains(i)).map(|i| (20 * i as u64, i)).collect()
}

/// `packets` sent on time but those in `lost`, pulled until the last one
/// has played (it plays one tick after it is sent).
fn run_on_time(leg: &mut OpusLeg, packets: &[Vec<u8>], lost: &[usize]) -> Run {
    run(leg, packets, on_time(packets.len(), lost), packets.len() as u64 + 1)
}

fn leg() -> OpusLeg {
    OpusLeg::new(OpusConfig::default()).unwrap()
}

#[test]
fn a_700_hz_tone_arrives_after_the_buffer_delay() {
    let mut leg = leg();
    let run = run_on_time(&mut leg, &tone(700.0, 50), &[]);
    let first = run.kinds.iter().position(|k| *k == Pulled::Audio).expect("audio plays");
    assert_eq!(first, 1, "the first packet plays one frame (the 20 ms minimum delay) after it arrived");
    assert!(run.kinds[..first].iter().all(|k| *k == Pulled::Silence));
    assert_eq!(run.kinds.iter().filter(|k| **k == Pulled::Audio).count(), 50, "every packet plays");
    for (tick, frame) in run.frames.iter().enumerate().skip(first + 5).take(40) {
        let at_tone = tone_amplitude(frame, 700.0);
        assert!(at_tone > 6_000.0, "tick {tick}: 700 Hz at {at_tone:.0}");
        assert!(tone_amplitude(frame, 1_100.0) < at_tone / 20.0, "tick {tick}: the tone dominates");
    }
    let stats = leg.stats();
    assert_eq!((stats.frames_decoded, stats.frames_concealed_plc, stats.frames_recovered_fec), (50, 0, 0));
}

/// 440 Hz for 20 frames, then 700 Hz: PLC can only go on with 440 Hz, a
/// frame rebuilt from FEC brings the 700 Hz.
fn step_packets(config: OpusConfig) -> Vec<Vec<u8>> {
    packets_with(config, 40, |i| sine_frame(if i < 20 { 440.0 } else { 700.0 }, 8_000.0, i))
}

/// Plays `packets` with packet 20 lost; gives the leg's counters and the
/// 700 Hz amplitude of the lost frame as the leg filled it in and as PLC
/// alone would have.
fn lose_frame_20(packets: &[Vec<u8>]) -> (media::opus_leg::OpusLegStats, f64, f64) {
    let mut leg = leg();
    let run = run_on_time(&mut leg, packets, &[20]);
    let lost = run.kinds.iter().position(|k| *k == Pulled::Concealed).expect("one frame concealed");
    assert_eq!(lost, 21, "frame 20 is due one tick after it was sent");
    assert_eq!(run.kinds[lost + 1], Pulled::Audio, "the packet that carried the FEC plays next");
    let mut plc = OpusDecoder::new().unwrap();
    let mut pcm = [0i16; FRAME_SAMPLES];
    for packet in &packets[..20] {
        plc.decode(packet, &mut pcm).unwrap();
    }
    plc.conceal(None, &mut pcm).unwrap();
    (leg.stats(), tone_amplitude(&run.frames[lost], 700.0), tone_amplitude(&pcm, 700.0))
}

#[test]
fn a_lost_packet_is_rebuilt_from_the_next_packets_fec() {
    let (stats, fec_700, plc_700) = lose_frame_20(&step_packets(OpusConfig::default()));
    assert_eq!(stats.frames_recovered_fec, 1, "{stats:?}");
    assert_eq!(stats.frames_concealed_plc, 0, "{stats:?}");
    assert_eq!(stats.frames_decoded, 39);
    assert!(fec_700 > 2_000.0, "FEC brings back the 700 Hz frame: {fec_700:.0}");
    assert!(fec_700 > 4.0 * plc_700, "FEC {fec_700:.0} against PLC {plc_700:.0} at 700 Hz");
}

#[test]
fn the_transcoding_config_still_carries_fec_where_20_kbit_s_at_its_complexity_would_not() {
    let (_, fec_700, plc_700) = lose_frame_20(&step_packets(OpusConfig::transcoding()));
    assert!(fec_700 > 2_000.0 && fec_700 > 4.0 * plc_700, "FEC {fec_700:.0} against PLC {plc_700:.0}");
    // The reason for its bitrate: at 20 kbit/s, complexity 1 sends no FEC.
    let mut cheap = OpusConfig::transcoding();
    cheap.bitrate = 20_000;
    let (_, fec_700, plc_700) = lose_frame_20(&step_packets(cheap));
    assert!(fec_700 < 2.0 * plc_700.max(100.0), "no FEC: {fec_700:.0} against PLC {plc_700:.0}");
}

#[test]
fn the_encoder_settings_change_mid_call() {
    let mut leg = leg();
    let mut out = [0u8; MAX_PACKET_BYTES];
    let mut bytes = |leg: &mut OpusLeg| {
        (0..50).map(|i| leg.encode(&sine_frame(440.0, 8_000.0, i), &mut out).unwrap()).sum::<usize>()
    };
    let default = bytes(&mut leg);
    let mut high = OpusConfig::transcoding();
    high.bitrate = 64_000;
    leg.set_encoder_config(high).unwrap();
    let more = bytes(&mut leg);
    // VBR spends few bits on a pure tone, but still half as many again.
    assert!(more * 10 > default * 14, "64 kbit/s sends more than 20: {more} against {default} bytes");
    let mut bad = OpusConfig::default();
    bad.complexity = 11;
    assert!(leg.set_encoder_config(bad).is_err(), "complexity 11 is refused");
}

#[test]
fn a_longer_loss_is_concealed_by_plc_and_its_last_frame_by_fec() {
    let mut leg = leg();
    let run = run_on_time(&mut leg, &tone(440.0, 40), &[20, 21, 22]);
    let stats = leg.stats();
    assert_eq!(stats.frames_concealed_plc, 2, "frames 20 and 21 have no next packet at hand: {stats:?}");
    assert_eq!(stats.frames_recovered_fec, 1, "frame 22 comes from packet 23's FEC: {stats:?}");
    assert_eq!(stats.frames_decoded, 37);
    assert_eq!(run.kinds[21..24], [Pulled::Concealed; 3]);
    for frame in &run.frames[21..23] {
        let peak = frame.iter().map(|s| i32::from(*s).abs()).max().unwrap();
        assert!(tone_amplitude(frame, 440.0) > 1_000.0, "PLC goes on with the tone");
        assert!(peak <= 12_000, "PLC stays near the tone's level: peak {peak}");
    }
    assert_eq!(run.kinds[24], Pulled::Audio);
}

#[test]
fn a_loss_longer_than_the_buffer_is_silence_not_endless_plc() {
    let mut leg = leg();
    let run = run_on_time(&mut leg, &tone(440.0, 60), &(20..45).collect::<Vec<_>>());
    // Frames 20 to 44 are due at ticks 21 to 45.
    assert_eq!(run.kinds[21..31], [Pulled::Concealed; 10], "200 ms are concealed");
    assert!(run.kinds[31..46].iter().all(|k| *k == Pulled::Silence), "then silence: {:?}", &run.kinds[31..46]);
    assert!(run.frames[31..46].iter().all(|f| f.iter().all(|s| *s == 0)));
    assert!(run.kinds[46..].iter().all(|k| *k == Pulled::Audio), "packet 45 and on play: {:?}", &run.kinds[46..]);
    assert_eq!(leg.stats().frames_concealed_plc, 10);
}

#[test]
fn packets_reordered_within_the_buffer_depth_play_in_order() {
    let packets = packets(60, |i| sine_frame(300.0 + 10.0 * i as f64, 8_000.0, i));
    // Every even packet arrives 30 ms late, after the odd one sent after it.
    let arrivals = (0..60).map(|i| (20 * i as u64 + if i % 2 == 0 { 30 } else { 0 }, i)).collect();
    let mut leg = leg();
    let run = run(&mut leg, &packets, arrivals, 62);
    let played: Vec<Pcm> =
        run.frames.iter().zip(&run.kinds).filter(|(_, k)| **k == Pulled::Audio).map(|(f, _)| *f).collect();
    let stats = leg.jitter_stats();
    assert_eq!((stats.late, leg.stats().frames_concealed_plc + leg.stats().frames_recovered_fec), (0, 0), "{stats:?}");
    assert_eq!(played.len(), 60);
    // The same packets decoded in sending order give the same samples.
    let mut decoder = OpusDecoder::new().unwrap();
    for (i, (packet, frame)) in packets.iter().zip(&played).enumerate() {
        let mut pcm = [0i16; FRAME_SAMPLES];
        decoder.decode(packet, &mut pcm).unwrap();
        assert_eq!(&pcm[..], &frame[..], "frame {i} is packet {i} decoded in order");
    }
}

#[test]
fn an_invalid_payload_is_concealed_counted_and_playback_goes_on() {
    let mut packets = tone(440.0, 30);
    packets[10] = vec![0x0b, 0x00]; // code 3 with zero frames
    packets[11] = Vec::new();
    let mut leg = leg();
    let run = run_on_time(&mut leg, &packets, &[]);
    let stats = leg.stats();
    assert_eq!(stats.packets_invalid, 2, "{stats:?}");
    assert_eq!(stats.frames_decoded, 28);
    assert_eq!(run.kinds[11..13], [Pulled::Concealed; 2]);
    assert_eq!(run.kinds[13], Pulled::Audio);
}

#[test]
fn the_mixer_frames_are_encoded_to_packets_of_the_same_tone() {
    let mut leg = leg();
    let mut decoder = OpusDecoder::new().unwrap();
    let (mut out, mut pcm) = ([0u8; MAX_PACKET_BYTES], [0i16; FRAME_SAMPLES]);
    for i in 0..20 {
        let len = leg.encode(&sine_frame(700.0, 8_000.0, i), &mut out).unwrap();
        assert_eq!(decoder.decode(&out[..len], &mut pcm).unwrap(), FRAME_SAMPLES);
    }
    assert!(tone_amplitude(&pcm, 700.0) > 6_000.0);
}

#[test]
fn a_playing_leg_allocates_nothing_per_frame() {
    // 64 packets, one per jitter slot, so each slot always holds the same size.
    let packets = tone(440.0, 64);
    let mut leg = leg();
    let t0 = Instant::now();
    let (mut out, mut pcm) = ([0u8; MAX_PACKET_BYTES], [0i16; FRAME_SAMPLES]);
    let mut frame = |leg: &mut OpusLeg, n: u64| {
        let i = (n % 64) as usize;
        let now = t0 + Duration::from_millis(20 * n);
        if n % 10 != 7 {
            leg.push_packet(n as u16, n as u32 * OPUS_FRAME_TICKS, n == 0, &packets[i], now);
        }
        let _ = leg.pull(now, &mut pcm);
        leg.encode(&pcm, &mut out).unwrap()
    };
    for n in 0..128 {
        frame(&mut leg, n);
    }
    let info = allocation_counter::measure(|| {
        for n in 128..320 {
            std::hint::black_box(frame(&mut leg, n));
        }
    });
    assert_eq!(info.count_total, 0, "decode, FEC, PLC and encode allocate nothing");
    assert!(leg.stats().frames_recovered_fec > 20, "the losses were rebuilt from FEC: {:?}", leg.stats());
}

proptest! {
    #![proptest_config(super::fixed_seed())]

    /// Any payloads (valid packets among random bytes), any order, any
    /// losses: the leg never panics and every frame it gives is counted once.
    #[test]
    fn any_payloads_are_concealed_never_a_panic(
        ops in prop::collection::vec((any::<bool>(), prop::collection::vec(any::<u8>(), 0..200), 0u64..80, any::<bool>()), 1..80)
    ) {
        let good = tone(440.0, 4);
        let payloads: Vec<Vec<u8>> = ops
            .iter()
            .enumerate()
            .map(|(i, (valid, bytes, _, _))| if *valid { good[i % 4].clone() } else { bytes.clone() })
            .collect();
        let arrivals = ops.iter().enumerate().filter(|(_, op)| !op.3).map(|(i, op)| (20 * i as u64 + op.2, i)).collect();
        let mut leg = leg();
        let run = run(&mut leg, &payloads, arrivals, payloads.len() as u64 + 8);
        let stats = leg.stats();
        let audio = run.kinds.iter().filter(|k| **k == Pulled::Audio).count() as u64;
        let concealed = run.kinds.iter().filter(|k| **k == Pulled::Concealed).count() as u64;
        prop_assert_eq!(audio, stats.frames_decoded);
        prop_assert_eq!(concealed, stats.frames_concealed_plc + stats.frames_recovered_fec);
        for (frame, kind) in run.frames.iter().zip(&run.kinds) {
            prop_assert!(*kind != Pulled::Silence || frame.iter().all(|s| *s == 0));
        }
    }
}
