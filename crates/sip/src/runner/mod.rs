//! The thin tokio shell around an [`Edge`]: one task owns the edge, its
//! UDP socket and WebSocket flows, the clock, a bounded command queue from
//! the call layer ([`EdgeHandle`]) and a bounded event queue to it.
//!
//! Overload policy: commands wait when their queue (1,024) is full; when
//! the event queue (4,096) is full the task waits for the call layer
//! before it reads more from the network, so the kernel's socket buffer,
//! not memory, absorbs a burst, and the edge's own 503 limits shed it.

mod bridge;
mod handle;
mod streams;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;

pub use bridge::bridge;
use handle::Command;
pub use handle::{EdgeHandle, HandleError};
pub use streams::StreamLimits;
use streams::{Sent, StreamInput, Streams};

use crate::edge::{Edge, EdgeEvent, TransportId};
use crate::ws::{WsFlows, WsInput};

/// Commands waiting for the edge.
const COMMAND_QUEUE: usize = 1024;

/// Events waiting for the call layer.
const EVENT_QUEUE: usize = 4096;

/// An edge with its sockets, ready to [`run`](EdgeRunner::run).
#[derive(Debug)]
pub struct EdgeRunner {
    edge: Edge,
    udp: Option<(TransportId, UdpSocket)>,
    ws: Option<(TransportId, WsFlows)>,
    tcp: Option<(TransportId, Streams)>,
    tls: Option<(TransportId, Streams)>,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<EdgeEvent>,
}

impl EdgeRunner {
    /// A runner for `edge`, the handle that drives its legs, and the
    /// receiver of its events.
    pub fn new(edge: Edge) -> (EdgeRunner, EdgeHandle, mpsc::Receiver<EdgeEvent>) {
        EdgeRunner::with_queues(edge, COMMAND_QUEUE, EVENT_QUEUE)
    }

    /// [`EdgeRunner::new`] with other queue sizes (at least 1 each).
    pub fn with_queues(
        edge: Edge,
        command_queue: usize,
        event_queue: usize,
    ) -> (EdgeRunner, EdgeHandle, mpsc::Receiver<EdgeEvent>) {
        let (commands_tx, commands) = mpsc::channel(command_queue.max(1));
        let (events, events_rx) = mpsc::channel(event_queue.max(1));
        let runner = EdgeRunner { edge, udp: None, ws: None, tcp: None, tls: None, commands, events };
        (runner, EdgeHandle { commands: commands_tx }, events_rx)
    }

    /// Serves transport `id` (a UDP transport of the edge) on `socket`.
    #[must_use]
    pub fn with_udp(mut self, id: TransportId, socket: UdpSocket) -> EdgeRunner {
        self.udp = Some((id, socket));
        self
    }

    /// Serves transport `id` (a WS transport of the edge) over `flows`.
    #[must_use]
    pub fn with_ws(mut self, id: TransportId, flows: WsFlows) -> EdgeRunner {
        self.ws = Some((id, flows));
        self
    }

    /// Serves transport `id` (a TCP transport of the edge) on `listener`;
    /// requests to peers without a connection open one.
    #[must_use]
    pub fn with_tcp(mut self, id: TransportId, listener: tokio::net::TcpListener, limits: StreamLimits) -> EdgeRunner {
        self.tcp = Some((id, Streams::new(listener, None, limits)));
        self
    }

    /// Serves transport `id` (a TLS transport of the edge) on `listener`,
    /// handshaking with `acceptor`; only accepted connections are used.
    #[must_use]
    pub fn with_tls(
        mut self,
        id: TransportId,
        listener: tokio::net::TcpListener,
        acceptor: tokio_rustls::TlsAcceptor,
        limits: StreamLimits,
    ) -> EdgeRunner {
        self.tls = Some((id, Streams::new(listener, Some(acceptor), limits)));
        self
    }

