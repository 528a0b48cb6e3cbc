//! Interop with SIPp on 127.0.0.1: SIPp's built-in `uac` scenario (INVITE,
//! 100/180/200, ACK, BYE, 200) against a test endpoint built on the UDP
//! shell and the transaction layer.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sip::layer::{LayerEvent, TransactionLayer};
use sip::message::{Limits, Method, StatusCode};
use sip::tcp::TcpEndpoint;
use sip::transaction::Config;
use sip::udp::{Handler, UdpEndpoint};

const SDP_ANSWER: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 6999 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/// Answers every INVITE with 180 then 200 and SDP (an INVITE to user
/// `ring` only rings), everything else 200.
#[derive(Default)]
struct AnsweringEndpoint {
    contact: String,
    invites: usize,
    acks: usize,
    byes: usize,
    cancels: usize,
    next_tag: u64,
}

impl Handler for AnsweringEndpoint {
    fn on_event(&mut self, event: LayerEvent, layer: &mut TransactionLayer, now: Instant) {
        match event {
            LayerEvent::Request { key, request, .. } => {
                self.next_tag += 1;
                let tag = format!("ep{}", self.next_tag);
                if request.method() == &Method::Invite {
                    self.invites += 1;
                    let ringing = request.response(StatusCode::RINGING, Some(&tag));
                    layer.respond(&key, ringing, now).expect("180");
                    if request.uri().as_str().starts_with("sip:ring@") {
                        return;
                    }
                    let mut ok = request.response(StatusCode::OK, Some(&tag));
                    ok.headers_mut().push("Contact", &self.contact).expect("contact");
                    ok.set_body("application/sdp", SDP_ANSWER.as_bytes().to_vec());
                    layer.respond(&key, ok, now).expect("200");
                } else {
                    self.byes += usize::from(request.method() == &Method::Bye);
                    layer.respond(&key, request.response(StatusCode::OK, Some(&tag)), now).expect("200");
                }
            }
            LayerEvent::Ack { .. } => self.acks += 1,
            LayerEvent::Cancelled { .. } => self.cancels += 1,
            _ => {}
        }
    }
}

fn run(cmd: &str, args: &[&str]) -> Option<std::process::Output> {
    Command::new(cmd).args(args).stdin(Stdio::null()).output().ok()
}

/// Whether sipp can run: installs `sip-tester` like scripts/test does when
/// it is missing and we are root with apt-get; otherwise says so loudly.
pub fn sipp_available() -> bool {
    if run("sipp", &["-v"]).is_some() {
        return true;
    }
    let root = run("id", &["-u"]).is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root && run("apt-get", &["--version"]).is_some() {
        let installed = Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends", "sip-tester"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if installed && run("sipp", &["-v"]).is_some() {
            return true;
        }
    }
    eprintln!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         SKIPPED: SIPp interop test. `sipp` is not installed and could not be\n\
         installed here (needs root and apt-get). Install the Debian package\n\
         sip-tester, or run scripts/test as root, which installs it.\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    );
    false
}

/// A UDP port on 127.0.0.1 that was free a moment ago.
/// A port on 127.0.0.1 that was free for both TCP and UDP a moment ago.
pub fn free_port() -> u16 {
    loop {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("tcp bind");
        let port = tcp.local_addr().expect("addr").port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A test endpoint running on 127.0.0.1 until the sender is used or dropped.
struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<AnsweringEndpoint>>,
}

impl Running {
    async fn start_tcp() -> Running {
        let layer = TransactionLayer::new(Config::reliable(), Limits::default(), 3);
        let bind: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let endpoint = TcpEndpoint::bind(bind, layer, Limits::default()).await.expect("bind");
        let addr = endpoint.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut handler =
                AnsweringEndpoint { contact: format!("<sip:test@{addr};transport=tcp>"), ..Default::default() };
            endpoint
                .run(&mut handler, async {
                    let _ = stopped.await;
                })
                .await
                .map(|()| handler)
        });
        Running { addr, stop, task }
    }

    async fn start() -> Running {
        let layer = TransactionLayer::new(Config::default(), Limits::default(), 1);
        let bind: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let endpoint = UdpEndpoint::bind(bind, layer).await.expect("bind");
        let addr = endpoint.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut handler = AnsweringEndpoint { contact: format!("<sip:test@{addr}>"), ..Default::default() };
            endpoint
                .run(&mut handler, async {
                    let _ = stopped.await;
                })
                .await
                .map(|()| handler)
        });
        Running { addr, stop, task }
    }

    async fn stop(self) -> AnsweringEndpoint {
        let _ = self.stop.send(());
        self.task.await.expect("endpoint task").expect("endpoint ran")
    }
}

