//! In-band DTMF detection: every digit, noise, talk-off, presses and pauses, twist.

use media::dtmf_detect::{BLOCK, DtmfConfig, DtmfDetector, DtmfEvent};
use media::g711::Law;
use media::tone::{Cadence, DBM0_PEAK, DtmfDigit, DtmfSequence, ToneGenerator};
use proptest::prelude::*;

use crate::signal::{rng, sine, sum, white_noise};

fn events(detector: &mut DtmfDetector, audio: &[i16], frame: usize) -> Vec<DtmfEvent> {
    let mut out = Vec::new();
    for chunk in audio.chunks(frame) {
        detector.push(chunk);
        while let Some(event) = detector.poll_event() {
            out.push(event);
        }
    }
    out
}

fn pressed(audio: &[i16]) -> String {
    let mut detector = DtmfDetector::default();
    events(&mut detector, audio, 160)
        .into_iter()
        .filter_map(|e| match e {
            DtmfEvent::Pressed { digit, .. } => Some(digit.as_char()),
            DtmfEvent::Released { .. } => None,
        })
        .collect()
}

fn sequence(digits: &str, on_ms: u32, off_ms: u32, lead_samples: usize) -> Vec<i16> {
    let mut generator = DtmfSequence::new(8000, digits, on_ms, off_ms);
    let mut audio = vec![0i16; lead_samples + 8 * digits.len() * (on_ms + off_ms) as usize + 800];
    generator.fill(&mut audio[lead_samples..]);
    audio
}

/// Through a G.711 leg: encoded and decoded.
fn through(law: Law, audio: &[i16]) -> Vec<i16> {
    audio.iter().map(|&s| law.decode(law.encode(s))).collect()
}

/// Row and column tones at chosen levels (dBm0) and frequencies.
fn pair(row: f64, row_dbm0: f64, column: f64, column_dbm0: f64, ms: usize) -> Vec<i16> {
    let level = |dbm0: f64| DBM0_PEAK * 10f64.powf(dbm0 / 20.0);
    let n = ms * 8;
    let mut audio = sum(&[&sine(row, level(row_dbm0), 8000.0, 0, n), &sine(column, level(column_dbm0), 8000.0, 0, n)]);
    audio.extend([0; 800]);
    audio
}

#[test]
fn every_digit_is_detected_through_ulaw_and_alaw() {
    let keys = "0123456789*#ABCD";
    for law in [Law::Ulaw, Law::Alaw] {
        let audio = through(law, &sequence(keys, 50, 50, 333));
        assert_eq!(pressed(&audio), keys, "{law:?}");
    }
}

#[test]
fn digits_are_detected_in_white_noise_20_db_below_them() {
    let clean = sequence("147*2580369#ABCD", 60, 60, 0);
    // Tone power: rows at −8 dBm0, columns at −6 dBm0; noise 20 dB below their sum, only while they sound.
    let level = |dbm0: f64| (DBM0_PEAK * 10f64.powf(dbm0 / 20.0)).powi(2) / 2.0;
    let sigma = ((level(-8.0) + level(-6.0)) / 100.0).sqrt();
    for seed in 1..=4 {
        let noise = white_noise(&mut rng(seed), sigma, clean.len());
        let noisy = through(Law::Ulaw, &sum(&[&clean, &noise]));
        assert_eq!(pressed(&noisy), "147*2580369#ABCD", "seed {seed}");
    }
}

#[test]
fn ringback_a_1_khz_tone_and_a_speech_like_sweep_are_not_digits() {
    let mut ringback = vec![0i16; 8000 * 12];
    ToneGenerator::ringback(8000).fill(&mut ringback);
    assert_eq!(pressed(&ringback), "", "ringback");
    let mut busy = vec![0i16; 8000 * 3];
    ToneGenerator::busy(8000).fill(&mut busy);
    assert_eq!(pressed(&busy), "", "busy");
    let loud = sine(1000.0, 20_000.0, 8000.0, 0, 8000 * 2);
    assert_eq!(pressed(&loud), "", "1 kHz");
    assert_eq!(pressed(&speech_like_sweep()), "", "speech-like sweep");
    assert_eq!(pressed(&tone_sweep()), "", "a single tone swept through the band");
}

