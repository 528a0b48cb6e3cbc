//! A G.711 leg through jitter buffer, decoder, concealment and resampler,
//! and back through resampler and encoder.

use std::time::{Duration, Instant};

use media::FRAME_SAMPLES;
use media::g711::Law;
use media::g711_leg::{G711_FRAME, G711Leg, Pulled};
use media::goertzel::energy_ratio;

/// `frames` of a `hz` tone at `rate`, frame by frame, continuous.
fn tone(hz: f64, rate: f64, frame_len: usize, frames: usize) -> Vec<Vec<i16>> {
    (0..frames)
        .map(|f| {
            (0..frame_len)
                .map(|i| {
                    let n = (f * frame_len + i) as f64;
                    ((n * hz * std::f64::consts::TAU / rate).sin() * 8_000.0) as i16
                })
                .collect()
        })
        .collect()
}

fn payloads(law: Law, hz: f64, frames: usize) -> Vec<[u8; G711_FRAME]> {
    tone(hz, 8_000.0, G711_FRAME, frames)
        .into_iter()
        .map(|pcm| {
            let mut out = [0u8; G711_FRAME];
            law.encode_into(&pcm, &mut out);
            out
        })
        .collect()
}

/// Sends `payloads` every 20 ms (skipping the indices in `lost`) and
/// pulls a frame every 20 ms, 40 ms behind; returns the frames and what
/// each pull was.
fn run(leg: &mut G711Leg, payloads: &[[u8; G711_FRAME]], lost: &[usize]) -> (Vec<[i16; FRAME_SAMPLES]>, Vec<Pulled>) {
    let start = Instant::now();
    let (mut frames, mut kinds) = (Vec::new(), Vec::new());
    for (i, payload) in payloads.iter().enumerate() {
        let at = start + Duration::from_millis(20 * i as u64);
        if !lost.contains(&i) {
            leg.push_packet(i as u16, (i * G711_FRAME) as u32, i == 0, payload, at);
        }
        let mut out = [0i16; FRAME_SAMPLES];
        kinds.push(leg.pull(at + Duration::from_millis(40), &mut out));
        frames.push(out);
    }
    (frames, kinds)
}

#[test]
fn a_ulaw_tone_arrives_at_16_khz_with_its_frequency() {
    let mut leg = G711Leg::new(Law::Ulaw);
    let (frames, kinds) = run(&mut leg, &payloads(Law::Ulaw, 1_000.0, 50), &[]);
    let audio: Vec<_> = frames.iter().zip(&kinds).filter(|(_, k)| **k == Pulled::Audio).map(|(f, _)| f).collect();
    assert!(audio.len() >= 40, "most frames are played: {kinds:?}");
    let last = audio.last().expect("audio");
    assert!(energy_ratio(&last[..], 1_000.0, 16_000.0) > 0.9, "the 1 kHz tone dominates the 16 kHz frame");
}

#[test]
fn a_lost_packet_is_concealed_and_playback_goes_on() {
    let mut leg = G711Leg::new(Law::Alaw);
    let (frames, kinds) = run(&mut leg, &payloads(Law::Alaw, 440.0, 50), &[25]);
    let concealed = kinds.iter().position(|k| *k == Pulled::Concealed).expect("one frame concealed");
    assert!(frames[concealed].iter().any(|s| *s != 0), "concealment repeats sound, not silence");
    assert_eq!(kinds.iter().filter(|k| **k == Pulled::Concealed).count(), 1);
    assert_eq!(kinds[concealed + 1], Pulled::Audio, "the next packet plays");
}

#[test]
fn the_mixer_frames_are_encoded_back_to_the_same_tone() {
    let mut leg = G711Leg::new(Law::Ulaw);
    let mut decoded = Vec::new();
    for pcm in tone(700.0, 16_000.0, FRAME_SAMPLES, 10) {
        let frame: [i16; FRAME_SAMPLES] = pcm.try_into().expect("frame");
        let mut payload = [0u8; G711_FRAME];
        leg.encode(&frame, &mut payload);
        let mut pcm8 = [0i16; G711_FRAME];
        Law::Ulaw.decode_into(&payload, &mut pcm8);
        decoded.extend_from_slice(&pcm8);
    }
    let tail = &decoded[decoded.len() - 800..];
    assert!(energy_ratio(tail, 700.0, 8_000.0) > 0.9, "the 700 Hz tone survives 16 -> 8 kHz and G.711");
}
