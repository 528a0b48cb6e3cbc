//! Datagrams taken from a socket a few at a time with one `recvmmsg(2)`,
//! into buffers the shard keeps.
//!
//! Fewer datagrams than there are slots means the socket's queue was
//! empty when the call returned: the socket is drained without the extra
//! receive that would return `EAGAIN`.

use std::io::{self, IoSliceMut};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;

use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrStorage, recvmmsg};

/// The largest datagram taken in (RTP over Ethernet fits well within).
pub(super) const MAX_DATAGRAM: usize = 2048;

/// Datagrams one receive can take.
pub(super) const SLOTS: usize = 4;

/// A shard's receive buffers and the headers `recvmmsg` fills.
pub(super) struct Batch {
    headers: MultiHeaders<SockaddrStorage>,
    buffers: Box<[[u8; MAX_DATAGRAM]; SLOTS]>,
    /// What the last receive took: length and source of each datagram.
    taken: [(usize, Option<SocketAddr>); SLOTS],
}

impl Batch {
    /// Buffers for [`SLOTS`] datagrams.
    pub fn new() -> Batch {
        Batch {
            headers: MultiHeaders::preallocate(SLOTS, None),
            buffers: Box::new([[0; MAX_DATAGRAM]; SLOTS]),
            taken: [(0, None); SLOTS],
        }
    }

    /// Takes up to [`SLOTS`] datagrams waiting on `socket` (non-blocking);
    /// how many came back. An empty queue is `Ok(0)`.
    pub fn receive(&mut self, socket: &UdpSocket) -> io::Result<usize> {
        let mut slices: [[IoSliceMut<'_>; 1]; SLOTS] = self.buffers.each_mut().map(|b| [IoSliceMut::new(b)]);
        let results =
            match recvmmsg(socket.as_raw_fd(), &mut self.headers, slices.iter_mut(), MsgFlags::MSG_DONTWAIT, None) {
                Ok(results) => results,
                Err(nix::errno::Errno::EAGAIN) => return Ok(0),
                Err(errno) => return Err(errno.into()),
            };
        let mut count = 0;
        for (taken, message) in self.taken.iter_mut().zip(results) {
            *taken = (message.bytes, message.address.and_then(|a| socket_addr(&a)));
            count += 1;
        }
        Ok(count)
    }

    /// Datagram `index` of the last receive: its buffer (the datagram in
    /// its first `len` bytes), `len`, and its source (`None`: not IP).
    pub fn datagram(&mut self, index: usize) -> (&mut [u8], usize, Option<SocketAddr>) {
        let (len, source) = self.taken[index];
        (&mut self.buffers[index][..], len, source)
    }
}

fn socket_addr(address: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = address.as_sockaddr_in() {
        return Some(SocketAddr::from(*v4));
    }
    address.as_sockaddr_in6().map(|v6| SocketAddr::from(*v6))
}
