//! The edge as a load-test subject: a UDP edge whose bridge relays every
//! incoming call through the leg API to one callee (SIPp UAC → edge →
//! SIPp UAS). Run by `benches/sip-load.sh`; prints its address and runs
//! until killed.
//!
//! ```text
//! edge-bench LISTEN CALLEE      e.g. edge-bench 127.0.0.1:5080 127.0.0.1:5090
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

use sip::edge::{Edge, EdgeConfig, LocalTransport, OpenDirectory, Target, TransportId};
use sip::message::Uri;
use sip::registrar::Transport;
use sip::runner::{EdgeRunner, bridge};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [listen, callee] => listen.parse::<SocketAddr>().ok().zip(callee.parse::<SocketAddr>().ok()),
        _ => None,
    };
    let Some((listen, callee)) = parsed else {
        eprintln!("usage: edge-bench LISTEN_ADDR CALLEE_ADDR (IP:port each)");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("edge-bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(listen, callee)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("edge-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(listen: SocketAddr, callee: SocketAddr) -> std::io::Result<()> {
    let socket = tokio::net::UdpSocket::bind(listen).await?;
    let local = LocalTransport::new(Transport::Udp, &listen.ip().to_string(), listen.port());
    // Limits far above the load, so they measure the edge, not its shedding.
    let config =
        EdgeConfig { max_live_legs: 200_000, setup_rate: 100_000, setup_burst: 100_000, ..EdgeConfig::default() };
    let edge = Edge::new(config, vec![local], Box::new(OpenDirectory), u64::from(std::process::id()));
    let (runner, handle, events) = EdgeRunner::new(edge);
    let uri = Uri::parse(&format!("sip:service@{callee}")).ok_or_else(|| std::io::Error::other("bad callee"))?;
    let target = Target::new(uri, TransportId(0), callee);
    tokio::spawn(bridge(handle, events, target));
    println!("edge-bench listening on {listen}, calling {callee}");
    runner.with_udp(TransportId(0), socket).run(std::future::pending()).await
}
