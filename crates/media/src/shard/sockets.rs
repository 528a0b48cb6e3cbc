//! The sockets of one call's legs: bound on a port pair from the engine's
//! range, polled together, given back when the leg goes.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::ReadBuf;
use tokio::net::UdpSocket;

use crate::ports::{PortPair, PortPool};
use crate::session::LegId;

use super::MediaError;

/// Pairs tried before giving up when ports of the range are taken by
/// another program.
const BIND_ATTEMPTS: usize = 16;

/// One leg's sockets.
#[derive(Debug)]
pub(super) struct LegSockets {
    pub leg: LegId,
    pub rtp: UdpSocket,
    /// Without rtcp-mux, RTCP's own socket on the port above.
    pub rtcp: Option<UdpSocket>,
    /// The RTP socket's local address.
    pub local: SocketAddr,
    pub ports: PortPair,
}

/// A datagram that arrived on one of the sockets.
#[derive(Debug, Clone, Copy)]
pub(super) struct Arrival {
    /// Index into the socket table.
    pub index: usize,
    pub source: SocketAddr,
    pub len: usize,
}

/// Binds a leg's sockets on the next free pair of `ports`.
pub(super) fn bind(
    ports: &Arc<Mutex<PortPool>>,
    address: IpAddr,
    rtcp: bool,
    leg: LegId,
) -> Result<LegSockets, MediaError> {
    let mut last_error = None;
    for _ in 0..BIND_ATTEMPTS {
        let pair = ports.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()?;
        match bind_pair(address, pair, rtcp) {
            Ok((rtp, rtcp)) => {
                let local = rtp.local_addr()?;
                return Ok(LegSockets { leg, rtp, rtcp, local, ports: pair });
            }
            Err(error) => {
                // Taken by someone else: leave it out for now, try the next.
                last_error = Some(error);
                give_back(ports, pair);
            }
        }
    }
    Err(MediaError::Io(last_error.unwrap_or_else(|| io::Error::other("no port pair could be bound"))))
}

fn bind_pair(address: IpAddr, pair: PortPair, rtcp: bool) -> io::Result<(UdpSocket, Option<UdpSocket>)> {
    let rtp = std::net::UdpSocket::bind(SocketAddr::new(address, pair.rtp))?;
    rtp.set_nonblocking(true)?;
    let rtcp = if rtcp {
        let socket = std::net::UdpSocket::bind(SocketAddr::new(address, pair.rtcp()))?;
        socket.set_nonblocking(true)?;
        Some(UdpSocket::from_std(socket)?)
    } else {
        None
    };
    Ok((UdpSocket::from_std(rtp)?, rtcp))
}

/// Gives a pair back to the range.
pub(super) fn give_back(ports: &Arc<Mutex<PortPool>>, pair: PortPair) {
    ports.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).give_back(pair);
}

/// Polls every socket once, from `start` round the table, for a datagram
/// into `buffer`; the RTCP socket's index is `2 × leg + 1`.
pub(super) fn poll_any(legs: &[LegSockets], start: usize, buffer: &mut [u8], cx: &mut Context<'_>) -> Poll<Arrival> {
    let n = legs.len();
    for k in 0..n {
        let i = (start + k) % n;
        let sockets = [Some(&legs[i].rtp), legs[i].rtcp.as_ref()];
        for (j, socket) in sockets.into_iter().enumerate() {
            let Some(socket) = socket else { continue };
            let mut read = ReadBuf::new(buffer);
            match socket.poll_recv_from(cx, &mut read) {
                Poll::Ready(Ok(source)) => {
                    return Poll::Ready(Arrival { index: 2 * i + j, source, len: read.filled().len() });
                }
                // An error (an ICMP report of an earlier send) is skipped;
                // the socket is polled again at once to re-arm its waker.
                Poll::Ready(Err(_)) => cx.waker().wake_by_ref(),
                Poll::Pending => {}
            }
        }
    }
    Poll::Pending
}
