//! The mixer: a call's participants and, for each listener, whom it hears.
//!
//! Sans-IO and driven by the [`crate::clock`]: at each due frame the shell
//! hands in the frame each participant sent ([`Mixer::push_input`]; a
//! participant with none is silent for that frame), calls [`Mixer::mix`], and
//! drains one output frame per participant with [`Mixer::poll_output`]. Each
//! listener's frame is the sum of what it hears, each source weighted by the
//! (source, listener) [`Gain`] of the hearing matrix, accumulated in `i32` and
//! clamped to `i16` once. A listener never hears itself (mix-minus). The
//! call layer sets the matrix with a [`Mode`] (bridge, monitor, whisper,
//! barge, conference) or pair by pair; switching mode mid-call changes only
//! the matrix.
//!
//! Mixing allocates nothing: buffers are per slot and made when a
//! participant is added. The mixer adds no delay of its own: output sample
//! `i` of a frame comes from input sample `i` of the same frame, so the delay
//! through it is the one frame (20 ms) the shell collects before mixing.
//!
//! ```
//! use std::time::Instant;
//! use media::FRAME_SAMPLES;
//! use media::clock::{FrameClock, Tick};
//! use media::mixer::{Mixer, Mode};
//!
//! let mut mixer = Mixer::new();
//! let caller = mixer.add_participant()?;
//! let agent = mixer.add_participant()?;
//! let supervisor = mixer.add_participant()?;
//! mixer.set_mode(Mode::Whisper { caller, agent, supervisor })?;
//!
//! let start = Instant::now();
//! let mut clock = FrameClock::new(start);
//! if let Tick::Due { .. } = clock.poll(start) {
//!     mixer.push_input(caller, &[1_000; FRAME_SAMPLES])?;
//!     mixer.push_input(supervisor, &[20; FRAME_SAMPLES])?;
//!     mixer.mix();
//!     while let Some(out) = mixer.poll_output() {
//!         // The shell encodes `out.samples` and sends it to `out.listener`.
//!         let expected = if out.listener == agent { 1_020 } else if out.listener == supervisor { 1_000 } else { 0 };
//!         assert_eq!(out.samples[0], expected);
//!     }
//! }
//! # Ok::<(), media::mixer::MixerError>(())
//! ```

mod matrix;

use std::fmt;

pub use matrix::{GAIN_STEPS_PER_UNIT, Gain, Mode};

use crate::FRAME_SAMPLES;
use matrix::{GAIN_SHIFT, HearingMatrix};

/// One 20 ms frame of 16 kHz mono samples.
pub type Frame = [i16; FRAME_SAMPLES];

/// The most participants one mixer holds (the i32 sum has room for this many at [`Gain::MAX`]).
pub const MAX_PARTICIPANTS: usize = 256;

/// A participant of one mixer; a removed participant's id is refused, not reused (until its slot's 2^32nd reuse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParticipantId {
    slot: u32,
    generation: u32,
}

impl fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "participant {}.{}", self.slot, self.generation)
    }
}

/// What the mixer refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MixerError {
    /// The id was never added to this mixer, or was removed.
    #[error("{0} is not in this mixer")]
    UnknownParticipant(ParticipantId),
    /// The mixer already holds [`MAX_PARTICIPANTS`].
    #[error("the mixer is full ({MAX_PARTICIPANTS} participants)")]
    Full,
    /// A gain that is not a finite number within 0..=8.
    #[error("gain {0} is not a finite number within 0..=8")]
    InvalidGain(f32),
    /// A non-zero gain from a participant to itself.
    #[error("{0} cannot hear itself")]
    SelfHearing(ParticipantId),
    /// A mode that gives one participant two roles.
    #[error("{0} holds two roles in the mode")]
    RepeatedRole(ParticipantId),
}

/// Whether a participant's frame for the next mix has arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    /// Nothing yet: the participant is silent in this frame.
    Absent,
    /// The slot's input buffer holds this frame.
    Present,
}

/// A slot of the mixer's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Unused; the next participant here gets `generation`.
    Free {
        /// The generation of the next id made for this slot.
        generation: u32,
    },
    /// Held by the participant of this generation.
    Taken {
        /// The generation of the participant's id.
        generation: u32,
        /// Its input for the next mix.
        input: Input,
    },
}

/// Where [`Mixer::poll_output`] is in the last mix's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drain {
    /// Every output was handed out (or nothing was mixed yet).
    Done,
    /// The next output is at this slot or after it.
    Next(usize),
}

