//! In-band DTMF detection on 8 kHz audio (G.711 legs), with Goertzel filters.
//!
//! Audio is cut into blocks of [`BLOCK`] samples (12.75 ms; at 78 Hz per
//! bin the eight DTMF frequencies fall near each other's nulls). A block
//! holds a digit when the strongest row and column tones are each above
//! [`DtmfConfig::min_level_dbm0`], within the twist limits of each other,
//! clearly above the other tones of their group, and together carry most of
//! the block's energy (speech, music and call-progress tones spread theirs).
//! A press is reported once, after [`DtmfConfig::hits_to_press`] (2) blocks
//! in a row hold the same digit, and ends after
//! [`DtmfConfig::misses_to_release`] (3) blocks without it. At any
//! alignment a tone of 40 ms spans two whole blocks, so it is seen; a tone
//! of 15 ms or less never fills 60 % of two blocks, so it is not; a pause
//! of 40 ms leaves two whole blocks and most of a third without tone, so it
//! separates two presses; an interruption of 10 ms touches at most two
//! blocks, so it never splits one; a held key is one press whatever it
//! lasts.
//!
//! Two limits of ITU-T Q.24 are not guaranteed: tones from about 21 ms may
//! be accepted (Q.24 asks for none under 23 ms), and tones 1.5–3.5 % off
//! frequency often are (at 78 Hz per bin, 3.5 % off costs a tone only about
//! 10 dB, which the twist check catches only near the twist limits).
//!
//! Second-harmonic checks are not used: at this block length the row
//! tones' harmonics (1,394–1,882 Hz) fall within a bin of the column tones.
//! Time is the count of samples pushed; events carry sample positions.

use std::collections::VecDeque;

use crate::goertzel::Goertzel;
use crate::tone::{DBM0_PEAK, DTMF_COLUMNS, DTMF_ROWS, DtmfDigit};

/// Samples per analysis block at 8 kHz.
pub const BLOCK: usize = 102;

/// The sample rate the detector works at.
const RATE: f64 = 8000.0;

/// What a detector reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DtmfEvent {
    /// A key went down: `start` is the first sample of the first block that held it.
    Pressed {
        /// The key.
        digit: DtmfDigit,
        /// Sample position where the tone was first seen.
        start: u64,
    },
    /// The key went up: `end` is the first sample of the first block without it.
    Released {
        /// The key.
        digit: DtmfDigit,
        /// Sample position of the press.
        start: u64,
        /// Sample position where the tone was gone.
        end: u64,
    },
}

/// Detection thresholds; [`Default`] meets the usual receiver requirements (Bell/ITU-T Q.24 style).
///
/// Those are: operate within ±1.5 % of the nominal frequencies, on tones of
/// 40 ms or more separated by 40 ms or more, with up to 8 dB normal and
/// 4 dB reverse twist, across interruptions of up to 10 ms.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct DtmfConfig {
    /// The quietest tone (each of the two) accepted, in dBm0.
    pub min_level_dbm0: f64,
    /// How far the row tone may be above the column tone, in dB (normal twist: lines lose highs).
    pub normal_twist_db: f64,
    /// How far the column tone may be above the row tone, in dB (reverse twist).
    pub reverse_twist_db: f64,
    /// How far each tone must be above the other tones of its group, in dB.
    pub relative_peak_db: f64,
    /// The least share of the block's energy the two tones must carry (0..1).
    pub min_tone_share: f64,
    /// Blocks in a row holding a digit before it is reported pressed.
    pub hits_to_press: u32,
    /// Blocks in a row without it before it is reported released.
    pub misses_to_release: u32,
}

impl Default for DtmfConfig {
    fn default() -> Self {
        DtmfConfig {
            min_level_dbm0: -30.0,
            normal_twist_db: 8.0,
            reverse_twist_db: 4.0,
            relative_peak_db: 8.0,
            min_tone_share: 0.6,
            hits_to_press: 2,
            misses_to_release: 3,
        }
    }
}

/// Where the detector is between presses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No key down; maybe a digit seen in the last `hits` blocks since `start`.
    Idle { candidate: Option<(DtmfDigit, u32, u64)> },
    /// A key is down since `start`; `misses` blocks in a row have lacked it.
    Down { digit: DtmfDigit, start: u64, misses: u32, gone_at: u64 },
}

/// A streaming DTMF detector for one 8 kHz leg.
#[derive(Clone, Debug)]
pub struct DtmfDetector {
    config: DtmfConfig,
    rows: [Goertzel; 4],
    columns: [Goertzel; 4],
    /// Energy (in block-energy units) of a tone at the minimum level.
    min_energy: f64,
    block: [i16; BLOCK],
    filled: usize,
    /// Samples pushed before the current block.
    block_start: u64,
    state: State,
    events: VecDeque<DtmfEvent>,
}

impl Default for DtmfDetector {
    fn default() -> Self {
        Self::new(DtmfConfig::default())
    }
}