/// A voiced sound whose pitch glides 80 → 320 Hz over 6 s: every harmonic up to 3.4 kHz,
/// falling 6 dB per octave, with two slowly moving formant peaks; loud.
fn speech_like_sweep() -> Vec<i16> {
    let n = 8000 * 6;
    let mut phase = 0.0f64;
    (0..n)
        .map(|i| {
            let t = i as f64 / 8000.0;
            let f0 = 80.0 * 4f64.powf(t / 6.0);
            phase += std::f64::consts::TAU * f0 / 8000.0;
            let formants = [600.0 + 300.0 * (t * 1.3).sin(), 1500.0 + 600.0 * (t * 0.7).cos()];
            let mut v = 0.0;
            let mut k = 1.0;
            while k * f0 < 3400.0 {
                let f = k * f0;
                let boost: f64 = formants.iter().map(|&fm| 1.0 / (1.0 + ((f - fm) / 150.0).powi(2))).sum();
                v += (1.0 + 3.0 * boost) / k * (k * phase).sin();
                k += 1.0;
            }
            (v * 2500.0).clamp(-32_000.0, 32_000.0) as i16
        })
        .collect()
}

/// One loud sine gliding 300 → 3400 Hz over 4 s.
fn tone_sweep() -> Vec<i16> {
    let mut phase = 0.0f64;
    (0..8000 * 4)
        .map(|i| {
            let f = 300.0 + 3100.0 * i as f64 / 32_000.0;
            phase += std::f64::consts::TAU * f / 8000.0;
            (15_000.0 * phase.sin()) as i16
        })
        .collect()
}

#[test]
fn a_held_digit_is_one_press() {
    let mut tone =
        ToneGenerator::new(8000, &[(852.0, -8.0), (1477.0, -6.0)], Cadence::Once { on_ms: 3000, off_ms: 200 });
    let mut audio = vec![0i16; 8000 * 4];
    tone.fill(&mut audio);
    let mut detector = DtmfDetector::default();
    let got = events(&mut detector, &audio, 160);
    assert_eq!(got.len(), 2, "{got:?}");
    let DtmfEvent::Pressed { digit, start } = got[0] else { panic!("first a press: {got:?}") };
    assert_eq!(digit, DtmfDigit::D9);
    assert_eq!(start, 0);
    let DtmfEvent::Released { digit, start: s, end } = got[1] else { panic!("then a release: {got:?}") };
    assert_eq!((digit, s), (DtmfDigit::D9, 0));
    assert!(end.abs_diff(24_000) <= BLOCK as u64, "released at {end}, the tone stopped at 24000");
}

#[test]
fn a_held_digit_with_an_8_ms_dropout_is_one_press() {
    let mut audio = pair(852.0, -8.0, 1477.0, -6.0, 500);
    // 64 samples of silence inside block 10 (samples 1020..1122).
    audio[1040..1104].fill(0);
    assert_eq!(pressed(&audio), "9");
}

#[test]
fn two_tones_of_one_group_are_not_a_digit() {
    let mut audio = pair(697.0, -8.0, 1209.0, -8.0, 200);
    let extra = pair(770.0, -9.0, 1209.0, -200.0, 200);
    audio = sum(&[&audio, &extra]);
    assert_eq!(pressed(&audio), "");
}

#[test]
fn forty_ms_digits_with_forty_ms_pauses_are_all_seen_at_every_alignment() {
    for lead in 0..BLOCK {
        let audio = sequence("9#3D", 40, 40, lead);
        assert_eq!(pressed(&audio), "9#3D", "lead of {lead} samples");
    }
}

