//! `switchboard demo` and `switchboard serve` as an operator runs them.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};

use crate::http::request;

pub(crate) fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

pub(crate) fn free_udp_addr() -> SocketAddr {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

pub(crate) struct Node {
    pub(crate) database_url: String,
    data_dir: tempfile::TempDir,
    pub(crate) addr: SocketAddr,
    /// The SIP edge's UDP address.
    pub(crate) sip_udp: SocketAddr,
    /// Extra `SWITCHBOARD_*` settings.
    pub(crate) env: Vec<(&'static str, String)>,
}

impl Node {
    pub(crate) async fn new() -> Node {
        Node::on_database(store::testing::fresh_database_url().await)
    }

    /// A node on the database at `database_url` (e.g. a test's own cluster).
    pub(crate) fn on_database(database_url: String) -> Node {
        Node {
            database_url,
            data_dir: tempfile::tempdir().unwrap(),
            addr: free_addr(),
            sip_udp: free_udp_addr(),
            env: Vec::new(),
        }
    }

    /// Gives `serve` a range of 100 RTP ports of its own (below the
    /// ephemeral ports other tests' peers take), so parallel calls' media
    /// seldom meet.
    pub(crate) fn with_own_media_range(mut self) -> Node {
        let first = 28_000 + (self.sip_udp.port() % 47) * 100;
        self.env.push(("SWITCHBOARD_MEDIA__PORT_FIRST", first.to_string()));
        self.env.push(("SWITCHBOARD_MEDIA__PORT_LAST", (first + 99).to_string()));
        self
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        cmd.args(args)
            .env("SWITCHBOARD_DATABASE__URL", &self.database_url)
            .env("SWITCHBOARD_DATA_DIR", self.data_dir.path())
            .env("SWITCHBOARD_HTTP__LISTEN", self.addr.to_string())
            .env("SWITCHBOARD_SIP__UDP_LISTEN", self.sip_udp.to_string())
            .env("SWITCHBOARD_LOG__FORMAT", "json")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs a command to its end, whatever its status.
    pub(crate) fn command_output(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().unwrap()
    }

    pub(crate) fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).output().unwrap();
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `serve` and waits until /healthz answers (bounded tries, each
    /// one a connection attempt; no fixed sleep decides the outcome).
    pub(crate) fn serve(&self) -> Child {
        let mut child = self.command(&["serve"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        for _ in 0..600 {
            if let Ok(r) = request(self.addr, "GET", "/healthz", None, None) {
                assert_eq!(r.status, 200);
                return child;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("serve exited early: {status}");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        panic!("serve did not answer /healthz");
    }
}

pub(crate) fn terminate(mut child: Child) -> std::process::ExitStatus {
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    child.wait().unwrap()
}

pub(crate) fn login(addr: SocketAddr, username: &str, password: &str) -> String {
    let body = serde_json::json!({"tenant": "demo", "username": username, "password": password}).to_string();
    let r = request(addr, "POST", "/api/v1/auth/login", None, Some(&body)).unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_seeds_once_and_serve_answers_with_its_credentials() {
    let node = Node::new().await;
    let first = node.run(&["demo"]);
    assert!(first.contains("admin"), "{first}");
    assert!(first.contains("sip:alice@demo.switchboard.localhost"), "the SIP logins are printed: {first}");
    let second = node.run(&["demo"]);
    assert!(second.contains("already"), "{second}");

    let child = node.serve();
    let ready = request(node.addr, "GET", "/readyz", None, None).unwrap();
    assert_eq!(ready.status, 200, "{}", ready.body);

    let admin = login(node.addr, "admin", "demo-admin");
    let queues = request(node.addr, "GET", "/api/v1/queues", Some(&admin), None).unwrap();
    assert_eq!(queues.status, 200);
    let mut names: Vec<String> =
        queues.json()["items"].as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    assert_eq!(names, ["sales", "support"]);
    let agents = request(node.addr, "GET", "/api/v1/agents", Some(&admin), None).unwrap();
    // Six agents and the supervisor's phone (a profile of no queue).
    assert_eq!(agents.json()["items"].as_array().unwrap().len(), 7, "{}", agents.body);
    assert!(!agents.body.contains("sip-demo"), "SIP passwords are never shown: {}", agents.body);
    let pool = store::connect(&node.database_url, 1).await.unwrap();
    let accounts = store::repo::sip_accounts::all(&pool).await.unwrap();
    assert_eq!(accounts.len(), 7, "every demo agent and the supervisor has a SIP account: {accounts:?}");
    assert!(accounts.iter().all(|a| a.tenant_slug == "demo" && a.password == format!("{}-sip-demo", a.extension)));
    pool.close().await;

    let agent = login(node.addr, "alice", "demo-agent");
    let forbidden = request(node.addr, "POST", "/api/v1/skills", Some(&agent), Some(r#"{"name":"x"}"#)).unwrap();
    assert_eq!(forbidden.status, 403);

    let status = terminate(child);
    assert!(status.success(), "serve did not exit cleanly on SIGTERM: {status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn user_add_creates_a_login_that_works() {
    let node = Node::new().await;
    node.run(&["demo"]);
    let mut add = node
        .command(&[
            "user",
            "add",
            "--tenant",
            "demo",
            "--username",
            "zoe",
            "--display-name",
            "Zoe",
            "--role",
            "supervisor",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin.take().unwrap().write_all(b"zoe-password-1\n").unwrap();
    assert!(add.wait().unwrap().success());

    let child = node.serve();
    let token = login(node.addr, "zoe", "zoe-password-1");
    let users = request(node.addr, "GET", "/api/v1/skills", Some(&token), None).unwrap();
    assert_eq!(users.status, 200);
    assert!(terminate(child).success());
}

#[test]
fn a_bad_configuration_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[http]\nlisten = \"not an address\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["--config", file.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("listen"), "{stderr}");
}

/// Sends `payload` as one masked WebSocket text frame (RFC 6455 §5.2).
fn send_text_frame(stream: &mut std::net::TcpStream, payload: &[u8]) {
    use std::io::Write;
    let mask = [0x12u8, 0x34, 0x56, 0x78];
    let mut frame = vec![0x81];
    if payload.len() < 126 {
        frame.push(0x80 | payload.len() as u8);
    } else {
        frame.push(0x80 | 126);
        frame.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    stream.write_all(&frame).unwrap();
}

/// Reads one unmasked server frame and returns its payload.
fn read_frame(stream: &mut std::net::TcpStream) -> Vec<u8> {
    use std::io::Read;
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).unwrap();
    let len = match head[1] & 0x7f {
        126 => {
            let mut ext = [0u8; 2];
            stream.read_exact(&mut ext).unwrap();
            usize::from(u16::from_be_bytes(ext))
        }
        127 => panic!("unexpectedly large frame"),
        n => usize::from(n),
    };
    let mut payload = vec![0; len];
    stream.read_exact(&mut payload).unwrap();
    payload
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_answers_sip_over_websocket_on_the_api_port() {
    use std::io::{BufRead, BufReader, Write};
    let node = Node::new().await;
    let child = node.serve();

    let mut stream = std::net::TcpStream::connect(node.addr).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let upgrade = format!(
        "GET /sip HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: sip\r\n\r\n",
        node.addr
    );
    stream.write_all(upgrade.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(head.contains("sec-websocket-protocol: sip"), "{head}");

    let options = "OPTIONS sip:switchboard.invalid SIP/2.0\r\n\
        Via: SIP/2.0/WS abc.invalid;branch=z9hG4bKserve1\r\n\
        From: <sip:alice@demo.invalid>;tag=a1\r\nTo: <sip:switchboard.invalid>\r\n\
        Call-ID: serve-ws-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    send_text_frame(&mut stream, options.as_bytes());
    let answer = String::from_utf8(read_frame(&mut stream)).unwrap();
    assert!(answer.starts_with("SIP/2.0 200"), "{answer}");
    assert!(answer.contains("serve-ws-1"), "{answer}");

    drop(reader);
    drop(stream);
    assert!(terminate(child).success());
}

/// A CA and a certificate it signed for `localhost` and 127.0.0.1, as PEM
/// files, and a TLS client that trusts that CA only.
struct Pki {
    _dir: tempfile::TempDir,
    cert: std::path::PathBuf,
    key: std::path::PathBuf,
    connector: sip::tls::TlsConnector,
}

impl Pki {
    fn new() -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
        let dir = tempfile::tempdir().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let write = |name: &str, pem: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, pem).unwrap();
            path
        };
        let ca = write("ca.pem", ca.pem());
        let cert = write("cert.pem", cert.pem());
        let key = write("key.pem", key.serialize_pem());
        let connector = sip::tls::TlsConnector::from(std::sync::Arc::new(sip::tls::client_config(&ca).unwrap()));
        Pki { _dir: dir, cert, key, connector }
    }

    async fn connect(
        &self,
        addr: SocketAddr,
    ) -> std::io::Result<impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + use<>> {
        let tcp = tokio::net::TcpStream::connect(addr).await?;
        self.connector.connect(sip::tls::ServerName::try_from("localhost").unwrap(), tcp).await
    }
}

/// `GET /healthz` over HTTPS; the status code, or an error while `serve`
/// is not listening yet.
async fn https_health(pki: &Pki, addr: SocketAddr) -> std::io::Result<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tls = pki.connect(addr).await?;
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await?;
    let mut raw = Vec::new();
    // A peer closing without close_notify is fine once the answer is in.
    let _ = tls.read_to_end(&mut raw).await;
    let raw = String::from_utf8_lossy(&raw);
    Ok(raw.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_with_a_certificate_answers_health_over_https_and_options_over_wss() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let pki = Pki::new();
    let mut node = Node::new().await;
    node.env.push(("SWITCHBOARD_HTTP__TLS_CERT", pki.cert.display().to_string()));
    node.env.push(("SWITCHBOARD_HTTP__TLS_KEY", pki.key.display().to_string()));
    let mut child = node.command(&["serve"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    // Bounded tries, each one a connection attempt; no fixed sleep decides.
    let mut health = None;
    for _ in 0..600 {
        if let Ok(status) = https_health(&pki, node.addr).await {
            health = Some(status);
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("serve exited early: {status}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(health, Some(200), "serve did not answer /healthz over HTTPS");
    // The plain-HTTP client gets no answer from a TLS port.
    assert!(request(node.addr, "GET", "/healthz", None, None).map_or(true, |r| r.status != 200));

    let tls = pki.connect(node.addr).await.unwrap();
    let mut upgrade = format!("wss://localhost:{}/sip", node.addr.port()).into_client_request().unwrap();
    upgrade.headers_mut().insert("Sec-WebSocket-Protocol", "sip".parse().unwrap());
    let (mut ws, handshake) = tokio_tungstenite::client_async(upgrade, tls).await.unwrap();
    assert_eq!(handshake.status().as_u16(), 101);
    let options = "OPTIONS sip:switchboard.invalid SIP/2.0\r\n\
        Via: SIP/2.0/WSS abc.invalid;branch=z9hG4bKservewss1\r\n\
        From: <sip:alice@demo.invalid>;tag=a1\r\nTo: <sip:switchboard.invalid>\r\n\
        Call-ID: serve-wss-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    ws.send(Message::text(options)).await.unwrap();
    let answer = tokio::time::timeout(std::time::Duration::from_secs(30), ws.next())
        .await
        .expect("an answer in time")
        .expect("open")
        .unwrap();
    let answer = answer.into_text().unwrap();
    assert!(answer.starts_with("SIP/2.0 200"), "{answer}");
    assert!(answer.contains("serve-wss-1"), "{answer}");
    drop(ws);

    assert!(terminate(child).success(), "serve did not exit cleanly on SIGTERM");
}

#[test]
fn serve_with_an_unreadable_certificate_fails_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(&key, "not a key").unwrap();
    let missing = dir.path().join("missing-cert.pem");
    let out = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("serve")
        .env("SWITCHBOARD_HTTP__TLS_CERT", &missing)
        .env("SWITCHBOARD_HTTP__TLS_KEY", &key)
        .env("SWITCHBOARD_DATA_DIR", dir.path())
        .env("SWITCHBOARD_DATABASE__URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing-cert.pem") && stderr.contains("http.tls_cert"), "{stderr}");
}

/// Whether sipp runs here (scripts/test installs it); says so loudly when not.
pub(crate) fn sipp_available() -> bool {
    let ok = Command::new("sipp").arg("-v").stdin(Stdio::null()).output().is_ok();
    if !ok {
        eprintln!("SKIPPED: the serve SIP test needs `sipp` (Debian package sip-tester; scripts/test installs it)");
    }
    ok
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sip_phone_registers_as_a_demo_agent_over_udp_and_its_device_events_are_stored() {
    if !sipp_available() {
        return;
    }
    let node = Node::new().await;
    node.run(&["demo"]);
    let child = node.serve();
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/../sip/tests/sipp/uac-register-auth.xml");
    let local = free_udp_addr().port().to_string();
    let control = free_udp_addr().port().to_string();
    let sipp = Command::new("sipp")
        .arg(node.sip_udp.to_string())
        .args([
            "-sf",
            scenario,
            "-au",
            "alice",
            "-ap",
            "alice-sip-demo",
            "-key",
            "domain",
            "demo.switchboard.localhost",
        ])
        .args(["-m", "1", "-i", "127.0.0.1", "-p", &local, "-cp", &control, "-timeout", "30", "-nostdin"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        sipp.status.success(),
        "alice registered with her demo SIP password and un-registered:\n{}",
        String::from_utf8_lossy(&sipp.stdout)
    );
    let admin = login(node.addr, "admin", "demo-admin");
    // The writer stores in batches: a bounded number of reads, each a real query.
    let mut kinds = Vec::new();
    for _ in 0..200 {
        let events = request(node.addr, "GET", "/api/v1/events?limit=1000", Some(&admin), None).unwrap();
        assert_eq!(events.status, 200, "{}", events.body);
        kinds = events.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["payload"]["kind"].as_str().or_else(|| e["kind"].as_str()).map(str::to_owned))
            .filter(|k| k.starts_with("agent_device"))
            .collect::<Vec<_>>();
        if kinds.len() >= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    kinds.sort();
    assert_eq!(kinds, vec!["agent_device_registered", "agent_device_unregistered"]);
    assert!(terminate(child).success());
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_answers_sip_options_over_tcp_when_sip_tcp_listen_is_set() {
    use std::io::{Read, Write};
    let mut node = Node::new().await;
    let tcp = free_addr();
    node.env.push(("SWITCHBOARD_SIP__TCP_LISTEN", tcp.to_string()));
    node.run(&["demo"]);
    let child = node.serve();
    let mut stream = std::net::TcpStream::connect(tcp).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let options = "OPTIONS sip:edge@127.0.0.1;transport=tcp SIP/2.0\r\n\
        Via: SIP/2.0/TCP client.invalid;branch=z9hG4bKservetcp1\r\nMax-Forwards: 70\r\n\
        From: <sip:probe@example.com>;tag=p1\r\nTo: <sip:edge@127.0.0.1>\r\nCall-ID: serve-tcp-1\r\n\
        CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    stream.write_all(options.as_bytes()).unwrap();
    let mut buf = [0u8; 2048];
    let n = stream.read(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("SIP/2.0 200"), "OPTIONS over TCP is answered: {text}");
    assert!(text.contains("serve-tcp-1"));
    assert!(terminate(child).success());
}
