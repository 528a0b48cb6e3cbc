//! Writing a call's domain events: the call's id, its sequence (one more
//! per event), the time, through the durable event writer.

use chrono::Utc;
use model::{CallId, Event, EventPayload, TenantId};
use store::writer::EventSink;

/// The event stream of one call.
#[derive(Debug)]
pub struct CallEvents {
    tenant: TenantId,
    call: CallId,
    seq: u64,
    sink: EventSink,
    /// Events the writer refused (overloaded, closed), for the call's log.
    failed: u64,
}

impl CallEvents {
    /// The stream of `call`, starting at sequence 1.
    #[must_use]
    pub fn new(tenant: TenantId, call: CallId, sink: EventSink) -> CallEvents {
        CallEvents { tenant, call, seq: 0, sink, failed: 0 }
    }

    /// Writes one event of the call; returns once it is durable. A refusal
    /// is logged and counted: the call goes on.
    pub async fn emit(&mut self, payload: EventPayload) {
        self.seq += 1;
        let event = Event::call(self.tenant, self.call, self.seq, Utc::now(), payload);
        if let Err(error) = self.sink.write(event).await {
            self.failed += 1;
            tracing::error!(%error, seq = self.seq, "call event not written");
        }
    }

    /// How many events were refused.
    #[must_use]
    pub fn failed(&self) -> u64 {
        self.failed
    }
}

/// The position of an agent event in its stream: microseconds since the
/// epoch, so it keeps growing across restarts.
#[must_use]
pub fn agent_seq() -> u64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// Writes one agent event (log-in, state change) outside any call.
pub async fn emit_agent(sink: &EventSink, tenant: TenantId, payload: EventPayload) {
    let event = Event::agent(tenant, agent_seq(), Utc::now(), payload);
    if let Err(error) = sink.write(event).await {
        tracing::error!(%error, "agent event not written");
    }
}
