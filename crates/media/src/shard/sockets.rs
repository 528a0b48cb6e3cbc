//! The sockets of one call's legs: bound on a port pair from the engine's
//! range, registered with the shard's poller, given back when the leg goes.

use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};

use crate::ports::{PortPair, PortPool};
use crate::session::LegId;

use super::MediaError;
use super::poller::{Poller, Token};

/// Pairs tried before giving up when ports of the range are taken by
/// another program.
const BIND_ATTEMPTS: usize = 16;

/// One leg's sockets (non-blocking), each with the token the poller
/// reports it by.
#[derive(Debug)]
pub(super) struct LegSockets {
    pub leg: LegId,
    pub rtp: UdpSocket,
    pub rtp_token: Token,
    /// Without rtcp-mux, RTCP's own socket on the port above.
    pub rtcp: Option<(UdpSocket, Token)>,
    /// The RTP socket's local address.
    pub local: SocketAddr,
    pub ports: PortPair,
}

impl LegSockets {
    /// The socket `token` names, if it is one of this leg's.
    pub fn socket(&self, token: Token) -> Option<&UdpSocket> {
        if token == self.rtp_token {
            return Some(&self.rtp);
        }
        self.rtcp.as_ref().filter(|(_, t)| *t == token).map(|(socket, _)| socket)
    }

    /// The socket RTCP goes out of: its own, or the RTP one with rtcp-mux.
    pub fn rtcp_socket(&self) -> &UdpSocket {
        self.rtcp.as_ref().map_or(&self.rtp, |(socket, _)| socket)
    }
}

/// Binds a leg's sockets on the next free pair of `ports` and registers
/// them with `poller` under fresh tokens of `tokens`.
pub(super) fn bind(
    ports: &Arc<Mutex<PortPool>>,
    poller: &Poller,
    tokens: &mut impl FnMut() -> Token,
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
                let rtp_token = tokens();
                let rtcp = rtcp.map(|socket| (socket, tokens()));
                let registered = poller.register(&rtp, rtp_token).and_then(|()| match &rtcp {
                    Some((socket, token)) => poller.register(socket, *token),
                    None => Ok(()),
                });
                let sockets = LegSockets { leg, rtp, rtp_token, rtcp, local, ports: pair };
                if let Err(error) = registered {
                    release(ports, poller, sockets);
                    return Err(error.into());
                }
                return Ok(sockets);
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
    let rtp = UdpSocket::bind(SocketAddr::new(address, pair.rtp))?;
    rtp.set_nonblocking(true)?;
    let rtcp = if rtcp {
        let socket = UdpSocket::bind(SocketAddr::new(address, pair.rtcp()))?;
        socket.set_nonblocking(true)?;
        Some(socket)
    } else {
        None
    };
    Ok((rtp, rtcp))
}

/// Takes a leg's sockets off the poller, closes them and gives their
/// pair back to the range.
pub(super) fn release(ports: &Arc<Mutex<PortPool>>, poller: &Poller, sockets: LegSockets) {
    poller.deregister(&sockets.rtp);
    if let Some((socket, _)) = &sockets.rtcp {
        poller.deregister(socket);
    }
    // Closed before the pair goes back, so another shard can bind it.
    let pair = sockets.ports;
    drop(sockets);
    give_back(ports, pair);
}

/// Gives a pair back to the range.
pub(super) fn give_back(ports: &Arc<Mutex<PortPool>>, pair: PortPair) {
    ports.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).give_back(pair);
}
