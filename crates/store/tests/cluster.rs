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
