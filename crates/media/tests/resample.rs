//! 8 ↔ 16 kHz conversion: pass band, stop band, frame continuity, delay.

use media::goertzel::Goertzel;
use media::resample::{Downsampler, ResampleError, Upsampler};
use proptest::prelude::*;

use crate::signal::{db, rms, sine, sum};

fn up(input: &[i16], frame: usize) -> Vec<i16> {
    let mut upsampler = Upsampler::new();
    let mut out = vec![0i16; 2 * input.len()];
    let mut at = 0;
    for chunk in input.chunks(frame.max(1)) {
        at += upsampler.process(chunk, &mut out[at..]).expect("room for the output");
    }
    out
}

fn down(input: &[i16], frame: usize) -> Vec<i16> {
    let mut downsampler = Downsampler::new();
    let mut out = vec![0i16; input.len() / 2];
    let mut at = 0;
    for chunk in input.chunks(frame.max(1)) {
        at += downsampler.process(chunk, &mut out[at..]).expect("room for the output");
    }
    assert_eq!(at, input.len() / 2);
    out
}

/// Amplitude of `frequency` in the steady part (after 100 ms) of a 1 s signal.
fn amplitude(signal: &[i16], frequency: f64, rate: f64) -> f64 {
    let start = (rate / 10.0) as usize;
    Goertzel::new(frequency, rate).amplitude(&signal[start..start + (rate * 0.8) as usize])
}

#[test]
fn a_1_khz_tone_keeps_its_amplitude_from_8_to_16_khz() {
    let input = sine(1000.0, 10_000.0, 8000.0, 0, 8000);
    let output = up(&input, 160);
    let gain = db(amplitude(&output, 1000.0, 16_000.0), amplitude(&input, 1000.0, 8000.0));
    assert!(gain.abs() < 0.5, "gain {gain:.3} dB");
    // The image at 8 − 1 = 7 kHz is removed.
    let image = db(amplitude(&output, 7000.0, 16_000.0), 10_000.0);
    assert!(image < -50.0, "image at 7 kHz: {image:.1} dB");
}

#[test]
fn a_1_khz_tone_keeps_its_amplitude_from_16_to_8_khz() {
    let input = sine(1000.0, 10_000.0, 16_000.0, 0, 16_000);
    let output = down(&input, 320);
    let gain = db(amplitude(&output, 1000.0, 8000.0), amplitude(&input, 1000.0, 16_000.0));
    assert!(gain.abs() < 0.5, "gain {gain:.3} dB");
}

#[test]
fn a_6_khz_tone_is_attenuated_40_db_from_16_to_8_khz() {
    let input = sine(6000.0, 20_000.0, 16_000.0, 0, 16_000);
    let output = down(&input, 320);
    // It would alias to 2 kHz; measure everything that comes out.
    let attenuation = db(rms(&output[800..]), rms(&input));
    assert!(attenuation < -40.0, "6 kHz comes out at {attenuation:.1} dB");
}

#[test]
fn the_whole_stop_band_above_4_6_khz_is_down_50_db() {
    for f in (4600..8000).step_by(100) {
        let input = sine(f64::from(f), 20_000.0, 16_000.0, 0, 4000);
        let output = down(&input, 320);
        let attenuation = db(rms(&output[400..]), rms(&input));
        assert!(attenuation < -50.0, "{f} Hz: {attenuation:.1} dB");
    }
}

#[test]
fn the_telephone_band_is_flat_within_0_1_db() {
    for f in (300..=3400).step_by(100) {
        let f = f64::from(f);
        let input = sine(f, 10_000.0, 8000.0, 0, 8000);
        let gain = db(amplitude(&up(&input, 160), f, 16_000.0), amplitude(&input, f, 8000.0));
        assert!(gain.abs() < 0.1, "{f} Hz up: {gain:.3} dB");
        let input = sine(f, 10_000.0, 16_000.0, 0, 16_000);
        let gain = db(amplitude(&down(&input, 320), f, 8000.0), amplitude(&input, f, 16_000.0));
        assert!(gain.abs() < 0.1, "{f} Hz down: {gain:.3} dB");
    }
}

