//! The frame the whole engine shares.

#[test]
fn a_frame_is_20_ms_at_16_khz() {
    assert_eq!(media::FRAME_SAMPLES as u32 * 1000 / media::SAMPLE_RATE, 20);
}
