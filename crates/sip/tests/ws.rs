//! SIP over WebSocket (RFC 7118): a real WebSocket client on 127.0.0.1
//! against the axum route and the WebSocket endpoint loop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use sip::layer::{LayerEvent, TransactionLayer};
use sip::message::{Limits, Message, Method, Response, StatusCode};
use sip::registrar::{Flow, Transport};
use sip::transaction::Config;
use sip::udp::Handler;
use sip::ws::{FlowId, FlowTable, WsStats, WsTransport};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for something that should happen at once.
const DEADLINE: Duration = Duration::from_secs(5);

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Answers OPTIONS 200, REGISTER 200 with the Contact it got, others 501.
struct Edge;

impl Handler for Edge {
    fn on_event(&mut self, event: LayerEvent, layer: &mut TransactionLayer, now: Instant) {
        let LayerEvent::Request { key, request, .. } = event else { return };
        let response = match request.method() {
            Method::Options => request.response(StatusCode::OK, Some("edge")),
            Method::Register => {
                let mut ok = request.response(StatusCode::OK, Some("edge"));
                if let Some(contact) = request.headers().get("Contact") {
                    ok.headers_mut().push("Contact", &format!("{contact};expires=60")).expect("contact");
                }
                ok
            }
            _ => request.response(StatusCode::new(501).expect("501"), Some("edge")),
        };
        layer.respond(&key, response, now).expect("respond");
    }
}

/// The WebSocket route served on 127.0.0.1 with its endpoint loop.
pub struct Server {
    pub addr: SocketAddr,
    pub stats: Arc<WsStats>,
    pub transport: WsTransport,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Server {
    let (server, app) = start_endpoint(sip::ws::DEFAULT_MAX_FLOWS);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server { addr, ..server }
}

/// The endpoint loop, running, and the router to serve (`addr` is unset).
pub fn start_endpoint(max_flows: usize) -> (Server, axum::Router) {
    let layer = TransactionLayer::new(Config::reliable(), Limits::default(), 11);
    let (transport, endpoint) = WsTransport::new(layer, Limits::default());
    let transport = transport.with_max_flows(max_flows);
    let stats = transport.stats();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        endpoint
            .run(&mut Edge, async {
                let _ = stopped.await;
            })
            .await;
    });
    let server = Server { addr: ([0, 0, 0, 0], 0).into(), stats, transport: transport.clone(), _stop: stop };
    (server, transport.router())
}

async fn connect(addr: SocketAddr) -> Client {
    let mut request = format!("ws://{addr}/sip").into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("sip"));
    let (client, response) = tokio_tungstenite::connect_async(request).await.expect("handshake");
    assert_eq!(response.headers().get("Sec-WebSocket-Protocol").map(|v| v.as_bytes()), Some(&b"sip"[..]));
    client
}

fn local_port(client: &Client) -> u16 {
    match client.get_ref() {
        MaybeTlsStream::Plain(stream) => stream.local_addr().expect("local addr").port(),
        _ => unreachable!("plain ws"),
    }
}

pub fn request(method: &str, branch: &str, call_id: &str, extra: &str) -> String {
    format!(
        "{method} sip:edge@127.0.0.1 SIP/2.0\r\n\
         Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK{branch};rport\r\n\
         Max-Forwards: 70\r\n\
         To: <sip:alice@127.0.0.1>\r\n\
         From: <sip:alice@127.0.0.1>;tag=ws{branch}\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 {method}\r\n\
         {extra}Content-Length: 0\r\n\r\n"
    )
}

pub async fn send<S: AsyncRead + AsyncWrite + Unpin>(client: &mut WebSocketStream<S>, text: String) {
    client.send(WsMessage::text(text)).await.expect("send");
}

