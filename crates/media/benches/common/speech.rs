//! A deterministic speech-like test signal shared by the Opus benchmarks.

/// Sample rate of the signal, in Hz.
pub const RATE: u32 = 16_000;
/// Samples in one 20 ms frame.
pub const FRAME: usize = 320;
/// Frames in the signal (two seconds).
pub const FRAMES: usize = 100;

/// Two seconds of a voiced signal (12 harmonics over a pitch gliding between
/// 100 and 200 Hz), modulated at a syllable rate of 4 Hz, with a little noise
/// from a fixed-seed generator.
pub fn speech_like() -> Vec<i16> {
    let tau = 2.0 * std::f64::consts::PI;
    let mut seed: u32 = 0x1234_5678;
    let mut phase = 0.0f64;
    (0..FRAME * FRAMES)
        .map(|n| {
            let t = n as f64 / f64::from(RATE);
            let pitch = 150.0 + 50.0 * (tau * 0.7 * t).sin();
            phase += tau * pitch / f64::from(RATE);
            let voiced: f64 = (1..=12).map(|h| (f64::from(h) * phase).sin() / f64::from(h)).sum();
            let envelope = 0.5 + 0.5 * (tau * 4.0 * t).sin();
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = f64::from((seed >> 16) as u16 as i16) / 32768.0;
            ((voiced * envelope * 0.4 + noise * 0.02) * 16_000.0) as i16
        })
        .collect()
}
