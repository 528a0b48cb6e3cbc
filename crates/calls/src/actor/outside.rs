//! Legs to numbers outside the tenant: placed through its trunks in
//! failover order (`TenantConfig::trunks`), for the IVR's transfer exit, a
//! blind transfer to a number and a callback's customer. While one rings,
//! the party waiting hears ringback; a number that does not answer within
//! [`RING_FOR`] is given up.

use std::time::Duration;

use media::offer_answer::Negotiator;
use media::player::Player;
use media::session::{Hearing, LegId as MediaLeg, RtpLegSpec};
use model::{EndCause, EventPayload};
use sip::edge::LegId as SipLeg;
use sip::message::Address;

use super::legs::{Placed, agreed_spec};
use super::{Actor, Stage, Timer};
use crate::error::CallsError;

/// How long a number outside may ring before it is given up.
pub(super) const RING_FOR: Duration = Duration::from_secs(30);

/// A leg to a number outside.
#[derive(Debug)]
pub(crate) struct OutsideLeg {
    pub sip: SipLeg,
    pub media: MediaLeg,
    /// Boxed: it is large, and the leg sits in the actor's enums.
    negotiator: Box<Negotiator>,
}

impl OutsideLeg {
    /// What the answer to our offer agreed, as the leg's spec.
    pub fn agreed(&mut self, answer: Option<&[u8]>) -> Option<RtpLegSpec> {
        agreed_spec(&mut self.negotiator, answer)
    }

    /// The leg's offer/answer state (for the peer's re-INVITEs), given up
    /// when the leg becomes the call's caller leg.
    pub fn into_parts(self) -> (SipLeg, MediaLeg, Negotiator) {
        (self.sip, self.media, *self.negotiator)
    }
}

impl Actor {
    /// Dials `number` through the tenant's trunks, presenting `caller_id`.
    pub(super) async fn dial_out(&mut self, number: &str, caller_id: &str) -> Result<OutsideLeg, CallsError> {
        let Placed { sip, media, negotiator } = self.place_out(number, caller_id).await?;
        Ok(OutsideLeg { sip, media, negotiator: Box::new(negotiator) })
    }

    /// Places a leg to `number` through the tenant's trunks.
    pub(super) async fn place_out(&mut self, number: &str, caller_id: &str) -> Result<Placed, CallsError> {
        let valid = number.strip_prefix('+').unwrap_or(number);
        if valid.is_empty() || !valid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CallsError::BadNumber(number.to_owned()));
        }
        let attempts = self.shared.edge.trunk_attempts(self.tenant.trunks.clone(), number).await?;
        if attempts.is_empty() {
            return Err(CallsError::NoTrunk);
        }
        let to = Address::parse(&format!("<sip:{number}@{}>", self.shared.domain))
            .ok_or_else(|| CallsError::BadNumber(number.to_owned()))?;
        self.place_leg(caller_id, to, attempts, super::legs::Shown::default()).await
    }

    /// Connects the caller to `number` (the IVR's transfer exit, a blind
    /// transfer): the caller hears ringback until it answers. When it
    /// cannot be dialled or does not answer, the call goes back to its
    /// queue, or ends when it had none.
    pub(super) async fn transfer_out(&mut self, number: &str) {
        let caller_id = self.caller_number.clone();
        match self.dial_out(number, &caller_id).await {
            Ok(leg) => {
                let ringback = Player::looping([self.shared.prompts.ringback()]);
                let _ = self.media.play(self.caller_media, ringback).await;
                self.stage = Stage::Outside { leg, answered: false };
                self.set_timer(RING_FOR, Timer::OutsideRing);
            }
            Err(error) => {
                tracing::warn!(%error, number, "the number could not be dialled");
                self.outside_failed().await;
            }
        }
    }

    /// The number answered: the caller is bridged to it.
    pub(super) async fn outside_answered(&mut self, leg: SipLeg, answer: Option<Vec<u8>>) -> bool {
        let Stage::Outside { leg: outside, answered } = &mut self.stage else { return false };
        if outside.sip != leg {
            return false;
        }
        let Some(spec) = outside.agreed(answer.as_deref()) else {
            tracing::warn!("the number's answer has no usable SDP: hung up");
            let _ = self.shared.edge.hangup(leg).await;
            self.outside_failed().await;
            return true;
        };
        *answered = true;
        let outside_media = outside.media;
        self.clear_timer();
        if let Err(error) = self.media.update_rtp_leg(outside_media, spec).await {
            tracing::warn!(%error, "the outside leg could not take the answer");
        }
        let _ = self.media.stop_playing(self.caller_media).await;
        let bridge = Hearing::Bridge { caller: self.caller_media, agent: outside_media };
        if let Err(error) = self.media.set_hearing(bridge).await {
            tracing::warn!(%error, "the caller could not be bridged to the number");
        }
        true
    }

    /// The outside leg ended: before its answer the transfer failed; after
    /// it, the call is over.
    pub(super) async fn outside_ended(&mut self, leg: SipLeg) -> bool {
        let Stage::Outside { leg: outside, answered } = &self.stage else { return false };
        if outside.sip != leg {
            return false;
        }
        if *answered {
            let Stage::Outside { leg: outside, .. } = std::mem::replace(&mut self.stage, Stage::Ended) else {
                return true;
            };
            self.drop_outside_leg(&outside).await;
            let _ = self.shared.edge.hangup(self.caller_leg).await;
            self.events.emit(EventPayload::CallEnded { cause: EndCause::TransferredOut }).await;
        } else {
            self.outside_failed().await;
        }
        true
    }

    /// The number did not answer in time.
    pub(super) async fn outside_ring_timeout(&mut self) {
        if let Stage::Outside { leg, answered: false } = &self.stage {
            let _ = self.shared.edge.hangup(leg.sip).await;
            self.outside_failed().await;
        }
    }

    /// The transfer to a number failed: back to the queue, or the end.
    async fn outside_failed(&mut self) {
        self.clear_timer();
        if let Stage::Outside { leg, .. } = std::mem::replace(&mut self.stage, Stage::Ended) {
            self.drop_outside_leg(&leg).await;
        }
        let _ = self.media.stop_playing(self.caller_media).await;
        match self.queue {
            Some(queue) => self.enqueue(queue).await,
            None => {
                let _ = self.shared.edge.hangup(self.caller_leg).await;
                self.events.emit(EventPayload::CallEnded { cause: EndCause::Failed }).await;
            }
        }
    }

    /// Removes an outside leg's media leg and stops following its SIP leg.
    pub(super) async fn drop_outside_leg(&mut self, leg: &OutsideLeg) {
        let _ = self.media.remove_leg(leg.media).await;
        self.shared.legs.forget(leg.sip);
    }
}
