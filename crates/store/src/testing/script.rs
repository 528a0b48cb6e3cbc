//! A call's domain events written out by hand, for tests that put a small
//! history through the event writer: each event at a number of
//! milliseconds after an origin, numbered in order.

use chrono::{DateTime, TimeDelta, Utc};
use model::{
    AgentId, CallDirection, CallId, ContactId, Event, EventPayload, LegId, OfferReason, QueueId, RoutingStrategy,
    TenantId, VipTier,
};

/// One call's events, in the order written.
#[derive(Clone, Debug)]
pub struct CallScript {
    /// The call's tenant.
    pub tenant: TenantId,
    /// The call.
    pub call: CallId,
    /// Its events so far.
    pub events: Vec<Event>,
    origin: DateTime<Utc>,
}

impl CallScript {
    /// An inbound call from `+441632960001` arriving `ms` after `origin`.
    pub fn arrive(tenant: TenantId, origin: DateTime<Utc>, ms: i64) -> CallScript {
        CallScript::arrive_from(tenant, origin, ms, "+441632960001")
    }

    /// An inbound call from `from` arriving `ms` after `origin`.
    pub fn arrive_from(tenant: TenantId, origin: DateTime<Utc>, ms: i64, from: &str) -> CallScript {
        let call = CallScript { tenant, call: CallId::new(), events: vec![], origin };
        call.at(
            ms,
            EventPayload::CallArrived {
                from: from.into(),
                to: "+441632960999".into(),
                number_id: None,
                trunk_id: None,
                contact_id: None,
                vip_tier: VipTier(0),
                outside_business_hours: false,
                direction: CallDirection::Inbound,
            },
        )
    }

    /// The caller's VIP tier, as the arrival carries it.
    pub fn vip_tier(mut self, tier: u8) -> CallScript {
        if let Some(EventPayload::CallArrived { vip_tier, .. }) = self.events.first_mut().map(|e| &mut e.payload) {
            *vip_tier = VipTier(tier);
        }
        self
    }

    /// The caller's contact, as the arrival carries it.
    pub fn contact(mut self, contact: ContactId) -> CallScript {
        if let Some(EventPayload::CallArrived { contact_id, .. }) = self.events.first_mut().map(|e| &mut e.payload) {
            *contact_id = Some(contact);
        }
        self
    }

    /// The instant `ms` after the origin.
    pub fn time(&self, ms: i64) -> DateTime<Utc> {
        self.origin + TimeDelta::milliseconds(ms)
    }

    /// Adds `payload` at `ms` after the origin.
    pub fn at(mut self, ms: i64, payload: EventPayload) -> CallScript {
        let seq = self.events.len() as u64;
        let at = self.time(ms);
        self.events.push(Event::call(self.tenant, self.call, seq, at, payload));
        self
    }

    /// The ACD offers the call to `agent_id` at `ms`, whose phone rings
    /// 100 ms later.
    pub fn offered(self, ms: i64, queue_id: QueueId, agent_id: AgentId) -> CallScript {
        let reason =
            OfferReason { strategy: RoutingStrategy::LongestIdle, step: 0, skills: vec![], detail: "t".into() };
        self.at(ms, EventPayload::OfferedToAgent { queue_id, agent_id, reason })
            .at(ms + 100, EventPayload::AgentRinging { agent_id, leg_id: LegId::new() })
    }

    /// `agent_id` answers at `ms` and is bridged at once.
    pub fn answered(self, ms: i64, agent_id: AgentId) -> CallScript {
        self.at(ms, EventPayload::AgentAnswered { agent_id, leg_id: LegId::new() })
            .at(ms, EventPayload::Bridged { agent_id })
    }

    /// An event of this call numbered after the ones so far plus `n`, at
    /// `ms`, to be written later on its own (a late disposition, say).
    pub fn later(&self, n: u64, ms: i64, payload: EventPayload) -> Event {
        Event::call(self.tenant, self.call, self.events.len() as u64 + n, self.time(ms), payload)
    }
}