/// The next SIP response on the flow, within the deadline.
pub async fn response<S: AsyncRead + AsyncWrite + Unpin>(client: &mut WebSocketStream<S>) -> Response {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let frame = tokio::time::timeout_at(deadline, client.next()).await.expect("a response in time");
        let payload = match frame.expect("open").expect("frame") {
            WsMessage::Text(text) => text.as_bytes().to_vec(),
            WsMessage::Binary(bytes) => bytes.to_vec(),
            _ => continue,
        };
        match Message::parse(&payload).expect("a SIP message") {
            Message::Response(response) => return response,
            Message::Request(request) => panic!("unexpected request {}", request.method()),
        }
    }
}

/// Waits until `done` holds, checking whenever the runtime is idle.
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn ws_options_is_answered_over_its_flow_with_via_received_and_rport() {
    let server = start().await;
    let mut client = connect(server.addr).await;
    let port = local_port(&client);
    send(&mut client, request("OPTIONS", "opt1", "c-opt1", "")).await;
    let answer = response(&mut client).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let via = answer.headers().top_via();
    assert_eq!(via.transport(), "WS");
    assert_eq!(via.received(), Some("127.0.0.1"));
    assert_eq!(via.rport(), Some(Some(port)));
}

#[tokio::test]
async fn ws_register_from_invalid_contact_is_answered_over_its_flow() {
    let server = start().await;
    let mut client = connect(server.addr).await;
    let contact = "Contact: <sip:k3j2@df7jal23ls0d.invalid;transport=ws>;+sip.instance=\"<urn:uuid:1>\";reg-id=1\r\n";
    send(&mut client, request("REGISTER", "reg1", "c-reg1", contact)).await;
    let answer = response(&mut client).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers().get("Contact").is_some_and(|c| c.contains("df7jal23ls0d.invalid")));
    assert_eq!(answer.headers().call_id(), "c-reg1");
    send(&mut client, request("INVITE", "inv1", "c-inv1", "")).await;
    assert_eq!(response(&mut client).await.status(), StatusCode::TRYING);
    assert_eq!(response(&mut client).await.status().as_u16(), 501);
}

#[tokio::test]
async fn ws_handshake_without_sip_subprotocol_is_refused() {
    let server = start().await;
    let request = format!("ws://{}/sip", server.addr).into_client_request().expect("request");
    match tokio_tungstenite::connect_async(request).await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 400);
            let body = String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned();
            assert!(body.contains("subprotocol \"sip\""), "body: {body}");
        }
        other => panic!("handshake not refused: {:?}", other.map(|(_, r)| r.status())),
    }
    assert_eq!(server.stats.open_flows(), 0);
}

#[tokio::test]
async fn ws_malformed_request_gets_400_over_its_flow() {
    let server = start().await;
    let mut client = connect(server.addr).await;
    let bad = request("OPTIONS", "bad1", "c-bad1", "").replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
    send(&mut client, bad).await;
    let answer = response(&mut client).await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert_eq!(answer.headers().call_id(), "c-bad1");
}

#[tokio::test]
async fn ws_frame_with_two_messages_gets_400() {
    let server = start().await;
    let mut client = connect(server.addr).await;
    let two = request("OPTIONS", "two1", "c-two1", "") + &request("OPTIONS", "two2", "c-two2", "");
    send(&mut client, two).await;
    let answer = response(&mut client).await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert_eq!(answer.headers().call_id(), "c-two1");
    until("the rejection to be counted", || server.stats.rejected() == 1).await;
}

#[tokio::test]
async fn ws_unroutable_garbage_is_dropped_and_counted_and_the_flow_goes_on() {
    let server = start().await;
    let mut client = connect(server.addr).await;
    client.send(WsMessage::binary(b"\x00\x01 not sip".to_vec())).await.expect("send");
    send(&mut client, "\r\n\r\n".to_owned()).await;
    send(&mut client, request("OPTIONS", "after1", "c-after1", "")).await;
    let answer = response(&mut client).await;
    assert_eq!(answer.headers().call_id(), "c-after1");
    assert_eq!(server.stats.dropped(), 1);
}

