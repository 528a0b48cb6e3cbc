//! The Opus wrapper: a tone survives, losses are concealed (PLC, or FEC from
//! the next packet), bad packets are errors and never panics.

use media::opus::{Concealment, MAX_PACKET_BYTES, OpusDecoder, OpusEncoder, OpusError};
use media::{FRAME_SAMPLES, SAMPLE_RATE};
use proptest::prelude::*;

/// Amplitude of the `freq` component of `samples` at [`SAMPLE_RATE`], by the
/// Goertzel recurrence: a full-scale sine of amplitude A gives about A.
pub fn tone_amplitude(samples: &[i16], freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / f64::from(SAMPLE_RATE);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    2.0 * power.max(0.0).sqrt() / samples.len() as f64
}

/// Frame `index` of a sine of `freq` Hz and `amplitude`, continuous across
/// frames.
pub fn sine_frame(freq: f64, amplitude: f64, index: usize) -> [i16; FRAME_SAMPLES] {
    let mut frame = [0i16; FRAME_SAMPLES];
    for (i, s) in frame.iter_mut().enumerate() {
        let n = (index * FRAME_SAMPLES + i) as f64;
        *s = (amplitude * (2.0 * std::f64::consts::PI * freq * n / f64::from(SAMPLE_RATE)).sin()) as i16;
    }
    frame
}

/// A fixed proptest seed (see crates/sip/tests/harness.rs).
pub fn fixed_seed() -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::default();
    if matches!(config.rng_seed, proptest::test_runner::RngSeed::Random) {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x5eed_0005);
    }
    config
}

fn encode(encoder: &mut OpusEncoder, frame: &[i16; FRAME_SAMPLES]) -> Vec<u8> {
    let mut out = [0u8; MAX_PACKET_BYTES];
    let len = encoder.encode(frame, &mut out).unwrap();
    out[..len].to_vec()
}

/// Packets of `frames` frames of a 440 Hz tone at amplitude 8,000.
fn tone_packets(frames: usize) -> Vec<Vec<u8>> {
    let mut encoder = OpusEncoder::new().unwrap();
    (0..frames).map(|i| encode(&mut encoder, &sine_frame(440.0, 8_000.0, i))).collect()
}

fn decode(decoder: &mut OpusDecoder, packet: &[u8]) -> [i16; FRAME_SAMPLES] {
    let mut pcm = [0i16; FRAME_SAMPLES];
    assert_eq!(decoder.decode(packet, &mut pcm).unwrap(), FRAME_SAMPLES);
    pcm
}

#[test]
fn a_440_hz_tone_survives_encode_and_decode() {
    let mut decoder = OpusDecoder::new().unwrap();
    let packets = tone_packets(50);
    for (i, packet) in packets.iter().enumerate() {
        assert!(packet.len() <= MAX_PACKET_BYTES);
        let pcm = decode(&mut decoder, packet);
        if i >= 5 {
            let at_tone = tone_amplitude(&pcm, 440.0);
            assert!(at_tone > 6_000.0, "frame {i}: 440 Hz at {at_tone:.0}");
            assert!(tone_amplitude(&pcm, 1_100.0) < at_tone / 20.0, "frame {i}");
        }
    }
}

#[test]
fn a_lost_packet_is_concealed_with_bounded_non_silent_audio() {
    let mut decoder = OpusDecoder::new().unwrap();
    for packet in &tone_packets(30) {
        decode(&mut decoder, packet);
    }
    let mut pcm = [0i16; FRAME_SAMPLES];
    assert_eq!(decoder.conceal(None, &mut pcm).unwrap(), Concealment::Plc);
    let peak = pcm.iter().map(|s| i32::from(*s).abs()).max().unwrap();
    let at_tone = tone_amplitude(&pcm, 440.0);
    assert!(at_tone > 2_000.0, "the concealed frame goes on with the tone: {at_tone:.0}");
    assert!(peak <= 12_000, "the concealed frame stays near the tone's level: peak {peak}");
}

