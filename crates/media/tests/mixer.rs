//! The mixer with real signals: each participant sends a tone, and a Goertzel
//! filter measures which tones reach each listener.
//!
//! Tones run for 10 frames (200 ms), in which 440, 700, 1,100, 1,500 and
//! 1,900 Hz all make whole cycles, so each is orthogonal to the others and a
//! tone that is not there measures as (almost exactly) zero.

use std::collections::HashMap;
use std::f64::consts::PI;

use media::mixer::{Frame, Gain, Mixer, MixerError, Mode, ParticipantId};
use media::{FRAME_SAMPLES, SAMPLE_RATE};

const CALLER_HZ: f64 = 440.0;
const AGENT_HZ: f64 = 700.0;
const SUPERVISOR_HZ: f64 = 1_100.0;
const AMPLITUDE: f64 = 8_000.0;
const FRAMES: usize = 10;

/// Frame `index` of a continuous sine of `freq` Hz and peak `amplitude`.
fn tone_frame(freq: f64, amplitude: f64, index: usize) -> Frame {
    let mut frame = [0; FRAME_SAMPLES];
    for (i, sample) in frame.iter_mut().enumerate() {
        let n = (index * FRAME_SAMPLES + i) as f64;
        *sample = (amplitude * (2.0 * PI * freq * n / f64::from(SAMPLE_RATE)).sin()).round() as i16;
    }
    frame
}

