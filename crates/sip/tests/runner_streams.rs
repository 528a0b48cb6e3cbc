//! TCP and TLS through the edge runner: SIPp over TCP calls through the
//! edge to a SIPp callee on UDP; a TLS client gets OPTIONS answered and a
//! call placed back to it over its own connection.

use std::net::SocketAddr;
use std::time::Duration;

use sip::edge::{Edge, EdgeConfig, EdgeEvent, LocalTransport, OpenDirectory, Originate, Target, TransportId};
use sip::message::{Address, Frame, Message, StatusCode, Uri};
use sip::registrar::Transport;
use sip::runner::{EdgeRunner, StreamLimits, bridge};

use crate::certs::Pki;
use crate::interop::{free_port, sipp_against, sipp_available};
use crate::tls::{request, tls_client};

#[tokio::test(flavor = "current_thread")]
async fn sipp_over_tcp_calls_through_the_edge_to_a_udp_callee() {
    if !sipp_available() {
        return;
    }
    let calls = 5;
    let (uas_port, media, control) = (free_port(), free_port().to_string(), free_port().to_string());
    let uas = tokio::process::Command::new("sipp")
        .args(["-sn", "uas", "-i", "127.0.0.1", "-p", &uas_port.to_string(), "-mi", "127.0.0.1", "-mp", &media])
        .args(["-cp", &control, "-m", &calls.to_string(), "-timeout", "30", "-nostdin"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("sipp callee");
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("udp");
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("tcp");
    let (udp_addr, tcp_addr) = (udp.local_addr().expect("addr"), tcp.local_addr().expect("addr"));
    let transports = vec![
        LocalTransport::new(Transport::Udp, "127.0.0.1", udp_addr.port()),
        LocalTransport::new(Transport::Tcp, "127.0.0.1", tcp_addr.port()),
    ];
    let edge = Edge::new(EdgeConfig::default(), transports, Box::new(OpenDirectory), 51);
    let (runner, handle, events) = EdgeRunner::new(edge);
    let runner = runner.with_udp(TransportId(0), udp).with_tcp(TransportId(1), tcp, StreamLimits::default());
    tokio::spawn(runner.run(std::future::pending()));
    let callee = SocketAddr::from(([127, 0, 0, 1], uas_port));
    let target = Target::new(Uri::parse(&format!("sip:service@{callee}")).expect("uri"), TransportId(0), callee);
    let bridged = tokio::spawn(bridge(handle, events, target));
    sipp_against(tcp_addr, &["-sn", "uac", "-t", "t1", "-m", &calls.to_string(), "-r", "10", "-d", "100"]).await;
    let status =
        tokio::time::timeout(Duration::from_secs(30), uas.wait_with_output()).await.expect("uas done").expect("uas");
    assert!(status.status.success(), "the UDP callee completed every call");
    bridged.abort();
}

#[tokio::test]
async fn tls_client_gets_options_answered_and_a_call_back_over_its_connection() {
    let pki = Pki::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("tcp");
    let addr = listener.local_addr().expect("addr");
    let acceptor = sip::tls::acceptor(&pki.cert, &pki.key).expect("acceptor");
    let transports = vec![LocalTransport::new(Transport::Tls, "127.0.0.1", addr.port())];
    let edge = Edge::new(EdgeConfig::default(), transports, Box::new(OpenDirectory), 52);
    let (runner, handle, mut events) = EdgeRunner::new(edge);
    tokio::spawn(
        runner.with_tls(TransportId(0), listener, acceptor, StreamLimits::default()).run(std::future::pending()),
    );

    let mut client = tls_client(&pki, addr).await;
    client.send(&request("OPTIONS", "TLS", "tlsrun1", "c-run-opt")).await;
    let ok = client.response().await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.headers().get("Allow").is_some_and(|a| a.contains("INVITE")));

    // The client's connection is the only way back to it (its Via host is .invalid).
    let local = client.stream.get_ref().0.local_addr().expect("local");
    let plan = Originate {
        from: Address::parse("<sip:queue@127.0.0.1>").expect("from"),
        to: Address::parse("<sip:alice@127.0.0.1>").expect("to"),
        attempts: vec![vec![Target::new(
            Uri::parse("sip:alice@client.invalid;transport=tls").expect("uri"),
            TransportId(0),
            local,
        )]],
        offer: None,
        headers: Vec::new(),
    };
    let leg = handle.originate(plan).await.expect("originate");
    let invite = match client.frame().await {
        Frame::Message(Message::Request(r)) => r,
        other => panic!("expected the INVITE, got {other:?}"),
    };
    assert_eq!(invite.headers().top_via().transport(), "TLS");
    let mut answer = invite.response(StatusCode::OK, Some("tlsc"));
    answer.headers_mut().push("Contact", "<sip:alice@client.invalid;transport=tls>").expect("contact");
    client.send(std::str::from_utf8(&answer.to_bytes()).expect("utf8")).await;
    let answered = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(EdgeEvent::Answered { leg: l, .. }) = events.recv().await
                && l == leg
            {
                return true;
            }
        }
    })
    .await
    .expect("answered in time");
    assert!(answered);
    let ack = match client.frame().await {
        Frame::Message(Message::Request(r)) => r,
        other => panic!("expected the ACK, got {other:?}"),
    };
    assert_eq!(ack.method().as_str(), "ACK");
}
