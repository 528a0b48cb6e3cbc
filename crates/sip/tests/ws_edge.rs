//! A WebSocket client (as a browser softphone would) registers with the
//! edge over `GET /sip` with SHA-256 digest auth, and receives a call the
//! edge places through the leg API over that same flow: its Contact host
//! is `*.invalid`, so the flow is the only way to reach it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use sip::auth::{Algorithm, Credentials};
use sip::edge::{Edge, EdgeConfig, EdgeEvent, LocalTransport, OpenDirectory, Originate, TransportId};
use sip::message::{Address, Limits, Message, Request, Response, StatusCode};
use sip::registrar::{BindingEvent, Config, CredentialStore, Registrar, Transport};
use sip::runner::EdgeRunner;
use sip::ws::WsTransport;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A bound on a hung peer, not a timing assertion.
const BOUND: Duration = Duration::from_secs(10);

async fn start_edge() -> (SocketAddr, mpsc::Receiver<EdgeEvent>, sip::runner::EdgeHandle) {
    let (transport, flows) = WsTransport::with_flows(Limits::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = transport.router().into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let users = HashMap::from([(
        ("127.0.0.1".to_owned(), "alice".to_owned()),
        Credentials::from_password("alice", "127.0.0.1", "secret"),
    )]);
    let users: Box<dyn CredentialStore + Send> = Box::new(users);
    let unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let registrar = Registrar::new(Config::default(), users, b"ws secret", Instant::now(), unix);
    let local = LocalTransport::new(Transport::Ws, "127.0.0.1", addr.port());
    let edge = Edge::new(EdgeConfig::default(), vec![local], Box::new(OpenDirectory), 31).with_registrar(registrar);
    let (runner, handle, events) = EdgeRunner::new(edge);
    tokio::spawn(runner.with_ws(TransportId(0), flows).run(std::future::pending()));
    (addr, events, handle)
}

async fn connect(addr: SocketAddr) -> Client {
    let mut request = format!("ws://{addr}/sip").into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("sip"));
    tokio_tungstenite::connect_async(request).await.expect("handshake").0
}

async fn next_message(client: &mut Client) -> Message {
    loop {
        let frame = tokio::time::timeout(BOUND, client.next()).await.expect("a message in time");
        let payload = match frame.expect("open").expect("frame") {
            WsMessage::Text(text) => text.as_bytes().to_vec(),
            WsMessage::Binary(bytes) => bytes.to_vec(),
            _ => continue,
        };
        return Message::parse(&payload).expect("a SIP message");
    }
}

async fn next_response(client: &mut Client) -> Response {
    match next_message(client).await {
        Message::Response(r) => r,
        Message::Request(r) => panic!("expected a response, got {}", r.method()),
    }
}

async fn next_request(client: &mut Client) -> Request {
    match next_message(client).await {
        Message::Request(r) => r,
        Message::Response(r) => panic!("expected a request, got {}", r.status()),
    }
}

fn register(cseq: u32, authorization: Option<&str>) -> String {
    let auth = authorization.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
    format!(
        "REGISTER sip:127.0.0.1 SIP/2.0\r\n\
         Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKreg{cseq};rport\r\n\
         Max-Forwards: 70\r\n\
         To: <sip:alice@127.0.0.1>\r\n\
         From: <sip:alice@127.0.0.1>;tag=wsreg\r\n\
         Call-ID: ws-register-1\r\n\
         CSeq: {cseq} REGISTER\r\n\
         Contact: <sip:k3l9x@df7jal23ls0d.invalid;transport=ws;ob>;+sip.instance=\"<urn:uuid:0c1a2b3c-1111-4222-8333-444455556666>\";reg-id=1\r\n\
         Supported: path, outbound, gruu\r\n\
         Expires: 600\r\n\
         {auth}Content-Length: 0\r\n\r\n"
    )
}

/// A parameter of a challenge (`nonce="..."`).
fn param(challenge: &str, name: &str) -> String {
    let start = challenge.find(&format!("{name}=\"")).expect("param") + name.len() + 2;
    challenge[start..].split('"').next().expect("value").to_owned()
}

