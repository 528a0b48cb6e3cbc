//! The thin tokio shell for SIP over TCP and over TLS (RFC 3261 §26,
//! `transport=tls`): a listener, one reader task per connection framing
//! bytes with [`read_stream`], and one loop that owns the
//! [`TransactionLayer`] and the write halves.
//!
//! Overload policy: readers hand frames over a bounded channel and wait
//! when it is full, which stops reading the socket (TCP backpressure). At
//! most [`ConnectionLimits::max_connections`] connections are open (TLS
//! handshakes in progress included); one accepted beyond that is closed at
//! once and counted. A connection that sends nothing for
//! [`ConnectionLimits::idle_timeout`] (keep-alives count) is closed, and so
//! is a TLS connection whose handshake is not done within
//! [`ConnectionLimits::handshake_timeout`].
//!
//! Responses and requests to a peer go over its connection. Over plain TCP
//! a request to a peer without one opens a connection; a TLS endpoint does
//! not open connections yet (the transaction gets a transport error).
//! A connection whose stream can no longer be framed is closed.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

use crate::layer::TransactionLayer;
use crate::message::{Limits, Message, StreamFramer};
use crate::stream::{StreamEnd, StreamItem, read_stream};
use crate::udp::Handler;

/// Frames waiting for the layer, per endpoint.
const CHANNEL_CAPACITY: usize = 1024;

/// The write half of a connection, plain or TLS.
type Writer = Box<dyn AsyncWrite + Send + Unpin>;

/// Limits on the connections of a [`TcpEndpoint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionLimits {
    /// Open connections at most, accepted and opened together (default 10,000).
    pub max_connections: usize,
    /// A connection that sends nothing for this long is closed (default 10 min).
    pub idle_timeout: Duration,
    /// A TLS handshake not done within this is abandoned (default 10 s).
    pub handshake_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 10_000,
            idle_timeout: Duration::from_secs(600),
            handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// Counters of a [`TcpEndpoint`], readable while it runs.
#[derive(Debug, Default)]
pub struct TcpStats {
    open: AtomicUsize,
    refused: AtomicU64,
    idle_closed: AtomicU64,
    handshakes_failed: AtomicU64,
}

impl TcpStats {
    /// Open connections, TLS handshakes in progress included.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Connections closed at once because the limit was reached.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Connections closed because they sent nothing for the idle timeout.
    pub fn idle_closed(&self) -> u64 {
        self.idle_closed.load(Ordering::Relaxed)
    }

    /// TLS connections closed because the handshake failed or took too long.
    pub fn handshakes_failed(&self) -> u64 {
        self.handshakes_failed.load(Ordering::Relaxed)
    }
}

/// What a connection's task reports.
enum Read {
    /// A TLS handshake is done; `writer` reaches the peer.
    Opened {
        id: u64,
        peer: SocketAddr,
        writer: Writer,
    },
    Message(SocketAddr, Message),
    Ping(SocketAddr),
    Closed {
        id: u64,
        peer: SocketAddr,
    },
}

/// What the loop knows of the connections.
#[derive(Default)]
struct Connections {
    /// Write halves by peer address, with their connection's id.
    writers: HashMap<SocketAddr, (u64, Writer)>,
    /// Connections whose task runs (TLS handshakes included).
    open: usize,
    next_id: u64,
}

/// A TCP or TLS listener with its transaction layer (use a reliable
/// transaction config: no retransmissions).
pub struct TcpEndpoint {
    listener: TcpListener,
    layer: TransactionLayer,
    limits: Limits,
    connection_limits: ConnectionLimits,
    tls: Option<TlsAcceptor>,
    stats: Arc<TcpStats>,
}

impl std::fmt::Debug for TcpEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpEndpoint")
            .field("listener", &self.listener)
            .field("tls", &self.tls.is_some())
            .field("connection_limits", &self.connection_limits)
            .finish_non_exhaustive()
    }
}

