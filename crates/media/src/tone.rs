//! Tone generators: ringback, busy, beep, DTMF digits and silence.
//!
//! A [`ToneGenerator`] is stateful and fills frames one after another: the
//! oscillators keep their phase across frames and every burst starts and
//! ends with a short linear ramp, so the output has no discontinuity at
//! frame edges or cadence edges. Time is the number of samples generated.
//! Sines come from a 1,024-entry table built at compile time, with linear
//! interpolation (error below −100 dB), and a 32-bit phase accumulator.
//! Levels are in dBm0, 0 dBm0 being a sine 3.17 dB below μ-law's full
//! scale. [`DtmfSequence`] plays a string of digits for in-band sending.

use std::f64::consts::PI;

/// Peak amplitude of a 0 dBm0 sine in 16-bit samples (G.711 μ-law, +3.17 dBm0 at full scale).
pub const DBM0_PEAK: f64 = 22_663.0;

/// Ramp at the start and end of every burst, in milliseconds.
const RAMP_MS: u32 = 2;

/// Sine table: one cycle in 1,024 steps, plus the first entry again for interpolation.
static SINE: [f32; 1025] = sine_table();

/// A DTMF key: 0-9, `*`, `#`, A-D.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtmfDigit {
    /// Key 0.
    D0,
    /// Key 1.
    D1,
    /// Key 2.
    D2,
    /// Key 3.
    D3,
    /// Key 4.
    D4,
    /// Key 5.
    D5,
    /// Key 6.
    D6,
    /// Key 7.
    D7,
    /// Key 8.
    D8,
    /// Key 9.
    D9,
    /// Key `*`.
    Star,
    /// Key `#`.
    Hash,
    /// Key A.
    A,
    /// Key B.
    B,
    /// Key C.
    C,
    /// Key D.
    D,
}

/// The low-group (row) frequencies, in Hz.
pub const DTMF_ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
/// The high-group (column) frequencies, in Hz.
pub const DTMF_COLUMNS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

/// The keypad, row by row.
const KEYPAD: [[DtmfDigit; 4]; 4] = {
    use DtmfDigit::*;
    [[D1, D2, D3, A], [D4, D5, D6, B], [D7, D8, D9, C], [Star, D0, Hash, D]]
};

impl DtmfDigit {
    /// Every digit, in RFC 4733 event-code order (0-9, `*`, `#`, A-D).
    pub const ALL: [DtmfDigit; 16] = {
        use DtmfDigit::*;
        [D0, D1, D2, D3, D4, D5, D6, D7, D8, D9, Star, Hash, A, B, C, D]
    };

    /// The digit of a keypad character (`0`-`9`, `*`, `#`, `A`-`D` in either case).
    #[must_use]
    pub fn from_char(c: char) -> Option<Self> {
        let code = match c.to_ascii_uppercase() {
            d @ '0'..='9' => d as u8 - b'0',
            '*' => 10,
            '#' => 11,
            l @ 'A'..='D' => l as u8 - b'A' + 12,
            _ => return None,
        };
        Self::from_event_code(code)
    }

    /// The keypad character.
    #[must_use]
    pub fn as_char(self) -> char {
        b"0123456789*#ABCD"[usize::from(self.event_code())] as char
    }

    /// The RFC 4733 event code (0-15).
    #[must_use]
    pub fn event_code(self) -> u8 {
        self as u8
    }

    /// The digit of an RFC 4733 event code, if it is one (0-15).
    #[must_use]
    pub fn from_event_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }

    /// The digit at a keypad position (row 0-3, column 0-3).
    #[must_use]
    pub fn at(row: usize, column: usize) -> Option<Self> {
        KEYPAD.get(row).and_then(|r| r.get(column)).copied()
    }

    /// The keypad position: (row, column).
    #[must_use]
    pub fn position(self) -> (usize, usize) {
        let mut found = (0, 0);
        for (r, row) in KEYPAD.iter().enumerate() {
            for (c, &d) in row.iter().enumerate() {
                if d == self {
                    found = (r, c);
                }
            }
        }
        found
    }

    /// The (row, column) frequencies in Hz.
    #[must_use]
    pub fn frequencies(self) -> (f64, f64) {
        let (r, c) = self.position();
        (DTMF_ROWS[r], DTMF_COLUMNS[c])
    }
}

/// When a tone sounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cadence {
    /// Forever.
    Continuous,
    /// On and off in turn, forever (ringback, busy).
    Repeat {
        /// Sounding time, ms.
        on_ms: u32,
        /// Silent time, ms.
        off_ms: u32,
    },
    /// Once, then silence, then finished (beep, a DTMF digit).
    Once {
        /// Sounding time, ms.
        on_ms: u32,
        /// Silence after it before the generator is finished, ms.
        off_ms: u32,
    },
}

