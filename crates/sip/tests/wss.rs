//! SIP over secure WebSocket (RFC 7118, WSS): a tokio-tungstenite client
//! over a rustls stream against the route served by `TlsListener`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::serve::ListenerExt;
use sip::message::StatusCode;
use sip::registrar::{Flow, Transport};
use sip::tls::TlsListenerStats;
use sip::ws::OverTls;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::certs::{Pki, server_name};
use crate::tls::StreamClient;
use crate::ws::{Server, request, response, send, start_endpoint};

/// The WebSocket route over TLS on 127.0.0.1, flows marked WSS.
async fn start_tls(pki: &Pki) -> (Server, Arc<TlsListenerStats>) {
    let (mut server, app) = start_endpoint(sip::ws::DEFAULT_MAX_FLOWS);
    let mut config = sip::tls::server_config(&pki.cert, &pki.key).expect("server config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = tcp.local_addr().expect("addr");
    let acceptor = sip::tls::TlsAcceptor::from(Arc::new(config));
    let listener = sip::tls::TlsListener::new(tcp, acceptor, Duration::from_secs(10)).expect("listener");
    let stats = listener.stats();
    let app = app.layer(Extension(OverTls)).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener.tap_io(|_| ()), app).await });
    server.addr = addr;
    (server, stats)
}

#[tokio::test]
async fn wss_options_is_answered_over_a_tls_flow_reported_as_wss() {
    let pki = Pki::new();
    let (server, _) = start_tls(&pki).await;
    let tcp = TcpStream::connect(server.addr).await.expect("connect");
    let source = tcp.local_addr().expect("local addr");
    let tls = pki.connector().connect(server_name(), tcp).await.expect("tls handshake");
    let mut request_head =
        format!("wss://localhost:{}/sip", server.addr.port()).into_client_request().expect("request");
    request_head.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("sip"));
    let (mut client, handshake) = tokio_tungstenite::client_async(request_head, tls).await.expect("ws handshake");
    assert_eq!(handshake.headers().get("Sec-WebSocket-Protocol").map(|v| v.as_bytes()), Some(&b"sip"[..]));

    let options = request("OPTIONS", "wss1", "c-wss1", "").replace("SIP/2.0/WS ", "SIP/2.0/WSS ");
    send(&mut client, options).await;
    let answer = response(&mut client).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers().call_id(), "c-wss1");
    assert_eq!(answer.headers().top_via().transport(), "WSS");

    let (_, flow) = server.transport.flow(source).expect("the flow is known");
    assert_eq!(flow, Flow { source, transport: Transport::Wss });
    assert_eq!(sip::ws::via_transport(flow.transport), "WSS");
}

#[tokio::test]
async fn wss_listener_counts_a_failed_handshake_and_serves_the_next_client() {
    let pki = Pki::new();
    let (server, listener_stats) = start_tls(&pki).await;
    let stranger = Pki::new();
    let tcp = TcpStream::connect(server.addr).await.expect("connect");
    let Err((_, tcp)) = stranger.connector().connect(server_name(), tcp).into_fallible().await else {
        panic!("an untrusted handshake succeeded")
    };
    // The listener closes the socket only after counting the failure.
    assert!(StreamClient::new(tcp).closed().await);
    assert_eq!(listener_stats.handshakes_failed(), 1);

    let tcp = TcpStream::connect(server.addr).await.expect("connect");
    let tls = pki.connector().connect(server_name(), tcp).await.expect("tls handshake");
    let mut request_head =
        format!("wss://localhost:{}/sip", server.addr.port()).into_client_request().expect("request");
    request_head.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("sip"));
    let (mut client, _) = tokio_tungstenite::client_async(request_head, tls).await.expect("ws handshake");
    send(&mut client, request("OPTIONS", "wss2", "c-wss2", "")).await;
    assert_eq!(response(&mut client).await.headers().call_id(), "c-wss2");
}
