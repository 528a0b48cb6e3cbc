//! What the load runs through: a relay that sets up a call between two
//! endpoint addresses and says where each endpoint must send.

use std::io;
use std::net::SocketAddr;

/// A relay under test.
pub trait Backend {
    /// The name in the report.
    fn name(&self) -> &'static str;

    /// Sets up call `call` between `caller` and `callee`; returns where the
    /// caller sends and where the callee sends, in that order.
    async fn open(&mut self, call: usize, caller: SocketAddr, callee: SocketAddr) -> io::Result<[SocketAddr; 2]>;

    /// Tears call `call` down.
    async fn close(&mut self, call: usize) -> io::Result<()>;

    /// The relay's CPU time so far, nanoseconds (0 when it has none).
    fn cpu_ns(&self) -> io::Result<u64>;

    /// The relay's wakes that took datagrams so far, where it counts them.
    fn wakes(&self) -> Option<u64> {
        None
    }
}

/// No relay: each endpoint sends straight to its peer. The harness's own
/// cost and delay floor.
#[derive(Debug, Default)]
pub struct Direct;

impl Backend for Direct {
    fn name(&self) -> &'static str {
        "direct"
    }

    async fn open(&mut self, _call: usize, caller: SocketAddr, callee: SocketAddr) -> io::Result<[SocketAddr; 2]> {
        Ok([callee, caller])
    }

    async fn close(&mut self, _call: usize) -> io::Result<()> {
        Ok(())
    }

    fn cpu_ns(&self) -> io::Result<u64> {
        Ok(0)
    }
}