#[test]
fn frames_of_20_ms_give_the_output_of_one_block() {
    let voice = sum(&[&sine(300.0, 9000.0, 8000.0, 0, 8000), &sine(2900.0, 9000.0, 8000.0, 0, 8000)]);
    let whole = up(&voice, usize::MAX);
    assert_eq!(up(&voice, 160), whole);
    assert_eq!(up(&voice, 1), whole);
    assert_eq!(up(&voice, 333), whole);
    let wide = up(&voice, 160);
    let whole = down(&wide, usize::MAX);
    assert_eq!(down(&wide, 320), whole);
    assert_eq!(down(&wide, 1), whole);
    assert_eq!(down(&wide, 161), whole, "odd frames leave half a pair in the state");
}

#[test]
fn up_then_down_returns_the_signal_delayed_by_23_samples() {
    let input = sum(&[
        &sine(350.0, 6000.0, 8000.0, 0, 4000),
        &sine(1270.0, 6000.0, 8000.0, 0, 4000),
        &sine(3100.0, 6000.0, 8000.0, 0, 4000),
    ]);
    let back = down(&up(&input, 160), 320);
    let delay = Upsampler::DELAY / 2 + Downsampler::DELAY;
    assert_eq!(delay, 23);
    let error: Vec<i16> =
        back[delay + 200..].iter().zip(&input[200..]).map(|(&b, &a)| (i32::from(b) - i32::from(a)) as i16).collect();
    let snr = db(rms(&input), rms(&error));
    assert!(snr > 40.0, "round trip SNR {snr:.1} dB");
}

#[test]
fn a_short_output_is_refused_and_nothing_is_consumed() {
    let mut upsampler = Upsampler::new();
    let mut small = [0i16; 319];
    assert_eq!(
        upsampler.process(&[1000; 160], &mut small),
        Err(ResampleError::OutputTooShort { needed: 320, got: 319 })
    );
    assert_eq!(upsampler, Upsampler::new());
    let mut downsampler = Downsampler::new();
    downsampler.process(&[5], &mut []).expect("half a pair needs no output");
    assert_eq!(downsampler.output_len(1), 1);
    assert!(downsampler.process(&[5; 3], &mut [0; 1]).is_err());
    assert_eq!(downsampler.process(&[5; 3], &mut [0; 2]), Ok(2));
    assert_eq!(upsampler.process(&[], &mut []), Ok(0));
}

#[test]
fn full_scale_input_saturates_instead_of_wrapping() {
    // A square wave at full scale overshoots the filter (Gibbs): the output clips at the rails.
    let square: Vec<i16> = (0..1600).map(|i| if (i / 8) % 2 == 0 { i16::MAX } else { i16::MIN }).collect();
    let wide = up(&square, 160);
    assert!(wide.contains(&i16::MAX) && wide.contains(&i16::MIN));
    // Between two equal inputs the interpolated sample keeps their sign (a wrap would flip it).
    let k = Upsampler::DELAY / 2;
    for m in 0..square.len() - k - 1 {
        if square[m] == square[m + 1] {
            let between = wide[2 * (m + k) + 1];
            assert_eq!(between.signum(), square[m].signum(), "input {m}: {between}");
        }
    }
}

proptest! {
    #![proptest_config(crate::signal::fixed_seed())]

    #[test]
    fn any_signal_in_any_frames_equals_one_block(
        signal in proptest::collection::vec(any::<i16>(), 0..2000),
        frame in 1usize..700,
    ) {
        prop_assert_eq!(up(&signal, frame), up(&signal, usize::MAX));
        prop_assert_eq!(down(&signal, frame), down(&signal, usize::MAX));
    }
}
