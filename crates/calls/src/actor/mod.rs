//! One call's actor: a tokio task that owns the call's SIP legs (through
//! the edge's handle), its media (a `media::shard::CallHandle`), its place
//! in the tenant's ACD and its event stream, from the carrier's INVITE to
//! the last event.
//!
//! The stages: **arrived** (caller looked up in the tenant's contacts,
//! `call_arrived`), **answered** (SDP negotiated, our RTP leg bound),
//! **IVR** when the number's entry point is a flow, **queued** (music on
//! hold, position announcements), **offered** (the agent's registered
//! devices rung with a second media leg, WebRTC for a browser; RONA,
//! rejections and cancellations go back to the ACD), **connected** (the
//! two legs bridged in the media session: relayed when both are G.711,
//! mixed and transcoded otherwise), **ended** (the other leg hung up, the
//! ACD told, `call_ended`).

mod callback;
mod consult;
mod forks;
mod ivr_stage;
mod legs;
mod mobile;
mod outside;
mod queue;
mod queue_actions;
mod recording;
mod reoffer;
mod supervise;
mod survey;
mod take_over;
mod transfer;

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
enum Stage {
    /// In the IVR or waiting in a queue (perhaps with an agent ringing).
    Waiting { queue: Option<QueueId>, since: Instant, ringing: Option<AgentLeg> },
    /// Caller and agent talk (a supervisor may listen or join).
    Connected { agent: AgentLeg, supervisor: Option<supervise::SupervisorLeg> },
    /// The caller is put through (or being put through) to a number
    /// outside: the IVR's transfer, a blind transfer.
    Outside { leg: outside::OutsideLeg, answered: bool },
    /// An accepted callback: the caller has hung up, the ACD keeps the
    /// place; then the agent is rung, then the customer dialled.
    Callback(callback::Callback),
    /// Over.
    Ended,
}

/// What the actor's one timer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    /// A number outside rang too long.
    OutsideRing,
    /// A callback's customer rang too long.
    CustomerRing,
    /// The next attempt at a callback's customer.
    Redial,
    /// An agent did not pick up the call they placed.
    AgentRing,
}

/// The caller leg of an outbound call before the called party answers (no
/// leg of the edge has this id).
const NO_LEG_YET: SipLeg = SipLeg(u64::MAX);

/// The routing attributes a call carries into the queue.
#[derive(Debug, Clone, Default)]
struct Routing {
    priority: i32,
    vip: VipTier,
    contact: Option<ContactId>,
    /// The contact's name, shown to the agent rung (the From display name).
    contact_name: Option<String>,
    /// Skills the call needs besides its queue's (set in the IVR).
    skills: Vec<model::SkillRequirement>,
}

