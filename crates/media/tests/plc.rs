//! G.711 concealment: the fade, silence after 60 ms, and the reset.

use media::plc::{Concealer, MAX_FRAME, PlcError};
use proptest::prelude::*;

use crate::signal::{db, rms, sine};

/// 20 ms of 400 Hz at 8 kHz: exactly 8 cycles, so repeating it is seamless.
fn voice_frame() -> Vec<i16> {
    sine(400.0, 10_000.0, 8000.0, 0, 160)
}

fn concealer() -> Concealer {
    Concealer::new(8000, 160).expect("a valid shape")
}

#[test]
fn a_lost_frame_repeats_the_last_good_one_fading_to_minus_6_db() {
    let mut plc = concealer();
    let mut good = voice_frame();
    plc.good(&mut good).expect("frame length");
    assert_eq!(good, voice_frame(), "a good frame after good frames passes untouched");
    let mut out = [0i16; 160];
    plc.lost(&mut out).expect("frame length");
    for (i, (&o, &g)) in out.iter().zip(&good).enumerate() {
        let expected = f64::from(g) * (1.0 - 0.5 * i as f64 / 160.0);
        assert!((f64::from(o) - expected).abs() <= 1.0, "sample {i}: {o} vs {expected}");
    }
    assert!(plc.is_concealing());
}

#[test]
fn each_lost_frame_is_6_db_lower_and_silence_follows_60_ms() {
    let mut plc = concealer();
    plc.good(&mut voice_frame()).expect("frame length");
    let frames: Vec<[i16; 160]> = (0..6)
        .map(|_| {
            let mut out = [0i16; 160];
            plc.lost(&mut out).expect("frame length");
            out
        })
        .collect();
    // The gain: from 1 to 1/2 over the first 20 ms, 1/2 to 1/4 over the next, 1/4 to 0 over the third.
    let good = voice_frame();
    for (k, frame) in frames.iter().enumerate().take(3) {
        for (i, &o) in frame.iter().enumerate() {
            let within = i as f64 / 160.0;
            let gain = [1.0 - 0.5 * within, 0.5 - 0.25 * within, 0.25 - 0.25 * within][k];
            let expected = f64::from(good[i]) * gain;
            assert!((f64::from(o) - expected).abs() <= 1.0, "frame {k} sample {i}: {o} vs {expected}");
        }
    }
    // So the second lost frame is exactly 6 dB below the first.
    let step = db(rms(&frames[1]), rms(&frames[0]));
    assert!((step + 6.02).abs() < 0.05, "frame 2 vs frame 1: {step:.3} dB");
    // Frame k starts where frame k − 1 ended: no step in the fade.
    for k in 1..3 {
        let (a, b) = (plc.gain_at(160 * k - 1), plc.gain_at(160 * k));
        assert!((a - b).abs() < 0.01, "gain jumps from {a} to {b} at frame {k}");
    }
    assert!(frames[2][150..].iter().all(|&s| s.abs() < 200), "frame 3 fades out");
    assert!(frames[3..].iter().all(|f| f.iter().all(|&s| s == 0)), "silence after 60 ms");
}

#[test]
fn the_good_frame_after_a_loss_cross_fades_from_the_concealment() {
    let mut plc = concealer();
    plc.good(&mut voice_frame()).expect("frame length");
    let mut lost = [0i16; 160];
    plc.lost(&mut lost).expect("frame length");
    // The stream comes back at another frequency: without a fade it would jump.
    let arriving = sine(1000.0, 12_000.0, 8000.0, 37, 160);
    let mut frame = arriving.clone();
    plc.good(&mut frame).expect("frame length");
    let n = plc.crossfade_len();
    assert_eq!(n, 20);
    assert!(!plc.is_concealing());
    assert_eq!(frame[n..], arriving[n..], "after the cross-fade the frame is the good one");
    // Sample i is (i + 1)/(n + 1) of the good frame and the rest of the concealment's next sample.
    for i in 0..n {
        let w = (i as f64 + 1.0) / (n as f64 + 1.0);
        let t = 160 + i as u64;
        let concealed = f64::from(voice_frame()[i]) * f64::from(plc.gain_at(t));
        let expected = w * f64::from(arriving[i]) + (1.0 - w) * concealed;
        assert!((f64::from(frame[i]) - expected).abs() <= 1.0, "sample {i}: {} vs {expected}", frame[i]);
    }
    // The next loss repeats the frame as it arrived, not as it was faded.
    let mut again = [0i16; 160];
    plc.lost(&mut again).expect("frame length");
    let expected = f64::from(arriving[5]) * f64::from(plc.gain_at(5));
    assert!((f64::from(again[5]) - expected).abs() <= 1.0, "{} vs {expected}", again[5]);
}

