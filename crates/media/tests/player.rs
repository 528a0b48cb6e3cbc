//! Prompts and music on hold, frame by frame.

use std::sync::Arc;

use media::FRAME_SAMPLES;
use media::player::{Clip, Played, Player};

fn clip(value: i16, len: usize) -> Clip {
    Arc::from(vec![value; len])
}

fn frame() -> [i16; FRAME_SAMPLES] {
    [0; FRAME_SAMPLES]
}

#[test]
fn clips_play_back_to_back_across_frame_edges_then_silence_and_finished_once() {
    let mut player = Player::once([clip(1, 500), clip(2, 200)]);
    let mut f = frame();
    assert_eq!(player.next_frame(&mut f), Played::Audio);
    assert!(f.iter().all(|s| *s == 1));
    assert_eq!(player.next_frame(&mut f), Played::Audio);
    assert!(f[..180].iter().all(|s| *s == 1), "the rest of the first clip");
    assert!(f[180..].iter().all(|s| *s == 2), "the second clip follows at once");
    assert_eq!(player.next_frame(&mut f), Played::Finished, "700 samples end in the third frame");
    assert!(f[..60].iter().all(|s| *s == 2));
    assert!(f[60..].iter().all(|s| *s == 0), "padded with silence");
    assert_eq!(player.next_frame(&mut f), Played::Idle, "finished is reported once");
    assert!(f.iter().all(|s| *s == 0));
}

#[test]
fn music_on_hold_loops_without_a_gap() {
    let mut player = Player::looping([clip(7, 300)]);
    let mut f = frame();
    for _ in 0..10 {
        assert_eq!(player.next_frame(&mut f), Played::Audio);
        assert!(f.iter().all(|s| *s == 7), "no silence at the loop point");
    }
    player.stop();
    assert_eq!(player.next_frame(&mut f), Played::Idle);
    assert!(!player.is_playing());
}

#[test]
fn an_empty_player_or_empty_clips_give_silence() {
    let mut f = [5; FRAME_SAMPLES];
    assert_eq!(Player::once([]).next_frame(&mut f), Played::Idle);
    assert!(f.iter().all(|s| *s == 0));
    assert_eq!(Player::looping([clip(1, 0)]).next_frame(&mut f), Played::Idle, "an empty loop does not spin");
}
