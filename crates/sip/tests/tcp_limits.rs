//! Caps on TCP/TLS connections: a connection beyond the limit is closed at
//! once and counted; a silent one is closed after the idle timeout (the
//! reader's idle clock is pinned on tokio's paused clock over an in-memory
//! stream, where no real I/O can race the virtual time); a TLS handshake
//! that never comes is abandoned.

use std::time::Duration;

use sip::message::{Limits, StatusCode, StreamFramer};
use sip::stream::{StreamEnd, StreamItem, read_stream};
use sip::tcp::ConnectionLimits;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::certs::Pki;
use crate::tls::{StreamClient, request, start_endpoint, tls_client};

const IDLE: Duration = Duration::from_secs(600);

fn reader(
    mut stream: tokio::io::DuplexStream,
    tx: mpsc::Sender<StreamItem>,
) -> tokio::task::JoinHandle<(StreamEnd, Instant)> {
    tokio::spawn(async move {
        let mut framer = StreamFramer::new(Limits::default());
        let end = read_stream(&mut stream, &mut framer, IDLE, &tx, |item| item).await;
        (end, Instant::now())
    })
}

#[tokio::test(start_paused = true)]
async fn stream_reader_gives_up_after_the_idle_timeout_of_silence() {
    let (mut client, server) = tokio::io::duplex(4096);
    let (tx, mut rx) = mpsc::channel(8);
    let started = Instant::now();
    let task = reader(server, tx);
    client.write_all(request("OPTIONS", "TCP", "idle1", "c-idle1").as_bytes()).await.expect("write");
    assert!(matches!(rx.recv().await, Some(StreamItem::Message(_))));
    let (end, at) = task.await.expect("reader");
    assert_eq!(end, StreamEnd::Idle);
    let silent = at - started;
    assert!(silent >= IDLE && silent < IDLE + Duration::from_secs(1), "closed after {silent:?} of silence");
}

#[tokio::test(start_paused = true)]
async fn stream_reader_keepalives_count_as_traffic() {
    let (mut client, server) = tokio::io::duplex(4096);
    let (tx, mut rx) = mpsc::channel(8);
    let task = reader(server, tx);
    // An hour of RFC 5626 pings every five minutes: never idle.
    for _ in 0..12 {
        tokio::time::sleep(IDLE / 2).await;
        client.write_all(b"\r\n\r\n").await.expect("ping");
        assert!(matches!(rx.recv().await, Some(StreamItem::Ping)));
    }
    assert!(!task.is_finished());
    let last = Instant::now();
    let (end, at) = task.await.expect("reader");
    assert_eq!(end, StreamEnd::Idle);
    assert!(at - last >= IDLE, "closed {:?} after the last ping", at - last);
}

#[tokio::test(start_paused = true)]
async fn stream_reader_stops_when_the_receiver_is_gone() {
    let (_client, server) = tokio::io::duplex(4096);
    let (tx, rx) = mpsc::channel(8);
    let task = reader(server, tx);
    let before = Instant::now();
    drop(rx);
    let (end, at) = task.await.expect("reader");
    assert_eq!(end, StreamEnd::ReceiverGone);
    assert!(at - before < IDLE);
}

#[tokio::test]
async fn tcp_endpoint_closes_a_silent_tls_connection_and_counts_it() {
    let pki = Pki::new();
    let mut limits = ConnectionLimits::default();
    limits.idle_timeout = Duration::from_secs(1);
    let server = start_endpoint(Some(&pki), limits).await;
    let mut client = tls_client(&pki, server.addr).await;
    client.send(&request("OPTIONS", "TLS", "silent1", "c-silent1")).await;
    assert_eq!(client.response().await.status(), StatusCode::OK);
    assert!(client.closed().await, "a silent connection stayed open");
    assert_eq!(server.stats.idle_closed(), 1);
}

#[tokio::test]
async fn tcp_endpoint_abandons_a_tls_handshake_that_never_comes() {
    let pki = Pki::new();
    let mut limits = ConnectionLimits::default();
    limits.handshake_timeout = Duration::from_millis(200);
    let server = start_endpoint(Some(&pki), limits).await;
    let mut mute = StreamClient::new(TcpStream::connect(server.addr).await.expect("connect"));
    assert!(mute.closed().await, "a connection without a handshake stayed open");
    assert_eq!(server.stats.handshakes_failed(), 1);
}

/// Connects and exchanges one OPTIONS; `None` when the server closed the
/// connection instead of answering.
async fn answered(addr: std::net::SocketAddr, branch: &str) -> Option<StreamClient<TcpStream>> {
    let mut client = StreamClient::new(TcpStream::connect(addr).await.expect("connect"));
    // A refused connection may be gone before the write: that is no error here.
    let _ = client.stream.write_all(request("OPTIONS", "TCP", branch, &format!("c-{branch}")).as_bytes()).await;
    match client.try_response().await {
        Some(response) => {
            assert_eq!(response.status(), StatusCode::OK);
            Some(client)
        }
        None => None,
    }
}

#[tokio::test]
async fn tcp_endpoint_refuses_connections_beyond_the_limit_and_takes_one_when_a_place_frees() {
    let mut limits = ConnectionLimits::default();
    limits.max_connections = 2;
    let server = start_endpoint(None, limits).await;
    let first = answered(server.addr, "cap1").await.expect("first connection served");
    let _second = answered(server.addr, "cap2").await.expect("second connection served");
    assert!(answered(server.addr, "cap3").await.is_none(), "a third connection was served");
    assert_eq!(server.stats.refused(), 1);
    assert_eq!(server.stats.open_connections(), 2);

    drop(first);
    // The endpoint learns of the close asynchronously: each try is a real
    // exchange that ends in an answer or a close, and tries are bounded.
    let mut tries = 0;
    while answered(server.addr, &format!("again{tries}")).await.is_none() {
        tries += 1;
        assert!(tries < 1000, "no place freed after the first connection closed");
    }
    assert_eq!(server.stats.refused(), 1 + tries);
}
