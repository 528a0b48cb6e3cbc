//! The mixer against a naive model: random matrices, inputs and operation
//! sequences (fixed seed), each output checked sample by sample.

use std::collections::HashMap;

use media::FRAME_SAMPLES;
use media::mixer::{Frame, Gain, Mixer, MixerError, Mode, ParticipantId};
use proptest::prelude::*;

use crate::seed::fixed_seed;

/// What a listener hears, computed the slow way: for each sample, the sum in
/// i64 of `floor(x × steps / 4096)` over the sources it hears (not itself),
/// then clamped to i16.
fn naive_mix(
    listener: ParticipantId,
    gains: &HashMap<(ParticipantId, ParticipantId), u16>,
    inputs: &HashMap<ParticipantId, Frame>,
) -> Frame {
    let mut out = [0i16; FRAME_SAMPLES];
    for (i, sample) in out.iter_mut().enumerate() {
        let mut sum = 0i64;
        for (source, frame) in inputs {
            if *source == listener {
                continue;
            }
            let steps = i64::from(gains.get(&(*source, listener)).copied().unwrap_or(0));
            sum += (i64::from(frame[i]) * steps).div_euclid(4096);
        }
        *sample = sum.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16;
    }
    out
}

fn gain_steps() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(4096u16), Just(Gain::MAX.steps()), 0..=Gain::MAX.steps()]
}

fn sample() -> impl Strategy<Value = i16> {
    prop_oneof![any::<i16>(), Just(i16::MAX), Just(i16::MIN), -100i16..100]
}

fn frame() -> impl Strategy<Value = Frame> {
    prop::collection::vec(sample(), FRAME_SAMPLES).prop_map(|v| v.try_into().unwrap())
}

/// A call: the gain of each (source, listener) pair and, per frame, each participant's input or none.
fn call() -> impl Strategy<Value = (usize, Vec<u16>, Vec<Vec<Option<Frame>>>)> {
    (1usize..=8).prop_flat_map(|n| {
        let gains = prop::collection::vec(gain_steps(), n * n);
        let frames = prop::collection::vec(prop::collection::vec(prop::option::weighted(0.8, frame()), n), 1..4);
        (Just(n), gains, frames)
    })
}

proptest! {
    #![proptest_config(fixed_seed())]

    #[test]
    fn every_output_is_the_clamped_sum_of_the_weighted_inputs_it_hears((n, steps, frames) in call()) {
        let mut mixer = Mixer::new();
        let ids: Vec<ParticipantId> = (0..n).map(|_| mixer.add_participant().unwrap()).collect();
        let mut gains = HashMap::new();
        for (k, &s) in steps.iter().enumerate() {
            let (source, listener) = (ids[k % n], ids[k / n]);
            let result = mixer.set_gain(source, listener, Gain::from_steps(s).unwrap());
            if source == listener {
                prop_assert_eq!(result.is_err(), s != 0);
            } else {
                prop_assert!(result.is_ok());
                gains.insert((source, listener), s);
            }
        }
        for inputs in frames {
            let mut given = HashMap::new();
            for (id, input) in ids.iter().zip(inputs) {
                if let Some(frame) = input {
                    mixer.push_input(*id, &frame).unwrap();
                    given.insert(*id, frame);
                }
            }
            mixer.mix();
            let mut seen = 0;
            while let Some(out) = mixer.poll_output() {
                let expected = naive_mix(out.listener, &gains, &given);
                prop_assert_eq!(&out.samples[..], &expected[..], "listener {}", out.listener);
                seen += 1;
            }
            prop_assert_eq!(seen, n);
        }
    }
}

/// One step of a random session; ids are indices into every id ever made, so
/// removed (stale) ids come up as often as live ones.
#[derive(Debug, Clone)]
enum Op {
    Add,
    Remove(usize),
    SetGain(usize, usize, u16),
    SetMode(u8, usize, usize, usize),
    Push(usize, i16),
    Mix,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Add),
        1 => any::<usize>().prop_map(Op::Remove),
        3 => (any::<usize>(), any::<usize>(), gain_steps()).prop_map(|(a, b, g)| Op::SetGain(a, b, g)),
        1 => (0u8..5, any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(m, a, b, c)| Op::SetMode(m, a, b, c)),
        4 => (any::<usize>(), sample()).prop_map(|(a, x)| Op::Push(a, x)),
        2 => Just(Op::Mix),
    ]
}

/// The naive mixer the real one is compared with.
#[derive(Default)]
struct Model {
    made: Vec<ParticipantId>,
    live: Vec<ParticipantId>,
    gains: HashMap<(ParticipantId, ParticipantId), u16>,
    inputs: HashMap<ParticipantId, Frame>,
}

impl Model {
    fn pick(&self, k: usize) -> Option<ParticipantId> {
        if self.made.is_empty() { None } else { Some(self.made[k % self.made.len()]) }
    }

    fn is_live(&self, id: ParticipantId) -> bool {
        self.live.contains(&id)
    }