impl TcpEndpoint {
    /// Listens on `addr` and drives `layer` on the accepted connections.
    pub async fn bind(addr: SocketAddr, layer: TransactionLayer, limits: Limits) -> io::Result<TcpEndpoint> {
        let listener = TcpListener::bind(addr).await?;
        Ok(TcpEndpoint {
            listener,
            layer,
            limits,
            connection_limits: ConnectionLimits::default(),
            tls: None,
            stats: Arc::default(),
        })
    }

    /// Listens on `addr` for SIP over TLS: each accepted connection first
    /// completes `acceptor`'s handshake (see [`crate::tls::acceptor`]).
    pub async fn bind_tls(
        addr: SocketAddr,
        layer: TransactionLayer,
        limits: Limits,
        acceptor: TlsAcceptor,
    ) -> io::Result<TcpEndpoint> {
        let mut endpoint = TcpEndpoint::bind(addr, layer, limits).await?;
        endpoint.tls = Some(acceptor);
        Ok(endpoint)
    }

    /// The same endpoint with other connection limits.
    pub fn with_connection_limits(mut self, connection_limits: ConnectionLimits) -> TcpEndpoint {
        self.connection_limits = connection_limits;
        self
    }

    /// The listening address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The transaction layer, to send requests before running.
    pub fn layer_mut(&mut self) -> &mut TransactionLayer {
        &mut self.layer
    }

    /// The endpoint's counters.
    pub fn stats(&self) -> Arc<TcpStats> {
        self.stats.clone()
    }

    /// Accepts, reads, fires timers, hands events to `handler` and writes
    /// until `shutdown` completes; returning closes every connection.
    pub async fn run<H: Handler>(mut self, handler: &mut H, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let (tx, mut rx) = mpsc::channel(CHANNEL_CAPACITY);
        let mut connections = Connections::default();
        tokio::pin!(shutdown);
        loop {
            self.flush(handler, &mut connections, &tx).await;
            self.stats.open.store(connections.open, Ordering::Relaxed);
            let deadline = self.layer.poll_timeout().map(tokio::time::Instant::from_std);
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => self.accept(stream, peer, &mut connections, &tx),
                    Err(e) if crate::tls::is_connection_error(&e) => {}
                    Err(e) => return Err(e),
                },
                Some(read) = rx.recv() => match read {
                    Read::Opened { id, peer, writer } => { connections.writers.insert(peer, (id, writer)); }
                    Read::Message(peer, Message::Request(r)) => self.layer.handle_request(r, peer, Instant::now()),
                    Read::Message(peer, Message::Response(r)) => self.layer.handle_response(r, peer, Instant::now()),
                    Read::Ping(peer) => { write(&mut connections.writers, peer, b"\r\n").await; }
                    Read::Closed { id, peer } => {
                        connections.open -= 1;
                        if connections.writers.get(&peer).is_some_and(|(open, _)| *open == id) {
                            connections.writers.remove(&peer);
                        }
                    }
                },
                () = crate::udp::sleep_until(deadline) => self.layer.handle_timeout(Instant::now()),
            }
        }
    }

    /// Takes an accepted connection, or closes it at once over the limit.
    fn accept(&self, stream: TcpStream, peer: SocketAddr, connections: &mut Connections, tx: &mpsc::Sender<Read>) {
        if connections.open >= self.connection_limits.max_connections {
            self.stats.refused.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let _ = stream.set_nodelay(true);
        match &self.tls {
            None => self.add_plain(stream, peer, connections, tx),
            Some(acceptor) => {
                connections.open += 1;
                connections.next_id += 1;
                let task = ConnectionTask::new(self, connections.next_id, peer, tx);
                tokio::spawn(task.run_tls(acceptor.clone(), stream));
            }
        }
    }

    /// Registers a plain connection's writer and starts its reader.
    fn add_plain(&self, stream: TcpStream, peer: SocketAddr, connections: &mut Connections, tx: &mpsc::Sender<Read>) {
        connections.open += 1;
        connections.next_id += 1;
        let (read, write) = stream.into_split();
        connections.writers.insert(peer, (connections.next_id, Box::new(write)));
        let task = ConnectionTask::new(self, connections.next_id, peer, tx);
        tokio::spawn(task.run(read));
    }

    async fn flush<H: Handler>(&mut self, handler: &mut H, connections: &mut Connections, tx: &mpsc::Sender<Read>) {
        loop {
            let mut idle = true;
            while let Some(event) = self.layer.poll_event() {
                idle = false;
                handler.on_event(event, &mut self.layer, Instant::now());
            }
            while let Some(transmit) = self.layer.poll_transmit() {
                idle = false;
                if self.tls.is_none()
                    && !connections.writers.contains_key(&transmit.to)
                    && let Ok(stream) = TcpStream::connect(transmit.to).await
                {
                    let _ = stream.set_nodelay(true);
                    self.add_plain(stream, transmit.to, connections, tx);
                }
                let sent = write(&mut connections.writers, transmit.to, &transmit.message.to_bytes()).await;
                if let (false, Some(key)) = (sent, &transmit.key) {
                    self.layer.handle_transport_error(key, Instant::now());
                }
            }
            if idle {
                return;
            }
        }
    }
}

