//! The edge's tokio shell: its queues and their overload policy.

use std::time::Duration;

use sip::edge::{Edge, EdgeConfig, EdgeEvent, LocalTransport, OpenDirectory, TransportId};
use sip::registrar::Transport;
use sip::runner::EdgeRunner;

fn invite(n: u32, edge: std::net::SocketAddr, me: std::net::SocketAddr) -> String {
    format!(
        "INVITE sip:+4930123@{edge} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bKrun{n}\r\nMax-Forwards: 70\r\n\
From: <sip:caller@example.com>;tag=r{n}\r\nTo: <sip:+4930123@example.com>\r\nCall-ID: runner-{n}\r\n\
CSeq: 1 INVITE\r\nContact: <sip:caller@{me}>\r\nContent-Length: 0\r\n\r\n"
    )
}

#[tokio::test(flavor = "current_thread")]
async fn commands_are_still_served_while_the_event_queue_is_full() {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let addr = socket.local_addr().expect("addr");
    let local = LocalTransport::new(Transport::Udp, "127.0.0.1", addr.port());
    let edge = Edge::new(EdgeConfig::default(), vec![local], Box::new(OpenDirectory), 41);
    let (runner, handle, mut events) = EdgeRunner::with_queues(edge, 4, 1);
    tokio::spawn(runner.with_udp(TransportId(0), socket).run(std::future::pending()));
    let caller = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let me = caller.local_addr().expect("addr");
    let mut buf = vec![0u8; 4096];
    for n in 1..=2 {
        caller.send_to(invite(n, addr, me).as_bytes(), addr).await.expect("send");
        // The 100 Trying goes out before the INVITE's event is queued: once
        // the second arrives, the runner holds an event it cannot queue
        // (the queue holds one) and reads no more from the network.
        let (len, _) = tokio::time::timeout(Duration::from_secs(10), caller.recv_from(&mut buf))
            .await
            .expect("a 100 Trying in time")
            .expect("recv");
        assert!(buf[..len].starts_with(b"SIP/2.0 100"));
    }
    // The call layer asks something before reading its events: it is answered.
    let targets = tokio::time::timeout(Duration::from_secs(10), handle.targets_for("sip:nobody@example.com"))
        .await
        .expect("the command is served while the event queue is full")
        .expect("answered");
    assert!(targets.is_empty());
    for _ in 0..2 {
        let event = tokio::time::timeout(Duration::from_secs(10), events.recv()).await.expect("event").expect("open");
        assert!(matches!(event, EdgeEvent::Incoming(_)), "no event is lost: {event:?}");
    }
}