/// Where a generator is in its cadence; positions in samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Segment {
    /// Sounding, `at` samples into the burst.
    On { at: u64 },
    /// Silent, `at` samples into the pause.
    Off { at: u64 },
    /// Nothing more to play.
    Finished,
}

/// A sine oscillator on a 32-bit phase accumulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Oscillator {
    phase: u32,
    step: u32,
}

impl Oscillator {
    fn new(frequency_hz: f64, sample_rate: u32) -> Self {
        let cycles = (frequency_hz / f64::from(sample_rate.max(1))).rem_euclid(1.0);
        Oscillator { phase: 0, step: (cycles * 4_294_967_296.0) as u32 }
    }

    #[inline]
    fn next(&mut self) -> f32 {
        let index = (self.phase >> 22) as usize;
        let frac = ((self.phase >> 6) & 0xFFFF) as f32 / 65_536.0;
        self.phase = self.phase.wrapping_add(self.step);
        SINE[index] + (SINE[index + 1] - SINE[index]) * frac
    }
}

/// A stateful tone: up to two sines, a level each, a cadence.
#[derive(Clone, Debug, PartialEq)]
pub struct ToneGenerator {
    oscillators: [Oscillator; 2],
    amplitudes: [f32; 2],
    /// Burst and pause lengths in samples (`None` burst: continuous).
    on: Option<u64>,
    off: u64,
    repeat: bool,
    ramp: u64,
    segment: Segment,
}

impl ToneGenerator {
    /// A generator of up to two `(frequency Hz, level dBm0)` components (more are ignored) with a cadence.
    #[must_use]
    pub fn new(sample_rate: u32, components: &[(f64, f64)], cadence: Cadence) -> Self {
        let mut oscillators = [Oscillator::new(0.0, sample_rate); 2];
        let mut amplitudes = [0.0; 2];
        for (i, &(frequency, level)) in components.iter().take(2).enumerate() {
            oscillators[i] = Oscillator::new(frequency, sample_rate);
            amplitudes[i] = (DBM0_PEAK * 10f64.powf(level / 20.0)).clamp(0.0, 32_767.0) as f32;
        }
        let ms = |ms: u32| u64::from(sample_rate) * u64::from(ms) / 1000;
        let (on, off, repeat) = match cadence {
            Cadence::Continuous => (None, 0, false),
            // A cycle of no time at all would never advance: it is silence.
            Cadence::Repeat { on_ms, off_ms } if ms(on_ms) == 0 && ms(off_ms) == 0 => {
                amplitudes = [0.0; 2];
                (None, 0, false)
            }
            Cadence::Repeat { on_ms, off_ms } => (Some(ms(on_ms)), ms(off_ms), true),
            Cadence::Once { on_ms, off_ms } => (Some(ms(on_ms)), ms(off_ms), false),
        };
        let ramp = ms(RAMP_MS).min(on.unwrap_or(u64::MAX) / 4);
        ToneGenerator { oscillators, amplitudes, on, off, repeat, ramp, segment: Segment::On { at: 0 } }
    }

    /// North American ringback: 440 + 480 Hz at −19 dBm0 each, 2 s on, 4 s off.
    #[must_use]
    pub fn ringback(sample_rate: u32) -> Self {
        Self::new(sample_rate, &[(440.0, -19.0), (480.0, -19.0)], Cadence::Repeat { on_ms: 2000, off_ms: 4000 })
    }

    /// North American busy: 480 + 620 Hz at −24 dBm0 each, 0.5 s on, 0.5 s off.
    #[must_use]
    pub fn busy(sample_rate: u32) -> Self {
        Self::new(sample_rate, &[(480.0, -24.0), (620.0, -24.0)], Cadence::Repeat { on_ms: 500, off_ms: 500 })
    }

    /// A beep: 1 kHz at −13 dBm0 for 200 ms, once.
    #[must_use]
    pub fn beep(sample_rate: u32) -> Self {
        Self::new(sample_rate, &[(1000.0, -13.0)], Cadence::Once { on_ms: 200, off_ms: 0 })
    }

    /// One DTMF digit: row at −8 dBm0, column at −6 dBm0, `on_ms` then `off_ms` of silence, once.
    #[must_use]
    pub fn dtmf(sample_rate: u32, digit: DtmfDigit, on_ms: u32, off_ms: u32) -> Self {
        let (row, column) = digit.frequencies();
        Self::new(sample_rate, &[(row, -8.0), (column, -6.0)], Cadence::Once { on_ms, off_ms })
    }

    /// Silence, forever.
    #[must_use]
    pub fn silence(sample_rate: u32) -> Self {
        Self::new(sample_rate, &[], Cadence::Continuous)
    }

