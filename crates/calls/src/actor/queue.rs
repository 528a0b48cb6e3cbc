//! The queue stage: joining the ACD, music on hold and announcements,
//! and carrying out what the ACD decides for the call.

use std::time::Instant;

use acd::{Action, NewCall, Outcome};
use media::player::Player;
use media::prompts;
use model::{EndCause, EventPayload, QueueId};

use super::{Actor, Stage};

impl Actor {
    /// Puts the call in `queue` with music on hold.
    pub(super) async fn enqueue(&mut self, queue: QueueId) {
        let new = NewCall {
            call: self.call,
            queue,
            priority: self.routing.priority,
            vip: self.routing.vip,
            caller: Some(self.caller_number.clone()),
            skills: self.routing.skills.clone(),
        };
        if let Err(error) = self.acd.command(acd::Command::Enqueue(new)).await {
            tracing::warn!(%error, %queue, "the ACD refused the call");
            self.finish(EndCause::Failed).await;
            return;
        }
        self.stage = Stage::Waiting { queue: Some(queue), since: Instant::now(), ringing: None };
        self.queue = Some(queue);
        let position = self.acd.position(self.call).await.unwrap_or(0);
        let priority = self.routing.priority;
        self.events.emit(EventPayload::CallQueued { queue_id: queue, priority, position }).await;
        self.resume_music().await;
    }

    /// Music on hold to the caller.
    pub(super) async fn resume_music(&mut self) {
        let music = Player::looping([self.shared.prompts.music()]);
        if let Err(error) = self.media.play(self.caller_media, music).await {
            tracing::debug!(%error, "music on hold not played");
        }
    }

    /// Carries out one ACD action for this call.
    pub(super) async fn on_acd(&mut self, action: Action) {
        match action {
            Action::Offer { agent, queue, reason, .. } => {
                self.events.emit(EventPayload::OfferedToAgent { queue_id: queue, agent_id: agent, reason }).await;
                match self.ring_agent(agent).await {
                    Ok(leg) => {
                        let leg_id = leg.event_id;
                        match &mut self.stage {
                            Stage::Waiting { ringing, .. } => *ringing = Some(leg),
                            Stage::Callback(cb) if cb.agent.is_none() => cb.agent = Some(leg),
                            _ => {
                                // The call moved on while the agent was rung.
                                self.cancel_agent_leg(&leg).await;
                                self.acd.tell(acd::Command::Rejected { call: self.call, agent });
                                return;
                            }
                        }
                        self.events.emit(EventPayload::AgentRinging { agent_id: agent, leg_id }).await;
                    }
                    Err(error) => {
                        tracing::info!(%agent, %error, "the agent could not be rung");
                        self.events.emit(EventPayload::AgentNoAnswer { agent_id: agent }).await;
                        self.acd.tell(acd::Command::Rejected { call: self.call, agent });
                    }
                }
            }
            Action::CancelOffer { agent, .. } => {
                let ringing = match &mut self.stage {
                    Stage::Waiting { ringing, .. } => ringing,
                    Stage::Callback(cb) if !cb.agent_answered => &mut cb.agent,
                    _ => return,
                };
                let Some(leg) = ringing.take_if(|leg| leg.agent == agent) else { return };
                self.cancel_agent_leg(&leg).await;
                self.events.emit(EventPayload::AgentNoAnswer { agent_id: agent }).await;
            }
            Action::Announce { position, ewt, .. } => {
                let Stage::Waiting { queue: Some(queue), .. } = self.stage else { return };
                let ewt_secs = ewt.map_or(0, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
                let mut clips: Vec<_> = prompts::position_announcement(position).into_iter().collect();
                if ewt.is_some() {
                    clips.extend(prompts::wait_announcement(ewt_secs));
                }
                let clips = clips.into_iter().map(|p| self.shared.prompts.get(&p.name()));
                let _ = self.media.play(self.caller_media, Player::once(clips)).await;
                self.events.emit(EventPayload::PositionAnnounced { queue_id: queue, position, ewt_secs }).await;
            }
            Action::Overflow { from, target, .. } => {
                tracing::info!(%from, ?target, "overflow");
                if let Some(target) = target.clone() {
                    self.events.emit(EventPayload::Overflowed { queue_id: from, target }).await;
                }
                match target {
                    Some(model::OverflowTarget::Queue { queue_id }) => {
                        if let Stage::Waiting { queue, .. } = &mut self.stage {
                            *queue = Some(queue_id);
                        }
                        self.queue = Some(queue_id);
                        // The ACD has already filed it there: the CDR and the
                        // live feed follow it into that queue.
                        let position = self.acd.position(self.call).await.unwrap_or(0);
                        let priority = self.routing.priority;
                        self.events.emit(EventPayload::CallQueued { queue_id, priority, position }).await;
                    }
                    _ => self.finish(EndCause::FlowHangup).await,
                }
            }
            Action::Finished { outcome, .. } => {
                if let Outcome::Abandoned { .. } = outcome {
                    tracing::debug!("the ACD saw the call abandoned");
                }
            }
            Action::OfferCallback { .. } => self.offer_callback().await,
            other => tracing::trace!(?other, "ACD action"),
        }
    }
}
