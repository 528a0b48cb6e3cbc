//! The producers' side: [`EventSink`] hands events to the writer task and
//! waits until they are durable.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use model::event::Event;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::{EventBus, WriteError};
use crate::WriterStatus;

/// One event on its way, with the acknowledgement of the request it came in.
#[derive(Debug)]
pub(crate) struct Item {
    pub(crate) event: Event,
    pub(crate) ack: Arc<Ack>,
}

/// The acknowledgement of one request. Every event must be confirmed
/// explicitly; when the last reference goes, the producer learns `Ok` only
/// if all were, the first error otherwise, and `Closed` if some event was
/// dropped unconfirmed (so a crash of the writer task is never an `Ok`).
#[derive(Debug)]
pub(crate) struct Ack {
    tx: Option<oneshot::Sender<Result<(), WriteError>>>,
    unconfirmed: AtomicUsize,
    error: Mutex<Option<WriteError>>,
}

impl Item {
    /// Confirms the event as durable and publishes it on the bus.
    pub(crate) fn confirm(self, bus: &broadcast::Sender<Arc<Event>>) {
        self.ack.confirm();
        // No subscriber is not an error; the bus never blocks.
        let _ = bus.send(Arc::new(self.event));
    }
}

impl Ack {
    /// Confirms one event as durable.
    pub(crate) fn confirm(&self) {
        self.unconfirmed.fetch_sub(1, Ordering::AcqRel);
    }

    /// Records a failure; the first one is reported.
    pub(crate) fn fail(&self, error: WriteError) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(error);
        }
    }
}

impl Drop for Ack {
    fn drop(&mut self) {
        let error = self.error.get_mut().ok().and_then(|e| e.take());
        let result = match error {
            Some(e) => Err(e),
            None if *self.unconfirmed.get_mut() == 0 => Ok(()),
            None => Err(WriteError::Closed),
        };
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(result);
        }
    }
}

/// Counters shared by the sinks and the writer task.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) database_reachable: AtomicBool,
    pub(crate) journal_events: AtomicU64,
    pub(crate) journal_bytes: AtomicU64,
    pub(crate) journal_limit_bytes: u64,
    pub(crate) acknowledged_total: AtomicU64,
    pub(crate) written_total: AtomicU64,
    pub(crate) journaled_total: AtomicU64,
    pub(crate) refused_total: AtomicU64,
    /// Where durable events are published.
    pub(crate) bus: broadcast::Sender<Arc<Event>>,
}

impl Shared {
    pub(crate) fn new(journal_limit_bytes: u64, bus_capacity: usize) -> Self {
        Shared {
            bus: broadcast::Sender::new(bus_capacity.max(1)),
            database_reachable: AtomicBool::new(true),
            journal_events: AtomicU64::new(0),
            journal_bytes: AtomicU64::new(0),
            journal_limit_bytes,
            acknowledged_total: AtomicU64::new(0),
            written_total: AtomicU64::new(0),
            journaled_total: AtomicU64::new(0),
            refused_total: AtomicU64::new(0),
        }
    }

    fn snapshot(&self) -> WriterStatus {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        WriterStatus {
            database_reachable: self.database_reachable.load(Ordering::Relaxed),
            journal_events: get(&self.journal_events),
            journal_bytes: get(&self.journal_bytes),
            journal_limit_bytes: self.journal_limit_bytes,
            acknowledged_total: get(&self.acknowledged_total),
            written_total: get(&self.written_total),
            journaled_total: get(&self.journaled_total),
            refused_total: get(&self.refused_total),
        }
    }
}

/// Where producers write events. Cheap to clone; every clone feeds the same
/// writer task.
///
/// Overload policy: when the channel is full the producer waits, unless the
/// journal is full too, in which case the write fails at once with
/// [`WriteError::Overloaded`]. Memory never grows beyond the channel and the
/// writer's batches.
#[derive(Clone, Debug)]
pub struct EventSink {
    tx: mpsc::Sender<Vec<Item>>,
    journal_full: watch::Receiver<bool>,
    shared: Arc<Shared>,
}

impl EventSink {
    pub(crate) fn new(tx: mpsc::Sender<Vec<Item>>, journal_full: watch::Receiver<bool>, shared: Arc<Shared>) -> Self {
        EventSink { tx, journal_full, shared }
    }

    /// Writes one event; returns once it is durable (committed to
    /// PostgreSQL, or fsync'd to the journal).
    pub async fn write(&self, event: Event) -> Result<(), WriteError> {
        self.write_batch(vec![event]).await
    }

    /// Writes `events`; returns once all are durable. On error some of them
    /// may be stored: writing them again is harmless (they are stored once).
    pub async fn write_batch(&self, events: Vec<Event>) -> Result<(), WriteError> {
        let n = events.len() as u64;
        if n == 0 {
            return Ok(());
        }
        let (tx, rx) = oneshot::channel();
        let ack = Arc::new(Ack { tx: Some(tx), unconfirmed: AtomicUsize::new(events.len()), error: Mutex::new(None) });
        let items: Vec<Item> = events.into_iter().map(|event| Item { event, ack: Arc::clone(&ack) }).collect();
        drop(ack);
        if let Err(e) = self.send(items).await {
            if matches!(e, WriteError::Overloaded) {
                self.shared.refused_total.fetch_add(n, Ordering::Relaxed);
            }
            return Err(e);
        }
        let result = rx.await.unwrap_or(Err(WriteError::Closed));
        match &result {
            Ok(()) => self.shared.acknowledged_total.fetch_add(n, Ordering::Relaxed),
            Err(WriteError::Overloaded) => self.shared.refused_total.fetch_add(n, Ordering::Relaxed),
            Err(_) => 0,
        };
        result
    }

    /// Sends a request, waiting for room unless the journal is full.
    async fn send(&self, items: Vec<Item>) -> Result<(), WriteError> {
        let permit = loop {
            match self.tx.try_reserve() {
                Ok(permit) => break permit,
                Err(TrySendError::Closed(())) => return Err(WriteError::Closed),
                Err(TrySendError::Full(())) => {
                    let mut full = self.journal_full.clone();
                    if *full.borrow_and_update() {
                        return Err(WriteError::Overloaded);
                    }
                    tokio::select! {
                        permit = self.tx.reserve() => break permit.map_err(|_| WriteError::Closed)?,
                        changed = full.changed() => {
                            if changed.is_err() {
                                return Err(WriteError::Closed);
                            }
                        }
                    }
                }
            }
        };
        permit.send(items);
        Ok(())
    }

    /// The bus of durable events, for live subscribers.
    pub fn bus(&self) -> EventBus {
        EventBus::new(&self.shared.bus)
    }

    /// A snapshot of the writer's state.
    pub fn status(&self) -> WriterStatus {
        self.shared.snapshot()
    }
}