    /// Whether a `Once` tone has played out (then it only gives silence).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.segment == Segment::Finished
    }

    /// Fills `out` with the next samples (silence once finished).
    pub fn fill(&mut self, out: &mut [i16]) {
        let written = self.render(out);
        out[written..].fill(0);
    }

    /// Writes the next samples until `out` is full or the tone finishes; returns how many.
    pub fn render(&mut self, out: &mut [i16]) -> usize {
        let mut written = 0;
        while written < out.len() {
            let rest = &mut out[written..];
            let n = match self.segment {
                Segment::Finished => break,
                Segment::On { at } => self.render_on(at, rest),
                Segment::Off { at } => self.render_off(at, rest),
            };
            written += n;
        }
        written
    }

    /// Sounds from `at` into the burst; moves to the pause at its end.
    fn render_on(&mut self, at: u64, out: &mut [i16]) -> usize {
        let left = self.on.map_or(u64::MAX, |on| on - at.min(on));
        let n = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let ramp = self.ramp.max(1) as f32;
        let [a0, a1] = self.amplitudes;
        for (i, sample) in out[..n].iter_mut().enumerate() {
            let t = at + i as u64;
            let mut gain = 1.0f32;
            if t < self.ramp {
                gain = (t + 1) as f32 / ramp;
            }
            if let Some(on) = self.on
                && on - t <= self.ramp
            {
                gain = gain.min((on - t - 1) as f32 / ramp);
            }
            let v = a0 * self.oscillators[0].next() + a1 * self.oscillators[1].next();
            *sample = (v * gain).round().clamp(-32_768.0, 32_767.0) as i16;
        }
        let end = at + n as u64;
        self.segment = match self.on {
            Some(on) if end >= on => self.after_burst(),
            _ => Segment::On { at: end },
        };
        n
    }

    fn after_burst(&self) -> Segment {
        if self.off > 0 {
            Segment::Off { at: 0 }
        } else if self.repeat {
            Segment::On { at: 0 }
        } else {
            Segment::Finished
        }
    }

    /// Silent from `at` into the pause; moves to the next burst (or finishes) at its end.
    fn render_off(&mut self, at: u64, out: &mut [i16]) -> usize {
        let left = self.off - at.min(self.off);
        let n = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        out[..n].fill(0);
        let end = at + n as u64;
        self.segment = if end < self.off {
            Segment::Off { at: end }
        } else if self.repeat {
            Segment::On { at: 0 }
        } else {
            Segment::Finished
        };
        n
    }
}

/// Plays a string of DTMF digits, each `on_ms` followed by `off_ms` of silence.
#[derive(Clone, Debug, PartialEq)]
pub struct DtmfSequence {
    digits: Vec<DtmfDigit>,
    next: usize,
    current: Option<ToneGenerator>,
    sample_rate: u32,
    on_ms: u32,
    off_ms: u32,
}

impl DtmfSequence {
    /// A sequence of the keypad characters of `digits` (others are skipped).
    #[must_use]
    pub fn new(sample_rate: u32, digits: &str, on_ms: u32, off_ms: u32) -> Self {
        let digits = digits.chars().filter_map(DtmfDigit::from_char).collect();
        DtmfSequence { digits, next: 0, current: None, sample_rate, on_ms, off_ms }
    }

    /// Whether every digit has been played.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.current.is_none() && self.next >= self.digits.len()
    }

    /// Fills `out` with the next samples (silence once finished).
    pub fn fill(&mut self, out: &mut [i16]) {
        let mut written = 0;
        while written < out.len() {
            if self.current.as_ref().is_none_or(ToneGenerator::is_finished) {
                let Some(&digit) = self.digits.get(self.next) else {
                    self.current = None;
                    break;
                };
                self.next += 1;
                self.current = Some(ToneGenerator::dtmf(self.sample_rate, digit, self.on_ms, self.off_ms));
            }
            if let Some(tone) = self.current.as_mut() {
                written += tone.render(&mut out[written..]);
            }
        }
        out[written..].fill(0);
    }
}

/// `sin(x)` for |x| ≤ π by its Taylor series (const: the table is built at compile time).
const fn const_sin(x: f64) -> f64 {
    let mut term = x;
    let mut sum = x;
    let mut n = 1;
    while n < 30 {
        term = -term * x * x / (((2 * n) * (2 * n + 1)) as f64);
        sum += term;
        n += 1;
    }
    sum
}

const fn sine_table() -> [f32; 1025] {
    let mut table = [0.0f32; 1025];
    let mut i = 0;
    while i < 1025 {
        // Angles in (−π, π] so the series converges fast.
        let k = if i > 512 { i as f64 - 1024.0 } else { i as f64 };
        table[i] = const_sin(2.0 * PI * k / 1024.0) as f32;
        i += 1;
    }
    table
}
