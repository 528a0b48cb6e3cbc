//! The shard's receive buffer: one datagram at a time from a socket, with
//! its source, by `recvfrom(2)`.
//!
//! One receive per datagram, and none that returns `EAGAIN`: the sockets
//! are level-triggered in the shard's poller, so a socket that still
//! holds datagrams is reported again at the next `epoll_wait`. A
//! `recvmmsg(2)` that asks for more than one (to learn that the socket is
//! drained without an empty receive) costs more than this for the one
//! datagram a socket mostly holds (docs/benchmarks.md, "Paced wakes").

use std::io;
use std::net::{SocketAddr, UdpSocket};

/// The largest datagram taken in (RTP over Ethernet fits well within).
pub(super) const MAX_DATAGRAM: usize = 2048;

/// A shard's receive buffer.
pub(super) struct Inbox {
    buffer: Box<[u8; MAX_DATAGRAM]>,
}

impl Inbox {
    /// An empty buffer.
    pub fn new() -> Inbox {
        Inbox { buffer: Box::new([0; MAX_DATAGRAM]) }
    }

    /// Takes the next datagram waiting on `socket` (non-blocking): the
    /// buffer (the datagram in its first `len` bytes), `len` and its
    /// source; `None` when nothing waits.
    pub fn receive(&mut self, socket: &UdpSocket) -> io::Result<Option<(&mut [u8], usize, SocketAddr)>> {
        match socket.recv_from(&mut self.buffer[..]) {
            Ok((len, source)) => Ok(Some((&mut self.buffer[..], len, source))),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(error) => Err(error),
        }
    }
}
