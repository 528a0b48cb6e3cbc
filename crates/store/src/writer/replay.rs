//! Replaying one sealed journal segment into PostgreSQL, in order.
//!
//! Batches are inserted one after the other on one connection, so a call's
//! events arrive in the order they were journalled. Replaying a segment
//! twice (a crash after the inserts, before the delete) is harmless: stored
//! events are skipped.

use std::path::PathBuf;
use std::time::Duration;

use model::event::Event;
use sqlx::PgPool;
use tracing::Instrument;

use super::batch_insert::{Columns, InsertError};
use super::journal::segment;

/// How a replay ended.
#[derive(Debug)]
pub(crate) enum ReplayOutcome {
    /// Every event is in PostgreSQL; the segment can go. Carries the number
    /// of events replayed.
    Done(u64),
    /// PostgreSQL failed in the middle; try again later.
    Unreachable(String),
    /// The segment could not be read.
    Io(std::io::Error),
}

/// Replays segment `path`, `batch_max` events per statement.
pub(crate) async fn replay_segment(
    pool: PgPool,
    path: PathBuf,
    batch_max: usize,
    db_timeout: Duration,
) -> ReplayOutcome {
    let span = tracing::info_span!("journal_replay", segment = %path.display());
    async move {
        let contents = match segment::read(&path) {
            Ok(c) => c,
            Err(e) => return ReplayOutcome::Io(e),
        };
        let events: Vec<Event> = contents.batches.into_iter().flatten().collect();
        let total = events.len() as u64;
        for chunk in events.chunks(batch_max.max(1)) {
            let mut columns = Columns::with_capacity(chunk.len());
            for event in chunk {
                if let Err(e) = columns.push(event) {
                    // It was acknowledged but can never be stored: say so loudly.
                    tracing::error!(error = %e, "dropping a journalled event the database cannot store");
                }
            }
            match tokio::time::timeout(db_timeout, columns.insert(&pool)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => match InsertError::from(e) {
                    InsertError::Unreachable(msg) => return ReplayOutcome::Unreachable(msg),
                    other => {
                        // A refusal that is not about reachability cannot be
                        // retried into success, but the events were acknowledged:
                        // keep the segment and retry, visible in the logs.
                        tracing::error!(error = %other, "database refused a journalled batch; will retry");
                        return ReplayOutcome::Unreachable(other.to_string());
                    }
                },
                Err(_) => return ReplayOutcome::Unreachable("timed out".into()),
            }
        }
        tracing::info!(events = total, "journal segment replayed");
        ReplayOutcome::Done(total)
    }
    .instrument(span)
    .await
}