    /// Runs until `shutdown` completes or the UDP socket fails.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let mut buf = vec![0u8; 65_535];
        tokio::pin!(shutdown);
        loop {
            if !self.flush().await {
                return Ok(());
            }
            let deadline = self.edge.poll_timeout().map(tokio::time::Instant::from_std);
            let udp = self.udp.as_ref().map(|(id, socket)| (*id, socket));
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                received = recv_udp(udp, &mut buf) => match received {
                    Ok((id, n, source)) => self.edge.handle_datagram(id, &buf[..n], source, Instant::now()),
                    Err(e) if is_transient(&e) => {}
                    Err(e) => return Err(e),
                },
                Some((id, input)) = recv_ws(self.ws.as_mut()) => self.handle_ws(id, input),
                Some((id, input, failed)) = next_stream(self.tcp.as_mut()) => self.handle_stream(id, input, failed),
                Some((id, input, failed)) = next_stream(self.tls.as_mut()) => self.handle_stream(id, input, failed),
                Some(command) = self.commands.recv() => self.apply(command),
                () = crate::udp::sleep_until(deadline) => self.edge.handle_timeout(Instant::now()),
            }
        }
    }

    fn handle_ws(&mut self, id: TransportId, input: WsInput) {
        match input {
            WsInput::Message { peer, message } => self.edge.handle_message(id, message, peer, Instant::now()),
            WsInput::Reject { peer, answer } => self.edge.send_stateless(id, answer, peer),
            WsInput::Idle => {}
        }
    }

    fn handle_stream(
        &mut self,
        id: TransportId,
        input: StreamInput,
        failed: Vec<Option<crate::transaction::TransactionKey>>,
    ) {
        let now = Instant::now();
        for key in failed.into_iter().flatten() {
            self.edge.handle_transport_error(id, &key, now);
        }
        match input {
            StreamInput::Message { peer, message } => self.edge.handle_message(id, message, peer, now),
            StreamInput::Ping { peer } => {
                let streams = [self.tcp.as_mut(), self.tls.as_mut()].into_iter().flatten().find(|(t, _)| *t == id);
                if let Some((_, streams)) = streams {
                    let _ = streams.send(peer, b"\r\n".to_vec(), None);
                }
            }
            StreamInput::Open { .. } | StreamInput::Closed { .. } => {}
        }
    }

    fn apply(&mut self, command: Command) {
        let now = Instant::now();
        let edge = &mut self.edge;
        // A caller that stopped waiting does not care about the result.
        match command {
            Command::Originate(plan, reply) => drop(reply.send(edge.originate(plan, now))),
            Command::Ring(leg, sdp, reply) => drop(reply.send(edge.ring(leg, sdp, now))),
            Command::Answer(leg, sdp, reply) => drop(reply.send(edge.answer(leg, sdp, now))),
            Command::Reject(leg, status, reply) => drop(reply.send(edge.reject(leg, status, now))),
            Command::Hangup(leg, reply) => drop(reply.send(edge.hangup(leg, now))),
            Command::Reinvite(leg, sdp, reply) => drop(reply.send(edge.reinvite(leg, sdp, now))),
            Command::AcceptReoffer(leg, sdp, reply) => drop(reply.send(edge.accept_reoffer(leg, sdp, now))),
            Command::RejectReoffer(leg, status, reply) => drop(reply.send(edge.reject_reoffer(leg, status, now))),
            Command::Refer(leg, target, reply) => drop(reply.send(edge.refer(leg, &target, now))),
            Command::NotifyRefer(leg, status, reply) => drop(reply.send(edge.notify_refer(leg, status, now))),
            Command::Targets(aor, reply) => drop(reply.send(edge.targets_for(&aor))),
            Command::TargetsWithTransport(aor, reply) => drop(reply.send(edge.targets_with_transport(&aor))),
            Command::TrunkAttempts(trunks, number, reply) => {
                drop(reply.send(edge.outbound_attempts(&trunks, &number)));
            }
            Command::SetDirectory(directory) => edge.set_directory(directory),
            Command::SetCredentials(credentials) => edge.set_credentials(credentials),
        }
    }

    /// Sends what the edge queued and hands its events to the call layer;
    /// `false` when the call layer is gone.
    async fn flush(&mut self) -> bool {
        loop {
            let mut idle = true;
            while let Some(transmit) = self.edge.poll_transmit() {
                idle = false;
                let bytes = transmit.message.to_bytes();
                let stream = [self.tcp.as_mut(), self.tls.as_mut()]
                    .into_iter()
                    .flatten()
                    .find(|(t, _)| *t == transmit.transport);
                let sent = match (&self.udp, &self.ws, stream) {
                    (Some((id, socket)), _, _) if *id == transmit.transport => {
                        let result = socket.send_to(&bytes, transmit.to).await;
                        result.is_ok() || result.as_ref().is_err_and(is_transient)
                    }
                    (_, Some((id, flows)), _) if *id == transmit.transport => flows.send(transmit.to, bytes),
                    (_, _, Some((_, streams))) => {
                        matches!(streams.send(transmit.to, bytes, transmit.key.clone()), Sent::Queued)
                    }
                    _ => false,
                };
                if !sent && let Some(key) = &transmit.key {
                    self.edge.handle_transport_error(transmit.transport, key, Instant::now());
                }
            }
            while let Some(event) = self.edge.poll_event() {
                idle = false;
                if !self.deliver(event).await {
                    return false;
                }
            }
            if idle {
                return true;
            }
        }
    }
}

impl EdgeRunner {
    /// Hands one event to the call layer. While its queue is full, the
    /// call layer's commands are still carried out: it may be waiting for
    /// one of them before it reads more events. `false`: it is gone.
    async fn deliver(&mut self, event: EdgeEvent) -> bool {
        loop {
            let command = tokio::select! {
                biased;
                permit = self.events.reserve() => match permit {
                    Ok(permit) => {
                        permit.send(event);
                        return true;
                    }
                    Err(_) => return false,
                },
                received = self.commands.recv() => match received {
                    Some(command) => command,
                    // No handle is left: events can still be taken.
                    None => return self.events.send(event).await.is_ok(),
                },
            };
            self.apply(command);
        }
    }
}

async fn recv_udp(
    udp: Option<(TransportId, &UdpSocket)>,
    buf: &mut [u8],
) -> io::Result<(TransportId, usize, SocketAddr)> {
    match udp {
        Some((id, socket)) => socket.recv_from(buf).await.map(|(n, source)| (id, n, source)),
        None => std::future::pending().await,
    }
}

async fn recv_ws(ws: Option<&mut (TransportId, WsFlows)>) -> Option<(TransportId, WsInput)> {
    match ws {
        Some((id, flows)) => flows.recv().await.map(|input| (*id, input)),
        None => std::future::pending().await,
    }
}

async fn next_stream(
    streams: Option<&mut (TransportId, Streams)>,
) -> Option<(TransportId, StreamInput, Vec<Option<crate::transaction::TransactionKey>>)> {
    let Some((id, streams)) = streams else { return std::future::pending().await };
    streams.next().await.map(|(input, failed)| (*id, input, failed))
}

/// Errors a UDP socket reports for an earlier send (ICMP unreachable).
fn is_transient(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset)
}
