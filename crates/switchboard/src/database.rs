//! Finds the database: the configured URL, or a private local cluster.

use anyhow::Context;
use sqlx::PgPool;
use store::{ClusterOptions, LocalCluster};

use crate::config::Config;

/// An open database, with the private cluster that serves it, if any.
pub struct Database {
    /// The connection pool.
    pub pool: PgPool,
    /// The private cluster, when no URL was configured. It keeps running
    /// after the process exits, so the next start reuses it.
    pub cluster: Option<LocalCluster>,
    /// The URL connected to.
    pub url: String,
}

/// Connects to the configured database, or starts the private cluster under
/// the data directory, and applies pending migrations.
pub async fn open(config: &Config) -> anyhow::Result<Database> {
    let (url, cluster) = match &config.database.url {
        Some(url) => (url.clone(), None),
        None => {
            let dir = config.cluster_dir();
            let cluster =
                tokio::task::spawn_blocking(move || LocalCluster::start(&dir, &ClusterOptions { throwaway: false }))
                    .await?
                    .context("no database.url is configured, so Switchboard runs its own PostgreSQL")?;
            tracing::info!(port = cluster.port(), data_dir = %cluster.data_dir().display(), "private PostgreSQL cluster running");
            (cluster.url(), Some(cluster))
        }
    };
    let pool = store::connect(&url, config.database.max_connections)
        .await
        .with_context(|| format!("cannot connect to PostgreSQL at {}", redact(&url)))?;
    store::migrate(&pool).await.context("cannot apply database migrations")?;
    Ok(Database { pool, cluster, url })
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(super::redact("postgres://sb:pw@db:5432/x"), "postgres://sb:***@db:5432/x");
        assert_eq!(super::redact("postgres://sb@db/x"), "postgres://sb@db/x");
    }
}
