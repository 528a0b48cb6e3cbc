//! The hearing matrix: a gain per (source, listener), and the modes the call
//! layer asks for.

use super::{MixerError, ParticipantId};

/// Steps of [`Gain`] per unit gain: gains are fixed-point with 12 fractional bits.
pub const GAIN_STEPS_PER_UNIT: u16 = 1 << GAIN_SHIFT;

/// The fractional bits of a [`Gain`].
pub(crate) const GAIN_SHIFT: u32 = 12;

/// A gain applied to one source in one listener's mix: 0 to 8.0 in steps of 1/4096.
///
/// A sample `x` heard through a gain of `s` steps contributes
/// `floor(x × s / 4096)` to the listener's sum; at [`Gain::UNITY`] that is
/// exactly `x`. The ceiling of 8.0 keeps the i32 sum of
/// [`super::MAX_PARTICIPANTS`] sources far from overflow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gain(u16);

impl Gain {
    /// Not heard.
    pub const MUTE: Gain = Gain(0);
    /// Heard as sent.
    pub const UNITY: Gain = Gain(GAIN_STEPS_PER_UNIT);
    /// The largest gain, 8.0 (+18 dB).
    pub const MAX: Gain = Gain(8 * GAIN_STEPS_PER_UNIT);

    /// The gain nearest to `value`, which must be finite and within 0..=8.
    pub fn from_f32(value: f32) -> Result<Gain, MixerError> {
        if !value.is_finite() || !(0.0..=8.0).contains(&value) {
            return Err(MixerError::InvalidGain(value));
        }
        // Within 0..=32768 after the range check, so the cast is exact.
        Ok(Gain((value * f32::from(GAIN_STEPS_PER_UNIT)).round() as u16))
    }

    /// The gain of `steps` / 4096, which must not exceed [`Gain::MAX`].
    pub fn from_steps(steps: u16) -> Result<Gain, MixerError> {
        if steps > Gain::MAX.0 {
            return Err(MixerError::InvalidGain(f32::from(steps) / f32::from(GAIN_STEPS_PER_UNIT)));
        }
        Ok(Gain(steps))
    }

    /// The gain in steps of 1/4096.
    pub fn steps(self) -> u16 {
        self.0
    }

    /// The gain as a factor.
    pub fn to_f32(self) -> f32 {
        f32::from(self.0) / f32::from(GAIN_STEPS_PER_UNIT)
    }

    /// Whether this gain silences the source.
    pub fn is_mute(self) -> bool {
        self.0 == 0
    }
}

/// A standard layout of the matrix, as the call layer asks for it.
///
/// Applying a mode ([`super::Mixer::set_mode`]) replaces the whole matrix:
/// the pairs of the mode are heard at unity, every other pair is muted
/// (participants the mode does not name hear nothing and are heard by none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// Caller and agent hear each other.
    Bridge {
        /// The calling party.
        caller: ParticipantId,
        /// The agent who answered.
        agent: ParticipantId,
    },
    /// Caller and agent hear each other; the supervisor hears both and is heard by none.
    Monitor {
        /// The calling party.
        caller: ParticipantId,
        /// The agent on the call.
        agent: ParticipantId,
        /// The supervisor listening in.
        supervisor: ParticipantId,
    },
    /// As monitor, but the agent also hears the supervisor; the caller does not.
    Whisper {
        /// The calling party.
        caller: ParticipantId,
        /// The agent on the call, who hears the supervisor.
        agent: ParticipantId,
        /// The supervisor coaching the agent.
        supervisor: ParticipantId,
    },
    /// Caller, agent and supervisor all hear each other.
    Barge {
        /// The calling party.
        caller: ParticipantId,
        /// The agent on the call.
        agent: ParticipantId,
        /// The supervisor who joined the conversation.
        supervisor: ParticipantId,
    },
    /// Every participant of the mixer hears every other one.
    Conference,
}

impl Mode {
    /// The participants the mode names, in role order (none for a conference).
    pub(crate) fn roles(&self) -> [Option<ParticipantId>; 3] {
        match *self {
            Mode::Bridge { caller, agent } => [Some(caller), Some(agent), None],
            Mode::Monitor { caller, agent, supervisor }
            | Mode::Whisper { caller, agent, supervisor }
            | Mode::Barge { caller, agent, supervisor } => [Some(caller), Some(agent), Some(supervisor)],
            Mode::Conference => [None; 3],
        }
    }

    /// Whether `listener` hears `source` in this mode (for a named mode; a
    /// conference is every distinct pair).
    pub fn hears(&self, listener: ParticipantId, source: ParticipantId) -> bool {
        if listener == source {
            return false;
        }
        let is = |a: ParticipantId, b: ParticipantId| listener == a && source == b;
        match *self {
            Mode::Bridge { caller, agent } => is(caller, agent) || is(agent, caller),
            Mode::Monitor { caller, agent, supervisor } => {
                is(caller, agent) || is(agent, caller) || is(supervisor, caller) || is(supervisor, agent)
            }
            Mode::Whisper { caller, agent, supervisor } => {
                is(caller, agent)
                    || is(agent, caller)
                    || is(supervisor, caller)
                    || is(supervisor, agent)
                    || is(agent, supervisor)
            }
            Mode::Barge { caller, agent, supervisor } => {
                let roles = [caller, agent, supervisor];
                roles.contains(&listener) && roles.contains(&source)
            }
            Mode::Conference => true,
        }
    }
}

/// A square table of gains indexed by slot, one row per listener.
#[derive(Debug, Clone, Default)]
pub(crate) struct HearingMatrix {
    /// Slots per side.
    side: usize,
    /// `gains[listener * side + source]`.
    gains: Vec<Gain>,
}

impl HearingMatrix {
    /// Grows the table to `side` slots per side, keeping every gain (allocates).
    pub(crate) fn grow(&mut self, side: usize) {
        if side <= self.side {
            return;
        }
        let mut gains = vec![Gain::MUTE; side * side];
        for listener in 0..self.side {
            let old = &self.gains[listener * self.side..(listener + 1) * self.side];
            gains[listener * side..listener * side + self.side].copy_from_slice(old);
        }
        self.side = side;
        self.gains = gains;
    }

    /// The gains heard by the listener in `slot`, indexed by source slot.
    pub(crate) fn row(&self, listener: usize) -> &[Gain] {
        &self.gains[listener * self.side..(listener + 1) * self.side]
    }

    /// The gain of `source` in `listener`'s mix.
    pub(crate) fn get(&self, source: usize, listener: usize) -> Gain {
        self.gains[listener * self.side + source]
    }

    /// Sets the gain of `source` in `listener`'s mix (the diagonal stays muted).
    pub(crate) fn set(&mut self, source: usize, listener: usize, gain: Gain) {
        if source != listener {
            self.gains[listener * self.side + source] = gain;
        }
    }

    /// Mutes everything the slot hears and everywhere it is heard.
    pub(crate) fn clear_slot(&mut self, slot: usize) {
        for other in 0..self.side {
            self.gains[slot * self.side + other] = Gain::MUTE;
            self.gains[other * self.side + slot] = Gain::MUTE;
        }
    }

    /// Mutes every pair.
    pub(crate) fn clear(&mut self) {
        self.gains.fill(Gain::MUTE);
    }
}