#[test]
fn speech_resuming_after_silence_fades_in() {
    let mut plc = concealer();
    plc.good(&mut voice_frame()).expect("frame length");
    for _ in 0..5 {
        plc.lost(&mut [0; 160]).expect("frame length");
    }
    let mut frame = vec![20_000i16; 160];
    plc.good(&mut frame).expect("frame length");
    assert!(frame[0] < 1000, "first sample {}", frame[0]);
    assert!(frame.windows(2).take(20).all(|w| w[1] >= w[0]), "a ramp up");
    assert_eq!(frame[20], 20_000);
}

#[test]
fn loss_before_any_good_frame_is_silence() {
    let mut plc = concealer();
    let mut out = [7i16; 160];
    plc.lost(&mut out).expect("frame length");
    assert!(out.iter().all(|&s| s == 0));
    let mut frame = voice_frame();
    plc.good(&mut frame).expect("frame length");
    assert_eq!(frame, voice_frame(), "nothing to fade from");
}

#[test]
fn the_fade_follows_time_for_10_ms_frames_at_16_khz() {
    let mut plc = Concealer::new(16_000, 160).expect("a valid shape");
    let frame = sine(400.0, 10_000.0, 16_000.0, 0, 160);
    plc.good(&mut frame.clone()).expect("frame length");
    let mut lost = [[0i16; 160]; 4];
    for out in &mut lost {
        plc.lost(out).expect("frame length");
    }
    // Two 10 ms frames later (20 ms) the gain is half of what it was.
    let step = db(rms(&lost[2]), rms(&lost[0]));
    assert!((step + 6.02).abs() < 0.05, "20 ms later: {step:.3} dB");
    let mut out = [0i16; 160];
    for _ in 0..2 {
        plc.lost(&mut out).expect("frame length");
    }
    assert!(out[150..].iter().all(|&s| s.abs() < 100), "60 ms into the loss the fade ends");
    plc.lost(&mut out).expect("frame length");
    assert!(out.iter().all(|&s| s == 0), "silent after 60 ms");
}

#[test]
fn frames_of_the_wrong_length_and_bad_shapes_are_refused() {
    let mut plc = concealer();
    assert_eq!(plc.good(&mut [0; 159]), Err(PlcError::FrameLength { expected: 160, got: 159 }));
    assert_eq!(plc.lost(&mut [0; 161]), Err(PlcError::FrameLength { expected: 160, got: 161 }));
    assert!(Concealer::new(8000, 0).is_err());
    assert!(Concealer::new(8000, MAX_FRAME + 1).is_err());
    assert!(Concealer::new(0, 160).is_err());
    assert!(Concealer::new(8000, MAX_FRAME).is_ok());
}

proptest! {
    #![proptest_config(crate::signal::fixed_seed())]

    #[test]
    fn concealment_never_exceeds_what_was_heard(
        slots in proptest::collection::vec(proptest::option::of(proptest::collection::vec(any::<i16>(), 80)), 1..40),
    ) {
        let mut plc = Concealer::new(8000, 80).expect("a valid shape");
        let mut loudest = 0u16;
        for slot in slots {
            match slot {
                Some(mut frame) => {
                    loudest = loudest.max(frame.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0));
                    plc.good(&mut frame).expect("frame length");
                    prop_assert!(frame.iter().all(|s| s.unsigned_abs() <= loudest));
                }
                None => {
                    let mut out = [0i16; 80];
                    plc.lost(&mut out).expect("frame length");
                    prop_assert!(out.iter().all(|s| s.unsigned_abs() <= loudest));
                }
            }
        }
    }
}
