//! The durable event writer.
//!
//! Producers hold an [`EventSink`]; [`EventSink::write`] returns once the
//! event is durable: committed to PostgreSQL, or fsync'd to the local
//! [`journal`] when PostgreSQL is unreachable. One writer task batches
//! events into multi-row inserts (`UNNEST`, `ON CONFLICT DO NOTHING`), with
//! one batch in flight per shard; shards split events by call so that a
//! call's events are stored in order. When the database returns, the journal
//! is replayed oldest first, before any new event goes straight to the
//! database. A batch that ends a call or changes an agent's state also
//! updates the CDR (`calls`) and the agent state intervals in the same
//! transaction (`projection`). Every event made durable is then published
//! on the [`EventBus`] ([`EventSink::bus`]) for live consumers.
//!
//! ```no_run
//! # async fn demo(pool: sqlx::PgPool, event: model::Event) -> Result<(), store::writer::WriteError> {
//! use store::writer::{self, WriterConfig};
//!
//! let (sink, handle) = writer::start(pool, WriterConfig::new("/var/lib/switchboard/journal"))?;
//! sink.write(event).await?; // durable from here on
//! handle.shutdown().await; // flushes what is left
//! # Ok(()) }
//! ```
//!
//! The pool needs at least [`WriterConfig::shards`] connections (plus one
//! for replay); `test_before_acquire(false)` saves a round trip per batch.

pub mod batch_insert;
mod bus;
mod config;
mod error;
pub mod journal;
mod projection;
mod replay;
mod sink;
mod task;

use std::sync::Arc;

use model::event::Event;
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

pub use bus::{BusError, EventBus, EventSubscriber};
pub use config::WriterConfig;
pub use error::WriteError;
pub use sink::EventSink;

use journal::Journal;
use sink::Shared;
use task::Task;

/// Controls the writer task's life.
#[derive(Debug)]
pub struct WriterHandle {
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl WriterHandle {
    /// Stops taking events, writes every pending one (to PostgreSQL, or the
    /// journal), tries once to replay the journal, and waits for the task.
    /// Dropping the handle shuts the writer down the same way, unawaited.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "event writer task failed");
        }
    }
}

/// Opens the journal in `config.journal_dir` and starts the writer task on
/// the current tokio runtime. A non-empty journal is replayed before any new
/// event is written.
pub fn start(pool: PgPool, config: WriterConfig) -> Result<(EventSink, WriterHandle), WriteError> {
    let journal = Journal::open(&config.journal_dir, config.journal_max_bytes, config.journal_segment_bytes)?;
    let shared = Arc::new(Shared::new(config.journal_max_bytes, config.bus_capacity));
    let (tx, rx) = mpsc::channel(config.channel_capacity.max(1));
    let (full_tx, full_rx) = watch::channel(false);
    let (shutdown_tx, shutdown_rx) = oneshot::channel();
    let span = tracing::info_span!("event_writer", journal = %config.journal_dir.display());
    let task =
        Task { rx, pool, config, journal, shared: Arc::clone(&shared), journal_full: full_tx, shutdown: shutdown_rx };
    let task = tokio::spawn(task.run().instrument(span));
    Ok((EventSink::new(tx, full_rx, shared), WriterHandle { shutdown: shutdown_tx, task }))
}

/// The shard of `event` among `shards`: by call, else by agent, else by
/// tenant, so that each stream keeps its order.
pub fn shard_of(event: &Event, shards: usize) -> usize {
    let key = event
        .call_id
        .map(|c| c.as_uuid())
        .or_else(|| event.agent_id().map(|a| a.as_uuid()))
        .unwrap_or_else(|| event.tenant_id.as_uuid())
        .as_u128();
    let mixed = (key as u64) ^ ((key >> 64) as u64);
    (mixed % shards.max(1) as u64) as usize
}
