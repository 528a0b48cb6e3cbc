//! Streams generated rows into PostgreSQL: `COPY … FROM STDIN` (text
//! format) for the calls and the agent state intervals, a transaction each
//! per generated day, the rows sent in chunks of [`CHUNK_ROWS`].

use sqlx::{PgConnection, PgPool};

use super::callers::Callers;
use super::plan::Plan;
use super::rows::{self, CallRow, IntervalRow};

/// Rows per COPY chunk sent to the server.
pub const CHUNK_ROWS: usize = 20_000;

/// One day's rows, encoded as COPY text.
#[derive(Debug, Default)]
pub struct Encoded {
    /// What the rows are (a date, or the final callbacks).
    pub label: String,
    /// CDR rows.
    pub calls: usize,
    /// State intervals.
    pub intervals: usize,
    /// The `calls` COPY text, in chunks.
    pub call_chunks: Vec<String>,
    /// The `agent_state_intervals` COPY text, in chunks.
    pub interval_chunks: Vec<String>,
}

/// Encodes the rows of one day (pure; runs beside the writer).
pub fn encode(plan: &Plan, callers: &Callers, label: String, calls: &[CallRow], intervals: &[IntervalRow]) -> Encoded {
    let call_chunks = calls
        .chunks(CHUNK_ROWS)
        .map(|chunk| {
            let mut s = String::with_capacity(chunk.len() * 420);
            chunk.iter().for_each(|r| rows::encode_call(&mut s, plan, callers, r));
            s
        })
        .collect();
    let interval_chunks = intervals
        .chunks(CHUNK_ROWS)
        .map(|chunk| {
            let mut s = String::with_capacity(chunk.len() * 150);
            chunk.iter().for_each(|r| rows::encode_interval(&mut s, plan, r));
            s
        })
        .collect();
    Encoded { label, calls: calls.len(), intervals: intervals.len(), call_chunks, interval_chunks }
}

/// Writes one day: the calls and the intervals each in a transaction of
/// its own, on two connections at once (PostgreSQL spends a core on each
/// COPY). A failure can leave one of the two written: the error names the
/// day.
pub async fn write(pool: &PgPool, day: &Encoded) -> Result<(), sqlx::Error> {
    let calls = format!("COPY calls ({}) FROM STDIN", rows::CALL_COLUMNS);
    let intervals = format!("COPY agent_state_intervals ({}) FROM STDIN", rows::INTERVAL_COLUMNS);
    let (a, b) =
        tokio::join!(write_one(pool, &calls, &day.call_chunks), write_one(pool, &intervals, &day.interval_chunks));
    a.and(b)
}

async fn write_one(pool: &PgPool, sql: &str, chunks: &[String]) -> Result<(), sqlx::Error> {
    if chunks.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    copy(&mut tx, sql, chunks).await?;
    tx.commit().await
}

async fn copy(conn: &mut PgConnection, sql: &str, chunks: &[String]) -> Result<(), sqlx::Error> {
    if chunks.is_empty() {
        return Ok(());
    }
    let mut copy = conn.copy_in_raw(sql).await?;
    for chunk in chunks {
        if let Err(e) = copy.send(chunk.as_bytes()).await {
            let _ = copy.abort("history: send failed").await;
            return Err(e);
        }
    }
    copy.finish().await?;
    Ok(())
}
