//! G.711 tables against the recommendation's formulas, exhaustively.

use media::g711::{self, Law};

use crate::g711_reference as reference;

fn every_sample() -> impl Iterator<Item = i16> {
    i16::MIN..=i16::MAX
}

#[test]
fn every_ulaw_code_decodes_to_the_formula_value() {
    for code in 0..=255u8 {
        assert_eq!(g711::ulaw_decode(code), reference::ulaw_decode(code), "code {code:#04x}");
        assert_eq!(Law::Ulaw.decode_computed(code), reference::ulaw_decode(code), "code {code:#04x}");
    }
}

#[test]
fn every_alaw_code_decodes_to_the_formula_value() {
    for code in 0..=255u8 {
        assert_eq!(g711::alaw_decode(code), reference::alaw_decode(code), "code {code:#04x}");
        assert_eq!(Law::Alaw.decode_computed(code), reference::alaw_decode(code), "code {code:#04x}");
    }
}

#[test]
fn every_16_bit_sample_encodes_to_the_formula_ulaw_code() {
    for s in every_sample() {
        assert_eq!(g711::ulaw_encode(s), reference::ulaw_encode(s), "sample {s}");
        assert_eq!(Law::Ulaw.encode_computed(s), reference::ulaw_encode(s), "sample {s}");
    }
}

#[test]
fn every_16_bit_sample_encodes_to_the_formula_alaw_code() {
    for s in every_sample() {
        assert_eq!(g711::alaw_encode(s), reference::alaw_encode(s), "sample {s}");
        assert_eq!(Law::Alaw.encode_computed(s), reference::alaw_encode(s), "sample {s}");
    }
}

#[test]
fn end_points_match_the_recommendation_tables() {
    // μ-law: ±8031 in 14 bits is the largest value, 0xFF and 0x7F are ±0.
    assert_eq!(g711::ulaw_decode(0x80), 32124);
    assert_eq!(g711::ulaw_decode(0x00), -32124);
    assert_eq!(g711::ulaw_decode(0xFF), 0);
    assert_eq!(g711::ulaw_decode(0x7F), 0);
    assert_eq!(g711::ulaw_encode(i16::MAX), 0x80);
    assert_eq!(g711::ulaw_encode(i16::MIN), 0x00);
    // A-law: ±4032 in 13 bits is the largest value, ±1 the smallest (no zero).
    assert_eq!(g711::alaw_decode(0xAA), 32256);
    assert_eq!(g711::alaw_decode(0x2A), -32256);
    assert_eq!(g711::alaw_decode(0xD5), 8);
    assert_eq!(g711::alaw_decode(0x55), -8);
    assert_eq!(g711::alaw_encode(i16::MAX), 0xAA);
    assert_eq!(g711::alaw_encode(i16::MIN), 0x2A);
    // Interior values as the classic published tables list them.
    assert_eq!(g711::ulaw_decode(0x0F), -16764);
    assert_eq!(g711::ulaw_decode(0x01), -31100);
    assert_eq!(g711::alaw_decode(0x00), -5504);
    assert_eq!(g711::alaw_decode(0x01), -5248);
    assert_eq!(Law::Ulaw.silence(), 0xFF);
    assert_eq!(Law::Alaw.silence(), 0xD5);
}

#[test]
fn decoding_an_encoded_decoded_code_gives_the_code_back() {
    for law in [Law::Ulaw, Law::Alaw] {
        for code in 0..=255u8 {
            let value = law.decode(code);
            let again = law.encode(value);
            assert_eq!(law.decode(again), value, "{law:?} code {code:#04x}");
            // Only μ-law's negative zero (0x7F) comes back as another code: positive zero.
            let expected = if law == Law::Ulaw && code == 0x7F { 0xFF } else { code };
            assert_eq!(again, expected, "{law:?} code {code:#04x}");
        }
    }
}

#[test]
fn quantisation_error_is_within_half_a_step_below_clipping() {
    for s in every_sample() {
        let code = g711::ulaw_encode(s);
        let error = (i32::from(g711::ulaw_decode(code)) - i32::from(s)).abs();
        // Half a step of the segment, plus the 2 bits μ-law does not see.
        let bound = (4 << reference::ulaw_segment(code)) + 3;
        if i32::from(s).abs() < 32_124 {
            assert!(error <= bound, "μ-law sample {s}: error {error} > {bound}");
        }
        let code = g711::alaw_encode(s);
        let error = (i32::from(g711::alaw_decode(code)) - i32::from(s)).abs();
        let segment = reference::alaw_segment(code);
        let bound = (8 << segment.saturating_sub(1)) + 8;
        if i32::from(s).abs() < 32_256 {
            assert!(error <= bound, "A-law sample {s}: error {error} > {bound}");
        }
    }
}

#[test]
fn slice_conversion_stops_at_the_shorter_slice() {
    let samples: Vec<i16> = (0..160).map(|i| (i * 409 - 32_000) as i16).collect();
    for law in [Law::Ulaw, Law::Alaw] {
        let mut codes = [0u8; 100];
        assert_eq!(law.encode_into(&samples, &mut codes), 100);
        assert!(codes.iter().zip(&samples).all(|(&c, &s)| c == law.encode(s)));
        let mut back = [0i16; 160];
        assert_eq!(law.decode_into(&codes, &mut back), 100);
        assert!(back[..100].iter().zip(&codes).all(|(&s, &c)| s == law.decode(c)));
        assert!(back[100..].iter().all(|&s| s == 0));
        assert_eq!(law.encode_into(&[], &mut codes), 0);
    }
}
