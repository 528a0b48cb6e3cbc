//! The writer task: takes requests off the channel, inserts them in batches
//! (one batch in flight per shard), and journals them while PostgreSQL is
//! away.
//!
//! Ordering: events are sharded by call (or agent), a shard has at most one
//! batch in flight, and once anything has gone to the journal every new
//! event goes there too until the journal is replayed and empty. A shard's
//! events wait for its batch in flight before they are journalled, so a
//! call's events reach the table in the order they were written.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{Id, JoinSet};
use tokio::time::Instant;
use tracing::Instrument;

use super::batch_insert::{Columns, InsertError};
use super::config::WriterConfig;
use super::journal::{Journal, JournalError};
use super::replay::{ReplayOutcome, replay_segment};
use super::sink::{Item, Shared};
use super::{WriteError, shard_of};

/// Where new events go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Straight to PostgreSQL.
    Online,
    /// To the journal, until it has been replayed.
    Spilling,
}

/// What an insert task hands back.
struct InsertDone {
    shard: usize,
    items: Vec<Item>,
    result: Result<(), InsertError>,
}

/// The writer task's state.
pub(crate) struct Task {
    pub(crate) rx: mpsc::Receiver<Vec<Item>>,
    pub(crate) pool: PgPool,
    pub(crate) config: WriterConfig,
    pub(crate) journal: Journal,
    pub(crate) shared: Arc<Shared>,
    pub(crate) journal_full: watch::Sender<bool>,
    pub(crate) shutdown: oneshot::Receiver<()>,
}

struct Run {
    mode: Mode,
    pending: Vec<Vec<Item>>,
    pending_total: usize,
    busy: Vec<bool>,
    inserts: JoinSet<InsertDone>,
    insert_shards: HashMap<Id, usize>,
    replay: JoinSet<ReplayOutcome>,
    next_retry: Instant,
    closing: bool,
    input_done: bool,
    /// Replaying the last segment: new requests wait in the channel so that
    /// the journal empties and the writer goes back online even under load.
    final_replay: bool,
}

impl Task {
    /// Runs until shut down (or every sink is gone), then flushes.
    pub(crate) async fn run(mut self) {
        let shards = self.config.shards.max(1);
        let mut run = Run {
            mode: if self.journal.is_empty() { Mode::Online } else { Mode::Spilling },
            pending: (0..shards).map(|_| Vec::new()).collect(),
            pending_total: 0,
            busy: vec![false; shards],
            inserts: JoinSet::new(),
            insert_shards: HashMap::new(),
            replay: JoinSet::new(),
            next_retry: Instant::now(),
            closing: false,
            input_done: false,
            final_replay: false,
        };
        if run.mode == Mode::Spilling {
            tracing::info!(events = self.journal.events(), "journal not empty at start: replaying it first");
        }
        self.publish_journal();
        let limit = self.config.pending_limit();
        loop {
            self.dispatch(&mut run);
            let idle = run.input_done && run.pending_total == 0 && run.inserts.is_empty() && run.replay.is_empty();
            // Closing with a journal left: one last replay attempt first (below).
            if idle && (run.mode == Mode::Online || !run.closing) {
                break;
            }
            let retry_due = run.mode == Mode::Spilling && run.replay.is_empty() && run.inserts.is_empty();
            tokio::select! {
                biased;
                Some(done) = run.inserts.join_next_with_id(), if !run.inserts.is_empty() => {
                    self.on_insert_done(&mut run, done);
                }
                Some(done) = run.replay.join_next(), if !run.replay.is_empty() => {
                    let outcome = done.unwrap_or_else(|e| ReplayOutcome::Unreachable(e.to_string()));
                    if !self.on_replay_done(&mut run, outcome) && run.closing && run.input_done {
                        tracing::warn!(events = self.journal.events(), "shutting down with events left in the journal");
                        break;
                    }
                }
                request = self.rx.recv(), if !run.input_done && !run.final_replay && run.pending_total < limit => match request {
                    Some(items) => {
                        self.accept(&mut run, items);
                        while run.pending_total < limit {
                            match self.rx.try_recv() {
                                Ok(items) => self.accept(&mut run, items),
                                Err(_) => break,
                            }
                        }
                    }
                    None => run.input_done = true,
                },
                _ = tokio::time::sleep_until(run.next_retry), if retry_due => self.start_replay(&mut run),
                _ = &mut self.shutdown, if !run.closing => {
                    run.closing = true;
                    run.next_retry = Instant::now();
                    self.rx.close();
                }
                // Not reached: some branch is always enabled while work is
                // left; stop rather than spin if that ever changes.
                else => break,
            }
        }
    }

