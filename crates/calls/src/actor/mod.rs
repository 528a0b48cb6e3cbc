//! One call's actor: a tokio task that owns the call's SIP legs (through
//! the edge's handle), its media (a `media::shard::CallHandle`), its place
//! in the tenant's ACD and its event stream, from the carrier's INVITE to
//! the last event.
//!
//! The stages: **arrived** (caller looked up in the tenant's contacts,
//! `call_arrived`), **answered** (SDP negotiated, our RTP leg bound),
//! **IVR** when the number's entry point is a flow, **queued** (music on
//! hold, position announcements), **offered** (the agent's registered
//! devices rung with a second media leg; RONA, rejections and
//! cancellations go back to the ACD), **connected** (the two legs bridged in
//! the media session: relayed when both are G.711), **ended** (the other
//! leg hung up, the ACD told, `call_ended`).

mod ivr_stage;
mod legs;
mod queue;
mod queue_actions;
mod reoffer;
mod supervise;
mod survey;

pub(crate) use supervise::CallCommand;

use std::sync::Arc;
use std::time::Instant;

use acd::Action;
use media::player::Player;
use media::session::{Hearing, LegId as MediaLeg, SessionEvent};
use media::shard::CallHandle;
use model::{AbandonStage, AgentId, CallId, ContactId, EndCause, EntryPoint, EventPayload, QueueId, VipTier};
use sip::edge::{EdgeEvent, IncomingCall, LegId as SipLeg};
use tokio::sync::mpsc;

use crate::acd_task::AcdHandle;
use crate::directory::TenantConfig;
use crate::events::CallEvents;
use crate::runtime::Shared;
use legs::AgentLeg;

/// What reaches a call's actor.
#[derive(Debug)]
#[expect(clippy::large_enum_variant, reason = "nearly every message is an edge event: boxing would allocate for each")]
pub(crate) enum CallMsg {
    /// An edge event of one of the call's legs.
    Sip(EdgeEvent),
    /// A command of the API (supervisor actions).
    Command(CallCommand),
}

/// How the call stands.
#[derive(Debug)]
#[expect(clippy::large_enum_variant, reason = "one per call, replaced a few times in its life")]
enum Stage {
    /// In the IVR or waiting in a queue (perhaps with an agent ringing).
    Waiting { queue: Option<QueueId>, since: Instant, ringing: Option<AgentLeg> },
    /// Caller and agent talk (a supervisor may listen or join).
    Connected { agent: AgentLeg, supervisor: Option<supervise::SupervisorLeg> },
    /// Over.
    Ended,
}

/// The routing attributes a call carries into the queue.
#[derive(Debug, Clone, Default)]
struct Routing {
    priority: i32,
    vip: VipTier,
    contact: Option<ContactId>,
}

/// One call's actor state.
pub(crate) struct Actor {
    shared: Arc<Shared>,
    tenant: Arc<TenantConfig>,
    acd: AcdHandle,
    call: CallId,
    caller_leg: SipLeg,
    caller_number: String,
    media: CallHandle,
    caller_media: MediaLeg,
    /// The caller leg's offer/answer state (for its re-INVITEs).
    caller_negotiator: media::offer_answer::Negotiator,
    events: CallEvents,
    routing: Routing,
    /// The queue the call was last put in.
    queue: Option<QueueId>,
    stage: Stage,
    sip_rx: mpsc::UnboundedReceiver<CallMsg>,
    sip_tx: mpsc::UnboundedSender<CallMsg>,
    acd_rx: mpsc::UnboundedReceiver<Action>,
}

