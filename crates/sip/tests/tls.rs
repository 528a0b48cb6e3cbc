//! TLS: loading certificates and keys (each bad file named in the error),
//! and SIP over TLS (RFC 3261 §26) with a rustls client on 127.0.0.1.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sip::layer::{LayerEvent, TransactionLayer};
use sip::message::{Frame, Limits, Message, Method, Response, StatusCode, StreamFramer};
use sip::tcp::{ConnectionLimits, TcpEndpoint, TcpStats};
use sip::tls::TlsError;
use sip::transaction::Config;
use sip::udp::Handler;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::certs::{Pki, server_name};

/// How long a test waits for something that should happen at once.
const DEADLINE: Duration = Duration::from_secs(5);

#[test]
fn tls_server_config_loads_a_chain_and_its_key() {
    let pki = Pki::new();
    assert!(sip::tls::server_config(&pki.cert, &pki.key).is_ok());
}

#[test]
fn tls_missing_certificate_file_is_an_error_naming_it() {
    let pki = Pki::new();
    let missing = pki.dir.path().join("nope.pem");
    let error = sip::tls::server_config(&missing, &pki.key).unwrap_err();
    assert!(matches!(error, TlsError::Read { .. }), "{error:?}");
    assert!(error.to_string().contains("nope.pem"), "{error}");
}

#[test]
fn tls_certificate_file_without_a_certificate_is_an_error_naming_it() {
    let pki = Pki::new();
    let error = sip::tls::server_config(&pki.key, &pki.key).unwrap_err();
    assert!(matches!(error, TlsError::NoCertificate { .. }), "{error:?}");
    assert!(error.to_string().contains("key.pem"), "{error}");
}

#[test]
fn tls_key_file_without_a_key_is_an_error_naming_it() {
    let pki = Pki::new();
    let error = sip::tls::server_config(&pki.cert, &pki.cert).unwrap_err();
    assert!(matches!(error, TlsError::NoKey { .. }), "{error:?}");
    assert!(error.to_string().contains("cert.pem"), "{error}");
}

#[test]
fn tls_unparseable_key_is_unsupported_and_named() {
    let pki = Pki::new();
    // A PKCS#8 block whose content is not a key.
    let bogus =
        pki.file("bogus.pem", b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n");
    let error = sip::tls::server_config(&pki.cert, &bogus).unwrap_err();
    assert!(matches!(error, TlsError::UnsupportedKey { .. }), "{error:?}");
    assert!(error.to_string().contains("bogus.pem"), "{error}");
}

#[test]
fn tls_key_of_another_certificate_is_a_mismatch_naming_both_files() {
    let pki = Pki::new();
    let other = Pki::new();
    let error = sip::tls::server_config(&pki.cert, &other.key).unwrap_err();
    assert!(matches!(error, TlsError::KeyMismatch { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(&*pki.cert.to_string_lossy()) && text.contains(&*other.key.to_string_lossy()), "{text}");
}

#[test]
fn tls_truncated_pem_is_an_error_naming_the_file() {
    let pki = Pki::new();
    let truncated = pki.file("truncated.pem", b"-----BEGIN CERTIFICATE-----\nMIIB\n");
    let error = sip::tls::server_config(&truncated, &pki.key).unwrap_err();
    assert!(matches!(error, TlsError::BadPem { .. }), "{error:?}");
    assert!(error.to_string().contains("truncated.pem"), "{error}");
}

#[test]
fn tls_client_config_refuses_a_ca_file_without_certificates() {
    let pki = Pki::new();
    let error = sip::tls::client_config(&pki.key).unwrap_err();
    assert!(matches!(error, TlsError::NoCertificate { .. }), "{error:?}");
}

/// Answers OPTIONS 200 and INVITE 180 then 486.
struct Edge;

impl Handler for Edge {
    fn on_event(&mut self, event: LayerEvent, layer: &mut TransactionLayer, now: Instant) {
        let LayerEvent::Request { key, request, .. } = event else { return };
        if request.method() == &Method::Invite {
            layer.respond(&key, request.response(StatusCode::RINGING, Some("tls")), now).expect("180");
            layer.respond(&key, request.response(StatusCode::BUSY_HERE, Some("tls")), now).expect("486");
        } else {
            layer.respond(&key, request.response(StatusCode::OK, Some("tls")), now).expect("200");
        }
    }
}

/// A SIP-over-TLS endpoint on 127.0.0.1 running until dropped.
pub struct Server {
    pub addr: SocketAddr,
    pub stats: Arc<TcpStats>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(pki: &Pki) -> Server {
    start_endpoint(Some(pki), ConnectionLimits::default()).await
}

/// A SIP endpoint on 127.0.0.1, over TLS when `pki` is given, else TCP.
pub async fn start_endpoint(pki: Option<&Pki>, connection_limits: ConnectionLimits) -> Server {
    let layer = TransactionLayer::new(Config::reliable(), Limits::default(), 5);
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let endpoint = match pki {
        Some(pki) => {
            let acceptor = sip::tls::acceptor(&pki.cert, &pki.key).expect("acceptor");
            TcpEndpoint::bind_tls(addr, layer, Limits::default(), acceptor).await.expect("bind")
        }
        None => TcpEndpoint::bind(addr, layer, Limits::default()).await.expect("bind"),
    };
    let endpoint = endpoint.with_connection_limits(connection_limits);
    let addr = endpoint.local_addr().expect("addr");
    let stats = endpoint.stats();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        endpoint
            .run(&mut Edge, async {
                let _ = stopped.await;
            })
            .await
    });
    Server { addr, stats, _stop: stop }
}

/// A SIP client over any byte stream, framing what it reads.
pub struct StreamClient<S> {
    pub stream: S,
    framer: StreamFramer,
}

impl<S: AsyncRead + AsyncWrite + Unpin> StreamClient<S> {
    pub fn new(stream: S) -> StreamClient<S> {
        StreamClient { stream, framer: StreamFramer::new(Limits::default()) }
    }

    pub async fn send(&mut self, text: &str) {
        self.stream.write_all(text.as_bytes()).await.expect("write");
    }

    /// The next frame (message, ping or pong), within the deadline.
    pub async fn frame(&mut self) -> Frame {
        let mut buf = [0u8; 4096];
        loop {
            if let Some(frame) = self.framer.poll() {
                return frame.expect("a valid frame");
            }
            let n =
                tokio::time::timeout(DEADLINE, self.stream.read(&mut buf)).await.expect("bytes in time").expect("read");
            assert!(n > 0, "the server closed the connection");
            self.framer.push(&buf[..n]);
        }
    }

    /// The next SIP response, or `None` when the server closes first.
    pub async fn try_response(&mut self) -> Option<Response> {
        let mut buf = [0u8; 4096];
        loop {
            match self.framer.poll() {
                Some(Ok(Frame::Message(Message::Response(response)))) => return Some(response),
                Some(other) => panic!("expected a response, got {other:?}"),
                None => {}
            }
            match tokio::time::timeout(DEADLINE, self.stream.read(&mut buf)).await.expect("bytes in time") {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.framer.push(&buf[..n]),
            }
        }
    }

    /// The next SIP response.
    pub async fn response(&mut self) -> Response {
        match self.frame().await {
            Frame::Message(Message::Response(response)) => response,
            other => panic!("expected a response, got {other:?}"),
        }
    }

    /// Reads until the server closes (EOF or reset), within the deadline;
    /// `true` when it did.
    pub async fn closed(&mut self) -> bool {
        let mut buf = [0u8; 4096];
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.read(&mut buf)).await {
                Err(_) => return false,
                Ok(Ok(0) | Err(_)) => return true,
                Ok(Ok(_)) => {}
            }
        }
    }
}

