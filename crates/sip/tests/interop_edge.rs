//! SIPp → edge → SIPp on 127.0.0.1: a SIPp caller calls the edge over UDP,
//! the bridge relays each call through the leg API to a SIPp callee, and
//! both SIPp instances must complete every call: BYE from the caller, BYE
//! from the callee, CANCEL before answer.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use sip::edge::{Edge, EdgeConfig, LocalTransport, OpenDirectory, Target, TransportId};
use sip::message::Uri;
use sip::registrar::Transport;
use sip::runner::{EdgeRunner, bridge};

use crate::interop::{free_port, sipp_against, sipp_available};

/// A running edge whose bridge places every call to `callee`.
struct Bridged {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    runner: tokio::task::JoinHandle<std::io::Result<()>>,
    bridge: tokio::task::JoinHandle<u64>,
}

impl Bridged {
    async fn start(callee: SocketAddr) -> Bridged {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let addr = socket.local_addr().expect("addr");
        let local = LocalTransport::new(Transport::Udp, "127.0.0.1", addr.port());
        let edge = Edge::new(EdgeConfig::default(), vec![local], Box::new(OpenDirectory), 11);
        let (runner, handle, events) = EdgeRunner::new(edge);
        let runner = runner.with_udp(TransportId(0), socket);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runner = tokio::spawn(runner.run(async {
            let _ = stopped.await;
        }));
        let uri = Uri::parse(&format!("sip:service@{callee}")).expect("uri");
        let target = Target::new(uri, TransportId(0), callee);
        let bridge = tokio::spawn(bridge(handle, events, target));
        Bridged { addr, stop, runner, bridge }
    }

    /// Stops the edge; the calls the bridge answered on both legs.
    async fn stop(self) -> u64 {
        let _ = self.stop.send(());
        self.runner.await.expect("runner task").expect("runner ran");
        self.bridge.await.expect("bridge task")
    }
}

/// Starts a SIPp callee on a free port: `-sn uas` or a scenario file.
fn callee(scenario: &[&str], calls: usize) -> (SocketAddr, tokio::process::Child) {
    let (port, media, control) = (free_port(), free_port().to_string(), free_port().to_string());
    let child = tokio::process::Command::new("sipp")
        .args(scenario)
        .args(["-i", "127.0.0.1", "-p", &port.to_string(), "-mi", "127.0.0.1", "-mp", &media, "-cp", &control])
        .args(["-m", &calls.to_string(), "-timeout", "30", "-nostdin"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("sipp callee");
    (SocketAddr::from(([127, 0, 0, 1], port)), child)
}

async fn callee_succeeded(child: tokio::process::Child) {
    // A bound on a hung peer, not a timing assertion.
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("callee finished")
        .expect("callee ran");
    assert!(
        output.status.success(),
        "the SIPp callee failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test(flavor = "current_thread")]
async fn sipp_calls_through_the_edge_are_bridged_to_a_sipp_callee_and_hung_up_by_the_caller() {
    if !sipp_available() {
        return;
    }
    let calls = 10;
    let (callee_addr, uas) = callee(&["-sn", "uas"], calls);
    let edge = Bridged::start(callee_addr).await;
    sipp_against(edge.addr, &["-sn", "uac", "-m", &calls.to_string(), "-r", "20", "-d", "200"]).await;
    callee_succeeded(uas).await;
    assert_eq!(edge.stop().await, calls as u64, "every call was answered on both legs");
}

#[tokio::test(flavor = "current_thread")]
async fn callee_bye_through_the_edge_ends_the_callers_leg() {
    if !sipp_available() {
        return;
    }
    let calls = 5;
    let bye = scenario("uas-bye.xml");
    let (callee_addr, uas) = callee(&["-sf", &bye], calls);
    let edge = Bridged::start(callee_addr).await;
    sipp_against(edge.addr, &["-sf", &scenario("uac-wait-bye.xml"), "-m", &calls.to_string(), "-r", "10"]).await;
    callee_succeeded(uas).await;
    assert_eq!(edge.stop().await, calls as u64);
}

#[tokio::test(flavor = "current_thread")]
async fn caller_cancel_through_the_edge_cancels_the_ringing_callee() {
    if !sipp_available() {
        return;
    }
    let calls = 3;
    let ring = scenario("uas-ring.xml");
    let (callee_addr, uas) = callee(&["-sf", &ring], calls);
    let edge = Bridged::start(callee_addr).await;
    sipp_against(edge.addr, &["-sf", &scenario("uac-cancel.xml"), "-m", &calls.to_string(), "-r", "10"]).await;
    callee_succeeded(uas).await;
    assert_eq!(edge.stop().await, 0, "no call was answered");
}

#[tokio::test(flavor = "current_thread")]
async fn calls_through_the_edge_survive_10_percent_loss_on_the_caller_side() {
    if !sipp_available() {
        return;
    }
    let calls = 20;
    let (callee_addr, uas) = callee(&["-sn", "uas"], calls);
    let edge = Bridged::start(callee_addr).await;
    let args = ["-sn", "uac", "-lost", "10", "-m", &calls.to_string(), "-r", "20", "-d", "200"];
    sipp_against(edge.addr, &args).await;
    callee_succeeded(uas).await;
    // Retransmitted INVITEs never become second calls: the callee saw
    // exactly `calls` calls (it exits after -m of them).
    assert_eq!(edge.stop().await, calls as u64);
}
