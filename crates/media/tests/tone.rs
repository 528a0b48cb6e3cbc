//! Tone generators: cadences, levels, continuity across frames.

use std::f64::consts::TAU;

use media::goertzel::{Goertzel, energy_ratio};
use media::tone::{Cadence, DBM0_PEAK, DtmfDigit, DtmfSequence, ToneGenerator};

use crate::signal::{max_step, rms};

/// `seconds` of a generator's output, in frames of `frame` samples.
fn generate(tone: &mut ToneGenerator, rate: u32, seconds: f64, frame: usize) -> Vec<i16> {
    let total = (f64::from(rate) * seconds) as usize;
    let mut out = vec![0i16; total];
    for chunk in out.chunks_mut(frame) {
        tone.fill(chunk);
    }
    out
}

fn peak(level_dbm0: f64) -> f64 {
    DBM0_PEAK * 10f64.powf(level_dbm0 / 20.0)
}

#[test]
fn ringback_sounds_two_seconds_and_pauses_four() {
    let rate = 8000;
    let out = generate(&mut ToneGenerator::ringback(rate), rate, 12.5, 160);
    // 100 ms blocks: 440 and 480 Hz are only 40 Hz apart.
    for (i, frame) in out.chunks(800).enumerate() {
        let t = i as f64 * 0.1;
        let in_cycle = t % 6.0;
        if in_cycle < 2.0 {
            let share = energy_ratio(frame, 440.0, 8000.0) + energy_ratio(frame, 480.0, 8000.0);
            assert!(share > 0.9, "frame at {t:.2} s: 440+480 Hz share {share}");
        } else {
            assert!(frame.iter().all(|&s| s == 0), "frame at {t:.2} s is not silent");
        }
    }
}

#[test]
fn ringback_tones_are_at_minus_19_dbm0_each() {
    let out = generate(&mut ToneGenerator::ringback(16_000), 16_000, 1.0, 320);
    // A 100 ms block in the middle of the burst (whole cycles of both tones).
    let block = &out[8000..9600];
    for f in [440.0, 480.0] {
        let amplitude = Goertzel::new(f, 16_000.0).amplitude(block);
        let expected = peak(-19.0);
        assert!((amplitude / expected - 1.0).abs() < 0.01, "{f} Hz: {amplitude} vs {expected}");
    }
}

#[test]
fn busy_is_half_a_second_on_and_off() {
    let out = generate(&mut ToneGenerator::busy(8000), 8000, 2.0, 160);
    for (i, frame) in out.chunks(800).enumerate() {
        let on = (i * 100) % 1000 < 500;
        let share = energy_ratio(frame, 480.0, 8000.0) + energy_ratio(frame, 620.0, 8000.0);
        if on {
            assert!(share > 0.9, "frame {i}: share {share}");
        } else {
            assert!(frame.iter().all(|&s| s == 0), "frame {i} is not silent");
        }
    }
}

#[test]
fn a_beep_lasts_200_ms_then_the_generator_is_finished() {
    let mut beep = ToneGenerator::beep(8000);
    let out = generate(&mut beep, 8000, 0.5, 160);
    assert!(beep.is_finished());
    assert!(out[1590..1600].iter().any(|&s| s != 0));
    assert!((rms(&out[..1600]) / (peak(-13.0) / 2f64.sqrt()) - 1.0).abs() < 0.02);
    assert!(out[1600..].iter().all(|&s| s == 0));
    assert!(energy_ratio(&out[400..1200], 1000.0, 8000.0) > 0.99);
}

#[test]
fn frames_of_any_size_give_the_same_signal_as_one_block() {
    let makers: [fn() -> ToneGenerator; 4] = [
        || ToneGenerator::ringback(8000),
        || ToneGenerator::busy(16_000),
        || ToneGenerator::beep(16_000),
        || ToneGenerator::dtmf(8000, DtmfDigit::Hash, 70, 30),
    ];
    for make in makers {
        let whole = generate(&mut make(), 8000, 3.0, usize::MAX);
        for frame in [1, 37, 160, 320, 1000] {
            assert_eq!(generate(&mut make(), 8000, 3.0, frame), whole, "frames of {frame}");
        }
    }
}

#[test]
fn bursts_ramp_in_and_out_instead_of_jumping() {
    // 130 Hz with bursts of 33 ms (4.29 cycles: they end mid-cycle), pauses of 17 ms.
    let amplitude = peak(-6.0);
    let cadence = Cadence::Repeat { on_ms: 33, off_ms: 17 };
    let out = generate(&mut ToneGenerator::new(8000, &[(130.0, -6.0)], cadence), 8000, 1.0, 160);
    // The ramp is 2 ms (16 samples): the first and last sample of a burst are at most 1/16 of it.
    let edge = (amplitude / 16.0).ceil() as i32 + 1;
    for burst in 0..20 {
        let (first, last) = (burst * 400, burst * 400 + 263);
        assert!(i32::from(out[first]).abs() <= edge, "burst {burst} starts at {}", out[first]);
        assert!(i32::from(out[last]).abs() <= edge, "burst {burst} ends at {}", out[last]);
        assert!(out[last + 1..last + 137].iter().all(|&s| s == 0), "burst {burst}: pause");
    }
    // Inside and across frames the steepest step is the sine's own slope plus the ramp's.
    let bound = (TAU * 130.0 * amplitude / 8000.0 + amplitude / 16.0).ceil() as i32 + 2;
    assert!(max_step(&out) <= bound, "step {} > {bound}", max_step(&out));
}