impl DtmfDetector {
    /// A detector with these thresholds.
    #[must_use]
    pub fn new(config: DtmfConfig) -> Self {
        let amplitude = DBM0_PEAK * 10f64.powf(config.min_level_dbm0 / 20.0);
        DtmfDetector {
            config,
            rows: DTMF_ROWS.map(|f| Goertzel::new(f, RATE)),
            columns: DTMF_COLUMNS.map(|f| Goertzel::new(f, RATE)),
            min_energy: amplitude * amplitude * BLOCK as f64 / 2.0,
            block: [0; BLOCK],
            filled: 0,
            block_start: 0,
            state: State::Idle { candidate: None },
            events: VecDeque::with_capacity(8),
        }
    }

    /// Feeds 8 kHz samples; events become available from [`poll_event`](Self::poll_event).
    ///
    /// The event queue only grows if more than ~1.6 s is pushed without polling.
    pub fn push(&mut self, mut samples: &[i16]) {
        while !samples.is_empty() {
            let n = (BLOCK - self.filled).min(samples.len());
            self.block[self.filled..self.filled + n].copy_from_slice(&samples[..n]);
            self.filled += n;
            samples = &samples[n..];
            if self.filled == BLOCK {
                let found = self.classify();
                self.step(found);
                self.filled = 0;
                self.block_start += BLOCK as u64;
            }
        }
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<DtmfEvent> {
        self.events.pop_front()
    }

    /// The key held down now, if any.
    #[must_use]
    pub fn pressed(&self) -> Option<DtmfDigit> {
        match self.state {
            State::Down { digit, .. } => Some(digit),
            State::Idle { .. } => None,
        }
    }

    /// The digit the current block holds, if it passes every check.
    fn classify(&self) -> Option<DtmfDigit> {
        let block = &self.block;
        let rows = self.rows.map(|g| g.energy(block));
        let columns = self.columns.map(|g| g.energy(block));
        let (r, row) = strongest(&rows);
        let (c, column) = strongest(&columns);
        let db = |x: f64| 10f64.powf(x / 10.0);
        let cfg = &self.config;
        if row < self.min_energy || column < self.min_energy {
            return None;
        }
        if row > column * db(cfg.normal_twist_db) || column > row * db(cfg.reverse_twist_db) {
            return None;
        }
        let peak = db(cfg.relative_peak_db);
        let others_low = |energies: &[f64; 4], best: usize| {
            energies.iter().enumerate().all(|(i, &e)| i == best || e * peak <= energies[best])
        };
        if !others_low(&rows, r) || !others_low(&columns, c) {
            return None;
        }
        let total = crate::goertzel::block_energy(block);
        if row + column < cfg.min_tone_share * total {
            return None;
        }
        DtmfDigit::at(r, c)
    }

    /// Moves the press state on by one block.
    fn step(&mut self, found: Option<DtmfDigit>) {
        let at = self.block_start;
        self.state = match (self.state, found) {
            (State::Idle { candidate: Some((d, hits, start)) }, Some(f)) if d == f => {
                if hits + 1 >= self.config.hits_to_press {
                    self.events.push_back(DtmfEvent::Pressed { digit: d, start });
                    State::Down { digit: d, start, misses: 0, gone_at: 0 }
                } else {
                    State::Idle { candidate: Some((d, hits + 1, start)) }
                }
            }
            (State::Idle { .. }, Some(f)) => self.first_hit(f, at),
            (State::Idle { .. }, None) => State::Idle { candidate: None },
            (State::Down { digit, start, .. }, Some(f)) if f == digit => {
                State::Down { digit, start, misses: 0, gone_at: 0 }
            }
            (State::Down { digit, start, misses, gone_at }, other) => {
                let gone_at = if misses == 0 { at } else { gone_at };
                if misses + 1 >= self.config.misses_to_release {
                    self.events.push_back(DtmfEvent::Released { digit, start, end: gone_at });
                    match other {
                        Some(f) => self.first_hit(f, at),
                        None => State::Idle { candidate: None },
                    }
                } else {
                    State::Down { digit, start, misses: misses + 1, gone_at }
                }
            }
        };
    }

    /// A first block holding `digit` at `at` (reported at once if one block is enough).
    fn first_hit(&mut self, digit: DtmfDigit, at: u64) -> State {
        if self.config.hits_to_press <= 1 {
            self.events.push_back(DtmfEvent::Pressed { digit, start: at });
            State::Down { digit, start: at, misses: 0, gone_at: 0 }
        } else {
            State::Idle { candidate: Some((digit, 1, at)) }
        }
    }
}

/// The index and value of the largest energy.
fn strongest(energies: &[f64; 4]) -> (usize, f64) {
    let mut best = (0, energies[0]);
    for (i, &e) in energies.iter().enumerate().skip(1) {
        if e > best.1 {
            best = (i, e);
        }
    }
    best
}
