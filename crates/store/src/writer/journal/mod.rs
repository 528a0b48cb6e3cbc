//! The local journal: where acknowledged events wait while PostgreSQL is
//! unreachable.
//!
//! An append-only sequence of segment files in one directory. Each append is
//! one checksummed record ([`record`]) holding a batch, fsync'd before the
//! batch is acknowledged. Full segments are sealed; replay reads sealed
//! segments oldest first and deletes each once its events are in
//! PostgreSQL. Opening repairs torn tails (a crash in the middle of an
//! append) by truncating them. The total size is capped: at the cap,
//! [`Journal::append`] refuses with [`JournalError::Full`].

pub mod record;
pub mod segment;

use std::collections::VecDeque;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use model::event::Event;

use segment::Appender;

/// Why an append failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The record would take the journal beyond its size limit.
    #[error("journal full: {needed} more bytes needed, limit {limit}")]
    Full {
        /// Bytes the record needs.
        needed: u64,
        /// The journal's limit.
        limit: u64,
    },
    /// Writing or syncing failed.
    #[error("journal I/O: {0}")]
    Io(#[from] io::Error),
    /// The events could not be serialised.
    #[error("journal encoding: {0}")]
    Encode(#[from] serde_json::Error),
}

/// A sealed segment waiting for replay.
#[derive(Clone, Debug)]
pub struct Sealed {
    /// Its number (segments replay in number order).
    pub number: u64,
    /// Its path.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Events it holds.
    pub events: u64,
}

/// The journal directory, open for appending.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    max_bytes: u64,
    segment_bytes: u64,
    sealed: VecDeque<Sealed>,
    active: Appender,
    active_events: u64,
}

impl Journal {
    /// Opens the journal in `dir` (created if missing): existing segments
    /// are repaired and become sealed, waiting for replay; appends go to a
    /// new segment.
    pub fn open(dir: &Path, max_bytes: u64, segment_bytes: u64) -> io::Result<Journal> {
        fs::create_dir_all(dir)?;
        let mut sealed = VecDeque::new();
        let mut last = 0;
        for number in segment::list(dir)? {
            let path = dir.join(segment::file_name(number));
            let contents = segment::read_and_repair(&path)?;
            last = number;
            if contents.valid_len == 0 {
                fs::remove_file(&path)?;
                continue;
            }
            sealed.push_back(Sealed { number, path, bytes: contents.valid_len, events: contents.events() });
        }
        let active = Appender::open(dir, last + 1, 0)?;
        Ok(Journal { dir: dir.to_owned(), max_bytes, segment_bytes, sealed, active, active_events: 0 })
    }

    /// Appends `events` as one record and fsyncs it; once this returns `Ok`
    /// the events survive a crash.
    pub fn append<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>) -> Result<(), JournalError> {
        let events: Vec<&Event> = events.into_iter().collect();
        let bytes = record::encode(events.iter().copied())?;
        let needed = bytes.len() as u64;
        if self.bytes() + needed > self.max_bytes {
            return Err(JournalError::Full { needed, limit: self.max_bytes });
        }
        if !self.active.is_empty() && self.active.len() + needed > self.segment_bytes {
            self.seal()?;
        }
        self.active.append(&bytes)?;
        self.active_events += events.len() as u64;
        Ok(())
    }

    /// Seals the active segment when it holds records, so replay can take
    /// it; later appends go to a new segment.
    pub fn seal(&mut self) -> io::Result<()> {
        if self.active.is_empty() {
            return Ok(());
        }
        let next = Appender::open(&self.dir, self.active.number() + 1, 0)?;
        let done = std::mem::replace(&mut self.active, next);
        self.sealed.push_back(Sealed {
            number: done.number(),
            path: done.path().to_owned(),
            bytes: done.len(),
            events: self.active_events,
        });
        self.active_events = 0;
        Ok(())
    }

    /// The oldest sealed segment, next to replay.
    pub fn oldest_sealed(&self) -> Option<&Sealed> {
        self.sealed.front()
    }

    /// Deletes the oldest sealed segment once its events are in PostgreSQL.
    pub fn remove_oldest(&mut self) -> io::Result<()> {
        if let Some(oldest) = self.sealed.pop_front() {
            fs::remove_file(&oldest.path)?;
        }
        Ok(())
    }

    /// Whether the journal holds no event.
    pub fn is_empty(&self) -> bool {
        self.sealed.is_empty() && self.active.is_empty()
    }

    /// Bytes the journal occupies.
    pub fn bytes(&self) -> u64 {
        self.sealed.iter().map(|s| s.bytes).sum::<u64>() + self.active.len()
    }

    /// Events the journal holds.
    pub fn events(&self) -> u64 {
        self.sealed.iter().map(|s| s.events).sum::<u64>() + self.active_events
    }

    /// The size limit.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