    /// Queues a request's events on their shards.
    fn accept(&self, run: &mut Run, items: Vec<Item>) {
        run.pending_total += items.len();
        let shards = run.pending.len();
        for item in items {
            run.pending[shard_of(&item.event, shards)].push(item);
        }
    }

    /// Sends pending events to idle shards (online) or to the journal.
    fn dispatch(&mut self, run: &mut Run) {
        match run.mode {
            Mode::Online => {
                for shard in 0..run.pending.len() {
                    if run.busy[shard] || run.pending[shard].is_empty() {
                        continue;
                    }
                    let take = run.pending[shard].len().min(self.config.batch_max.max(1));
                    let items: Vec<Item> = run.pending[shard].drain(..take).collect();
                    run.pending_total -= items.len();
                    run.busy[shard] = true;
                    let pool = self.pool.clone();
                    let timeout = self.config.db_timeout;
                    let handle = run.inserts.spawn(insert_batch(pool, shard, items, timeout));
                    run.insert_shards.insert(handle.id(), shard);
                }
            }
            Mode::Spilling => {
                let mut items = Vec::new();
                for shard in 0..run.pending.len() {
                    if !run.busy[shard] {
                        items.append(&mut run.pending[shard]);
                    }
                }
                if !items.is_empty() {
                    run.pending_total -= items.len();
                    self.journal_items(items);
                }
            }
        }
    }

    /// Appends `items` to the journal as one record and acknowledges them.
    fn journal_items(&mut self, items: Vec<Item>) {
        let n = items.len() as u64;
        match self.journal.append(items.iter().map(|i| &i.event)) {
            Ok(()) => {
                // The figures first: a producer woken by its acknowledgement
                // reads them at once.
                self.shared.journaled_total.fetch_add(n, Ordering::Relaxed);
                self.shared.journal_events.store(self.journal.events(), Ordering::Relaxed);
                for item in items {
                    item.confirm(&self.shared.bus);
                }
            }
            Err(JournalError::Full { needed, limit }) => {
                tracing::warn!(events = n, needed, limit, "journal full: refusing events");
                self.journal_full.send_replace(true);
                for item in &items {
                    item.ack.fail(WriteError::Overloaded);
                }
            }
            Err(JournalError::Io(e)) => {
                tracing::error!(error = %e, events = n, "journal write failed");
                let e = WriteError::from(e);
                for item in &items {
                    item.ack.fail(e.clone());
                }
            }
            Err(JournalError::Encode(e)) => {
                for item in &items {
                    item.ack.fail(WriteError::Rejected(e.to_string()));
                }
            }
        }
        self.publish_journal();
    }

    fn on_insert_done(&mut self, run: &mut Run, done: Result<(Id, InsertDone), tokio::task::JoinError>) {
        let done = match done {
            Ok((id, done)) => {
                run.insert_shards.remove(&id);
                done
            }
            Err(e) => {
                // The task panicked: its events were dropped unconfirmed, so
                // their producers got `Closed`. Free the shard.
                tracing::error!(error = %e, "insert task failed");
                if let Some(shard) = run.insert_shards.remove(&e.id()) {
                    run.busy[shard] = false;
                }
                return;
            }
        };
        run.busy[done.shard] = false;
        match done.result {
            Ok(()) => {
                self.shared.database_reachable.store(true, Ordering::Relaxed);
                self.shared.written_total.fetch_add(done.items.len() as u64, Ordering::Relaxed);
                for item in done.items {
                    item.confirm(&self.shared.bus);
                }
            }
            Err(InsertError::Rejected(msg)) => {
                tracing::error!(error = %msg, events = done.items.len(), "database rejected a batch");
                for item in &done.items {
                    item.ack.fail(WriteError::Rejected(msg.clone()));
                }
            }
            Err(InsertError::Unreachable(msg)) => {
                if run.mode == Mode::Online {
                    tracing::warn!(error = %msg, "database unreachable: journalling events");
                    run.mode = Mode::Spilling;
                    run.next_retry = Instant::now() + self.config.retry_interval;
                }
                self.shared.database_reachable.store(false, Ordering::Relaxed);
                // The failed batch goes to the journal before the shard's
                // later events.
                let mut items = done.items;
                run.pending_total += items.len();
                items.append(&mut run.pending[done.shard]);
                run.pending[done.shard] = items;
            }
        }
    }

