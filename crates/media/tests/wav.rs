//! WAV: reading prompts, refusing what is not 16-bit PCM, crash-safe recording.

use std::io::{self, Cursor, Seek, SeekFrom, Write};

use media::wav::{HEADER_LEN, Wav, WavError, WavWriter};
use proptest::prelude::*;

/// A WAV file as another tool would write it: a `fmt ` of `fmt_len` bytes, chunks before the data.
fn wav_bytes(rate: u32, channels: u16, bits: u16, tag: u16, samples: &[i16]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let block = channels * bits / 8;
    let mut fmt = Vec::new();
    fmt.extend(tag.to_le_bytes());
    fmt.extend(channels.to_le_bytes());
    fmt.extend(rate.to_le_bytes());
    fmt.extend((rate * u32::from(block)).to_le_bytes());
    fmt.extend(block.to_le_bytes());
    fmt.extend(bits.to_le_bytes());
    let mut body = b"WAVE".to_vec();
    body.extend(b"fmt ");
    body.extend((fmt.len() as u32).to_le_bytes());
    body.extend(&fmt);
    body.extend(b"LIST");
    body.extend(5u32.to_le_bytes());
    body.extend(b"INFO!\0"); // odd size: one pad byte
    body.extend(b"data");
    body.extend((data.len() as u32).to_le_bytes());
    body.extend(&data);
    let mut file = b"RIFF".to_vec();
    file.extend((body.len() as u32).to_le_bytes());
    file.extend(body);
    file
}

fn ramp(n: usize) -> Vec<i16> {
    (0..n).map(|i| (i as i32 * 97 - 20_000) as i16).collect()
}

#[test]
fn a_mono_prompt_is_read_sample_for_sample() {
    for rate in [8000, 16_000] {
        let samples = ramp(1234);
        let bytes = wav_bytes(rate, 1, 16, 1, &samples);
        let wav = Wav::parse_mono(&bytes).expect("a valid prompt");
        assert_eq!((wav.spec().sample_rate, wav.spec().channels), (rate, 1));
        assert_eq!(wav.frames(), 1234);
        assert!(!wav.header_lagged());
        assert_eq!(wav.samples().collect::<Vec<_>>(), samples);
        let mut part = [0i16; 10];
        assert_eq!(wav.read_samples(1230, &mut part), 4);
        assert_eq!(&part[..4], &samples[1230..]);
        assert_eq!(wav.read_samples(usize::MAX, &mut part), 0);
    }
}

#[test]
fn anything_but_16_bit_pcm_at_8_or_16_khz_gets_a_clear_error() {
    let s = ramp(100);
    let err = |bytes: Vec<u8>| Wav::parse(&bytes).expect_err("refused");
    assert!(matches!(err(wav_bytes(44_100, 1, 16, 1, &s)), WavError::UnsupportedRate(44_100)));
    assert!(matches!(err(wav_bytes(8000, 1, 8, 1, &s)), WavError::UnsupportedBits(8)));
    assert!(matches!(err(wav_bytes(8000, 1, 8, 7, &s)), WavError::UnsupportedFormat(7)));
    assert!(matches!(err(wav_bytes(8000, 1, 32, 3, &s)), WavError::UnsupportedFormat(3)));
    assert!(matches!(err(wav_bytes(8000, 6, 16, 1, &s)), WavError::UnsupportedChannels(6)));
    let stereo = wav_bytes(8000, 2, 16, 1, &s);
    assert!(Wav::parse(&stereo).is_ok());
    assert!(matches!(Wav::parse_mono(&stereo), Err(WavError::UnsupportedChannels(2))));
    assert!(matches!(Wav::parse(b"RIFF\0\0"), Err(WavError::Truncated)));
    assert!(matches!(Wav::parse(b"ID3\x04 an mp3 file"), Err(WavError::NotRiff)));
    let mut avi = wav_bytes(8000, 1, 16, 1, &s);
    avi[8..12].copy_from_slice(b"AVI ");
    assert!(matches!(Wav::parse(&avi), Err(WavError::NotWave)));
    let message = err(wav_bytes(22_050, 1, 16, 1, &s)).to_string();
    assert!(message.contains("22050 Hz"), "{message}");
}

