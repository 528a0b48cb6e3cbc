//! G.711 companding (ITU-T G.711): μ-law (PCMU) and A-law (PCMA).
//!
//! Linear samples are 16-bit; μ-law uses their top 14 bits and A-law their
//! top 13, with the conventions of the ITU-T G.191 reference software
//! (a negative sample's magnitude is its one's complement, so the quantiser
//! is symmetric). Decoding is a 256-entry table; encoding is a table indexed
//! by the truncated sample (16 Ki entries for μ-law, 4 Ki for A-law), both
//! built at compile time from the segment search in [`Law::encode_computed`]
//! and [`Law::decode_computed`]. The slice functions never allocate: they
//! convert as many samples as both slices hold and say how many.

/// A G.711 companding law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Law {
    /// μ-law, RTP payload type 0 (PCMU): North America and Japan.
    Ulaw,
    /// A-law, RTP payload type 8 (PCMA): Europe and most other trunks.
    Alaw,
}

/// μ-law code → linear sample.
static ULAW_DECODE: [i16; 256] = decode_table(Law::Ulaw);
/// A-law code → linear sample.
static ALAW_DECODE: [i16; 256] = decode_table(Law::Alaw);
/// μ-law code of every 14-bit sample (`sample >> 2`, offset by 8,192).
static ULAW_ENCODE: [u8; 1 << 14] = encode_table::<{ 1 << 14 }>(Law::Ulaw, 2);
/// A-law code of every 12-bit sample (`sample >> 4`, offset by 2,048).
static ALAW_ENCODE: [u8; 1 << 12] = encode_table::<{ 1 << 12 }>(Law::Alaw, 4);

impl Law {
    /// The code of one linear sample (table lookup).
    #[inline]
    #[must_use]
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            Law::Ulaw => ULAW_ENCODE[ulaw_index(sample)],
            Law::Alaw => ALAW_ENCODE[alaw_index(sample)],
        }
    }

    /// The linear sample of one code (table lookup).
    #[inline]
    #[must_use]
    pub fn decode(self, code: u8) -> i16 {
        match self {
            Law::Ulaw => ULAW_DECODE[usize::from(code)],
            Law::Alaw => ALAW_DECODE[usize::from(code)],
        }
    }

    /// Encodes `src` into `dst`; returns the number of samples encoded, the shorter length.
    pub fn encode_into(self, src: &[i16], dst: &mut [u8]) -> usize {
        let n = src.len().min(dst.len());
        match self {
            Law::Ulaw => dst.iter_mut().zip(src).for_each(|(d, &s)| *d = ULAW_ENCODE[ulaw_index(s)]),
            Law::Alaw => dst.iter_mut().zip(src).for_each(|(d, &s)| *d = ALAW_ENCODE[alaw_index(s)]),
        }
        n
    }

    /// Decodes `src` into `dst`; returns the number of codes decoded, the shorter length.
    pub fn decode_into(self, src: &[u8], dst: &mut [i16]) -> usize {
        let n = src.len().min(dst.len());
        let table = match self {
            Law::Ulaw => &ULAW_DECODE,
            Law::Alaw => &ALAW_DECODE,
        };
        dst.iter_mut().zip(src).for_each(|(d, &c)| *d = table[usize::from(c)]);
        n
    }

    /// The code of digital silence (the code of the linear sample 0).
    #[must_use]
    pub const fn silence(self) -> u8 {
        self.encode_computed(0)
    }

    /// The code of one sample computed by segment search (no table; usable in `const`).
    #[must_use]
    pub const fn encode_computed(self, sample: i16) -> u8 {
        let x = sample as i32;
        match self {
            Law::Ulaw => {
                // 14-bit magnitude, biased by 33 so that segments are powers of two.
                let (magnitude, sign) = if x < 0 { ((!x) >> 2, 0x00) } else { (x >> 2, 0x80) };
                let biased = if magnitude + 33 > 0x1FFF { 0x1FFF } else { magnitude + 33 };
                let segment = 31 - biased.leading_zeros() - 5;
                let step = (biased >> (segment + 1)) & 0x0F;
                (sign | (!((segment << 4) as i32 | step) & 0x7F)) as u8
            }
            Law::Alaw => {
                // 12-bit magnitude: segment 0 and 1 have the same step.
                let (magnitude, sign) = if x < 0 { ((!x) >> 4, 0x00) } else { (x >> 4, 0x80) };
                let code = if magnitude < 16 {
                    magnitude
                } else {
                    let segment = 32 - magnitude.leading_zeros() - 4;
                    ((segment << 4) as i32) | ((magnitude >> (segment - 1)) & 0x0F)
                };
                ((sign | code) ^ 0x55) as u8
            }
        }
    }

    /// The linear sample of one code computed from its segment and step (no table).
    #[must_use]
    pub const fn decode_computed(self, code: u8) -> i16 {
        match self {
            Law::Ulaw => {
                let c = !code;
                let segment = ((c >> 4) & 0x07) as i32;
                let step = (c & 0x0F) as i32;
                let magnitude = (((step << 3) + 0x84) << segment) - 0x84;
                (if c & 0x80 != 0 { -magnitude } else { magnitude }) as i16
            }
            Law::Alaw => {
                let c = code ^ 0x55;
                let segment = ((c >> 4) & 0x07) as i32;
                let step = (c & 0x0F) as i32;
                let magnitude = if segment == 0 { (step << 4) + 8 } else { ((step << 4) + 0x108) << (segment - 1) };
                (if c & 0x80 != 0 { magnitude } else { -magnitude }) as i16
            }
        }
    }
}

/// Encodes one sample to μ-law.
#[inline]
#[must_use]
pub fn ulaw_encode(sample: i16) -> u8 {
    Law::Ulaw.encode(sample)
}

/// Decodes one μ-law code.
#[inline]
#[must_use]
pub fn ulaw_decode(code: u8) -> i16 {
    Law::Ulaw.decode(code)
}

/// Encodes one sample to A-law.
#[inline]
#[must_use]
pub fn alaw_encode(sample: i16) -> u8 {
    Law::Alaw.encode(sample)
}

/// Decodes one A-law code.
#[inline]
#[must_use]
pub fn alaw_decode(code: u8) -> i16 {
    Law::Alaw.decode(code)
}

#[inline]
fn ulaw_index(sample: i16) -> usize {
    // (sample >> 2) is in -8192..8192; the cast after the offset is lossless.
    ((sample >> 2) as i32 + 8192) as usize
}

#[inline]
fn alaw_index(sample: i16) -> usize {
    ((sample >> 4) as i32 + 2048) as usize
}

const fn decode_table(law: Law) -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = law.decode_computed(code as u8);
        code += 1;
    }
    table
}

/// The code of every truncated sample: entry `i` is the code of `(i - N/2) << shift`.
const fn encode_table<const N: usize>(law: Law, shift: u32) -> [u8; N] {
    let mut table = [0u8; N];
    let mut i = 0;
    while i < N {
        let sample = ((i as i32) - (N as i32) / 2) << shift;
        table[i] = law.encode_computed(sample as i16);
        i += 1;
    }
    table
}