/// One listener's mixed frame.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Output<'a> {
    /// Whose frame this is.
    pub listener: ParticipantId,
    /// What the listener hears.
    pub samples: &'a Frame,
    /// How many sources were summed into it (0: silence).
    pub heard: usize,
}

/// A call's mix: participants, a hearing matrix, and one frame per listener.
#[derive(Debug, Clone)]
pub struct Mixer {
    slots: Vec<Slot>,
    inputs: Vec<Frame>,
    outputs: Vec<Frame>,
    heard: Vec<u16>,
    matrix: HearingMatrix,
    acc: Box<[i32; FRAME_SAMPLES]>,
    drain: Drain,
    len: usize,
}

impl Default for Mixer {
    fn default() -> Mixer {
        Mixer::new()
    }
}

impl Mixer {
    /// An empty mixer.
    pub fn new() -> Mixer {
        Mixer {
            slots: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            heard: Vec::new(),
            matrix: HearingMatrix::default(),
            acc: Box::new([0; FRAME_SAMPLES]),
            drain: Drain::Done,
            len: 0,
        }
    }

    /// Adds a participant who hears nobody and is heard by nobody (may allocate).
    pub fn add_participant(&mut self) -> Result<ParticipantId, MixerError> {
        let free = self.slots.iter().enumerate().find_map(|(slot, state)| match *state {
            Slot::Free { generation } => Some((slot, generation)),
            Slot::Taken { .. } => None,
        });
        let (slot, generation) = match free {
            Some(free) => free,
            None if self.slots.len() >= MAX_PARTICIPANTS => return Err(MixerError::Full),
            None => {
                self.slots.push(Slot::Free { generation: 0 });
                self.inputs.push([0; FRAME_SAMPLES]);
                self.outputs.push([0; FRAME_SAMPLES]);
                self.heard.push(0);
                let side = self.slots.len().next_power_of_two().clamp(4, MAX_PARTICIPANTS);
                self.matrix.grow(side);
                (self.slots.len() - 1, 0)
            }
        };
        self.slots[slot] = Slot::Taken { generation, input: Input::Absent };
        self.outputs[slot] = [0; FRAME_SAMPLES];
        self.heard[slot] = 0;
        self.len += 1;
        // The slot index is below MAX_PARTICIPANTS.
        Ok(ParticipantId { slot: slot as u32, generation })
    }

    /// Removes a participant: nobody hears it any more and its id is refused from now on.
    pub fn remove_participant(&mut self, id: ParticipantId) -> Result<(), MixerError> {
        let slot = self.slot(id)?;
        self.slots[slot] = Slot::Free { generation: id.generation.wrapping_add(1) };
        self.matrix.clear_slot(slot);
        self.len -= 1;
        Ok(())
    }

    /// Whether `id` is a participant of this mixer.
    pub fn contains(&self, id: ParticipantId) -> bool {
        self.slot(id).is_ok()
    }

