//! The event writer's errors.

use std::io;
use std::sync::Arc;

/// Why an event was not acknowledged.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The writer's channel and its journal are both full: back off and retry.
    #[error("event writer overloaded: channel and journal are full")]
    Overloaded,
    /// The writer has shut down.
    #[error("event writer closed")]
    Closed,
    /// The journal could not be opened, written or synced.
    #[error("event journal: {0}")]
    Journal(#[source] Arc<io::Error>),
    /// PostgreSQL refused the events for a reason retrying will not cure.
    #[error("events rejected by the database: {0}")]
    Rejected(String),
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Journal(Arc::new(e))
    }
}