    /// Starts replaying the oldest journal segment, or goes back online when
    /// the journal is empty.
    fn start_replay(&mut self, run: &mut Run) {
        if self.journal.oldest_sealed().is_none() {
            if let Err(e) = self.journal.seal() {
                tracing::error!(error = %e, "cannot seal the journal segment");
                run.next_retry = Instant::now() + self.config.retry_interval;
                return;
            }
            // Pause intake for the last segment only once the database has
            // answered, so an outage does not stall producers.
            run.final_replay = self.shared.database_reachable.load(Ordering::Relaxed);
        }
        match self.journal.oldest_sealed() {
            Some(segment) => {
                let job = replay_segment(
                    self.pool.clone(),
                    segment.path.clone(),
                    self.config.batch_max,
                    self.config.db_timeout,
                );
                run.replay.spawn(job);
            }
            None => {
                tracing::info!("journal empty: writing to the database again");
                run.mode = Mode::Online;
            }
        }
    }

    /// Handles the end of a replay; returns whether it succeeded.
    fn on_replay_done(&mut self, run: &mut Run, outcome: ReplayOutcome) -> bool {
        run.final_replay = false;
        let ok = match outcome {
            ReplayOutcome::Done(events) => {
                self.shared.database_reachable.store(true, Ordering::Relaxed);
                self.shared.written_total.fetch_add(events, Ordering::Relaxed);
                match self.journal.remove_oldest() {
                    Ok(()) => {
                        self.journal_full.send_replace(false);
                        run.next_retry = Instant::now();
                        if self.journal.is_empty() {
                            tracing::info!("journal replayed: writing to the database again");
                            run.mode = Mode::Online;
                        }
                        true
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot delete a replayed journal segment");
                        false
                    }
                }
            }
            ReplayOutcome::Unreachable(msg) => {
                tracing::warn!(error = %msg, "journal replay failed; will retry");
                self.shared.database_reachable.store(false, Ordering::Relaxed);
                false
            }
            ReplayOutcome::Io(e) => {
                tracing::error!(error = %e, "cannot read a journal segment; will retry");
                false
            }
        };
        if !ok {
            run.next_retry = Instant::now() + self.config.retry_interval;
        }
        self.publish_journal();
        ok
    }

    fn publish_journal(&self) {
        self.shared.journal_events.store(self.journal.events(), Ordering::Relaxed);
        self.shared.journal_bytes.store(self.journal.bytes(), Ordering::Relaxed);
    }
}

/// Inserts one shard's batch, within `timeout`.
async fn insert_batch(pool: PgPool, shard: usize, items: Vec<Item>, timeout: std::time::Duration) -> InsertDone {
    let mut columns = Columns::with_capacity(items.len());
    let mut valid = Vec::with_capacity(items.len());
    for item in items {
        match columns.push(&item.event) {
            Ok(()) => valid.push(item),
            Err(e) => item.ack.fail(WriteError::Rejected(e.to_string())),
        }
    }
    let span = tracing::debug_span!("insert_batch", shard, events = columns.len());
    let result = match tokio::time::timeout(timeout, columns.insert(&pool)).instrument(span).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(InsertError::from(e)),
        Err(_) => Err(InsertError::Unreachable(format!("no answer within {timeout:?}"))),
    };
    InsertDone { shard, items: valid, result }
}