    /// The number of participants.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mixer has no participant.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The participants, in slot order.
    pub fn participants(&self) -> impl Iterator<Item = ParticipantId> + '_ {
        self.slots.iter().enumerate().filter_map(|(slot, state)| match *state {
            Slot::Taken { generation, .. } => Some(ParticipantId { slot: slot as u32, generation }),
            Slot::Free { .. } => None,
        })
    }

    /// The gain of `source` in `listener`'s mix.
    pub fn gain(&self, source: ParticipantId, listener: ParticipantId) -> Result<Gain, MixerError> {
        Ok(self.matrix.get(self.slot(source)?, self.slot(listener)?))
    }

    /// Whether `listener` hears `source` (at a non-zero gain).
    pub fn hears(&self, listener: ParticipantId, source: ParticipantId) -> Result<bool, MixerError> {
        Ok(!self.gain(source, listener)?.is_mute())
    }

    /// Sets the gain of `source` in `listener`'s mix; from the next [`Mixer::mix`] on.
    pub fn set_gain(&mut self, source: ParticipantId, listener: ParticipantId, gain: Gain) -> Result<(), MixerError> {
        let (s, l) = (self.slot(source)?, self.slot(listener)?);
        if s == l && !gain.is_mute() {
            return Err(MixerError::SelfHearing(source));
        }
        self.matrix.set(s, l, gain);
        Ok(())
    }

    /// Replaces the whole matrix with `mode`'s (see [`Mode`]); nothing else changes.
    pub fn set_mode(&mut self, mode: Mode) -> Result<(), MixerError> {
        let roles = mode.roles();
        for (i, role) in roles.iter().enumerate() {
            let Some(id) = *role else { continue };
            self.slot(id)?;
            if roles[..i].contains(&Some(id)) {
                return Err(MixerError::RepeatedRole(id));
            }
        }
        self.matrix.clear();
        for listener in 0..self.slots.len() {
            for source in 0..self.slots.len() {
                let (Some(l), Some(s)) = (self.id_at(listener), self.id_at(source)) else { continue };
                if mode.hears(l, s) {
                    self.matrix.set(source, listener, Gain::UNITY);
                }
            }
        }
        Ok(())
    }

    /// Hands in `id`'s frame for the next mix (a second one before it replaces the first).
    pub fn push_input(&mut self, id: ParticipantId, frame: &Frame) -> Result<(), MixerError> {
        let slot = self.slot(id)?;
        self.inputs[slot] = *frame;
        self.slots[slot] = Slot::Taken { generation: id.generation, input: Input::Present };
        Ok(())
    }

    /// Mixes one frame for every participant from the inputs handed in since the last mix.
    ///
    /// Participants without an input are silent in this frame. Afterwards every
    /// input is consumed and [`Mixer::poll_output`] yields the new outputs.
    pub fn mix(&mut self) {
        let Mixer { slots, inputs, outputs, heard, matrix, acc, .. } = self;
        for listener in 0..slots.len() {
            if let Slot::Taken { .. } = slots[listener] {
                heard[listener] = accumulate(listener, matrix.row(listener), slots, inputs, acc);
                clamp_into(acc, &mut outputs[listener]);
            }
        }
        for slot in slots.iter_mut() {
            if let Slot::Taken { input, .. } = slot {
                *input = Input::Absent;
            }
        }
        self.drain = Drain::Next(0);
    }

    /// The next participant's frame from the last mix, in slot order; `None` when all were given.
    ///
    /// Poll until `None` after each [`Mixer::mix`]. A participant added since
    /// the mix gets silence; one removed since is skipped.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output<'_>> {
        let Drain::Next(start) = self.drain else { return None };
        let Some(slot) = (start..self.slots.len()).find(|&slot| self.id_at(slot).is_some()) else {
            self.drain = Drain::Done;
            return None;
        };
        self.drain = Drain::Next(slot + 1);
        self.output_at(slot)
    }

    /// `id`'s frame from the last mix.
    pub fn output(&self, id: ParticipantId) -> Result<Output<'_>, MixerError> {
        let slot = self.slot(id)?;
        self.output_at(slot).ok_or(MixerError::UnknownParticipant(id))
    }

    fn output_at(&self, slot: usize) -> Option<Output<'_>> {
        let listener = self.id_at(slot)?;
        Some(Output { listener, samples: &self.outputs[slot], heard: usize::from(self.heard[slot]) })
    }

    /// The id of the participant in `slot`, if it is taken.
    fn id_at(&self, slot: usize) -> Option<ParticipantId> {
        match self.slots.get(slot)? {
            Slot::Taken { generation, .. } => Some(ParticipantId { slot: slot as u32, generation: *generation }),
            Slot::Free { .. } => None,
        }
    }

    /// The slot of a current participant.
    fn slot(&self, id: ParticipantId) -> Result<usize, MixerError> {
        let slot = id.slot as usize;
        match self.slots.get(slot) {
            Some(Slot::Taken { generation, .. }) if *generation == id.generation => Ok(slot),
            _ => Err(MixerError::UnknownParticipant(id)),
        }
    }
}

/// Sums into `acc` what `listener` hears through `row`; returns how many sources it summed.
///
/// No overflow: at most `MAX_PARTICIPANTS - 1` terms of at most 32,768 × 8.
fn accumulate(listener: usize, row: &[Gain], slots: &[Slot], inputs: &[Frame], acc: &mut [i32; FRAME_SAMPLES]) -> u16 {
    acc.fill(0);
    let mut heard = 0;
    for (source, (gain, slot)) in row.iter().zip(slots).enumerate() {
        let has_input = matches!(slot, Slot::Taken { input: Input::Present, .. });
        if source == listener || gain.is_mute() || !has_input {
            continue;
        }
        let input = &inputs[source];
        if *gain == Gain::UNITY {
            for (a, &x) in acc.iter_mut().zip(input) {
                *a += i32::from(x);
            }
        } else {
            let g = i32::from(gain.steps());
            for (a, &x) in acc.iter_mut().zip(input) {
                *a += (i32::from(x) * g) >> GAIN_SHIFT;
            }
        }
        heard += 1;
    }
    heard
}

/// Clamps the sums to `i16`, once.
fn clamp_into(acc: &[i32; FRAME_SAMPLES], out: &mut Frame) {
    for (o, &a) in out.iter_mut().zip(acc) {
        *o = a.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
    }
}