#[test]
fn fec_in_the_next_packet_recovers_the_lost_frame() {
    // 440 Hz for 20 frames, then 700 Hz: frame 20, the first at 700 Hz, is
    // lost. PLC can only extrapolate 440 Hz; the FEC copy that packet 21
    // carries holds 700 Hz.
    let mut encoder = OpusEncoder::new().unwrap();
    let frame = |i: usize| match i {
        0..20 => sine_frame(440.0, 8_000.0, i),
        _ => sine_frame(700.0, 8_000.0, i),
    };
    let packets: Vec<Vec<u8>> = (0..22).map(|i| encode(&mut encoder, &frame(i))).collect();
    let mut with_fec = OpusDecoder::new().unwrap();
    let mut plc_only = OpusDecoder::new().unwrap();
    for packet in &packets[..20] {
        decode(&mut with_fec, packet);
        decode(&mut plc_only, packet);
    }
    let (mut fec_pcm, mut plc_pcm) = ([0i16; FRAME_SAMPLES], [0i16; FRAME_SAMPLES]);
    let how = with_fec.conceal(Some(&packets[21]), &mut fec_pcm).unwrap();
    assert_eq!(how, Concealment::Fec);
    assert_eq!(plc_only.conceal(None, &mut plc_pcm).unwrap(), Concealment::Plc);

    let fec_700 = tone_amplitude(&fec_pcm, 700.0);
    let plc_700 = tone_amplitude(&plc_pcm, 700.0);
    assert!(fec_700 > 2_000.0, "FEC brings back the 700 Hz frame: {fec_700:.0}");
    assert!(fec_700 > 4.0 * plc_700, "FEC {fec_700:.0} against PLC {plc_700:.0} at 700 Hz");
    // The packet itself still decodes afterwards, at 700 Hz.
    let next = decode(&mut with_fec, &packets[21]);
    assert!(tone_amplitude(&next, 700.0) > 4_000.0);
}

#[test]
fn bad_packets_are_errors() {
    let mut decoder = OpusDecoder::new().unwrap();
    let mut pcm = [0i16; FRAME_SAMPLES];
    assert_eq!(decoder.decode(&[], &mut pcm), Err(OpusError::EmptyPacket));
    // Code 3 (arbitrary frame count) with a count of zero frames.
    assert_eq!(decoder.decode(&[0x0b, 0x00], &mut pcm), Err(OpusError::InvalidPacket));
    // Code 2 (two 10 ms frames of different sizes) whose first length runs
    // past the end of the packet.
    assert_eq!(decoder.decode(&[0x02, 0xfb, 0x01], &mut pcm), Err(OpusError::InvalidPacket));
    // 60 ms (code 3, three 20 ms frames) does not fit in one 20 ms frame.
    let long = [0x0b, 0x03, 0, 0, 0];
    assert_eq!(
        decoder.decode(&long, &mut pcm),
        Err(OpusError::BufferTooSmall { samples: 3 * FRAME_SAMPLES, room: FRAME_SAMPLES })
    );
    let huge = vec![0x08; 70_000];
    assert_eq!(decoder.decode(&huge, &mut pcm), Err(OpusError::PacketTooLong(70_000)));
    // A bad next packet makes concealment an error, not a panic.
    assert_eq!(decoder.conceal(Some(&[0x0b, 0x00]), &mut pcm), Err(OpusError::InvalidPacket));
    // The decoder still works after all of this.
    assert_eq!(decode(&mut decoder, &tone_packets(1)[0]).len(), FRAME_SAMPLES);
}

proptest! {
    #![proptest_config(fixed_seed())]

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        let mut decoder = OpusDecoder::new().unwrap();
        let mut pcm = [0i16; media::opus::MAX_PACKET_SAMPLES];
        if let Ok(samples) = decoder.decode(&bytes, &mut pcm) {
            prop_assert!(samples <= pcm.len());
        }
        let mut frame = [0i16; FRAME_SAMPLES];
        let _ = decoder.conceal(Some(&bytes), &mut frame);
        let _ = decoder.conceal(None, &mut frame);
    }
}
