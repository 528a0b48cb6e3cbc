//! `switchboard history`: months of realistic synthetic history for a
//! tenant, written straight into the CDR (`calls`) and the agents' state
//! intervals, so reports, forecasts and benchmarks have data. No events
//! are written (a call is ten or so events: 10 million calls would be
//! 100 million rows the reports never read).
//!
//! The model is pure and seeded ([`generator::Generator`], a day at a time
//! through a discrete-event simulation, [`sim`]); a thread generates and
//! encodes the rows while this task streams the previous day into
//! PostgreSQL with COPY ([`writer`]).

pub mod agents;
pub mod callers;
pub mod generator;
pub mod handling;
pub mod ivr;
pub mod plan;
pub mod plan_of;
pub mod profile;
pub mod rng;
pub mod rows;
pub mod setup;
pub mod sim;
pub mod writer;

#[cfg(test)]
mod tests;

use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, NaiveDate, Utc};
use sqlx::PgPool;

/// Arguments of `history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The tenant's slug.
    #[arg(long)]
    tenant: String,
    /// How many days to generate (1–3660), ending with --until.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3660))]
    days: u32,
    /// Mean calls per day over an ordinary week (default: 45 per agent).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    calls_per_day: Option<u32>,
    /// The last day generated, YYYY-MM-DD (default: yesterday, local time).
    #[arg(long)]
    until: Option<NaiveDate>,
    /// The seed: the same seed, tenant configuration and range give the
    /// same history.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Make sure the tenant has at least this many agents serving its
    /// queues, adding synthetic ones if needed.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    agents: Option<u32>,
}

/// Generates and writes the history, printing progress per day.
pub async fn run(pool: &PgPool, args: Args) -> anyhow::Result<()> {
    let tenant = api::bootstrap::find_tenant(pool, &args.tenant)
        .await?
        .with_context(|| format!("no tenant with slug {:?}", args.tenant))?;
    if let Some(n) = args.agents {
        let added = setup::ensure_agents(pool, tenant.id, n as usize).await.context("cannot add agents")?;
        if added > 0 {
            println!("added {added} agents to {}", args.tenant);
        }
    }
    let plan = setup::load(pool, tenant.id).await?;
    let calls_per_day = args.calls_per_day.map_or(45.0 * plan.agents.len() as f64, f64::from);
    let until = args.until.unwrap_or_else(|| Utc::now().with_timezone(&plan.tz).date_naive() - Duration::days(1));
    let first = until - Duration::days(i64::from(args.days) - 1);
    let existing = setup::calls_between(pool, tenant.id, &plan, first, until).await?;
    anyhow::ensure!(
        existing == 0,
        "tenant {:?} already has {existing} calls from {first} to {until}: history adds calls, it never replaces \
         them, so choose other days (--until) or another database",
        args.tenant
    );
    let mut generator = generator::Generator::new(plan, args.seed, calls_per_day, first, i64::from(args.days));
    let campaigns: Vec<String> = generator.campaigns().iter().map(|d| d.to_string()).collect();
    println!(
        "history for {}: {first} to {until}, about {calls_per_day:.0} calls a day, {} agents, seed {}; campaign days: {}",
        args.tenant,
        generator.plan().agents.len(),
        args.seed,
        if campaigns.is_empty() { "none".into() } else { campaigns.join(", ") }
    );

    let (tx, mut rx) = tokio::sync::mpsc::channel::<writer::Encoded>(2);
    let producer = tokio::task::spawn_blocking(move || {
        for d in 0..i64::from(args.days) {
            let date = first + Duration::days(d);
            let day = generator.day(date);
            let label = format!("{date} {}", date.format("%a"));
            let encoded = writer::encode(generator.plan(), generator.callers(), label, &day.calls, &day.intervals);
            if tx.blocking_send(encoded).is_err() {
                return;
            }
        }
        let rest = generator.finish();
        let encoded = writer::encode(generator.plan(), generator.callers(), "callbacks never made".into(), &rest, &[]);
        let _ = tx.blocking_send(encoded);
    });

    let started = Instant::now();
    let (mut calls, mut intervals) = (0usize, 0usize);
    while let Some(day) = rx.recv().await {
        writer::write(pool, &day).await.with_context(|| format!("cannot write {}", day.label))?;
        calls += day.calls;
        intervals += day.intervals;
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        println!(
            "{:<16} {:>9} calls {:>9} intervals   total {calls} calls, {:.0} calls/s",
            day.label,
            day.calls,
            day.intervals,
            calls as f64 / secs
        );
    }
    producer.await.context("the generator stopped")?;
    let secs = started.elapsed().as_secs_f64().max(1e-3);
    println!(
        "wrote {calls} calls and {intervals} agent state intervals in {secs:.1} s ({:.0} rows/s)",
        (calls + intervals) as f64 / secs
    );
    Ok(())
}
