//! Interop with SIPp on 127.0.0.1: SIPp's built-in `uac` scenario (INVITE,
//! 100/180/200, ACK, BYE, 200) against a test endpoint built on the UDP
//! shell and the transaction layer.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sip::layer::{LayerEvent, TransactionLayer};
use sip::message::{Limits, Method, StatusCode};
use sip::transaction::Config;
use sip::udp::{Handler, UdpEndpoint};

const SDP_ANSWER: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 6999 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/// Answers every INVITE with 180 then 200 and SDP, everything else 200.
#[derive(Default)]
struct AnsweringEndpoint {
    contact: String,
    invites: usize,
    acks: usize,
    byes: usize,
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
pub fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).map(|a| a.port()).expect("free port")
}

#[tokio::test(flavor = "current_thread")]
async fn sipp_uac_calls_are_answered_by_the_test_endpoint() {
    if !sipp_available() {
        return;
    }
    let layer = TransactionLayer::new(Config::default(), Limits::default(), 1);
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let endpoint = UdpEndpoint::bind(bind, layer).await.expect("bind");
    let addr = endpoint.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let mut handler = AnsweringEndpoint { contact: format!("<sip:test@{addr}>"), ..Default::default() };
        endpoint
            .run(&mut handler, async {
                let _ = stopped.await;
            })
            .await
            .map(|()| handler)
    });

    let calls = 5;
    let (port, media, control) = (free_port().to_string(), free_port().to_string(), free_port().to_string());
    let target = addr.to_string();
    let sipp = tokio::process::Command::new("sipp")
        .args(["-sn", "uac", &target, "-i", "127.0.0.1", "-p", &port, "-mi", "127.0.0.1", "-mp", &media])
        .args(["-cp", &control, "-m", &calls.to_string(), "-r", "10", "-d", "100", "-timeout", "30", "-nostdin"])
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    // A bound on a hung peer, not a timing assertion.
    let output = tokio::time::timeout(Duration::from_secs(60), sipp).await.expect("sipp finished").expect("sipp ran");
    let _ = stop.send(());
    let handler = server.await.expect("endpoint task").expect("endpoint ran");

    assert!(
        output.status.success(),
        "sipp failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(handler.invites, calls);
    assert_eq!(handler.acks, calls, "each 2xx ACK reaches the user");
    assert_eq!(handler.byes, calls);
}
