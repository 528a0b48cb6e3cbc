//! G.711 written from the recommendation's tables, with no bit tricks: the
//! reference the tests hold the crate's tables to, and the baseline of
//! `benches/codec.rs` (which includes this file).
//!
//! μ-law (G.711 table 2a) works on 14-bit magnitudes: segment `s` (0..8)
//! and step `q` (0..16) reconstruct to `((2q + 33) << s) - 33`, the middle
//! of the decision interval `[(16 + q) << (s + 1), (17 + q) << (s + 1))`
//! in the domain biased by 33. A-law (table 1a) works on 12-bit magnitudes
//! (13-bit samples, in units of two): segment 0 holds 0..16 with step 1,
//! segment `s >= 1` holds `(16 + q) << (s - 1)` up to the next, and values
//! reconstruct to the middle of their interval. The character sent on the
//! line inverts the μ-law magnitude bits and XORs A-law with 0x55 (even
//! bits); bit 7 is the sign, 1 for positive. A negative sample's magnitude
//! is its one's complement (G.191).
#![allow(dead_code, reason = "the tests and the benchmark each use part of it")]

/// The 14-bit (μ-law) or 12-bit (A-law) magnitude and whether the sample is positive.
fn magnitude(sample: i16, shift: u32) -> (i32, bool) {
    let x = i32::from(sample);
    if x < 0 { ((-x - 1) / (1 << shift), false) } else { (x / (1 << shift), true) }
}

/// μ-law: the code of a 16-bit sample, by searching the segment from the top.
pub fn ulaw_encode(sample: i16) -> u8 {
    let (m, positive) = magnitude(sample, 2);
    let biased = (m + 33).min(8191);
    let mut segment = 7;
    while segment > 0 && biased < (16 << (segment + 1)) {
        segment -= 1;
    }
    let step = (biased - (16 << (segment + 1))) / (1 << (segment + 1));
    let magnitude_code = segment * 16 + step;
    let sign = if positive { 0x80 } else { 0 };
    (sign + (127 - magnitude_code)) as u8
}

/// μ-law: the 16-bit sample of a code.
pub fn ulaw_decode(code: u8) -> i16 {
    let positive = code >= 0x80;
    let magnitude_code = 127 - i32::from(code & 0x7F);
    let (segment, step) = (magnitude_code / 16, magnitude_code % 16);
    let value = 4 * (((2 * step + 33) << segment) - 33);
    (if positive { value } else { -value }) as i16
}

/// A-law: the code of a 16-bit sample, by searching the segment from the top.
pub fn alaw_encode(sample: i16) -> u8 {
    let (m, positive) = magnitude(sample, 4);
    let mut segment = 7;
    while segment > 0 && m < (16 << (segment - 1)) {
        segment -= 1;
    }
    let step = if segment == 0 { m } else { (m - (16 << (segment - 1))) / (1 << (segment - 1)) };
    let sign = if positive { 0x80 } else { 0 };
    ((sign + segment * 16 + step) ^ 0x55) as u8
}

/// A-law: the 16-bit sample of a code.
pub fn alaw_decode(code: u8) -> i16 {
    let c = i32::from(code ^ 0x55);
    let positive = c >= 0x80;
    let (segment, step) = ((c & 0x7F) / 16, c % 16);
    // In 16-bit units: segment 0 spans 16 per step, segment s 16 << (s - 1).
    let value = if segment == 0 { 16 * step + 8 } else { ((16 + step) * 16 + 8) << (segment - 1) };
    (if positive { value } else { -value }) as i16
}

/// μ-law: the segment of a code (0..8).
pub fn ulaw_segment(code: u8) -> u32 {
    u32::from((!code >> 4) & 7)
}

/// A-law: the segment of a code (0..8).
pub fn alaw_segment(code: u8) -> u32 {
    u32::from(((code ^ 0x55) >> 4) & 7)
}
