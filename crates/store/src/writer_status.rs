//! What the event writer reports about itself, for `/readyz` and `/metrics`.

use serde::Serialize;

/// A snapshot of the event writer's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WriterStatus {
    /// Whether the last attempt to write to PostgreSQL succeeded.
    pub database_reachable: bool,
    /// Events held in the local journal, waiting for PostgreSQL.
    pub journal_events: u64,
    /// Bytes the journal occupies on disk.
    pub journal_bytes: u64,
    /// The journal's size limit; at the limit, writes are refused.
    pub journal_limit_bytes: u64,
    /// Events acknowledged since start (written or journalled).
    pub acknowledged_total: u64,
    /// Events written to PostgreSQL since start (including replays).
    pub written_total: u64,
    /// Events that went to the journal since start.
    pub journaled_total: u64,
    /// Writes refused because the channel and the journal were full.
    pub refused_total: u64,
}