/// Runs sipp against `target` with `args` and returns its output.
/// SIPp exits before sending anything when one of its ports was taken
/// meanwhile by another test; such a run is retried with fresh ports.
pub async fn sipp_against(target: SocketAddr, args: &[&str]) -> std::process::Output {
    let mut attempts = 0;
    let output = loop {
        attempts += 1;
        let (port, media, control) = (free_port().to_string(), free_port().to_string(), free_port().to_string());
        let sipp = tokio::process::Command::new("sipp")
            .arg(target.to_string())
            .args(["-i", "127.0.0.1", "-p", &port, "-mi", "127.0.0.1", "-mp", &media, "-cp", &control])
            .args(["-timeout", "30", "-nostdin"])
            .args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output();
        // A bound on a hung peer, not a timing assertion.
        let output =
            tokio::time::timeout(Duration::from_secs(60), sipp).await.expect("sipp finished").expect("sipp ran");
        let port_taken = String::from_utf8_lossy(&output.stderr).contains("Address already in use")
            || String::from_utf8_lossy(&output.stdout).contains("Address already in use");
        if output.status.success() || !port_taken || attempts == 5 {
            break output;
        }
    };
    assert!(
        output.status.success(),
        "sipp failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[tokio::test(flavor = "current_thread")]
async fn sipp_uac_calls_are_answered_by_the_test_endpoint() {
    if !sipp_available() {
        return;
    }
    let endpoint = Running::start().await;
    let calls = 5;
    sipp_against(endpoint.addr, &["-sn", "uac", "-m", &calls.to_string(), "-r", "10", "-d", "100"]).await;
    let handler = endpoint.stop().await;
    assert_eq!(handler.invites, calls);
    assert_eq!(handler.acks, calls, "each 2xx ACK reaches the user");
    assert_eq!(handler.byes, calls);
}

#[tokio::test(flavor = "current_thread")]
async fn sipp_cancel_before_answer_gets_200_and_487_and_its_ack_is_absorbed() {
    if !sipp_available() {
        return;
    }
    let endpoint = Running::start().await;
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sipp/uac-cancel.xml");
    sipp_against(endpoint.addr, &["-sf", scenario, "-m", "3", "-r", "10"]).await;
    let handler = endpoint.stop().await;
    assert_eq!(handler.invites, 3);
    assert_eq!(handler.cancels, 3, "each CANCEL reached its pending INVITE");
    assert_eq!(handler.acks, 0, "the ACK of a 487 belongs to the INVITE transaction, not the user");
}

#[tokio::test(flavor = "current_thread")]
async fn sipp_uac_calls_over_tcp_are_framed_and_answered() {
    if !sipp_available() {
        return;
    }
    let endpoint = Running::start_tcp().await;
    let calls = 5;
    sipp_against(endpoint.addr, &["-sn", "uac", "-t", "t1", "-m", &calls.to_string(), "-r", "10", "-d", "100"]).await;
    let handler = endpoint.stop().await;
    assert_eq!(handler.invites, calls);
    assert_eq!(handler.acks, calls);
    assert_eq!(handler.byes, calls);
}

#[tokio::test(flavor = "current_thread")]
async fn sipp_uac_calls_survive_10_percent_loss_without_duplicate_calls() {
    if !sipp_available() {
        return;
    }
    let endpoint = Running::start().await;
    let calls = 20;
    sipp_against(endpoint.addr, &["-sn", "uac", "-lost", "10", "-m", &calls.to_string(), "-r", "20", "-d", "100"])
        .await;
    let handler = endpoint.stop().await;
    assert_eq!(handler.invites, calls, "a retransmitted INVITE is never a new call");
    // Not equal: SIPp's uac accepts any 200 after its BYE, so when its BYE is
    // lost and a retransmitted 2xx of the INVITE arrives, the call ends
    // without the BYE reaching us.
    assert!(handler.byes <= calls, "a retransmitted BYE is absorbed by its transaction");
}
