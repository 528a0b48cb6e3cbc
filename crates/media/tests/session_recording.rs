//! The recording of a call's session as the call changes under it: it
//! records the caller's leg (voice left, what the caller hears right), so
//! an agent leaving, the next agent bridged, a whisper, a barge and a
//! supervisor taking the call over keep one file whose right channel is
//! always what the caller heard.

use media::goertzel::tone_energy;
use media::session::{Hearing, MediaPath, SessionEvent};
use media::wav::Wav;

use crate::session::Sim;

/// 16 kHz samples per 20 ms frame of the recording.
const FRAME_SAMPLES: usize = 320;

/// The recording's two channels, one `Vec` each.
fn channels(path: &std::path::Path) -> (Vec<i16>, Vec<i16>) {
    let bytes = std::fs::read(path).unwrap();
    let wav = Wav::parse(&bytes).unwrap();
    assert_eq!(wav.spec().channels, 2);
    let samples: Vec<i16> = wav.samples().collect();
    samples.chunks(2).map(|s| (s[0], s[1])).unzip()
}

/// Frames `from..to` (20 ms each) of a channel.
fn frames(channel: &[i16], from: usize, to: usize) -> &[i16] {
    &channel[from * FRAME_SAMPLES..to * FRAME_SAMPLES]
}

/// The share of `frequency` in 16 kHz audio (0 for silence).
fn share(audio: &[i16], frequency: f64) -> f64 {
    let total: f64 = audio.iter().map(|&x| f64::from(x).powi(2)).sum();
    if total == 0.0 {
        return 0.0;
    }
    tone_energy(audio, frequency, 16_000.0) / total
}

/// Root mean square of 16 kHz audio.
fn rms(audio: &[i16]) -> f64 {
    (audio.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / audio.len() as f64).sqrt()
}

fn stopped(sim: &Sim) -> usize {
    sim.events.iter().filter(|e| matches!(e, SessionEvent::RecordingStopped { .. })).count()
}

#[test]
fn the_recording_goes_on_when_the_agent_leaves_and_records_the_next_agent_right() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    let file = std::fs::File::create(&path).unwrap();
    sim.media.start_recording(path.clone(), file, caller, sim.now).unwrap();
    sim.run(50);
    // A transfer: the agent's leg goes, the caller waits alone.
    let a = sim.peer(agent);
    sim.peers[a].talking = false;
    sim.media.remove_leg(agent, sim.now).unwrap();
    sim.collect();
    assert!(sim.media.is_recording(), "the agent leaving does not end the caller's recording");
    assert_eq!(stopped(&sim), 0);
    sim.run(50);
    // The next agent answers: relayed with the caller again.
    let next = sim.add_peer(1_100.0, false);
    sim.media.set_hearing(Hearing::Bridge { caller, agent: next }, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Relay);
    sim.run(50);
    sim.media.stop_recording();
    sim.collect();
    assert_eq!(stopped(&sim), 1);

    let (left, right) = channels(&path);
    assert!(left.len() >= 150 * FRAME_SAMPLES, "{} frames", left.len() / FRAME_SAMPLES);
    // Each part without its first 10 frames (jitter buffers filling).
    for (from, to) in [(10, 50), (60, 100), (110, 150)] {
        assert!(share(frames(&left, from, to), 440.0) > 0.5, "the caller is left in frames {from}..{to}");
    }
    let first = frames(&right, 10, 50);
    assert!(share(first, 700.0) > 0.5 && share(first, 1_100.0) < 0.01);
    let alone = frames(&right, 60, 100);
    assert!(rms(alone) < 50.0, "nobody is heard while the caller waits: rms {}", rms(alone));
    let second = frames(&right, 110, 150);
    assert!(share(second, 1_100.0) > 0.5 && share(second, 700.0) < 0.01, "the next agent is right");
}

#[test]
fn the_right_channel_is_what_the_caller_hears_through_whisper_barge_and_a_take_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    let supervisor = sim.add_peer(1_100.0, false);
    sim.media.set_hearing(Hearing::Whisper { caller, agent, supervisor }, sim.now).unwrap();
    let file = std::fs::File::create(&path).unwrap();
    sim.media.start_recording(path.clone(), file, caller, sim.now).unwrap();
    sim.run(50);
    sim.media.set_hearing(Hearing::Barge { caller, agent, supervisor }, sim.now).unwrap();
    sim.run(50);
    // The take-over: caller and supervisor bridged, the agent's leg gone.
    sim.media.set_hearing(Hearing::Bridge { caller, agent: supervisor }, sim.now).unwrap();
    let a = sim.peer(agent);
    sim.peers[a].talking = false;
    sim.media.remove_leg(agent, sim.now).unwrap();
    assert_eq!(sim.media.path(), MediaPath::Relay);
    sim.run(50);
    sim.media.stop_recording();
    sim.collect();
    assert_eq!(stopped(&sim), 1, "one recording from the whisper to the end");

    let (left, right) = channels(&path);
    assert!(share(frames(&left, 10, 150), 440.0) > 0.5);
    let whisper = frames(&right, 10, 50);
    assert!(share(whisper, 700.0) > 0.5 && share(whisper, 1_100.0) < 0.01, "a whisper is not what the caller hears");
    let barge = frames(&right, 60, 100);
    assert!(share(barge, 700.0) > 0.1 && share(barge, 1_100.0) > 0.1, "a barge is");
    let taken = frames(&right, 110, 150);
    assert!(share(taken, 1_100.0) > 0.5 && share(taken, 700.0) < 0.01, "after the take-over the supervisor is right");
}

#[test]
fn removing_the_recorded_leg_completes_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let mut sim = Sim::new();
    let caller = sim.add_peer(440.0, false);
    let agent = sim.add_peer(700.0, false);
    sim.media.set_hearing(Hearing::Bridge { caller, agent }, sim.now).unwrap();
    let file = std::fs::File::create(&path).unwrap();
    sim.media.start_recording(path.clone(), file, caller, sim.now).unwrap();
    sim.run(20);
    sim.media.remove_leg(caller, sim.now).unwrap();
    sim.collect();
    assert!(!sim.media.is_recording());
    assert_eq!(stopped(&sim), 1);
    assert!(Wav::parse(&std::fs::read(&path).unwrap()).unwrap().frames() >= 19 * FRAME_SAMPLES);
}