#[test]
fn a_tone_of_15_ms_is_not_a_digit_at_any_alignment() {
    for lead in 0..BLOCK {
        let audio = sequence("5", 15, 100, lead);
        assert_eq!(pressed(&audio), "", "lead of {lead} samples");
    }
}

#[test]
fn a_10_ms_interruption_does_not_split_a_press_at_any_alignment() {
    for at in 800..800 + BLOCK {
        let mut audio = pair(941.0, -8.0, 1336.0, -6.0, 300);
        audio[at..at + 80].fill(0);
        assert_eq!(pressed(&audio), "0", "interruption at sample {at}");
    }
}

#[test]
fn twist_within_the_limits_is_accepted_and_beyond_them_rejected() {
    // Normal twist: the row (low group) louder, as after a line that loses highs; up to 8 dB.
    assert_eq!(pressed(&pair(770.0, -6.0, 1336.0, -13.0, 100)), "5");
    assert_eq!(pressed(&pair(770.0, -6.0, 1336.0, -15.0, 100)), "");
    // Reverse twist: the column louder, up to 4 dB.
    assert_eq!(pressed(&pair(770.0, -12.5, 1336.0, -9.0, 100)), "5");
    assert_eq!(pressed(&pair(770.0, -14.0, 1336.0, -9.0, 100)), "");
}

#[test]
fn quiet_tones_are_rejected_below_minus_30_dbm0() {
    assert_eq!(pressed(&pair(941.0, -27.0, 1633.0, -26.0, 100)), "D");
    assert_eq!(pressed(&pair(941.0, -34.0, 1633.0, -33.0, 100)), "");
}

#[test]
fn tones_1_5_per_cent_off_frequency_are_accepted() {
    for digit in DtmfDigit::ALL {
        let (row, column) = digit.frequencies();
        for (dr, dc) in [(1.015, 1.015), (0.985, 0.985), (1.015, 0.985), (0.985, 1.015)] {
            let audio = pair(row * dr, -8.0, column * dc, -6.0, 60);
            assert_eq!(pressed(&audio), digit.as_char().to_string(), "{digit:?} at ×{dr}, ×{dc}");
        }
    }
}

#[test]
fn two_digits_without_a_pause_are_two_presses() {
    let mut audio = pair(697.0, -8.0, 1209.0, -6.0, 100);
    audio.truncate(800);
    audio.extend(pair(697.0, -8.0, 1336.0, -6.0, 100));
    let mut detector = DtmfDetector::default();
    let got = events(&mut detector, &audio, 160);
    let keys: Vec<(char, bool)> = got
        .iter()
        .map(|e| match *e {
            DtmfEvent::Pressed { digit, .. } => (digit.as_char(), true),
            DtmfEvent::Released { digit, .. } => (digit.as_char(), false),
        })
        .collect();
    assert_eq!(keys, [('1', true), ('1', false), ('2', true), ('2', false)]);
    assert_eq!(detector.pressed(), None);
}

proptest! {
    #![proptest_config(crate::signal::fixed_seed())]

    #[test]
    fn frames_of_any_size_give_the_same_events(
        digits in "[0-9*#A-D]{1,6}",
        lead in 0usize..300,
        frame in 1usize..400,
    ) {
        let audio = sequence(&digits, 45, 45, lead);
        let whole = events(&mut DtmfDetector::default(), &audio, audio.len());
        prop_assert_eq!(events(&mut DtmfDetector::default(), &audio, frame), whole.clone());
        prop_assert_eq!(whole.len(), 2 * digits.len());
    }

    #[test]
    fn arbitrary_audio_never_panics(audio in proptest::collection::vec(any::<i16>(), 0..3000)) {
        let mut detector = DtmfDetector::new(DtmfConfig::default());
        let _ = events(&mut detector, &audio, 160);
    }
}
