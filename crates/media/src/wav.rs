//! PCM WAV: a reader for prompts and recordings, and a crash-safe recorder.
//!
//! [`Wav::parse`] reads 16-bit PCM at 8 or 16 kHz, mono or stereo, from
//! bytes in memory ([`Wav::parse_mono`] for prompts, which must be mono);
//! anything else gets a [`WavError`] naming what is wrong, and no input
//! makes it panic. It takes the data length from the file when the header
//! lags behind it: when the RIFF size is smaller than the file (or 0, or
//! 0xFFFFFFFF), the data chunk runs to the end of the file, whatever its
//! own size says, cut to whole sample frames.
//!
//! [`WavWriter`] writes a stereo recording (caller left, agent right)
//! incrementally. Frames are buffered; each [`flush`](WavWriter::flush)
//! appends them, then rewrites the data size, then the RIFF size. A file
//! cut at any byte after its header is therefore readable, with every frame
//! of every completed flush: until the RIFF size is rewritten the header
//! lags, and the reader takes the data from the file length. (Surviving a
//! power cut as well needs an `fsync` after the flush: [`WavWriter::get_ref`].)

use std::io::{self, Seek, SeekFrom, Write};

use thiserror::Error;

/// Bytes of the header [`WavWriter`] writes (RIFF, `fmt `, `data` chunk headers).
pub const HEADER_LEN: usize = 44;

/// What went wrong with a WAV file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum WavError {
    /// The file ends inside its RIFF header or a chunk header.
    #[error("the file is truncated")]
    Truncated,
    /// The file does not start with `RIFF`.
    #[error("not a RIFF file")]
    NotRiff,
    /// The RIFF form is not `WAVE`.
    #[error("not a WAVE file")]
    NotWave,
    /// No `fmt ` chunk before the data.
    #[error("no fmt chunk")]
    MissingFmt,
    /// No `data` chunk.
    #[error("no data chunk")]
    MissingData,
    /// The `fmt ` chunk is malformed.
    #[error("malformed fmt chunk: {0}")]
    BadFmt(&'static str),
    /// Not PCM (format tag given; 3 is float, 6 A-law, 7 μ-law).
    #[error("unsupported format tag {0:#06x}: only 16-bit PCM is read")]
    UnsupportedFormat(u16),
    /// Not 16 bits per sample.
    #[error("{0} bits per sample: only 16-bit PCM is read")]
    UnsupportedBits(u16),
    /// A channel count other than one (prompts) or two (recordings).
    #[error("{0} channels: prompts are mono and recordings stereo")]
    UnsupportedChannels(u16),
    /// A rate other than 8 or 16 kHz.
    #[error("{0} Hz: only 8,000 and 16,000 Hz are read")]
    UnsupportedRate(u32),
    /// The caller and agent frames differ in length.
    #[error("left frame has {left} samples, right frame {right}")]
    ChannelLengths {
        /// Samples in the left (caller) frame.
        left: usize,
        /// Samples in the right (agent) frame.
        right: usize,
    },
    /// The recording would pass the 4 GiB a WAV file can describe.
    #[error("the recording reached the 4 GiB WAV limit")]
    TooLarge,
    /// An earlier write failed; the writer takes no more frames.
    #[error("an earlier write failed; the recording is closed")]
    Failed,
    /// Writing the file failed.
    #[error("writing the recording: {0}")]
    Io(#[from] io::Error),
}

/// The sample format of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WavSpec {
    /// Samples per second per channel: 8,000 or 16,000.
    pub sample_rate: u32,
    /// 1 (mono) or 2 (stereo, interleaved left then right).
    pub channels: u16,
}

/// A parsed WAV file borrowing its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wav<'a> {
    spec: WavSpec,
    data: &'a [u8],
    lagged: bool,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The tail of the KSDATAFORMAT_SUBTYPE_PCM GUID (after its 16-bit format code).
const PCM_GUID_TAIL: [u8; 14] = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

