//! The IVR stage: an [`IvrRun`] driven by the caller's keys, the ends of
//! the prompts played to them and its timer; then what its exit says.

use std::sync::Arc;
use std::time::{Duration, Instant};

use media::player::Player;
use media::session::SessionEvent;
use model::{AbandonStage, EndCause, EventPayload, IvrFlowId};

use super::{Actor, CallMsg, Stage, sleep_until};
use crate::ivr::{IvrAction, IvrOutcome, IvrRun, Routing};

impl Actor {
    /// Runs the number's IVR flow, then carries out its exit.
    pub(super) async fn run_ivr(&mut self, flow_id: IvrFlowId) {
        let Some(flow) = self.tenant.flows.get(&flow_id).cloned() else {
            tracing::warn!(%flow_id, "the number's IVR flow does not exist");
            self.finish(EndCause::Failed).await;
            return;
        };
        let routing = Routing { priority: self.routing.priority, skills: Vec::new(), vip_tier: self.routing.vip };
        let mut run = IvrRun::start_with(flow_id, Arc::clone(&flow), routing, Instant::now(), chrono::Utc::now());
        let ivr_started = Instant::now();
        let mut playing: Option<u64> = None;
        let outcome = loop {
            if let Some(action) = run.poll_action() {
                match action {
                    IvrAction::Play { prompt } => {
                        let clip = self.shared.prompts.get(&prompt);
                        playing = self.media.play(self.caller_media, Player::once([clip])).await.ok();
                    }
                    IvrAction::StopPlaying => {
                        playing = None;
                        let _ = self.media.stop_playing(self.caller_media).await;
                    }
                    IvrAction::Event(payload) => self.events.emit(payload).await,
                    IvrAction::Exit(outcome) => break outcome,
                }
                continue;
            }
            let deadline = run.poll_timeout().map(tokio::time::Instant::from_std);
            tokio::select! {
                msg = self.sip_rx.recv() => match msg {
                    Some(CallMsg::Sip(sip::edge::EdgeEvent::Ended { leg, .. })) if leg == self.caller_leg => {
                        run.hangup(Instant::now());
                    }
                    Some(_) => {}
                    None => run.hangup(Instant::now()),
                },
                event = self.media.next_event() => match event {
                    Some(SessionEvent::PlayFinished { leg, play }) if leg == self.caller_media && Some(play) == playing => {
                        playing = None;
                        run.prompt_finished(Instant::now());
                    }
                    Some(SessionEvent::Dtmf { leg, digit, .. }) if leg == self.caller_media => run.digit(digit, Instant::now()),
                    Some(_) => {}
                    None => run.hangup(Instant::now()),
                },
                () = sleep_until(deadline) => run.handle_timeout(Instant::now(), chrono::Utc::now()),
            }
        };
        self.ivr_exit(outcome, ivr_started).await;
    }

    async fn ivr_exit(&mut self, outcome: IvrOutcome, started: Instant) {
        match outcome {
            IvrOutcome::Enqueue { queue_id, priority, vip_tier, skills } => {
                self.routing.priority = priority;
                self.routing.vip = vip_tier;
                self.routing.skills = skills;
                self.enqueue(queue_id).await;
            }
            IvrOutcome::CallerHungUp => {
                self.stage = Stage::Ended;
                let waited_secs = u32::try_from(started.elapsed().as_secs()).unwrap_or(u32::MAX);
                self.events.emit(EventPayload::CallAbandoned { stage: AbandonStage::Ivr, waited_secs }).await;
                self.events.emit(EventPayload::CallEnded { cause: EndCause::Abandoned }).await;
            }
            IvrOutcome::Hangup { prompt } => {
                if !prompt.is_empty() {
                    self.play_to_end(&prompt).await;
                }
                self.finish(EndCause::FlowHangup).await;
            }
            IvrOutcome::Voicemail { prompt, max_secs } => self.voicemail(&prompt, max_secs).await,
            IvrOutcome::Failed { reason } => {
                tracing::warn!(%reason, "the IVR flow failed");
                self.finish(EndCause::Failed).await;
            }
            IvrOutcome::Transfer { number } => self.transfer_out(&number).await,
            IvrOutcome::Callback { queue_id } => self.ivr_callback(queue_id).await,
        }
    }

    /// Plays a prompt and waits for its end (or the caller hanging up).
    async fn play_to_end(&mut self, prompt: &str) -> bool {
        let clip = self.shared.prompts.get(prompt);
        let Ok(play) = self.media.play(self.caller_media, Player::once([clip])).await else { return false };
        loop {
            tokio::select! {
                msg = self.sip_rx.recv() => match msg {
                    Some(CallMsg::Sip(sip::edge::EdgeEvent::Ended { leg, .. })) if leg == self.caller_leg => {
                        self.stage = Stage::Ended;
                        self.events.emit(EventPayload::CallEnded { cause: EndCause::CallerHangup }).await;
                        return false;
                    }
                    Some(_) => {}
                    None => return false,
                },
                event = self.media.next_event() => match event {
                    Some(SessionEvent::PlayFinished { play: done, .. }) if done == play => return true,
                    Some(_) => {}
                    None => return false,
                },
            }
        }
    }

    /// Plays the greeting, records the caller's message until they hang
    /// up or `max_secs` pass, and reports the file.
    async fn voicemail(&mut self, prompt: &str, max_secs: u32) {
        if !self.play_to_end(prompt).await {
            return;
        }
        let path =
            self.shared.recordings.join(self.tenant.tenant.to_string()).join(format!("voicemail-{}.wav", self.call));
        if let Err(error) = self.media.start_recording(path.clone(), self.caller_media).await {
            tracing::warn!(%error, "the voicemail could not be recorded");
            self.finish(EndCause::Failed).await;
            return;
        }
        let started = Instant::now();
        let limit = tokio::time::Instant::now() + Duration::from_secs(u64::from(max_secs));
        loop {
            tokio::select! {
                msg = self.sip_rx.recv() => match msg {
                    Some(CallMsg::Sip(sip::edge::EdgeEvent::Ended { leg, .. })) if leg == self.caller_leg => break,
                    Some(_) => {}
                    None => break,
                },
                event = self.media.next_event() => if event.is_none() { break },
                () = tokio::time::sleep_until(limit) => {
                    let _ = self.shared.edge.hangup(self.caller_leg).await;
                    break;
                }
            }
        }
        let _ = self.media.stop_recording().await;
        self.stage = Stage::Ended;
        let duration_secs = u32::try_from(started.elapsed().as_secs()).unwrap_or(u32::MAX);
        self.events.emit(EventPayload::VoicemailRecorded { path: path.display().to_string(), duration_secs }).await;
        self.events.emit(EventPayload::CallEnded { cause: EndCause::Voicemail }).await;
    }
}
