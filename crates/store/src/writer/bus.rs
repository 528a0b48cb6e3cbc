//! The event bus: every event the writer has made durable, in the order it
//! was acknowledged, for live consumers (the API's live feed).
//!
//! A `tokio::sync::broadcast` channel of bounded capacity
//! ([`super::WriterConfig::bus_capacity`]). The writer never waits on it: a
//! subscriber that falls more than the capacity behind loses the oldest
//! events and is told so by [`BusError::Lagged`] with the count, then reads
//! on from the oldest event still held. A call's events arrive in the order
//! they were written (they share a shard); events of different shards may
//! interleave differently from the write order.
//!
//! Events replayed at start from a journal left by an earlier process are
//! not published: they were acknowledged (and published) back then.

use std::sync::Arc;

use model::event::Event;
use tokio::sync::broadcast;

/// Where subscribers come from. Cheap to clone; holds no sender, so the bus
/// closes once the writer and every [`super::EventSink`] are gone.
#[derive(Clone, Debug)]
pub struct EventBus {
    tx: broadcast::WeakSender<Arc<Event>>,
}

impl EventBus {
    pub(crate) fn new(tx: &broadcast::Sender<Arc<Event>>) -> Self {
        EventBus { tx: tx.downgrade() }
    }

    /// A new subscriber: every event made durable from now on. `None` when
    /// the writer is gone.
    pub fn subscribe(&self) -> Option<EventSubscriber> {
        self.tx.upgrade().map(|tx| EventSubscriber { rx: tx.subscribe() })
    }
}

/// Why [`EventSubscriber::recv`] returned no event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BusError {
    /// The subscriber fell behind and this many events were dropped for it.
    #[error("the subscriber lagged: {0} events dropped")]
    Lagged(u64),
    /// The writer is gone: no event will come.
    #[error("the event writer is gone")]
    Closed,
}

/// One subscriber's view of the bus.
#[derive(Debug)]
pub struct EventSubscriber {
    rx: broadcast::Receiver<Arc<Event>>,
}

impl EventSubscriber {
    /// The next durable event, waiting for one.
    pub async fn recv(&mut self) -> Result<Arc<Event>, BusError> {
        self.rx.recv().await.map_err(|e| match e {
            broadcast::error::RecvError::Lagged(n) => BusError::Lagged(n),
            broadcast::error::RecvError::Closed => BusError::Closed,
        })
    }

    /// The next durable event if one is waiting; `Ok(None)` when none is.
    pub fn try_recv(&mut self) -> Result<Option<Arc<Event>>, BusError> {
        match self.rx.try_recv() {
            Ok(event) => Ok(Some(event)),
            Err(broadcast::error::TryRecvError::Empty) => Ok(None),
            Err(broadcast::error::TryRecvError::Lagged(n)) => Err(BusError::Lagged(n)),
            Err(broadcast::error::TryRecvError::Closed) => Err(BusError::Closed),
        }
    }
}