fn parse_fmt(body: &[u8]) -> Result<WavSpec, WavError> {
    let field = |at| u16_at(body, at).ok_or(WavError::BadFmt("shorter than 16 bytes"));
    let mut tag = field(0)?;
    let channels = field(2)?;
    let sample_rate = u32_at(body, 4).ok_or(WavError::BadFmt("shorter than 16 bytes"))?;
    let block_align = field(12)?;
    let bits = field(14)?;
    if tag == 0xFFFE {
        // WAVE_FORMAT_EXTENSIBLE: the real format is the sub-format GUID.
        match (u16_at(body, 24), body.get(26..40)) {
            (Some(code), Some(tail)) if tail == PCM_GUID_TAIL => tag = code,
            _ => return Err(WavError::BadFmt("extensible format without a known sub-format")),
        }
    }
    if tag != 1 {
        return Err(WavError::UnsupportedFormat(tag));
    }
    if bits != 16 {
        return Err(WavError::UnsupportedBits(bits));
    }
    if !(1..=2).contains(&channels) {
        return Err(WavError::UnsupportedChannels(channels));
    }
    if sample_rate != 8000 && sample_rate != 16_000 {
        return Err(WavError::UnsupportedRate(sample_rate));
    }
    if block_align != 2 * channels {
        return Err(WavError::BadFmt("block align is not 2 bytes per channel"));
    }
    Ok(WavSpec { sample_rate, channels })
}

impl<'a> Wav<'a> {
    /// Parses a 16-bit PCM WAV file (8 or 16 kHz, mono or stereo).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, WavError> {
        if bytes.len() < 12 {
            return Err(if bytes.starts_with(&b"RIFF"[..bytes.len().min(4)]) {
                WavError::Truncated
            } else {
                WavError::NotRiff
            });
        }
        if &bytes[0..4] != b"RIFF" {
            return Err(WavError::NotRiff);
        }
        if &bytes[8..12] != b"WAVE" {
            return Err(WavError::NotWave);
        }
        let riff = u64::from(u32_at(bytes, 4).unwrap_or(0));
        let len = bytes.len() as u64;
        let header_lags = riff == 0 || riff == u64::from(u32::MAX) || riff + 8 < len;
        let mut spec = None;
        let mut at = 12usize;
        while let (Some(size), Some(id)) = (u32_at(bytes, at + 4), bytes.get(at..at + 4)) {
            let body = at + 8;
            let available = bytes.len() - body;
            match id {
                b"fmt " => {
                    let end = body.saturating_add(size as usize).min(bytes.len());
                    spec = Some(parse_fmt(&bytes[body..end])?);
                }
                b"data" => {
                    let spec = spec.ok_or(WavError::MissingFmt)?;
                    let declared = size as usize;
                    let to_end = header_lags || declared >= available || size == u32::MAX;
                    let n = if to_end { available } else { declared };
                    let n = n - n % (2 * usize::from(spec.channels));
                    let lagged = to_end && n > declared;
                    return Ok(Wav { spec, data: &bytes[body..body + n], lagged });
                }
                _ => {}
            }
            let next = body as u64 + u64::from(size) + u64::from(size & 1);
            if next > len {
                break;
            }
            at = next as usize;
        }
        Err(if spec.is_some() { WavError::MissingData } else { WavError::MissingFmt })
    }

    /// Parses a prompt: as [`parse`](Self::parse), and it must be mono.
    pub fn parse_mono(bytes: &'a [u8]) -> Result<Self, WavError> {
        let wav = Self::parse(bytes)?;
        if wav.spec.channels != 1 {
            return Err(WavError::UnsupportedChannels(wav.spec.channels));
        }
        Ok(wav)
    }

    /// The sample format.
    #[must_use]
    pub fn spec(&self) -> WavSpec {
        self.spec
    }

    /// Whether the header's sizes were behind the file and the data length came from the file.
    #[must_use]
    pub fn header_lagged(&self) -> bool {
        self.lagged
    }

    /// Sample frames (one sample per channel) in the file.
    #[must_use]
    pub fn frames(&self) -> usize {
        self.data.len() / (2 * usize::from(self.spec.channels))
    }

    /// Samples in the file, all channels counted.
    #[must_use]
    pub fn len(&self) -> usize {
        self.data.len() / 2
    }

    /// Whether the file holds no sample.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Every sample, interleaved for stereo.
    pub fn samples(&self) -> impl ExactSizeIterator<Item = i16> + 'a {
        self.data.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]]))
    }

    /// Copies samples from sample `offset` into `out`; returns how many (0 past the end).
    pub fn read_samples(&self, offset: usize, out: &mut [i16]) -> usize {
        let start = offset.saturating_mul(2).min(self.data.len());
        let bytes = &self.data[start..];
        let n = out.len().min(bytes.len() / 2);
        for (o, b) in out[..n].iter_mut().zip(bytes.chunks_exact(2)) {
            *o = i16::from_le_bytes([b[0], b[1]]);
        }
        n
    }
}

