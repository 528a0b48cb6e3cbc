//! Callbacks. When the ACD says the wait is long, the caller is offered a
//! callback ("press 1 to keep your place"); the IVR's after-hours exit
//! asks for one too. Once accepted the caller hangs up and the ACD keeps
//! the place as a virtual caller (the call's first `call_ended`, cause
//! `callback_requested`). When the turn comes the agent is rung first;
//! once they answer the customer is dialled through the trunks, presenting
//! the number they called, up to [`ATTEMPTS`] times [`REDIAL_AFTER`] apart
//! while the agent waits on the line; the customer answering bridges the
//! two like any call. Every step is an event: `callback_offered`,
//! `callback_accepted`, `callback_dialled`, `callback_result`.
//!
//! An agent's click-to-call takes the same path without the queue: the
//! agent is rung, then the number is dialled once, and no callback events
//! are written (the call's `call_arrived` says it is outbound).

use std::time::Duration;

use media::player::Player;
use media::session::SessionEvent;
use model::{EndCause, EventPayload, QueueId};
use sip::edge::LegId as SipLeg;

use super::legs::AgentLeg;
use super::outside::{OutsideLeg, RING_FOR};
use super::{Actor, CallMsg, Stage, Timer};

/// How many times the customer is dialled before the callback is given up.
pub(super) const ATTEMPTS: u32 = 3;

/// The pause between two attempts, the agent waiting on the line.
pub(super) const REDIAL_AFTER: Duration = Duration::from_secs(10);

/// An accepted callback, after the caller hung up.
#[derive(Debug)]
pub(crate) struct Callback {
    /// The agent rung, then on the line while the customer is dialled.
    pub agent: Option<AgentLeg>,
    /// Whether the agent answered.
    pub agent_answered: bool,
    /// The customer's leg while it rings.
    pub customer: Option<OutsideLeg>,
    /// Attempts made so far.
    pub attempt: u32,
    /// An agent's click-to-call rather than a callback of the queue.
    pub outbound: bool,
}

impl Callback {
    /// A click-to-call: `agent` rung first.
    pub(super) fn outbound(agent: AgentLeg) -> Callback {
        Callback { agent: Some(agent), agent_answered: false, customer: None, attempt: 0, outbound: true }
    }

    /// How many times the customer is dialled.
    fn attempts(&self) -> u32 {
        if self.outbound { 1 } else { ATTEMPTS }
    }
}

impl Actor {
    /// The ACD says the wait is long: the caller is told they may keep
    /// their place and be called back (when the tenant can dial out).
    pub(super) async fn offer_callback(&mut self) {
        let Stage::Waiting { queue: Some(queue), ringing: None, .. } = self.stage else { return };
        if self.tenant.trunks.is_empty() || self.callback_offered {
            return;
        }
        self.callback_offered = true;
        let prompt = self.shared.prompts.get("callback_offer");
        let _ = self.media.play(self.caller_media, Player::once([prompt])).await;
        self.events.emit(EventPayload::CallbackOffered { queue_id: queue }).await;
    }

    /// A key from a waiting caller: `1` after a callback offer accepts it.
    pub(super) async fn waiting_digit(&mut self, digit: char) {
        let Stage::Waiting { queue: Some(queue), ringing: None, .. } = self.stage else { return };
        if self.callback_offered && digit == '1' {
            if let Err(error) = self.acd.command(acd::Command::AcceptCallback { call: self.call }).await {
                tracing::info!(%error, "the ACD did not take the callback");
                return;
            }
            self.callback_accepted(queue).await;
        }
    }

    /// The IVR asked for a callback (out of hours): the call joins the
    /// queue as a callback at once.
    pub(super) async fn ivr_callback(&mut self, queue: QueueId) {
        self.enqueue(queue).await;
        if !matches!(self.stage, Stage::Waiting { queue: Some(_), .. }) {
            return;
        }
        if let Err(error) = self.acd.command(acd::Command::AcceptCallback { call: self.call }).await {
            tracing::warn!(%error, "the ACD did not take the callback; the caller waits in the queue");
            return;
        }
        self.callback_accepted(queue).await;
    }

    /// The callback is the ACD's: confirm it to the caller, hang up, and
    /// wait for the turn.
    async fn callback_accepted(&mut self, queue: QueueId) {
        let number = self.caller_number.clone();
        self.events.emit(EventPayload::CallbackAccepted { queue_id: queue, number }).await;
        self.stage = Stage::Callback(Callback {
            agent: None,
            agent_answered: false,
            customer: None,
            attempt: 0,
            outbound: false,
        });
        self.confirm_and_hang_up().await;
        let _ = self.media.remove_leg(self.caller_media).await;
        self.shared.legs.forget(self.caller_leg);
        self.events.emit(EventPayload::CallEnded { cause: EndCause::CallbackRequested }).await;
    }

