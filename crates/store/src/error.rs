//! The store's errors.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The PostgreSQL server binaries are not installed.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install them with `apt-get install postgresql` \
         or set SWITCHBOARD_PG_BIN, or configure database.url"
    )]
    PostgresMissing,
    /// Creating, starting or stopping the local cluster failed.
    #[error("local PostgreSQL cluster: {0}")]
    Cluster(String),
    /// A database operation failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying migrations failed.
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