/// Runs a new inbound call to its end.
pub(crate) async fn run_inbound(
    shared: Arc<Shared>,
    tenant: Arc<TenantConfig>,
    acd: AcdHandle,
    incoming: IncomingCall,
    sip_tx: mpsc::UnboundedSender<CallMsg>,
    sip_rx: mpsc::UnboundedReceiver<CallMsg>,
) {
    let call = CallId::new();
    let span = tracing::info_span!("call", tenant = %tenant.tenant, %call, sip_call_id = %incoming.call_id);
    let _enter = span.enter();
    let entry = incoming.route.entry.as_deref().and_then(|id| id.parse().ok()).map(model::NumberId);
    let Some((dialled, entry_point)) = entry.and_then(|id| tenant.numbers.get(&id).cloned()) else {
        tracing::warn!(entry = ?incoming.route.entry, "no entry point for the dialled number: 404");
        let _ = shared.edge.reject(incoming.leg, sip::message::StatusCode::NOT_FOUND).await;
        return;
    };
    let (acd_tx, acd_rx) = mpsc::unbounded_channel();
    acd.follow(call, acd_tx);
    shared.live.follow(call, tenant.tenant, sip_tx.clone());
    let media = shared.media.open_call(&call.to_string());
    let caller_number = legs::user_of(incoming.from.uri());
    let mut events = CallEvents::new(tenant.tenant, call, shared.sink.clone());
    let routing = legs::caller_routing(&shared.pool, tenant.tenant, &caller_number).await;
    events
        .emit(EventPayload::CallArrived {
            from: caller_number.clone(),
            to: dialled,
            number_id: entry,
            trunk_id: incoming.route.trunk.as_deref().and_then(|t| t.parse().ok()).map(model::TrunkId),
            contact_id: routing.contact,
            vip_tier: routing.vip,
            outside_business_hours: tenant.outside_business_hours(&entry_point, chrono::Utc::now()),
        })
        .await;
    let (caller_media, caller_negotiator) = match legs::answer_caller(&shared, &media, &incoming).await {
        Ok(answered) => answered,
        Err(error) => {
            tracing::warn!(%error, "the caller's offer could not be answered");
            let _ = shared.edge.reject(incoming.leg, legs::status_for(&error)).await;
            events.emit(EventPayload::CallEnded { cause: EndCause::Failed }).await;
            acd.forget(call);
            let _ = media.close().await;
            return;
        }
    };
    let mut actor = Actor {
        shared,
        tenant,
        acd,
        call,
        caller_leg: incoming.leg,
        caller_number,
        media,
        caller_media,
        caller_negotiator,
        events,
        routing,
        queue: None,
        stage: Stage::Waiting { queue: None, since: Instant::now(), ringing: None },
        sip_rx,
        sip_tx,
        acd_rx,
    };
    match entry_point {
        EntryPoint::Queue { queue_id } => actor.enqueue(queue_id).await,
        EntryPoint::Ivr { flow_id } => actor.run_ivr(flow_id).await,
    }
    actor.serve().await;
}

impl Actor {
    /// The actor's loop: SIP, ACD and media events until the call ends.
    async fn serve(&mut self) {
        while !matches!(self.stage, Stage::Ended) {
            tokio::select! {
                msg = self.sip_rx.recv() => match msg {
                    Some(CallMsg::Sip(event)) => self.on_sip(event).await,
                    Some(CallMsg::Command(command)) => self.on_command(command).await,
                    None => self.finish(EndCause::Failed).await,
                },
                action = self.acd_rx.recv() => match action {
                    Some(action) => self.on_acd(action).await,
                    None => self.finish(EndCause::Failed).await,
                },
                event = self.media.next_event() => match event {
                    Some(event) => self.on_media(event).await,
                    None => self.finish(EndCause::Failed).await,
                },
            }
        }
        self.acd.forget(self.call);
        self.shared.legs.forget(self.caller_leg);
        self.shared.live.forget(self.call);
        self.close_wrap_up();
        let _ = self.media.close().await;
        tracing::debug!(failed_events = self.events.failed(), "call actor ended");
    }

    async fn on_sip(&mut self, event: EdgeEvent) {
        match event {
            EdgeEvent::Ended { leg, cause } if leg == self.caller_leg => self.caller_left(cause).await,
            EdgeEvent::Ended { leg, cause } => {
                if !self.supervisor_leg_ended(leg).await {
                    self.agent_leg_ended(leg, cause).await;
                }
            }
            EdgeEvent::Answered { leg, answer } => {
                if !self.supervisor_answered(leg, answer.clone()).await {
                    self.agent_answered(leg, answer).await;
                }
            }
            EdgeEvent::Progress { leg, status, .. } => tracing::debug!(%leg, %status, "agent leg progress"),
            EdgeEvent::Reoffer { leg, offer } => self.on_reoffer(leg, offer).await,
            other => tracing::debug!(?other, "edge event not handled by the call"),
        }
    }

    async fn on_media(&mut self, event: SessionEvent) {
        match event {
            SessionEvent::PlayFinished { leg, .. } if leg == self.caller_media => {
                if let Stage::Waiting { queue: Some(_), .. } = self.stage {
                    // An announcement ended: the music goes on.
                    let _ = self.media.play(self.caller_media, Player::looping([self.shared.prompts.music()])).await;
                }
            }
            SessionEvent::RecordingStarted { path } => {
                self.events.emit(EventPayload::RecordingStarted { path: path.display().to_string() }).await;
            }
            other => tracing::trace!(?other, "media event"),
        }
    }