/// One call's actor state.
pub(crate) struct Actor {
    shared: Arc<Shared>,
    tenant: Arc<TenantConfig>,
    acd: AcdHandle,
    call: CallId,
    caller_leg: SipLeg,
    caller_number: String,
    /// The tenant's number the caller dialled (presented on callbacks).
    dialled: String,
    media: CallHandle,
    caller_media: MediaLeg,
    /// The caller leg's offer/answer state (for its re-INVITEs).
    caller_negotiator: media::offer_answer::Negotiator,
    events: CallEvents,
    routing: Routing,
    /// The queue the call was last put in.
    queue: Option<QueueId>,
    stage: Stage,
    /// When the actor's timer fires, and what for.
    timer: Option<(tokio::time::Instant, Timer)>,
    /// Whether the caller was offered a callback (once per call).
    callback_offered: bool,
    /// A warm transfer's consultation, while connected.
    consult: Option<consult::Consult>,
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
            to: dialled.clone(),
            number_id: entry,
            trunk_id: incoming.route.trunk.as_deref().and_then(|t| t.parse().ok()).map(model::TrunkId),
            contact_id: routing.contact,
            vip_tier: routing.vip,
            outside_business_hours: tenant.outside_business_hours(&entry_point, chrono::Utc::now()),
            direction: model::CallDirection::Inbound,
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
        dialled,
        media,
        caller_media,
        caller_negotiator,
        events,
        routing,
        queue: None,
        stage: Stage::Waiting { queue: None, since: Instant::now(), ringing: None },
        timer: None,
        callback_offered: false,
        consult: None,
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

/// What an agent's click-to-call needs.
pub(crate) struct Outbound {
    pub call: CallId,
    pub agent: AgentId,
    pub number: String,
}

/// Runs an agent's click-to-call to its end: the agent rung, then the
/// number dialled through the trunks. The ACD already has the agent on it.
pub(crate) async fn run_outbound(
    shared: Arc<Shared>,
    tenant: Arc<TenantConfig>,
    acd: AcdHandle,
    outbound: Outbound,
    sip_tx: mpsc::UnboundedSender<CallMsg>,
    sip_rx: mpsc::UnboundedReceiver<CallMsg>,
) {
    let Outbound { call, agent, number } = outbound;
    let span = tracing::info_span!("call", tenant = %tenant.tenant, %call, %agent, outbound = true);
    let _enter = span.enter();
    let (acd_tx, acd_rx) = mpsc::unbounded_channel();
    acd.follow(call, acd_tx);
    shared.live.follow(call, tenant.tenant, sip_tx.clone());
    let media = shared.media.open_call(&call.to_string());
    let mut events = CallEvents::new(tenant.tenant, call, shared.sink.clone());
    let routing = legs::caller_routing(&shared.pool, tenant.tenant, &number).await;
    let presented = tenant.caller_id();
    events
        .emit(EventPayload::CallArrived {
            from: presented.clone(),
            to: number.clone(),
            number_id: None,
            trunk_id: None,
            contact_id: routing.contact,
            vip_tier: routing.vip,
            outside_business_hours: false,
            direction: model::CallDirection::Outbound,
        })
        .await;
    // The called party's media leg comes with its answer; until then the
    // caller side is a placeholder.
    let placeholder = media.add_rtp_leg(media::session::RtpLegSpec::pcmu(None)).await;
    let Ok(placeholder) = placeholder else {
        acd.tell(acd::Command::CallEnded { call });
        events.emit(EventPayload::CallEnded { cause: EndCause::Failed }).await;
        acd.forget(call);
        shared.live.forget(call);
        let _ = media.close().await;
        return;
    };
    let _ = media.remove_leg(placeholder.id).await;
    let local = media::offer_answer::LocalMedia::new(placeholder.local.ip(), placeholder.local.port());
    let caller_negotiator = media::offer_answer::Negotiator::new(local, shared.seed());
    let queue = tenant.agents.get(&agent).and_then(|(a, _)| a.queues.first()).map(|m| m.queue_id);
    let mut actor = Actor {
        shared,
        tenant,
        acd,
        call,
        caller_leg: NO_LEG_YET,
        caller_number: number,
        dialled: presented,
        media,
        caller_media: placeholder.id,
        caller_negotiator,
        events,
        routing,
        queue,
        stage: Stage::Ended,
        timer: None,
        callback_offered: false,
        consult: None,
        sip_rx,
        sip_tx,
        acd_rx,
    };
    match actor.ring_agent(agent).await {
        Ok(leg) => {
            let leg_id = leg.event_id;
            actor.stage = Stage::Callback(callback::Callback::outbound(leg));
            actor.set_timer(outside::RING_FOR, Timer::AgentRing);
            actor.events.emit(EventPayload::AgentRinging { agent_id: agent, leg_id }).await;
        }
        Err(error) => {
            tracing::info!(%error, "the agent's own phone could not be rung");
            actor.acd.tell(acd::Command::CallEnded { call });
            actor.events.emit(EventPayload::CallEnded { cause: EndCause::Failed }).await;
        }
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
                () = sleep_until(self.timer.map(|(at, _)| at)) => {
                    if let Some((_, timer)) = self.timer.take() {
                        self.on_timer(timer).await;
                    }
                }
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
                if self.fork_ended(leg).await {
                    return;
                }
                let taken = self.supervisor_leg_ended(leg).await
                    || self.consult_ended(leg).await
                    || self.agent_left_consult(leg).await
                    || self.outside_ended(leg).await
                    || self.customer_leg_ended(leg).await
                    || self.callback_agent_ended(leg, cause).await;
                if !taken {
                    self.agent_leg_ended(leg, cause).await;
                }
            }
            EdgeEvent::Answered { leg, answer } => {
                self.fork_answered(leg).await;
                let taken = self.supervisor_answered(leg, answer.clone()).await
                    || self.consult_answered(leg, answer.clone()).await
                    || self.mobile_answered(leg, answer.clone()).await
                    || self.outside_answered(leg, answer.clone()).await
                    || self.customer_answered(leg, answer.clone()).await
                    || self.callback_agent_answered(leg, answer.clone()).await;
                if !taken {
                    self.agent_answered(leg, answer).await;
                }
            }
            EdgeEvent::TransferRequested { leg, target } => self.on_refer(leg, target).await,
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
            SessionEvent::Dtmf { leg, digit, .. } if leg == self.caller_media => self.waiting_digit(digit).await,
            SessionEvent::Dtmf { leg, digit, .. } => self.agent_digit(leg, digit).await,
            SessionEvent::RecordingStarted { path } => {
                self.events.emit(EventPayload::RecordingStarted { path: path.display().to_string() }).await;
            }
            SessionEvent::RecordingFailed { path, error } => {
                tracing::warn!(path = %path.display(), %error, "the call's recording failed; what was flushed stays");
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
                self.drop_consult().await;
                self.cancel_agent_leg(&agent).await;
                self.drop_supervisor(supervisor).await;
                self.acd.tell(acd::Command::CallEnded { call: self.call });
                self.events.emit(EventPayload::CallEnded { cause: EndCause::CallerHangup }).await;
            }
            Stage::Outside { leg, answered } => {
                self.clear_timer();
                let _ = self.shared.edge.hangup(leg.sip).await;
                self.drop_outside_leg(&leg).await;
                let cause = if answered { EndCause::TransferredOut } else { EndCause::CallerHangup };
                self.events.emit(EventPayload::CallEnded { cause }).await;
            }
            // The caller's leg of an accepted callback ending: expected.
            callback @ Stage::Callback(_) => self.stage = callback,
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
                self.drop_consult().await;
                self.cancel_agent_leg(&agent).await;
                self.drop_supervisor(supervisor).await;
                self.acd.tell(acd::Command::CallEnded { call: self.call });
            }
            Stage::Outside { leg, .. } => {
                let _ = self.shared.edge.hangup(leg.sip).await;
                self.drop_outside_leg(&leg).await;
            }
            Stage::Callback(cb) => {
                if let Some(agent) = cb.agent {
                    self.cancel_agent_leg(&agent).await;
                }
                if let Some(customer) = cb.customer {
                    let _ = self.shared.edge.hangup(customer.sip).await;
                    self.drop_outside_leg(&customer).await;
                }
                let command = if cb.agent_answered {
                    acd::Command::CallEnded { call: self.call }
                } else {
                    acd::Command::Abandoned { call: self.call }
                };
                self.acd.tell(command);
            }
            Stage::Ended => {}
        }
        self.clear_timer();
        self.events.emit(EventPayload::CallEnded { cause }).await;
    }

    /// Sets the actor's timer (replacing any).
    fn set_timer(&mut self, after: std::time::Duration, timer: Timer) {
        self.timer = Some((tokio::time::Instant::now() + after, timer));
    }

    /// Clears the actor's timer.
    fn clear_timer(&mut self) {
        self.timer = None;
    }

    /// The actor's timer fired.
    async fn on_timer(&mut self, timer: Timer) {
        match timer {
            Timer::OutsideRing => self.outside_ring_timeout().await,
            Timer::CustomerRing => self.customer_ring_timeout().await,
            Timer::Redial => self.redial().await,
            Timer::AgentRing => {
                if let Stage::Callback(callback::Callback { agent: Some(agent), agent_answered: false, .. }) =
                    &self.stage
                {
                    for sip in agent.ringing_legs() {
                        let _ = self.shared.edge.hangup(sip).await;
                    }
                }
            }
        }
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
            Stage::Callback(callback::Callback { agent: Some(agent), .. }) if agent.sip == leg => Some(agent.agent),
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
        self.record_if_the_queue_asks().await;
        let wrap_up = crate::runtime::WrapUp { tenant: self.tenant.tenant, call: self.call, next_seq: None };
        self.shared.wrap_ups.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(agent.agent, wrap_up);
        self.stage = Stage::Connected { agent, supervisor: None };
    }
}

/// Sleeps until `deadline`, or forever without one.
pub(super) async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