#[test]
fn every_dtmf_digit_is_its_row_and_column_tones() {
    for digit in DtmfDigit::ALL {
        let mut tone = ToneGenerator::dtmf(8000, digit, 100, 0);
        let out = generate(&mut tone, 8000, 0.1, 160);
        let (row, column) = digit.frequencies();
        let block = &out[80..720];
        let low = Goertzel::new(row, 8000.0).amplitude(block);
        let high = Goertzel::new(column, 8000.0).amplitude(block);
        assert!((low / peak(-8.0) - 1.0).abs() < 0.03, "{digit:?} row {low}");
        assert!((high / peak(-6.0) - 1.0).abs() < 0.03, "{digit:?} column {high}");
        assert!(tone.is_finished());
    }
}

#[test]
fn a_dtmf_sequence_plays_its_digits_in_order() {
    let mut sequence = DtmfSequence::new(8000, "1a#x0", 60, 40);
    let mut out = vec![0i16; 8000];
    for chunk in out.chunks_mut(160) {
        sequence.fill(chunk);
    }
    assert!(sequence.is_finished());
    // 'x' is not a key: four digits of 100 ms each, then silence.
    for (i, digit) in [DtmfDigit::D1, DtmfDigit::A, DtmfDigit::Hash, DtmfDigit::D0].into_iter().enumerate() {
        let burst = &out[i * 800 + 40..i * 800 + 440];
        let (row, column) = digit.frequencies();
        let share = energy_ratio(burst, row, 8000.0) + energy_ratio(burst, column, 8000.0);
        assert!(share > 0.9, "digit {i} ({digit:?}): share {share}");
        assert!(out[i * 800 + 480..(i + 1) * 800].iter().all(|&s| s == 0));
    }
    assert!(out[3200..].iter().all(|&s| s == 0));
}

#[test]
fn digits_map_to_keys_and_rfc_4733_event_codes() {
    for (code, key) in "0123456789*#ABCD".chars().enumerate() {
        let digit = DtmfDigit::from_char(key).expect("a key");
        assert_eq!(digit.event_code() as usize, code);
        assert_eq!(digit.as_char(), key);
        assert_eq!(DtmfDigit::from_event_code(code as u8), Some(digit));
        let (r, c) = digit.position();
        assert_eq!(DtmfDigit::at(r, c), Some(digit));
    }
    assert_eq!(DtmfDigit::from_char('b'), Some(DtmfDigit::B));
    assert_eq!(DtmfDigit::from_char('E'), None);
    assert_eq!(DtmfDigit::from_event_code(16), None);
    assert_eq!(DtmfDigit::D5.frequencies(), (770.0, 1336.0));
    assert_eq!(DtmfDigit::Star.frequencies(), (941.0, 1209.0));
}

#[test]
fn silence_is_all_zero_and_degenerate_cadences_do_not_hang() {
    let mut silence = ToneGenerator::silence(8000);
    assert!(generate(&mut silence, 8000, 1.0, 160).iter().all(|&s| s == 0));
    let mut empty = ToneGenerator::new(8000, &[(1000.0, 0.0)], Cadence::Repeat { on_ms: 0, off_ms: 0 });
    assert!(generate(&mut empty, 8000, 0.1, 160).iter().all(|&s| s == 0));
    let mut zero_rate = ToneGenerator::new(0, &[(1000.0, 0.0)], Cadence::Once { on_ms: 10, off_ms: 10 });
    let mut frame = [1i16; 160];
    zero_rate.fill(&mut frame);
    assert!(zero_rate.is_finished() && frame.iter().all(|&s| s == 0));
}

proptest::proptest! {
    #![proptest_config(crate::signal::fixed_seed())]

    #[test]
    fn any_tone_parameters_fill_frames_without_panicking(
        rate in proptest::prop_oneof![proptest::strategy::Just(8000u32), proptest::strategy::Just(16_000), 0u32..200_000],
        f1 in proptest::num::f64::ANY,
        level in -200.0f64..20.0,
        on_ms in 0u32..300,
        off_ms in 0u32..300,
        repeat in proptest::bool::ANY,
        frame in 1usize..500,
    ) {
        let cadence = if repeat { Cadence::Repeat { on_ms, off_ms } } else { Cadence::Once { on_ms, off_ms } };
        let mut tone = ToneGenerator::new(rate, &[(f1, level), (1000.0, level)], cadence);
        let mut whole = tone.clone();
        let mut framed = vec![0i16; 2000];
        for chunk in framed.chunks_mut(frame) {
            tone.fill(chunk);
        }
        let mut block = vec![0i16; 2000];
        whole.fill(&mut block);
        proptest::prop_assert_eq!(framed, block);
    }
}