    /// The pairs (source, listener) a mode makes heard, written out role by role.
    fn mode_pairs(&self, mode: Mode) -> Vec<(ParticipantId, ParticipantId)> {
        match mode {
            Mode::Bridge { caller, agent } => vec![(caller, agent), (agent, caller)],
            Mode::Monitor { caller, agent, supervisor } => {
                vec![(caller, agent), (agent, caller), (caller, supervisor), (agent, supervisor)]
            }
            Mode::Whisper { caller, agent, supervisor } => {
                vec![(caller, agent), (agent, caller), (caller, supervisor), (agent, supervisor), (supervisor, agent)]
            }
            Mode::Barge { caller, agent, supervisor } => vec![
                (caller, agent),
                (agent, caller),
                (caller, supervisor),
                (agent, supervisor),
                (supervisor, agent),
                (supervisor, caller),
            ],
            Mode::Conference => self
                .live
                .iter()
                .flat_map(|&s| self.live.iter().filter(move |&&l| l != s).map(move |&l| (s, l)))
                .collect(),
            _ => unreachable!("the test builds only these modes"),
        }
    }
}

fn mode(kind: u8, caller: ParticipantId, agent: ParticipantId, supervisor: ParticipantId) -> Mode {
    match kind {
        0 => Mode::Bridge { caller, agent },
        1 => Mode::Monitor { caller, agent, supervisor },
        2 => Mode::Whisper { caller, agent, supervisor },
        3 => Mode::Barge { caller, agent, supervisor },
        _ => Mode::Conference,
    }
}

/// Applies `op` to both; errors must agree with the model.
fn step(mixer: &mut Mixer, model: &mut Model, op: Op) -> Result<(), TestCaseError> {
    match op {
        Op::Add => match mixer.add_participant() {
            Ok(id) => {
                prop_assert!(!model.made.contains(&id), "an id was reused");
                model.made.push(id);
                model.live.push(id);
            }
            Err(e) => prop_assert!(false, "add failed: {e}"),
        },
        Op::Remove(k) => {
            let Some(id) = model.pick(k) else { return Ok(()) };
            prop_assert_eq!(mixer.remove_participant(id).is_ok(), model.is_live(id));
            model.live.retain(|&x| x != id);
            model.gains.retain(|&(s, l), _| s != id && l != id);
            model.inputs.remove(&id);
        }
        Op::SetGain(a, b, steps) => {
            let (Some(s), Some(l)) = (model.pick(a), model.pick(b)) else { return Ok(()) };
            let result = mixer.set_gain(s, l, Gain::from_steps(steps).unwrap());
            let allowed = model.is_live(s) && model.is_live(l) && (s != l || steps == 0);
            prop_assert_eq!(result.is_ok(), allowed, "set_gain {} -> {} = {}: {:?}", s, l, steps, result);
            if allowed && s != l {
                model.gains.insert((s, l), steps);
            }
        }
        Op::SetMode(kind, a, b, c) => {
            let (Some(x), Some(y), Some(z)) = (model.pick(a), model.pick(b), model.pick(c)) else { return Ok(()) };
            check_set_mode(mixer, model, kind, [x, y, z])?;
        }
        Op::Push(a, x) => {
            let Some(id) = model.pick(a) else { return Ok(()) };
            let result = mixer.push_input(id, &[x; FRAME_SAMPLES]);
            if model.is_live(id) {
                prop_assert_eq!(result, Ok(()));
                model.inputs.insert(id, [x; FRAME_SAMPLES]);
            } else {
                prop_assert_eq!(result, Err(MixerError::UnknownParticipant(id)));
            }
        }
        Op::Mix => check_mix(mixer, model)?,
    }
    prop_assert_eq!(mixer.len(), model.live.len());
    Ok(())
}

/// Sets a mode on both; it is refused exactly when a role is not live or is held twice.
fn check_set_mode(
    mixer: &mut Mixer,
    model: &mut Model,
    kind: u8,
    [x, y, z]: [ParticipantId; 3],
) -> Result<(), TestCaseError> {
    let mode = mode(kind, x, y, z);
    let roles: &[ParticipantId] = match kind {
        0 => &[x, y],
        1..=3 => &[x, y, z],
        _ => &[],
    };
    let live = roles.iter().all(|&r| model.is_live(r));
    let distinct = roles.iter().enumerate().all(|(i, r)| !roles[..i].contains(r));
    let result = mixer.set_mode(mode);
    prop_assert_eq!(result.is_ok(), live && distinct, "{:?}: {:?}", mode, result);
    if result.is_ok() {
        model.gains = model.mode_pairs(mode).into_iter().map(|pair| (pair, 4096)).collect();
    }
    Ok(())
}

/// Mixes; every live participant gets exactly the naive mix, once.
fn check_mix(mixer: &mut Mixer, model: &mut Model) -> Result<(), TestCaseError> {
    mixer.mix();
    let mut listeners = Vec::new();
    while let Some(out) = mixer.poll_output() {
        let expected = naive_mix(out.listener, &model.gains, &model.inputs);
        prop_assert_eq!(&out.samples[..], &expected[..], "listener {}", out.listener);
        listeners.push(out.listener);
    }
    let mut live = model.live.clone();
    live.sort();
    listeners.sort();
    prop_assert_eq!(listeners, live);
    model.inputs.clear();
    Ok(())
}

proptest! {
    #![proptest_config(fixed_seed())]

    #[test]
    fn random_sessions_with_stale_ids_never_panic_and_match_the_naive_mix(ops in prop::collection::vec(op(), 1..80)) {
        let mut mixer = Mixer::new();
        let mut model = Model::default();
        for op in ops {
            step(&mut mixer, &mut model, op)?;
        }
    }
}