pub fn request(method: &str, transport: &str, branch: &str, call_id: &str) -> String {
    format!(
        "{method} sip:edge@127.0.0.1;transport={lower} SIP/2.0\r\n\
         Via: SIP/2.0/{transport} client.invalid:5061;branch=z9hG4bK{branch}\r\n\
         Max-Forwards: 70\r\n\
         To: <sip:edge@127.0.0.1>\r\n\
         From: <sip:alice@127.0.0.1>;tag=t{branch}\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 {method}\r\n\
         Contact: <sip:alice@127.0.0.1;transport={lower}>\r\n\
         Content-Length: 0\r\n\r\n",
        lower = transport.to_ascii_lowercase()
    )
}

pub async fn tls_client(pki: &Pki, addr: SocketAddr) -> StreamClient<tokio_rustls::client::TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let tls = pki.connector().connect(server_name(), tcp).await.expect("handshake");
    StreamClient::new(tls)
}

#[tokio::test]
async fn sip_over_tls_answers_options_and_invite_over_the_connection() {
    let pki = Pki::new();
    let server = start(&pki).await;
    let mut client = tls_client(&pki, server.addr).await;

    client.send(&request("OPTIONS", "TLS", "tlsopt1", "c-tls-opt")).await;
    let ok = client.response().await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers().call_id(), "c-tls-opt");
    let via = ok.headers().top_via();
    assert_eq!(via.transport(), "TLS");
    assert_eq!(via.received(), Some("127.0.0.1"));

    client.send(&request("INVITE", "TLS", "tlsinv1", "c-tls-inv")).await;
    let statuses =
        [client.response().await.status(), client.response().await.status(), client.response().await.status()];
    assert_eq!(statuses, [StatusCode::TRYING, StatusCode::RINGING, StatusCode::BUSY_HERE]);
    assert_eq!(server.stats.open_connections(), 1);
}

#[tokio::test]
async fn tls_client_that_does_not_trust_the_certificate_fails_and_others_are_still_served() {
    let pki = Pki::new();
    let server = start(&pki).await;
    let stranger = Pki::new();

    let tcp = TcpStream::connect(server.addr).await.expect("connect");
    let refused = stranger.connector().connect(server_name(), tcp).into_fallible().await;
    let Err((error, tcp)) = refused else { panic!("a client with another CA completed the handshake") };
    assert!(error.to_string().to_ascii_lowercase().contains("certificate"), "{error}");
    // The server closes the socket only after counting the failure.
    assert!(StreamClient::new(tcp).closed().await);
    assert_eq!(server.stats.handshakes_failed(), 1);

    let mut client = tls_client(&pki, server.addr).await;
    client.send(&request("OPTIONS", "TLS", "tlsafter", "c-tls-after")).await;
    assert_eq!(client.response().await.headers().call_id(), "c-tls-after");
}

#[tokio::test]
async fn tls_endpoint_closes_a_connection_that_sends_plain_sip() {
    let pki = Pki::new();
    let server = start(&pki).await;
    let mut plain = StreamClient::new(TcpStream::connect(server.addr).await.expect("connect"));
    plain.send(&request("OPTIONS", "TCP", "plain1", "c-plain")).await;
    assert!(plain.closed().await);
    assert_eq!(server.stats.handshakes_failed(), 1);
}