/// The SHA-256 digest answer to the first challenge of `challenged`.
fn answer_challenge(challenged: &Response) -> String {
    let challenge = challenged.headers().get("WWW-Authenticate").expect("challenge");
    assert!(challenge.contains("SHA-256"), "SHA-256 is offered first: {challenge}");
    let (realm, nonce, opaque) = (param(challenge, "realm"), param(challenge, "nonce"), param(challenge, "opaque"));
    let ha1 = Algorithm::Sha256.ha1("alice", &realm, "secret");
    let ha2 = Algorithm::Sha256.hex("REGISTER:sip:127.0.0.1");
    let response = Algorithm::Sha256.hex(&format!("{ha1}:{nonce}:00000001:c0ffee:auth:{ha2}"));
    format!(
        "Digest username=\"alice\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"sip:127.0.0.1\", \
         response=\"{response}\", algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"c0ffee\", opaque=\"{opaque}\""
    )
}

#[tokio::test]
async fn websocket_client_registers_and_receives_a_call_over_its_flow() {
    let (addr, mut events, handle) = start_edge().await;
    let mut client = connect(addr).await;
    client.send(WsMessage::text(register(1, None))).await.expect("send");
    let challenged = next_response(&mut client).await;
    assert_eq!(challenged.status().as_u16(), 401);
    client.send(WsMessage::text(register(2, Some(&answer_challenge(&challenged))))).await.expect("send");
    let ok = next_response(&mut client).await;
    assert_eq!(ok.status(), StatusCode::OK);

    let added = tokio::time::timeout(BOUND, async {
        loop {
            if let Some(EdgeEvent::Binding(BindingEvent::Added { aor, binding, .. })) = events.recv().await {
                return (aor, binding);
            }
        }
    })
    .await
    .expect("a binding");
    assert_eq!(added.0, "sip:alice@127.0.0.1");
    assert!(added.1.outbound, "the ;ob flow is kept");
    let targets = handle.targets_for(&added.0).await.expect("targets");
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].uri.as_str(), "sip:k3l9x@df7jal23ls0d.invalid;transport=ws;ob");
    let kinds = handle.targets_with_transport(&added.0).await.expect("targets with their transport");
    assert_eq!(kinds, vec![(targets[0].clone(), Transport::Ws)], "the binding's flow is a WebSocket one");

    let plan = Originate {
        from: Address::parse("<sip:queue@127.0.0.1>").expect("from"),
        to: Address::parse("<sip:alice@127.0.0.1>").expect("to"),
        attempts: vec![targets],
        offer: Some(b"v=0\r\n".to_vec()),
        headers: Vec::new(),
    };
    let leg = handle.originate(plan).await.expect("originate");
    let invite = next_request(&mut client).await;
    assert_eq!(invite.method().as_str(), "INVITE");
    assert_eq!(invite.uri().as_str(), "sip:k3l9x@df7jal23ls0d.invalid;transport=ws;ob");
    assert_eq!(invite.headers().top_via().transport(), "WS");
    let mut ok = invite.response(StatusCode::OK, Some("browser1"));
    ok.headers_mut().push("Contact", "<sip:k3l9x@df7jal23ls0d.invalid;transport=ws>").expect("contact");
    ok.set_body("application/sdp", b"v=0\r\ns=browser\r\n".to_vec());
    client.send(WsMessage::text(String::from_utf8(ok.to_bytes()).expect("utf8"))).await.expect("send");
    let ack = next_request(&mut client).await;
    assert_eq!(ack.method().as_str(), "ACK", "the ACK of the 2xx reuses the flow");
    let answered = tokio::time::timeout(BOUND, async {
        loop {
            if let Some(EdgeEvent::Answered { leg: l, answer }) = events.recv().await
                && l == leg
            {
                return answer;
            }
        }
    })
    .await
    .expect("answered");
    assert_eq!(answered.as_deref(), Some(&b"v=0\r\ns=browser\r\n"[..]));
    handle.hangup(leg).await.expect("hang up");
    let bye = next_request(&mut client).await;
    assert_eq!(bye.method().as_str(), "BYE");
    assert_eq!(bye.headers().to().tag(), Some("browser1"));
}
