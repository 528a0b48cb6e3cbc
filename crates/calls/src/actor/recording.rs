//! Recording per queue setting: when the queue a call is answered from
//! records calls (`model::Queue::record_calls`), the bridge starts the
//! media session's recording of the caller's leg — one stereo WAV at
//! `<recordings>/<tenant>/call-<call id>.wav`, the caller left and what
//! the caller hears right — and `recording_started` carries its path (the
//! CDR's `recording_path`). The recording follows the caller's leg, not the
//! agent's: a blind transfer (the caller waits alone: silence right, music
//! is not recorded; then the next agent), a supervisor's whisper (not
//! heard by the caller, not recorded), barge (recorded) or take-over (the
//! supervisor right) keep the one file. It ends with the call (the media
//! session's close completes it). A call bridged again after a transfer
//! into a queue that records starts it then; one already recorded goes on
//! whatever the next queue says.

use std::path::PathBuf;

use media::session::SessionError;
use media::shard::MediaError;

use super::Actor;

impl Actor {
    /// Whether the call's (last) queue records its calls.
    fn queue_records(&self) -> bool {
        self.queue.and_then(|q| self.tenant.queues.get(&q)).is_some_and(|q| q.record_calls)
    }

    /// Where the call's recording goes.
    pub(super) fn recording_file(&self) -> PathBuf {
        self.shared.recordings.join(self.tenant.tenant.to_string()).join(format!("call-{}.wav", self.call))
    }

    /// Starts the call's recording when its queue asks for it (at the
    /// bridge); `recording_started` follows from the media session.
    pub(super) async fn record_if_the_queue_asks(&mut self) {
        if !self.queue_records() {
            return;
        }
        match self.media.start_recording(self.recording_file(), self.caller_media).await {
            Ok(()) => {}
            Err(MediaError::Session(SessionError::AlreadyRecording)) => {
                tracing::debug!("the call is already being recorded");
            }
            Err(error) => tracing::warn!(%error, "the call could not be recorded"),
        }
    }
}
