//! The local cluster starts from the system binaries and serves queries.

#[tokio::test]
async fn fresh_database_accepts_queries_on_loopback() {
    let pool = store::testing::fresh_database().await;
    let (addr,): (Option<String>,) =
        sqlx::query_as("SELECT host(inet_server_addr())").fetch_one(&pool).await.expect("query");
    assert_eq!(addr.as_deref(), Some("127.0.0.1"));
}

#[test]
fn reusing_a_running_cluster_keeps_its_port() {
    let first = store::testing::shared_cluster();
    let again =
        store::LocalCluster::start(&store::testing::test_cluster_dir(), &store::ClusterOptions { throwaway: true })
            .expect("start again");
    assert_eq!(first.port(), again.port());
}

#[tokio::test]
async fn migrations_create_event_partitions_around_now() {
    let pool = store::testing::fresh_database().await;
    let this_month = chrono::Utc::now().format("events_%Y_%m").to_string();
    let (found,): (Option<String>,) =
        sqlx::query_as("SELECT to_regclass($1)::text").bind(&this_month).fetch_one(&pool).await.expect("query");
    assert_eq!(found.as_deref(), Some(this_month.as_str()));
}

#[test]
fn running_cluster_is_recognised_by_its_pid_file() {
    let cluster = store::testing::shared_cluster();
    let pid_file = std::fs::read_to_string(cluster.data_dir().join("postmaster.pid")).expect("read postmaster.pid");
    assert_eq!(store::cluster::serving_port(&pid_file, cluster.data_dir()), Some(cluster.port()));
}

#[test]
fn live_pid_that_serves_another_directory_is_not_our_cluster() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().canonicalize().expect("canonical");
    // Our own pid is alive, but this test process is no postmaster of `data`.
    let pid_file = format!("{}\n{}\n1700000000\n5432\n", std::process::id(), data.display());
    assert_eq!(store::cluster::serving_port(&pid_file, &data), None);
    // A pid file naming another data directory is not ours either.
    let cluster = store::testing::shared_cluster();
    let theirs = std::fs::read_to_string(cluster.data_dir().join("postmaster.pid")).expect("read postmaster.pid");
    assert_eq!(store::cluster::serving_port(&theirs, &data), None);
}
