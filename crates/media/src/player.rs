//! Playing prompts and music on hold into a leg, frame by frame: a queue
//! of clips (16 kHz mono samples, shared, decoded once at start-up) played
//! one after another, optionally looping (music on hold), padded with
//! silence to the end of the last frame. Sans-IO; no allocation per frame.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::FRAME_SAMPLES;

/// Samples of one clip: 16 kHz mono, shared between every call playing it.
pub type Clip = Arc<[i16]>;

/// What a frame from the player holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Played {
    /// A frame of audio (the end of a clip may be padded with silence).
    Audio,
    /// The queue ran out during this frame (it is audio then silence); it
    /// is reported once.
    Finished,
    /// Nothing to play: the frame is silence.
    Idle,
}

/// A queue of clips to play.
#[derive(Debug, Clone, Default)]
pub struct Player {
    queue: VecDeque<Clip>,
    /// Position in the front clip.
    offset: usize,
    /// Play the queue again when it ends (music on hold).
    looping: bool,
    /// Every clip queued while looping, to start over.
    all: Vec<Clip>,
}

impl Player {
    /// A player that plays `clips` once, in order ("you are number three
    /// in the queue").
    pub fn once(clips: impl IntoIterator<Item = Clip>) -> Player {
        Player { queue: clips.into_iter().collect(), ..Player::default() }
    }

    /// A player that plays `clips` over and over (music on hold).
    pub fn looping(clips: impl IntoIterator<Item = Clip>) -> Player {
        let all: Vec<Clip> = clips.into_iter().filter(|c| !c.is_empty()).collect();
        Player { queue: all.iter().cloned().collect(), looping: true, all, ..Player::default() }
    }

    /// Whether something is left to play.
    pub fn is_playing(&self) -> bool {
        !self.queue.is_empty()
    }

    /// Stops at once (a caller pressed a key during an announcement).
    pub fn stop(&mut self) {
        self.queue.clear();
        self.looping = false;
        self.offset = 0;
    }

    /// Fills `frame` with the next 20 ms.
    pub fn next_frame(&mut self, frame: &mut [i16; FRAME_SAMPLES]) -> Played {
        let mut filled = 0;
        let mut played_any = false;
        while filled < FRAME_SAMPLES {
            let Some(clip) = self.queue.front() else { break };
            let take = (clip.len() - self.offset).min(FRAME_SAMPLES - filled);
            frame[filled..filled + take].copy_from_slice(&clip[self.offset..self.offset + take]);
            filled += take;
            self.offset += take;
            played_any |= take > 0;
            if self.offset >= clip.len() {
                self.offset = 0;
                self.queue.pop_front();
                if self.queue.is_empty() && self.looping && !self.all.is_empty() {
                    self.queue.extend(self.all.iter().cloned());
                }
            }
        }
        frame[filled..].fill(0);
        match (played_any, self.queue.is_empty()) {
            (false, _) => Played::Idle,
            (true, false) => Played::Audio,
            // The queue empties only while playing, so this comes once.
            (true, true) => Played::Finished,
        }
    }
}
