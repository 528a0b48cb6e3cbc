//! The post-call survey: when the queue asks for it and the agent hangs up
//! first, the caller stays on, hears the survey prompt and rates the call
//! 1–5 with a key; the score is an event (it joins the CDR and the agent's
//! figures), a thank-you is played and the call ends.

use std::time::Duration;

use media::player::Player;
use media::session::SessionEvent;
use model::{EndCause, EventPayload};

use super::supervise::CallCommand;
use super::{Actor, CallMsg};
use crate::error::CallsError;

/// How long the caller has to press a key after the prompt.
const ANSWER_WITHIN: Duration = Duration::from_secs(8);

/// The survey's scale (CSAT).
const SCALE: u8 = 5;

impl Actor {
    /// Whether the call's queue asks for a survey.
    pub(super) fn wants_survey(&self) -> bool {
        self.queue.and_then(|q| self.tenant.queues.get(&q)).is_some_and(|q| q.post_call_survey)
    }

    /// Runs the survey with the caller, then ends the call.
    pub(super) async fn survey(&mut self) {
        let prompt = self.shared.prompts.get("survey");
        let _ = self.media.play(self.caller_media, Player::once([prompt])).await;
        let deadline = tokio::time::Instant::now() + ANSWER_WITHIN + Duration::from_secs(6);
        let score = loop {
            tokio::select! {
                msg = self.sip_rx.recv() => match msg {
                    Some(CallMsg::Sip(sip::edge::EdgeEvent::Ended { leg, .. })) if leg == self.caller_leg => {
                        self.events.emit(EventPayload::CallEnded { cause: EndCause::AgentHangup }).await;
                        return;
                    }
                    Some(CallMsg::Command(command)) => self.on_command_in_survey(command).await,
                    Some(_) => {}
                    None => break None,
                },
                event = self.media.next_event() => match event {
                    Some(SessionEvent::Dtmf { leg, digit, .. }) if leg == self.caller_media => {
                        if let Some(score) = digit.to_digit(10).and_then(|d| u8::try_from(d).ok()).filter(|d| (1..=SCALE).contains(d)) {
                            break Some(score);
                        }
                    }
                    Some(_) => {}
                    None => break None,
                },
                () = tokio::time::sleep_until(deadline) => break None,
            }
        };
        if let Some(score) = score {
            self.events.emit(EventPayload::SurveyAnswered { score, scale: SCALE }).await;
            let thanks = self.shared.prompts.get("survey_thanks");
            let _ = self.media.play(self.caller_media, Player::once([thanks])).await;
            let _ = tokio::time::timeout(Duration::from_secs(5), self.wait_play_end()).await;
        }
        let _ = self.shared.edge.hangup(self.caller_leg).await;
        self.events.emit(EventPayload::CallEnded { cause: EndCause::AgentHangup }).await;
    }

    /// Waits for a play on the caller's leg to end (or the caller to go).
    async fn wait_play_end(&mut self) {
        loop {
            tokio::select! {
                msg = self.sip_rx.recv() => match msg {
                    Some(CallMsg::Sip(sip::edge::EdgeEvent::Ended { leg, .. })) if leg == self.caller_leg => return,
                    Some(CallMsg::Command(command)) => self.on_command_in_survey(command).await,
                    Some(_) => {}
                    None => return,
                },
                event = self.media.next_event() => match event {
                    Some(SessionEvent::PlayFinished { leg, .. }) if leg == self.caller_media => return,
                    Some(_) => {}
                    None => return,
                },
            }
        }
    }

    /// A command of the API while the caller rates the call: the agent,
    /// already in wrap-up, files their disposition at once; everything
    /// else needs a connected call.
    async fn on_command_in_survey(&mut self, command: CallCommand) {
        match command {
            CallCommand::FileDisposition { agent, code, notes, reply } => {
                let _ = reply.send(self.file_disposition(agent, code, notes).await);
            }
            CallCommand::RejectOffer { reply, .. } => {
                let _ = reply.send(Ok(false));
            }
            CallCommand::Supervise { reply, .. }
            | CallCommand::Leave { reply, .. }
            | CallCommand::Consult { reply, .. }
            | CallCommand::CompleteConsult { reply, .. }
            | CallCommand::CancelConsult { reply, .. }
            | CallCommand::Transfer { reply, .. }
            | CallCommand::Move { reply, .. }
            | CallCommand::Prioritise { reply, .. } => {
                let _ = reply.send(Err(CallsError::NotConnected));
            }
        }
    }
}