#[tokio::test]
async fn ws_concurrent_flows_get_only_their_own_responses() {
    let server = start().await;
    let mut a = connect(server.addr).await;
    let mut b = connect(server.addr).await;
    for i in 0..5 {
        send(&mut a, request("OPTIONS", &format!("a{i}"), &format!("call-a{i}"), "")).await;
        send(&mut b, request("OPTIONS", &format!("b{i}"), &format!("call-b{i}"), "")).await;
    }
    for i in 0..5 {
        assert_eq!(response(&mut a).await.headers().call_id(), format!("call-a{i}"));
        assert_eq!(response(&mut b).await.headers().call_id(), format!("call-b{i}"));
    }
    assert_eq!(server.stats.open_flows(), 2);
}

#[tokio::test]
async fn ws_closing_a_connection_removes_its_flow() {
    let server = start().await;
    let mut a = connect(server.addr).await;
    let mut b = connect(server.addr).await;
    send(&mut a, request("OPTIONS", "cl1", "c-cl1", "")).await;
    send(&mut b, request("OPTIONS", "cl2", "c-cl2", "")).await;
    response(&mut a).await;
    response(&mut b).await;
    assert_eq!(server.stats.open_flows(), 2);
    a.close(None).await.expect("close");
    until("the flow to close", || server.stats.open_flows() == 1).await;
    drop(b);
    until("the second flow to close", || server.stats.open_flows() == 0).await;
}

#[test]
fn flow_table_ignores_the_close_of_a_stale_flow() {
    let peer: SocketAddr = "127.0.0.1:5000".parse().expect("addr");
    let mut table = FlowTable::new();
    table.open(FlowId(1), peer, "old");
    table.open(FlowId(2), peer, "new");
    assert!(!table.close(FlowId(1), peer));
    assert_eq!(table.get(peer), Some((FlowId(2), &"new")));
    assert!(table.close(FlowId(2), peer));
    assert!(table.is_empty());
}

#[tokio::test]
async fn ws_plain_flow_is_reported_as_ws() {
    let server = start().await;
    let mut client = connect(server.addr).await;
    let source: SocketAddr = ([127, 0, 0, 1], local_port(&client)).into();
    send(&mut client, request("OPTIONS", "kind1", "c-kind1", "")).await;
    assert_eq!(response(&mut client).await.status(), StatusCode::OK);
    let (_, flow) = server.transport.flow(source).expect("the flow is known");
    assert_eq!(flow, Flow { source, transport: Transport::Ws });
    assert_eq!(sip::ws::via_transport(flow.transport), "WS");
}

/// A handshake's outcome: the client, or the refusal's status and body.
async fn try_connect(addr: SocketAddr) -> Result<Client, (u16, String)> {
    let mut request = format!("ws://{addr}/sip").into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("sip"));
    match tokio_tungstenite::connect_async(request).await {
        Ok((client, _)) => Ok(client),
        Err(tungstenite::Error::Http(response)) => Err((
            response.status().as_u16(),
            String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned(),
        )),
        Err(other) => panic!("handshake failed: {other}"),
    }
}

#[tokio::test]
async fn ws_handshake_beyond_the_flow_limit_gets_503_until_a_flow_closes() {
    let (server, app) = start_endpoint(1);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await });

    let mut first = try_connect(addr).await.expect("the first flow is accepted");
    let Err((status, body)) = try_connect(addr).await else { panic!("a second flow was accepted") };
    assert_eq!(status, 503);
    assert!(body.contains("too many SIP WebSocket flows") && body.contains("limit 1"), "body: {body}");
    assert_eq!(server.stats.refused_flows(), 1);

    first.close(None).await.expect("close");
    // The place frees when the flow's task ends; each try is a real
    // handshake that is accepted or refused, and tries are bounded.
    let mut tries = 0;
    let mut again = loop {
        match try_connect(addr).await {
            Ok(client) => break client,
            Err((503, _)) => tries += 1,
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
        assert!(tries < 1000, "no place freed after the flow closed");
    };
    send(&mut again, request("OPTIONS", "again1", "c-again1", "")).await;
    assert_eq!(response(&mut again).await.status(), StatusCode::OK);
    assert_eq!(server.stats.refused_flows(), 1 + tries);
}
