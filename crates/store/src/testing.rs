//! Test support (feature `testing`): one throwaway cluster shared by every
//! test process of a run, a fresh migrated database per test, and calls'
//! events written out by hand ([`script`]).
//!
//! The cluster lives in `target/test-pg` (or `SWITCHBOARD_TEST_PG_DIR`) and is
//! reused while it runs; the test command stops it at the end
//! (`scripts/test`). With `SWITCHBOARD_TEST_DATABASE_URL` set, databases are
//! created on that server instead.

use std::path::PathBuf;
use std::sync::OnceLock;

use sqlx::PgPool;

use crate::{ClusterOptions, LocalCluster};

pub mod script;

/// Where the shared test cluster lives.
pub fn test_cluster_dir() -> PathBuf {
    std::env::var_os("SWITCHBOARD_TEST_PG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/test-pg")))
}

/// The shared throwaway cluster, started on first use.
pub fn shared_cluster() -> &'static LocalCluster {
    static CLUSTER: OnceLock<LocalCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        LocalCluster::start(&test_cluster_dir(), &ClusterOptions { throwaway: true })
            .unwrap_or_else(|e| panic!("cannot start the test PostgreSQL cluster: {e}"))
    })
}

/// The URL of a new, empty database named after a fresh UUID.
pub async fn fresh_database_url() -> String {
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin_url = match std::env::var("SWITCHBOARD_TEST_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => shared_cluster().url_for("postgres"),
    };
    let admin = crate::connect(&admin_url, 1).await.expect("connect to the test server");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.expect("create test database");
    admin.close().await;
    match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("database URL without a database name: {admin_url}"),
    }
}

/// A pool on a new database with every migration applied.
pub async fn fresh_database() -> PgPool {
    let pool = crate::connect(&fresh_database_url().await, 5).await.expect("connect to the test database");
    crate::migrate(&pool).await.expect("apply migrations");
    pool
}