    /// Plays the confirmation to its end (or the caller hanging up first),
    /// then hangs up.
    async fn confirm_and_hang_up(&mut self) {
        let clip = self.shared.prompts.get("callback_confirmed");
        let Ok(play) = self.media.play(self.caller_media, Player::once([clip])).await else { return };
        let limit = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            tokio::select! {
                msg = self.sip_rx.recv() => match msg {
                    Some(CallMsg::Sip(sip::edge::EdgeEvent::Ended { leg, .. })) if leg == self.caller_leg => return,
                    Some(_) => {}
                    None => return,
                },
                event = self.media.next_event() => match event {
                    Some(SessionEvent::PlayFinished { play: done, .. }) if done == play => break,
                    Some(_) => {}
                    None => break,
                },
                () = tokio::time::sleep_until(limit) => break,
            }
        }
        let _ = self.shared.edge.hangup(self.caller_leg).await;
    }

    /// The agent rung for the callback answered: the customer is dialled.
    pub(super) async fn callback_agent_answered(&mut self, leg: SipLeg, answer: Option<Vec<u8>>) -> bool {
        let Stage::Callback(cb) = &mut self.stage else { return false };
        let Some(agent) = cb.agent.as_mut().filter(|a| a.sip == leg && !cb.agent_answered) else { return false };
        if !agent.take_answer(&self.media, answer.as_deref()).await {
            let _ = self.shared.edge.hangup(leg).await;
            if let Some(agent) = cb.agent.take() {
                let agent_id = agent.agent;
                self.drop_agent_leg(&agent).await;
                self.acd.tell(acd::Command::Rejected { call: self.call, agent: agent_id });
            }
            return true;
        }
        self.callback_agent_accepted().await;
        true
    }

    /// The callback's agent took the call: the customer is dialled.
    pub(super) async fn callback_agent_accepted(&mut self) {
        let Stage::Callback(cb) = &mut self.stage else { return };
        let Some(agent) = cb.agent.as_ref() else { return };
        cb.agent_answered = true;
        let (agent_id, event_id, outbound) = (agent.agent, agent.event_id, cb.outbound);
        self.clear_timer();
        if !outbound {
            self.acd.tell(acd::Command::Answered { call: self.call, agent: agent_id });
        }
        self.events.emit(EventPayload::AgentAnswered { agent_id, leg_id: event_id }).await;
        self.dial_customer().await;
    }

    /// One attempt at the customer, the agent hearing ringback.
    async fn dial_customer(&mut self) {
        let number = self.caller_number.clone();
        let caller_id = self.dialled.clone();
        let Stage::Callback(cb) = &mut self.stage else { return };
        cb.attempt += 1;
        let (attempt, outbound) = (cb.attempt, cb.outbound);
        let agent_media = cb.agent.as_ref().map(|a| a.media);
        if !outbound {
            self.events.emit(EventPayload::CallbackDialled { attempt }).await;
        }
        let dialled = self.dial_out(&number, &caller_id).await;
        match dialled {
            Ok(leg) => {
                if let Some(agent_media) = agent_media {
                    let _ = self.media.play(agent_media, Player::looping([self.shared.prompts.ringback()])).await;
                }
                if let Stage::Callback(cb) = &mut self.stage {
                    cb.customer = Some(leg);
                }
                self.set_timer(RING_FOR, Timer::CustomerRing);
            }
            Err(error) => {
                tracing::warn!(%error, "the customer could not be dialled");
                self.customer_not_reached().await;
            }
        }
    }

    /// The customer answered: they become the call's caller, bridged to
    /// the agent.
    pub(super) async fn customer_answered(&mut self, leg: SipLeg, answer: Option<Vec<u8>>) -> bool {
        let Stage::Callback(cb) = &mut self.stage else { return false };
        let Some(customer) = cb.customer.as_mut().filter(|c| c.sip == leg) else { return false };
        let Some(spec) = customer.agreed(answer.as_deref()) else {
            let _ = self.shared.edge.hangup(leg).await;
            self.customer_not_reached().await;
            return true;
        };
        let (attempt, outbound) = (cb.attempt, cb.outbound);
        let (Some(customer), Some(agent)) = (cb.customer.take(), cb.agent.take()) else { return true };
        self.clear_timer();
        let (sip, media_leg, negotiator) = customer.into_parts();
        if let Err(error) = self.media.update_rtp_leg(media_leg, spec).await {
            tracing::warn!(%error, "the customer's media leg could not take the answer");
        }
        let _ = self.media.stop_playing(agent.media).await;
        self.caller_leg = sip;
        self.caller_media = media_leg;
        self.caller_negotiator = negotiator;
        if !outbound {
            self.events.emit(EventPayload::CallbackResult { attempt, answered: true }).await;
        }
        self.connect(agent).await;
        true
    }

    /// The customer's leg ended before an answer (busy, declined, gone).
    pub(super) async fn customer_leg_ended(&mut self, leg: SipLeg) -> bool {
        let Stage::Callback(cb) = &self.stage else { return false };
        if cb.customer.as_ref().is_none_or(|c| c.sip != leg) {
            return false;
        }
        self.customer_not_reached().await;
        true
    }

    /// The customer did not answer in time.
    pub(super) async fn customer_ring_timeout(&mut self) {
        let Stage::Callback(Callback { customer: Some(customer), .. }) = &self.stage else { return };
        let _ = self.shared.edge.hangup(customer.sip).await;
        self.customer_not_reached().await;
    }

    /// An attempt failed: another after a pause, or the callback is given up.
    async fn customer_not_reached(&mut self) {
        self.clear_timer();
        let Stage::Callback(cb) = &mut self.stage else { return };
        let (attempt, outbound, attempts) = (cb.attempt, cb.outbound, cb.attempts());
        let customer = cb.customer.take();
        let agent_media = cb.agent.as_ref().map(|a| a.media);
        if let Some(customer) = customer {
            self.drop_outside_leg(&customer).await;
        }
        if let Some(agent_media) = agent_media {
            let _ = self.media.stop_playing(agent_media).await;
        }
        if !outbound {
            self.events.emit(EventPayload::CallbackResult { attempt, answered: false }).await;
        }
        if attempt < attempts {
            self.set_timer(REDIAL_AFTER, Timer::Redial);
            return;
        }
        tracing::info!(attempt, "the customer was not reached: the callback is given up");
        let Stage::Callback(cb) = std::mem::replace(&mut self.stage, Stage::Ended) else { return };
        if let Some(agent) = cb.agent {
            self.cancel_agent_leg(&agent).await;
        }
        self.acd.tell(acd::Command::CallEnded { call: self.call });
        self.events.emit(EventPayload::CallEnded { cause: EndCause::Failed }).await;
    }

    /// The pause after a failed attempt is over.
    pub(super) async fn redial(&mut self) {
        if let Stage::Callback(Callback { agent: Some(_), agent_answered: true, customer: None, .. }) = &self.stage {
            self.dial_customer().await;
        }
    }

    /// The callback's agent leg ended: before the answer the ACD offers
    /// the next agent; after it (the agent gave up waiting for the
    /// customer) the callback ends.
    pub(super) async fn callback_agent_ended(&mut self, leg: SipLeg, cause: sip::edge::EndCause) -> bool {
        let Stage::Callback(cb) = &mut self.stage else { return false };
        let Some(agent) = cb.agent.take_if(|a| a.sip == leg) else { return false };
        let agent_id = agent.agent;
        self.drop_agent_leg(&agent).await;
        let Stage::Callback(cb) = &mut self.stage else { return true };
        if !cb.agent_answered && cb.outbound {
            // The agent did not pick up their own call.
            self.clear_timer();
            self.stage = Stage::Ended;
            self.acd.tell(acd::Command::CallEnded { call: self.call });
            self.events.emit(EventPayload::CallEnded { cause: EndCause::Failed }).await;
            return true;
        }
        if !cb.agent_answered {
            self.acd.tell(acd::Command::Rejected { call: self.call, agent: agent_id });
            let payload = match cause {
                sip::edge::EndCause::Rejected(_) => EventPayload::AgentRejected { agent_id },
                _ => EventPayload::AgentNoAnswer { agent_id },
            };
            self.events.emit(payload).await;
            return true;
        }
        self.clear_timer();
        let Stage::Callback(cb) = std::mem::replace(&mut self.stage, Stage::Ended) else { return true };
        if let Some(customer) = cb.customer {
            let _ = self.shared.edge.hangup(customer.sip).await;
            self.drop_outside_leg(&customer).await;
        }
        self.acd.tell(acd::Command::CallEnded { call: self.call });
        self.events.emit(EventPayload::CallEnded { cause: EndCause::AgentHangup }).await;
        true
    }
}
