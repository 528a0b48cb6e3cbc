//! Switchboard's persistence layer on PostgreSQL: the schema (in
//! `migrations/`), a local throwaway or private cluster when no database is
//! configured, the durable event writer, the repositories, and the
//! projections the writer keeps: the CDR (`cdr`) and the agent state
//! intervals (`agent_intervals`); the report queries over the rollups
//! (`reports`).

pub mod agent_intervals;
pub mod cdr;
pub mod cluster;
pub mod error;
pub mod repo;
pub mod reports;
#[cfg(feature = "testing")]
pub mod testing;
pub mod writer;
pub mod writer_status;

pub use cluster::{ClusterOptions, LocalCluster};
pub use error::StoreError;
pub use repo::RepoError;
pub use repo::sip_accounts::SipAccount;
pub use writer_status::WriterStatus;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

/// Opens a connection pool to `url`.
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, StoreError> {
    Ok(PgPoolOptions::new().max_connections(max_connections).connect(url).await?)
}

/// Applies every pending migration in `migrations/`.
pub async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    sqlx::migrate!("../../migrations").run(pool).await?;
    Ok(())
}