#[test]
fn a_header_whose_sizes_lag_behind_the_data_is_read_to_the_end_of_the_file() {
    let mut bytes = wav_bytes(8000, 1, 16, 1, &ramp(100));
    let more = ramp(150);
    bytes.extend(more[100..].iter().flat_map(|s| s.to_le_bytes()));
    bytes.push(0x42); // half a sample: cut
    let wav = Wav::parse(&bytes).expect("readable");
    assert!(wav.header_lagged());
    assert_eq!(wav.samples().collect::<Vec<_>>(), more);
    // Sizes of 0 or 0xFFFFFFFF (a streaming writer's) mean the same.
    for size in [0u32, u32::MAX] {
        let mut bytes = wav_bytes(8000, 1, 16, 1, &ramp(100));
        let data_size_at = bytes.len() - 200 - 4;
        bytes[data_size_at..data_size_at + 4].copy_from_slice(&size.to_le_bytes());
        bytes[4..8].copy_from_slice(&size.to_le_bytes());
        assert_eq!(Wav::parse(&bytes).expect("readable").frames(), 100, "size {size:#x}");
    }
}

#[test]
fn a_truncated_file_gives_the_whole_frames_it_still_has() {
    let samples = ramp(200);
    let bytes = wav_bytes(16_000, 2, 16, 1, &samples);
    let cut = &bytes[..bytes.len() - 7];
    let wav = Wav::parse(cut).expect("readable");
    assert_eq!(wav.frames(), 98);
    assert_eq!(wav.samples().collect::<Vec<_>>(), samples[..196]);
}

#[test]
fn a_recording_is_stereo_with_the_caller_left_and_the_agent_right() {
    let mut writer = WavWriter::new(Cursor::new(Vec::new()), 16_000).expect("header written");
    let caller = ramp(320);
    let agent: Vec<i16> = caller.iter().map(|s| s.wrapping_neg()).collect();
    for _ in 0..3 {
        writer.write_frame(&caller, &agent).expect("buffered");
    }
    let bytes = writer.finish().expect("flushed").into_inner();
    let wav = Wav::parse(&bytes).expect("readable");
    assert_eq!((wav.spec().sample_rate, wav.spec().channels), (16_000, 2));
    assert!(!wav.header_lagged(), "the sizes are current after a flush");
    assert_eq!(wav.frames(), 960);
    let samples: Vec<i16> = wav.samples().collect();
    assert!(samples.chunks(2).zip(caller.iter().cycle()).all(|(lr, &c)| lr[0] == c && lr[1] == c.wrapping_neg()));
    assert_eq!(bytes.len(), HEADER_LEN + 960 * 4);
}

#[test]
fn a_recording_dropped_without_finishing_keeps_every_flushed_frame() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("call.wav");
    let file = std::fs::File::create(&path).expect("created");
    let mut writer = WavWriter::new(file, 8000).expect("header written");
    let frame = |k: usize| -> Vec<i16> { (0..160).map(|i| (k * 160 + i) as i16).collect() };
    for k in 0..50 {
        writer.write_frame(&frame(k), &frame(k + 1000)).expect("buffered");
        if k % 10 == 9 {
            writer.flush().expect("flushed");
        }
    }
    // Five frames after the last flush are still buffered when the process "crashes".
    for k in 50..55 {
        writer.write_frame(&frame(k), &frame(k + 1000)).expect("buffered");
    }
    assert_eq!(writer.frames_flushed(), 50 * 160);
    drop(writer);
    let bytes = std::fs::read(&path).expect("read back");
    let wav = Wav::parse(&bytes).expect("playable");
    assert_eq!(wav.frames(), 50 * 160);
    let left: Vec<i16> = wav.samples().step_by(2).collect();
    assert_eq!(left, (0..50).flat_map(frame).collect::<Vec<_>>());
}

/// A file that records every write at its position, to replay any prefix of them.
#[derive(Default)]
struct Journal {
    image: Vec<u8>,
    at: u64,
    writes: Vec<(u64, Vec<u8>)>,
}

impl Write for Journal {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes.push((self.at, buf.to_vec()));
        apply(&mut self.image, self.at, buf);
        self.at += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Journal {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.at = match pos {
            SeekFrom::Start(p) => p,
            SeekFrom::End(d) => self.image.len() as u64 + d as u64,
            SeekFrom::Current(d) => self.at + d as u64,
        };
        Ok(self.at)
    }
}

fn apply(image: &mut Vec<u8>, at: u64, bytes: &[u8]) {
    let at = at as usize;
    if image.len() < at + bytes.len() {
        image.resize(at + bytes.len(), 0);
    }
    image[at..at + bytes.len()].copy_from_slice(bytes);
}