/// The peak amplitude of the `freq` Hz component of `samples` (Goertzel).
fn amplitude_at(samples: &[i16], freq: f64) -> f64 {
    let coeff = 2.0 * (2.0 * PI * freq / f64::from(SAMPLE_RATE)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    2.0 * power.max(0.0).sqrt() / samples.len() as f64
}

/// Runs `FRAMES` frames with each `(participant, Hz)` sending its tone;
/// returns what every participant received, frames end to end.
fn run(mixer: &mut Mixer, senders: &[(ParticipantId, f64)]) -> HashMap<ParticipantId, Vec<i16>> {
    let mut received: HashMap<ParticipantId, Vec<i16>> = HashMap::new();
    for index in 0..FRAMES {
        for &(id, freq) in senders {
            mixer.push_input(id, &tone_frame(freq, AMPLITUDE, index)).unwrap();
        }
        mixer.mix();
        while let Some(out) = mixer.poll_output() {
            received.entry(out.listener).or_default().extend_from_slice(out.samples);
        }
    }
    received
}

/// Asserts which of `tones` (name, Hz) `who` hears: heard at full amplitude,
/// the others below -78 dB of it.
fn assert_hears(received: &HashMap<ParticipantId, Vec<i16>>, who: ParticipantId, tones: &[(&str, f64, bool)]) {
    let samples = &received[&who];
    assert_eq!(samples.len(), FRAMES * FRAME_SAMPLES);
    for &(name, freq, heard) in tones {
        let a = amplitude_at(samples, freq);
        if heard {
            assert!(
                (a - AMPLITUDE).abs() < AMPLITUDE * 0.01,
                "{who} should hear {name} ({freq} Hz) at full level: {a}"
            );
        } else {
            assert!(a < 1.0, "{who} must not hear {name} ({freq} Hz): amplitude {a}");
        }
    }
}

struct Call {
    mixer: Mixer,
    caller: ParticipantId,
    agent: ParticipantId,
    supervisor: ParticipantId,
}

impl Call {
    fn new() -> Call {
        let mut mixer = Mixer::new();
        let caller = mixer.add_participant().unwrap();
        let agent = mixer.add_participant().unwrap();
        let supervisor = mixer.add_participant().unwrap();
        Call { mixer, caller, agent, supervisor }
    }

    fn run(&mut self) -> HashMap<ParticipantId, Vec<i16>> {
        let senders = [(self.caller, CALLER_HZ), (self.agent, AGENT_HZ), (self.supervisor, SUPERVISOR_HZ)];
        run(&mut self.mixer, &senders)
    }

    /// Asserts, for caller, agent and supervisor in turn, whether they hear (caller, agent, supervisor).
    fn assert_hearing(&self, received: &HashMap<ParticipantId, Vec<i16>>, table: [[bool; 3]; 3]) {
        for (who, row) in [self.caller, self.agent, self.supervisor].into_iter().zip(table) {
            let tones = [
                ("the caller", CALLER_HZ, row[0]),
                ("the agent", AGENT_HZ, row[1]),
                ("the supervisor", SUPERVISOR_HZ, row[2]),
            ];
            assert_hears(received, who, &tones);
        }
    }
}

#[test]
fn whisper_is_heard_by_the_agent_only_and_the_supervisor_hears_both() {
    let mut call = Call::new();
    let (caller, agent, supervisor) = (call.caller, call.agent, call.supervisor);
    call.mixer.set_mode(Mode::Whisper { caller, agent, supervisor }).unwrap();
    let received = call.run();
    //                          caller  agent  supervisor
    call.assert_hearing(&received, [[false, true, false], [true, false, true], [true, true, false]]);
}

#[test]
fn monitor_supervisor_is_heard_by_nobody_and_hears_both() {
    let mut call = Call::new();
    let (caller, agent, supervisor) = (call.caller, call.agent, call.supervisor);
    call.mixer.set_mode(Mode::Monitor { caller, agent, supervisor }).unwrap();
    let received = call.run();
    call.assert_hearing(&received, [[false, true, false], [true, false, false], [true, true, false]]);
}

#[test]
fn barge_everyone_hears_everyone_else() {
    let mut call = Call::new();
    let (caller, agent, supervisor) = (call.caller, call.agent, call.supervisor);
    call.mixer.set_mode(Mode::Barge { caller, agent, supervisor }).unwrap();
    let received = call.run();
    call.assert_hearing(&received, [[false, true, true], [true, false, true], [true, true, false]]);
}

#[test]
fn bridge_caller_and_agent_hear_each_other_and_not_themselves() {
    let mut call = Call::new();
    let (caller, agent) = (call.caller, call.agent);
    call.mixer.set_mode(Mode::Bridge { caller, agent }).unwrap();
    let received = call.run();
    // A third participant outside the bridge neither hears nor is heard.
    call.assert_hearing(&received, [[false, true, false], [true, false, false], [false, false, false]]);
}

#[test]
fn a_five_party_conference_gives_each_listener_the_four_others() {
    let freqs = [440.0, 700.0, 1_100.0, 1_500.0, 1_900.0];
    let mut mixer = Mixer::new();
    let ids: Vec<ParticipantId> = freqs.iter().map(|_| mixer.add_participant().unwrap()).collect();
    mixer.set_mode(Mode::Conference).unwrap();
    let senders: Vec<(ParticipantId, f64)> = ids.iter().copied().zip(freqs).collect();
    let received = run(&mut mixer, &senders);
    for (listener, own) in &senders {
        let tones: Vec<(&str, f64, bool)> = freqs.iter().map(|&f| ("a tone", f, f != *own)).collect();
        assert_hears(&received, *listener, &tones);
    }
}

#[test]
fn switching_mode_mid_call_changes_only_who_hears_whom() {
    let mut call = Call::new();
    let (caller, agent, supervisor) = (call.caller, call.agent, call.supervisor);
    call.mixer.set_mode(Mode::Whisper { caller, agent, supervisor }).unwrap();
    let whisper = call.run();
    call.assert_hearing(&whisper, [[false, true, false], [true, false, true], [true, true, false]]);
    call.mixer.set_mode(Mode::Barge { caller, agent, supervisor }).unwrap();
    // The same participants, from the very next frame.
    assert_eq!(call.mixer.participants().collect::<Vec<_>>(), [caller, agent, supervisor]);
    let barge = call.run();
    call.assert_hearing(&barge, [[false, true, true], [true, false, true], [true, true, false]]);
    call.mixer.set_mode(Mode::Bridge { caller, agent }).unwrap();
    let bridge = call.run();
    call.assert_hearing(&bridge, [[false, true, false], [true, false, false], [false, false, false]]);
}

#[test]
fn two_full_scale_inputs_clamp_instead_of_wrapping_around() {
    let mut call = Call::new();
    let (caller, agent, supervisor) = (call.caller, call.agent, call.supervisor);
    call.mixer.set_mode(Mode::Monitor { caller, agent, supervisor }).unwrap();
    for (level, expected) in [(i16::MAX, i16::MAX), (i16::MIN, i16::MIN)] {
        call.mixer.push_input(caller, &[level; FRAME_SAMPLES]).unwrap();
        call.mixer.push_input(agent, &[level; FRAME_SAMPLES]).unwrap();
        call.mixer.mix();
        let out = call.mixer.output(supervisor).unwrap();
        assert_eq!(out.heard, 2);
        assert!(out.samples.iter().all(|&s| s == expected), "{level} + {level} gave {:?}", &out.samples[..4]);
    }
    // Two full-scale sines in phase: the sum clamps at the peaks, keeping its sign.
    let sine = tone_frame(CALLER_HZ, 32_767.0, 0);
    call.mixer.push_input(caller, &sine).unwrap();
    call.mixer.push_input(agent, &sine).unwrap();
    call.mixer.mix();
    let out = call.mixer.output(supervisor).unwrap();
    for (&x, &y) in sine.iter().zip(out.samples) {
        let sum = 2 * i32::from(x);
        assert_eq!(i32::from(y), sum.clamp(-32_768, 32_767), "input {x}");
    }
}

#[test]
fn a_participant_without_input_is_silent_for_that_frame_not_repeated() {
    let mut call = Call::new();
    let (caller, agent) = (call.caller, call.agent);
    call.mixer.set_mode(Mode::Bridge { caller, agent }).unwrap();
    call.mixer.push_input(caller, &[1_234; FRAME_SAMPLES]).unwrap();
    call.mixer.mix();
    assert_eq!(call.mixer.output(agent).unwrap().samples, &[1_234; FRAME_SAMPLES]);
    call.mixer.mix();
    let out = call.mixer.output(agent).unwrap();
    assert_eq!((out.heard, out.samples), (0, &[0; FRAME_SAMPLES]));
}

#[test]
fn a_second_input_in_one_frame_replaces_the_first() {
    let mut call = Call::new();
    let (caller, agent) = (call.caller, call.agent);
    call.mixer.set_mode(Mode::Bridge { caller, agent }).unwrap();
    call.mixer.push_input(caller, &[1; FRAME_SAMPLES]).unwrap();
    call.mixer.push_input(caller, &[2; FRAME_SAMPLES]).unwrap();
    call.mixer.mix();
    assert_eq!(call.mixer.output(agent).unwrap().samples, &[2; FRAME_SAMPLES]);
}

#[test]
fn the_mixer_adds_no_delay_within_the_frame() {
    let mut call = Call::new();
    let (caller, agent) = (call.caller, call.agent);
    call.mixer.set_mode(Mode::Bridge { caller, agent }).unwrap();
    for k in [0, 1, 159, 319] {
        let mut impulse = [0; FRAME_SAMPLES];
        impulse[k] = 10_000;
        call.mixer.push_input(caller, &impulse).unwrap();
        call.mixer.mix();
        assert_eq!(call.mixer.output(agent).unwrap().samples, &impulse, "impulse at sample {k}");
    }
}

#[test]
fn a_gain_scales_the_source_in_that_listener_only() {
    let mut call = Call::new();
    let (caller, agent, supervisor) = (call.caller, call.agent, call.supervisor);
    call.mixer.set_mode(Mode::Monitor { caller, agent, supervisor }).unwrap();
    call.mixer.set_gain(caller, supervisor, Gain::from_f32(0.5).unwrap()).unwrap();
    let received = call.run();
    let half = amplitude_at(&received[&supervisor], CALLER_HZ);
    assert!((half - AMPLITUDE / 2.0).abs() < AMPLITUDE * 0.01, "supervisor hears the caller at {half}");
    let full = amplitude_at(&received[&agent], CALLER_HZ);
    assert!((full - AMPLITUDE).abs() < AMPLITUDE * 0.01, "agent hears the caller at {full}");
}

#[test]
fn every_participant_gets_one_output_per_mix() {
    let mut call = Call::new();
    let (caller, agent, supervisor) = (call.caller, call.agent, call.supervisor);
    call.mixer.mix();
    let mut listeners = Vec::new();
    while let Some(out) = call.mixer.poll_output() {
        listeners.push(out.listener);
    }
    assert_eq!(listeners, [caller, agent, supervisor]);
    assert!(call.mixer.poll_output().is_none(), "outputs are handed out once per mix");
}

#[test]
fn a_removed_participant_is_heard_by_nobody_and_its_id_is_refused() {
    let mut call = Call::new();
    let (caller, agent, supervisor) = (call.caller, call.agent, call.supervisor);
    call.mixer.set_mode(Mode::Barge { caller, agent, supervisor }).unwrap();
    call.mixer.push_input(supervisor, &[500; FRAME_SAMPLES]).unwrap();
    call.mixer.remove_participant(supervisor).unwrap();
    call.mixer.mix();
    assert_eq!(call.mixer.output(caller).unwrap().heard, 0);
    assert_eq!(call.mixer.push_input(supervisor, &[1; FRAME_SAMPLES]), Err(MixerError::UnknownParticipant(supervisor)));
    assert_eq!(call.mixer.remove_participant(supervisor), Err(MixerError::UnknownParticipant(supervisor)));
    // Its slot is reused under a new id, which starts out hearing nobody.
    let newcomer = call.mixer.add_participant().unwrap();
    assert_ne!(newcomer, supervisor);
    assert!(!call.mixer.contains(supervisor));
    assert_eq!(call.mixer.hears(caller, newcomer), Ok(false));
    assert_eq!(call.mixer.hears(newcomer, caller), Ok(false));
}

#[test]
fn bad_gains_self_hearing_and_repeated_roles_are_refused() {
    let mut call = Call::new();
    let (caller, agent) = (call.caller, call.agent);
    for bad in [f32::NAN, f32::INFINITY, -0.5, 8.01] {
        assert!(matches!(Gain::from_f32(bad), Err(MixerError::InvalidGain(_))), "{bad}");
    }
    assert!(Gain::from_steps(Gain::MAX.steps() + 1).is_err());
    assert_eq!(Gain::from_f32(1.0), Ok(Gain::UNITY));
    assert_eq!(call.mixer.set_gain(caller, caller, Gain::UNITY), Err(MixerError::SelfHearing(caller)));
    assert_eq!(call.mixer.set_mode(Mode::Bridge { caller, agent: caller }), Err(MixerError::RepeatedRole(caller)));
    call.mixer.remove_participant(agent).unwrap();
    assert_eq!(call.mixer.set_mode(Mode::Bridge { caller, agent }), Err(MixerError::UnknownParticipant(agent)));
    // An id from another mixer is refused too.
    let other = Mixer::new().add_participant().unwrap();
    let mut empty = Mixer::new();
    assert_eq!(empty.push_input(other, &[0; FRAME_SAMPLES]), Err(MixerError::UnknownParticipant(other)));
}

#[test]
fn a_mixer_holds_at_most_max_participants() {
    let mut mixer = Mixer::new();
    for _ in 0..media::mixer::MAX_PARTICIPANTS {
        mixer.add_participant().unwrap();
    }
    assert_eq!(mixer.add_participant(), Err(MixerError::Full));
    let ids: Vec<ParticipantId> = mixer.participants().collect();
    // The largest sum there can be: every other source at full scale and the
    // highest gain; it must clamp, not overflow the i32 sum.
    for &source in &ids {
        for &listener in &ids {
            if source != listener {
                mixer.set_gain(source, listener, Gain::MAX).unwrap();
            }
        }
    }
    for level in [i16::MAX, i16::MIN] {
        for id in &ids {
            mixer.push_input(*id, &[level; FRAME_SAMPLES]).unwrap();
        }
        mixer.mix();
        let out = mixer.output(ids[0]).unwrap();
        assert_eq!((out.heard, out.samples[0]), (media::mixer::MAX_PARTICIPANTS - 1, level));
    }
}

#[test]
fn mixing_frames_and_switching_modes_allocate_nothing() {
    let mut mixer = Mixer::new();
    let ids: Vec<ParticipantId> = (0..10).map(|_| mixer.add_participant().unwrap()).collect();
    let frames: Vec<Frame> = (0..10).map(|i| tone_frame(300.0 + 100.0 * i as f64, AMPLITUDE, 0)).collect();
    let (caller, agent, supervisor) = (ids[0], ids[1], ids[2]);
    let modes = [Mode::Conference, Mode::Whisper { caller, agent, supervisor }, Mode::Bridge { caller, agent }];
    let mut checksum = 0i64;
    let info = allocation_counter::measure(|| {
        for n in 0..60 {
            if n % 20 == 0 {
                mixer.set_mode(modes[n / 20]).unwrap();
                mixer.set_gain(ids[3], ids[4], Gain::from_f32(0.25).unwrap()).unwrap();
            }
            for (id, frame) in ids.iter().zip(&frames) {
                mixer.push_input(*id, frame).unwrap();
            }
            mixer.mix();
            while let Some(out) = mixer.poll_output() {
                checksum += i64::from(out.samples[n]);
            }
        }
    });
    assert_eq!(info.count_total, 0, "allocations while mixing (checksum {checksum})");
    // The counter does count: a new mixer allocates its sum buffer.
    let info = allocation_counter::measure(|| drop(std::hint::black_box(Mixer::new())));
    assert!(info.count_total > 0);
}