    /// The caller hung up: what that means depends on the stage.
    async fn caller_left(&mut self, _cause: sip::edge::EndCause) {
        match std::mem::replace(&mut self.stage, Stage::Ended) {
            Stage::Waiting { queue, since, ringing } => {
                let stage = match (&queue, &ringing) {
                    (None, _) => AbandonStage::Ivr,
                    (Some(_), Some(_)) => AbandonStage::Ringing,
                    (Some(_), None) => AbandonStage::Queue,
                };
                if let Some(agent) = ringing {
                    self.cancel_agent_leg(&agent).await;
                }
                if queue.is_some() {
                    self.acd.tell(acd::Command::Abandoned { call: self.call });
                }
                let waited_secs = u32::try_from(since.elapsed().as_secs()).unwrap_or(u32::MAX);
                self.events.emit(EventPayload::CallAbandoned { stage, waited_secs }).await;
                self.events.emit(EventPayload::CallEnded { cause: EndCause::Abandoned }).await;
            }
            Stage::Connected { agent, supervisor } => {
                self.cancel_agent_leg(&agent).await;
                self.drop_supervisor(supervisor).await;
                self.acd.tell(acd::Command::CallEnded { call: self.call });
                self.events.emit(EventPayload::CallEnded { cause: EndCause::CallerHangup }).await;
            }
            Stage::Ended => {}
        }
    }

    /// Ends the call from our side (a failure, the flow hanging up).
    async fn finish(&mut self, cause: EndCause) {
        if matches!(self.stage, Stage::Ended) {
            return;
        }
        let _ = self.shared.edge.hangup(self.caller_leg).await;
        match std::mem::replace(&mut self.stage, Stage::Ended) {
            Stage::Waiting { queue, ringing, .. } => {
                if let Some(agent) = ringing {
                    self.cancel_agent_leg(&agent).await;
                }
                if queue.is_some() {
                    self.acd.tell(acd::Command::Abandoned { call: self.call });
                }
            }
            Stage::Connected { agent, supervisor } => {
                self.cancel_agent_leg(&agent).await;
                self.drop_supervisor(supervisor).await;
                self.acd.tell(acd::Command::CallEnded { call: self.call });
            }
            Stage::Ended => {}
        }
        self.events.emit(EventPayload::CallEnded { cause }).await;
    }

    /// The call is over: its agent's wrap-up may now file the disposition.
    fn close_wrap_up(&self) {
        let mut wrap_ups = self.shared.wrap_ups.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for entry in wrap_ups.values_mut().filter(|w| w.call == self.call) {
            entry.next_seq = Some(self.events.next_seq());
        }
    }

    /// Hangs up a supervisor's leg when the call ends under them.
    async fn drop_supervisor(&mut self, supervisor: Option<supervise::SupervisorLeg>) {
        let Some(current) = supervisor else { return };
        self.cancel_agent_leg(&current.leg).await;
        if current.joined {
            self.events.emit(EventPayload::SupervisorLeft { supervisor_id: current.user }).await;
        }
    }

    /// Where edge events of the call's legs are sent.
    fn sip_sender(&self) -> mpsc::UnboundedSender<CallMsg> {
        self.sip_tx.clone()
    }

    /// The agent a leg belongs to, in whatever stage.
    fn agent_of(&self, leg: SipLeg) -> Option<AgentId> {
        match &self.stage {
            Stage::Waiting { ringing: Some(agent), .. } if agent.sip == leg => Some(agent.agent),
            Stage::Connected { agent, .. } if agent.sip == leg => Some(agent.agent),
            _ => None,
        }
    }

    /// Bridges the caller with the agent who answered.
    async fn connect(&mut self, agent: AgentLeg) {
        let _ = self.media.stop_playing(self.caller_media).await;
        let hearing = Hearing::Bridge { caller: self.caller_media, agent: agent.media };
        if let Err(error) = self.media.set_hearing(hearing).await {
            tracing::warn!(%error, "the bridge could not be set up");
        }
        self.events.emit(EventPayload::Bridged { agent_id: agent.agent }).await;
        let wrap_up = crate::runtime::WrapUp { tenant: self.tenant.tenant, call: self.call, next_seq: None };
        self.shared.wrap_ups.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(agent.agent, wrap_up);
        self.stage = Stage::Connected { agent, supervisor: None };
    }
}
