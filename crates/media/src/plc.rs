//! Packet-loss concealment for G.711 legs: repeat the last good frame and fade.
//!
//! A [`Concealer`] sits after the decoder. Each frame slot is either
//! [`good`](Concealer::good) (a decoded frame, passed through) or
//! [`lost`](Concealer::lost) (the jitter buffer had nothing). A lost frame
//! repeats the last good frame with a gain that halves every 20 ms (−6 dB
//! per 20 ms frame), ramped sample by sample so the fade has no steps, and
//! reaches silence 60 ms into the loss. The first good frame after a loss
//! cross-fades over 2.5 ms from what concealment would have played next, so
//! neither the resumption nor a resumption from silence clicks. Time is
//! counted in samples; frames may be any length up to [`MAX_FRAME`]
//! (10, 20 or 30 ms ptime at 8 or 16 kHz). Opus legs use Opus's own PLC.

use thiserror::Error;

/// The longest frame a concealer takes, in samples (60 ms at 16 kHz).
pub const MAX_FRAME: usize = 960;

/// The longest cross-fade, in samples (2.5 ms at 25.6 kHz).
const MAX_CROSSFADE: usize = 64;

/// Why a concealer refused a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PlcError {
    /// The frame length is 0 or above [`MAX_FRAME`], or the sample rate is 0.
    #[error("a frame of {frame_len} samples at {sample_rate} Hz cannot be concealed")]
    BadShape {
        /// The frame length asked for.
        frame_len: usize,
        /// The sample rate asked for.
        sample_rate: u32,
    },
    /// A frame does not have the length the concealer was made for.
    #[error("frame of {got} samples, expected {expected}")]
    FrameLength {
        /// The concealer's frame length.
        expected: usize,
        /// The length given.
        got: usize,
    },
}

/// What the concealer has to work with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No good frame yet: a loss is silence.
    Empty,
    /// The last frame was good.
    Good,
    /// Concealing: `played` samples have been concealed since the last good frame.
    Concealing {
        /// Samples concealed so far.
        played: u64,
    },
}

/// Repeat-and-fade concealment for one decoded stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Concealer {
    /// The last good frame (its first `frame_len` samples).
    last: [i16; MAX_FRAME],
    frame_len: usize,
    /// Samples in 20 ms: the gain halves over each.
    step: u64,
    crossfade: usize,
    state: State,
}

impl Concealer {
    /// A concealer for frames of `frame_len` samples at `sample_rate` Hz.
    pub fn new(sample_rate: u32, frame_len: usize) -> Result<Self, PlcError> {
        if frame_len == 0 || frame_len > MAX_FRAME || sample_rate < 50 {
            return Err(PlcError::BadShape { frame_len, sample_rate });
        }
        let crossfade = (sample_rate as usize / 400).clamp(1, MAX_CROSSFADE).min(frame_len);
        Ok(Concealer {
            last: [0; MAX_FRAME],
            frame_len,
            step: u64::from(sample_rate / 50),
            crossfade,
            state: State::Empty,
        })
    }

    /// Samples over which a good frame after a loss fades in (2.5 ms).
    #[must_use]
    pub fn crossfade_len(&self) -> usize {
        self.crossfade
    }

    /// Whether the previous frame slot was concealed.
    #[must_use]
    pub fn is_concealing(&self) -> bool {
        matches!(self.state, State::Concealing { .. })
    }

    /// The gain of concealed sample `t` (0 = the first lost sample): halves every 20 ms, 0 from 60 ms.
    #[must_use]
    pub fn gain_at(&self, t: u64) -> f32 {
        let (segment, within) = (t / self.step, (t % self.step) as f32 / self.step as f32);
        match segment {
            0 => 1.0 - 0.5 * within,
            1 => 0.5 - 0.25 * within,
            2 => 0.25 - 0.25 * within,
            _ => 0.0,
        }
    }

    /// A good frame: remembered, and faded in from the concealment in place if it ends a loss.
    pub fn good(&mut self, frame: &mut [i16]) -> Result<(), PlcError> {
        self.check(frame.len())?;
        let n = self.frame_len;
        if let State::Concealing { played } = self.state {
            // Blend the head in place (reading the old frame), then remember the frame as it came.
            let mut head = [0i16; MAX_CROSSFADE];
            head[..self.crossfade].copy_from_slice(&frame[..self.crossfade]);
            let fade = self.crossfade as f32 + 1.0;
            for (i, sample) in frame[..self.crossfade].iter_mut().enumerate() {
                let t = played + i as u64;
                let concealed = f32::from(self.last[(t % n as u64) as usize]) * self.gain_at(t);
                let w = (i as f32 + 1.0) / fade;
                *sample = round(w * f32::from(*sample) + (1.0 - w) * concealed);
            }
            self.last[..n].copy_from_slice(frame);
            self.last[..self.crossfade].copy_from_slice(&head[..self.crossfade]);
        } else {
            self.last[..n].copy_from_slice(frame);
        }
        self.state = State::Good;
        Ok(())
    }

    /// A lost frame: `out` gets the concealment.
    pub fn lost(&mut self, out: &mut [i16]) -> Result<(), PlcError> {
        self.check(out.len())?;
        let played = match self.state {
            State::Empty => {
                out.fill(0);
                return Ok(());
            }
            State::Good => 0,
            State::Concealing { played } => played,
        };
        let n = self.frame_len as u64;
        for (i, sample) in out.iter_mut().enumerate() {
            let t = played + i as u64;
            *sample = round(f32::from(self.last[(t % n) as usize]) * self.gain_at(t));
        }
        self.state = State::Concealing { played: played.saturating_add(n) };
        Ok(())
    }

    fn check(&self, len: usize) -> Result<(), PlcError> {
        if len == self.frame_len { Ok(()) } else { Err(PlcError::FrameLength { expected: self.frame_len, got: len }) }
    }
}

#[inline]
fn round(v: f32) -> i16 {
    (v + 0.5f32.copysign(v)) as i16
}
