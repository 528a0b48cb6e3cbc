//! Goertzel energies against known signals.

use media::goertzel::{Goertzel, block_energy, energy_ratio, ratio_db, tone_energy};

use crate::signal::{sine, sum};

#[test]
fn a_pure_tone_has_all_its_energy_at_its_frequency() {
    let block = sine(1000.0, 10_000.0, 16_000.0, 0, 320);
    let ratio = energy_ratio(&block, 1000.0, 16_000.0);
    assert!((ratio - 1.0).abs() < 0.01, "ratio {ratio}");
    let amplitude = Goertzel::new(1000.0, 16_000.0).amplitude(&block);
    assert!((amplitude - 10_000.0).abs() < 50.0, "amplitude {amplitude}");
}

#[test]
fn a_tone_off_the_bin_grid_is_measured_at_its_own_frequency() {
    // 20 ms at 8 kHz: bins are 50 Hz apart; 697 Hz is off the grid.
    let block = sine(697.0, 8000.0, 8000.0, 0, 160);
    let ratio = energy_ratio(&block, 697.0, 8000.0);
    assert!((ratio - 1.0).abs() < 0.02, "ratio {ratio}");
}

#[test]
fn another_frequency_is_far_below_the_tone() {
    let block = sine(700.0, 10_000.0, 16_000.0, 0, 320);
    let ratio = energy_ratio(&block, 1100.0, 16_000.0);
    assert!(ratio_db(ratio) < -25.0, "1,100 Hz in a 700 Hz tone: {} dB", ratio_db(ratio));
}

#[test]
fn each_tone_of_a_mix_is_measured_apart() {
    // 100 ms: whole cycles of every tone (a 20 ms frame holds 8.8 cycles of 440 Hz,
    // and the image of the fraction shifts a share by a few per cent).
    let a = sine(440.0, 8000.0, 16_000.0, 0, 1600);
    let b = sine(700.0, 8000.0, 16_000.0, 0, 1600);
    let c = sine(1100.0, 8000.0, 16_000.0, 0, 1600);
    let mix = sum(&[&a, &b, &c]);
    for f in [440.0, 700.0, 1100.0] {
        let ratio = energy_ratio(&mix, f, 16_000.0);
        assert!((ratio - 1.0 / 3.0).abs() < 0.01, "{f} Hz: ratio {ratio}");
        let frame_ratio = energy_ratio(&mix[..320], f, 16_000.0);
        assert!((frame_ratio - 1.0 / 3.0).abs() < 0.05, "{f} Hz in 20 ms: ratio {frame_ratio}");
    }
    let without_c = sum(&[&a, &b]);
    assert!(ratio_db(energy_ratio(&without_c, 1100.0, 16_000.0)) < -25.0);
}

#[test]
fn silence_and_empty_blocks_have_no_energy() {
    assert_eq!(energy_ratio(&[0; 160], 1000.0, 8000.0), 0.0);
    assert_eq!(energy_ratio(&[], 1000.0, 8000.0), 0.0);
    assert_eq!(tone_energy(&[], 1000.0, 8000.0), 0.0);
    assert_eq!(block_energy(&[]), 0.0);
    assert_eq!(Goertzel::new(1000.0, 8000.0).amplitude(&[]), 0.0);
}
