//! Helpers shared by the store's tests.

use std::time::{Duration, Instant};

use chrono::Utc;
use model::event::{Event, EventPayload};
use model::ids::{CallId, QueueId, TenantId};

/// `n` events of one call of a fresh tenant, seq 0..n.
pub fn call_events(n: u64) -> Vec<Event> {
    let (tenant, call, queue) = (TenantId::new(), CallId::new(), QueueId::new());
    (0..n)
        .map(|seq| {
            let payload = EventPayload::CallQueued { queue_id: queue, priority: 0, position: seq as u32 + 1 };
            Event::call(tenant, call, seq, Utc::now(), payload)
        })
        .collect()
}

/// Rows in `events`.
pub async fn count_events(pool: &sqlx::PgPool) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM events").fetch_one(pool).await.expect("count events");
    n
}

/// Polls `check` until it holds; panics with `what` after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls `check` (blocking) until it holds; panics with `what` after `limit`.
pub fn eventually_blocking(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A TCP forwarder in front of PostgreSQL that a test can cut (connections
/// dropped, new ones refused) and restore on the same port: an outage
/// without stopping the shared cluster.
pub struct Switch {
    port: u16,
    target: std::net::SocketAddr,
    serving: std::sync::Mutex<Option<(tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>)>>,
}

impl Switch {
    /// Starts forwarding a fresh local port to `target`.
    pub async fn start(target: std::net::SocketAddr) -> Switch {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind switch");
        let port = listener.local_addr().expect("switch address").port();
        let switch = Switch { port, target, serving: std::sync::Mutex::new(None) };
        switch.serve(listener);
        switch
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Drops every forwarded connection and stops listening; returns once
    /// they are all closed (an abort alone takes effect later, and a write
    /// could still get through on a connection not yet dropped).
    pub async fn cut(&self) {
        let serving = self.serving.lock().expect("switch lock").take();
        if let Some((stop, task)) = serving {
            let _ = stop.send(());
            let _ = task.await;
        }
    }

    /// Listens and forwards again on the same port.
    pub async fn restore(&self) {
        let listener =
            tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await.expect("rebind switch on its port");
        self.serve(listener);
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let target = self.target;
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((mut down, _)) = accepted else { break };
                        connections.spawn(async move {
                            if let Ok(mut up) = tokio::net::TcpStream::connect(target).await {
                                let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                            }
                        });
                    }
                    _ = &mut stopped => break,
                }
            }
            // Every connection aborted and gone before the cut returns.
            connections.shutdown().await;
        });
        *self.serving.lock().expect("switch lock") = Some((stop, task));
    }
}

/// `url` with its port replaced by `port`.
pub fn with_port(url: &str, port: u16) -> String {
    let (head, rest) = url.rsplit_once('@').expect("URL with user@host");
    let (host_port, db) = rest.split_once('/').expect("URL with a database");
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    format!("{head}@{host}:{port}/{db}")
}

/// The port in `url`.
pub fn port_of(url: &str) -> u16 {
    let (_, rest) = url.rsplit_once('@').expect("URL with user@host");
    let (host_port, _) = rest.split_once('/').expect("URL with a database");
    host_port.rsplit_once(':').and_then(|(_, p)| p.parse().ok()).unwrap_or(5432)
}