/// Whether the writer can still write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WriterState {
    /// `flushed` data bytes are in the file after the header.
    Open { flushed: u32 },
    /// A write failed: the file holds at least `flushed` data bytes, maybe more.
    Failed { flushed: u32 },
}

/// Incremental stereo 16-bit WAV writer: caller left, agent right; playable after a crash.
#[derive(Debug)]
pub struct WavWriter<W: Write + Seek> {
    inner: W,
    /// Interleaved little-endian samples not yet written; never grows past its capacity.
    pending: Vec<u8>,
    state: WriterState,
}

/// Frames buffered before a write is forced: one second at 16 kHz (64 KiB).
const BUFFER_BYTES: usize = 16_000 * 4;

fn header(sample_rate: u32, data_len: u32) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&(data_len + 36).to_le_bytes());
    h[8..16].copy_from_slice(b"WAVEfmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes());
    h[22..24].copy_from_slice(&2u16.to_le_bytes());
    h[24..28].copy_from_slice(&sample_rate.to_le_bytes());
    h[28..32].copy_from_slice(&(sample_rate * 4).to_le_bytes());
    h[32..34].copy_from_slice(&4u16.to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&data_len.to_le_bytes());
    h
}

impl<W: Write + Seek> WavWriter<W> {
    /// Starts a recording at `sample_rate` (8,000 or 16,000 Hz): writes the header at the start of `inner`.
    pub fn new(mut inner: W, sample_rate: u32) -> Result<Self, WavError> {
        if sample_rate != 8000 && sample_rate != 16_000 {
            return Err(WavError::UnsupportedRate(sample_rate));
        }
        inner.seek(SeekFrom::Start(0))?;
        inner.write_all(&header(sample_rate, 0))?;
        inner.flush()?;
        Ok(WavWriter { inner, pending: Vec::with_capacity(BUFFER_BYTES), state: WriterState::Open { flushed: 0 } })
    }

    /// Buffers one frame of each side (writing the buffer first if it is full).
    pub fn write_frame(&mut self, left: &[i16], right: &[i16]) -> Result<(), WavError> {
        if left.len() != right.len() {
            return Err(WavError::ChannelLengths { left: left.len(), right: right.len() });
        }
        let WriterState::Open { flushed } = self.state else { return Err(WavError::Failed) };
        let bytes = 4 * left.len();
        if u64::from(flushed) + (self.pending.len() + bytes) as u64 > u64::from(u32::MAX - 36) {
            return Err(WavError::TooLarge);
        }
        if self.pending.len() + bytes > self.pending.capacity() && !self.pending.is_empty() {
            self.flush()?;
        }
        for (&l, &r) in left.iter().zip(right) {
            self.pending.extend_from_slice(&l.to_le_bytes());
            self.pending.extend_from_slice(&r.to_le_bytes());
        }
        Ok(())
    }

    /// Appends the buffered frames, then rewrites the data size and the RIFF size.
    pub fn flush(&mut self) -> Result<(), WavError> {
        let WriterState::Open { flushed } = self.state else { return Err(WavError::Failed) };
        if self.pending.is_empty() {
            return Ok(());
        }
        match self.append(flushed) {
            Ok(total) => {
                self.pending.clear();
                self.state = WriterState::Open { flushed: total };
                Ok(())
            }
            Err(e) => {
                self.state = WriterState::Failed { flushed };
                Err(e.into())
            }
        }
    }

    fn append(&mut self, flushed: u32) -> io::Result<u32> {
        // write_frame keeps the total under u32::MAX − 36.
        let total = flushed + self.pending.len() as u32;
        self.inner.seek(SeekFrom::Start(HEADER_LEN as u64 + u64::from(flushed)))?;
        self.inner.write_all(&self.pending)?;
        self.inner.seek(SeekFrom::Start(40))?;
        self.inner.write_all(&total.to_le_bytes())?;
        self.inner.seek(SeekFrom::Start(4))?;
        self.inner.write_all(&(total + 36).to_le_bytes())?;
        self.inner.flush()?;
        Ok(total)
    }

    /// Sample frames in the file (flushed), per channel.
    #[must_use]
    pub fn frames_flushed(&self) -> u64 {
        let (WriterState::Open { flushed } | WriterState::Failed { flushed }) = self.state;
        u64::from(flushed) / 4
    }

    /// The underlying writer (to `fsync` a file after a flush).
    #[must_use]
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Flushes and hands back the underlying writer.
    pub fn finish(mut self) -> Result<W, WavError> {
        self.flush()?;
        Ok(self.inner)
    }
}