#[test]
fn a_recording_cut_at_any_byte_of_any_write_is_playable_with_every_flushed_frame() {
    let mut writer = WavWriter::new(Journal::default(), 8000).expect("header written");
    let frame = |k: usize| -> Vec<i16> { (0..160).map(|i| (k * 160 + i) as i16 - 9000).collect() };
    // After which write did each flush complete, and how many frames did it make durable?
    let mut durable = vec![(writer.get_ref().writes.len(), 0usize)];
    for k in 0..12 {
        writer.write_frame(&frame(k), &frame(k)).expect("buffered");
        if k % 3 == 2 {
            writer.flush().expect("flushed");
            durable.push((writer.get_ref().writes.len(), k + 1));
        }
    }
    let journal = writer.finish().expect("finished");
    let all: Vec<i16> = (0..12).flat_map(frame).collect();
    let mut image = Vec::new();
    for (i, (at, bytes)) in journal.writes.iter().enumerate() {
        // Cut inside this write (after 0, 1, 2, 3, half, all but one of its bytes), then after it.
        let cuts = [0, 1, 2, 3, bytes.len() / 2, bytes.len().saturating_sub(1), bytes.len()];
        for cut in cuts.into_iter().filter(|&c| c <= bytes.len()) {
            let mut crashed = image.clone();
            apply(&mut crashed, *at, &bytes[..cut]);
            let done = if cut == bytes.len() { i + 1 } else { i };
            if done == 0 {
                continue; // the header itself was not written yet
            }
            let frames = durable.iter().filter(|(w, _)| *w <= done).map(|&(_, f)| f).max().unwrap_or(0);
            let wav = Wav::parse(&crashed).unwrap_or_else(|e| panic!("write {i} cut at {cut}: {e}"));
            let left: Vec<i16> = wav.samples().step_by(2).collect();
            assert!(left.len() >= frames * 160, "write {i} cut at {cut}: {} < {}", left.len(), frames * 160);
            assert_eq!(left[..], all[..left.len()], "write {i} cut at {cut}: not a prefix");
        }
        apply(&mut image, *at, bytes);
    }
}

#[test]
fn the_writer_refuses_unequal_sides_and_other_rates() {
    assert!(matches!(WavWriter::new(Cursor::new(Vec::new()), 44_100), Err(WavError::UnsupportedRate(44_100))));
    let mut writer = WavWriter::new(Cursor::new(Vec::new()), 8000).expect("header written");
    assert!(matches!(
        writer.write_frame(&[0; 160], &[0; 159]),
        Err(WavError::ChannelLengths { left: 160, right: 159 })
    ));
    // A full buffer (1 s at 16 kHz, 2 s at 8 kHz) is written out on its own.
    for _ in 0..(60 * 50) {
        writer.write_frame(&[1; 160], &[2; 160]).expect("buffered");
    }
    assert!(writer.frames_flushed() >= 58 * 8000, "{} frames flushed", writer.frames_flushed());
}

/// A writer whose disk fills after `room` bytes.
struct Full {
    room: usize,
    inner: Cursor<Vec<u8>>,
}

impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.inner.get_ref().len() + buf.len() > self.room && self.inner.position() as usize >= HEADER_LEN {
            return Err(io::Error::other("disk full"));
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Full {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn after_a_failed_write_the_writer_takes_no_more_frames() {
    let full = Full { room: HEADER_LEN + 640 * 2, inner: Cursor::new(Vec::new()) };
    let mut writer = WavWriter::new(full, 8000).expect("header written");
    writer.write_frame(&[3; 160], &[4; 160]).expect("buffered");
    writer.flush().expect("fits");
    writer.write_frame(&[3; 160], &[4; 160]).expect("buffered");
    writer.write_frame(&[3; 160], &[4; 160]).expect("buffered");
    assert!(matches!(writer.flush(), Err(WavError::Io(_))));
    assert!(matches!(writer.write_frame(&[3; 160], &[4; 160]), Err(WavError::Failed)));
    assert_eq!(writer.frames_flushed(), 160);
    let bytes = writer.get_ref().inner.get_ref().clone();
    assert_eq!(Wav::parse(&bytes).expect("still playable").frames(), 160);
}

proptest! {
    #![proptest_config(crate::signal::fixed_seed())]

    #[test]
    fn truncated_or_bit_flipped_files_never_panic(
        cut in 0usize..700,
        flips in proptest::collection::vec((0usize..700, 0u8..8), 0..6),
        stereo in any::<bool>(),
    ) {
        let mut bytes = wav_bytes(8000, if stereo { 2 } else { 1 }, 16, 1, &ramp(300));
        for (at, bit) in flips {
            if let Some(b) = bytes.get_mut(at) {
                *b ^= 1 << bit;
            }
        }
        bytes.truncate(cut);
        if let Ok(wav) = Wav::parse(&bytes) {
            prop_assert!(wav.len() * 2 <= bytes.len());
            prop_assert_eq!(wav.samples().count(), wav.len());
            let mut out = [0i16; 64];
            let _ = wav.read_samples(cut / 3, &mut out);
        }
    }

    #[test]
    fn arbitrary_bytes_after_a_riff_header_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = b"RIFF\xff\x00\x00\x00WAVEfmt \x10\x00\x00\x00".to_vec();
        bytes.extend(tail);
        let _ = Wav::parse(&bytes);
    }
}