/// Writes to `peer`'s connection; `false` when there is none or it failed
/// (a failed connection is dropped).
async fn write(writers: &mut HashMap<SocketAddr, (u64, Writer)>, peer: SocketAddr, bytes: &[u8]) -> bool {
    let Some((_, writer)) = writers.get_mut(&peer) else { return false };
    if writer.write_all(bytes).await.is_err() {
        writers.remove(&peer);
        return false;
    }
    true
}

/// One connection's task: the TLS handshake if any, then its reader. It
/// always ends by telling the loop `Closed`.
struct ConnectionTask {
    id: u64,
    peer: SocketAddr,
    limits: Limits,
    connection_limits: ConnectionLimits,
    tx: mpsc::Sender<Read>,
    stats: Arc<TcpStats>,
}

impl ConnectionTask {
    fn new(endpoint: &TcpEndpoint, id: u64, peer: SocketAddr, tx: &mpsc::Sender<Read>) -> ConnectionTask {
        ConnectionTask {
            id,
            peer,
            limits: endpoint.limits,
            connection_limits: endpoint.connection_limits,
            tx: tx.clone(),
            stats: endpoint.stats.clone(),
        }
    }

    async fn run_tls(self, acceptor: TlsAcceptor, stream: TcpStream) {
        // A failed handshake hands the socket back and a late one keeps it
        // pinned here, so the failure is counted before the socket closes:
        // a peer that sees the close also sees the count.
        let handshake = acceptor.accept(stream).into_fallible();
        tokio::pin!(handshake);
        let stream = tokio::select! {
            () = self.tx.closed() => return,
            done = &mut handshake => match done {
                Ok(stream) => stream,
                Err(failed) => {
                    self.stats.handshakes_failed.fetch_add(1, Ordering::Relaxed);
                    drop(failed);
                    return self.closed().await;
                }
            },
            () = tokio::time::sleep(self.connection_limits.handshake_timeout) => {
                self.stats.handshakes_failed.fetch_add(1, Ordering::Relaxed);
                return self.closed().await;
            }
        };
        let (read, write) = tokio::io::split(stream);
        let opened = Read::Opened { id: self.id, peer: self.peer, writer: Box::new(write) };
        if self.tx.send(opened).await.is_err() {
            return;
        }
        self.run(read).await;
    }

    async fn run<R: AsyncRead + Unpin>(self, mut read: R) {
        let mut framer = StreamFramer::new(self.limits);
        let peer = self.peer;
        let end =
            read_stream(&mut read, &mut framer, self.connection_limits.idle_timeout, &self.tx, |item| match item {
                StreamItem::Message(message) => Read::Message(peer, message),
                StreamItem::Ping => Read::Ping(peer),
            })
            .await;
        if end == StreamEnd::Idle {
            self.stats.idle_closed.fetch_add(1, Ordering::Relaxed);
        }
        self.closed().await;
    }

    async fn closed(self) {
        let _ = self.tx.send(Read::Closed { id: self.id, peer: self.peer }).await;
    }
}
