//! The event writer's settings.

use std::path::PathBuf;
use std::time::Duration;

/// How the event writer behaves. Build with [`WriterConfig::new`] and adjust
/// the public fields.
#[derive(Clone, Debug)]
pub struct WriterConfig {
    /// Directory of the local journal.
    pub journal_dir: PathBuf,
    /// Requests the channel to the writer task holds; when it is full,
    /// writers wait (or get `Overloaded` when the journal is full too).
    pub channel_capacity: usize,
    /// Most events in one INSERT.
    pub batch_max: usize,
    /// Batches inserted concurrently, each on its own connection; events are
    /// sharded by call (or agent) so that a call's events keep their order.
    /// The pool needs at least this many connections.
    pub shards: usize,
    /// The journal's size limit in bytes; at the limit, writes are refused.
    pub journal_max_bytes: u64,
    /// Size at which a journal segment is sealed and a new one started.
    pub journal_segment_bytes: u64,
    /// Wait between attempts to reach PostgreSQL again while journalling.
    pub retry_interval: Duration,
    /// Longest wait for one database operation before PostgreSQL is deemed
    /// unreachable.
    pub db_timeout: Duration,
    /// Events the event bus holds for live subscribers; one that falls
    /// further behind loses the oldest and is told how many.
    pub bus_capacity: usize,
}

impl WriterConfig {
    /// Production defaults with the journal in `journal_dir`.
    pub fn new(journal_dir: impl Into<PathBuf>) -> Self {
        WriterConfig {
            journal_dir: journal_dir.into(),
            channel_capacity: 16_384,
            batch_max: 2_000,
            shards: 4,
            journal_max_bytes: 1 << 30,
            journal_segment_bytes: 16 << 20,
            retry_interval: Duration::from_secs(1),
            db_timeout: Duration::from_secs(5),
            bus_capacity: 4_096,
        }
    }

    /// Events the writer task buffers before it stops taking requests.
    pub(crate) fn pending_limit(&self) -> usize {
        self.batch_max.max(1) * self.shards.max(1) * 2
    }
}
