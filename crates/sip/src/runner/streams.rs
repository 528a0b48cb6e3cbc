//! TCP and TLS for the edge runner: a listener, one task per connection
//! reading SIP with [`read_stream`] and writing what the runner routes to
//! it, and outbound TCP connections opened on demand.
//!
//! Overload policy: connection tasks hand messages over one bounded
//! channel (1,024) and wait when it is full (TCP backpressure); each
//! connection's outbound queue is bounded (256) and a message for a full
//! one is not sent (its transaction gets a transport error); at most
//! `max_connections` are open, a connection beyond is closed at once.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

use crate::message::{Limits, Message, StreamFramer};
use crate::stream::{StreamItem, read_stream};
use crate::transaction::TransactionKey;

/// Messages waiting for the runner, all connections together.
const INBOUND_QUEUE: usize = 1024;

/// Messages waiting to be written to one connection.
const CONNECTION_QUEUE: usize = 256;

/// A message waiting for its connection to open, with its transaction.
type PendingSend = (Vec<u8>, Option<TransactionKey>);

/// What a connection task tells the runner.
#[derive(Debug)]
pub(crate) enum StreamInput {
    /// A connection is up; `outbound` reaches it.
    Open { peer: SocketAddr, outbound: mpsc::Sender<Vec<u8>> },
    /// A message from `peer`.
    Message { peer: SocketAddr, message: Message },
    /// A CRLFCRLF ping from `peer`, to answer with a CRLF pong.
    Ping { peer: SocketAddr },
    /// The connection to `peer` ended (or could not be opened).
    Closed { peer: SocketAddr },
}

/// Limits of a stream transport.
#[derive(Debug, Clone, Copy)]
pub struct StreamLimits {
    /// Open connections at most.
    pub max_connections: usize,
    /// A connection silent this long is closed.
    pub idle_timeout: Duration,
    /// Message size limits.
    pub limits: Limits,
}

impl Default for StreamLimits {
    fn default() -> StreamLimits {
        StreamLimits { max_connections: 10_000, idle_timeout: Duration::from_secs(600), limits: Limits::default() }
    }
}

/// A TCP or TLS listener and its connections.
pub(crate) struct Streams {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    limits: StreamLimits,
    tx: mpsc::Sender<StreamInput>,
    rx: mpsc::Receiver<StreamInput>,
    connections: HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>,
    /// Messages for peers we are connecting to, with their transactions.
    pending: HashMap<SocketAddr, Vec<PendingSend>>,
}

impl std::fmt::Debug for Streams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streams").field("connections", &self.connections.len()).finish_non_exhaustive()
    }
}

/// What became of a message handed to [`Streams::send`].
pub(crate) enum Sent {
    /// Queued for its connection (or for one being opened).
    Queued,
    /// Not sent: no connection could take it.
    Failed,
}

impl Streams {
    pub(crate) fn new(listener: TcpListener, tls: Option<TlsAcceptor>, limits: StreamLimits) -> Streams {
        let (tx, rx) = mpsc::channel(INBOUND_QUEUE);
        Streams { listener, tls, limits, tx, rx, connections: HashMap::new(), pending: HashMap::new() }
    }

    /// The next input from a connection, accepting connections on the way
    /// (a failed accept, such as running out of descriptors, is skipped).
    pub(crate) async fn next(&mut self) -> Option<(StreamInput, Vec<Option<TransactionKey>>)> {
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    if let Ok((stream, peer)) = accepted {
                        self.start(stream, peer);
                    }
                }
                input = self.rx.recv() => return input.map(|input| self.track(input)),
            }
        }
    }

    /// Starts the task of an accepted connection.
    fn start(&mut self, stream: TcpStream, peer: SocketAddr) {
        if self.connections.len() >= self.limits.max_connections {
            drop(stream);
            return;
        }
        let _ = stream.set_nodelay(true);
        let (tx, limits, tls) = (self.tx.clone(), self.limits, self.tls.clone());
        tokio::spawn(async move {
            match tls {
                Some(acceptor) => {
                    if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await
                    {
                        serve(stream, peer, limits, tx).await;
                    }
                }
                None => serve(stream, peer, limits, tx).await,
            }
        });
    }

    /// Tracks connections opening and closing; gives the transactions of
    /// sends that can no longer go out, to fail.
    fn track(&mut self, input: StreamInput) -> (StreamInput, Vec<Option<TransactionKey>>) {
        let mut failed = Vec::new();
        match &input {
            StreamInput::Open { peer, outbound } => {
                for (bytes, key) in self.pending.remove(peer).unwrap_or_default() {
                    if outbound.try_send(bytes).is_err() {
                        failed.push(key);
                    }
                }
                self.connections.insert(*peer, outbound.clone());
            }
            StreamInput::Closed { peer } => {
                self.connections.remove(peer);
                failed.extend(self.pending.remove(peer).unwrap_or_default().into_iter().map(|(_, key)| key));
            }
            _ => {}
        }
        (input, failed)
    }

    /// Routes `bytes` to `to`'s connection; over plain TCP a connection is
    /// opened when there is none (TLS connections are only accepted).
    pub(crate) fn send(&mut self, to: SocketAddr, bytes: Vec<u8>, key: Option<TransactionKey>) -> Sent {
        if let Some(connection) = self.connections.get(&to) {
            return if connection.try_send(bytes).is_ok() { Sent::Queued } else { Sent::Failed };
        }
        if let Some(pending) = self.pending.get_mut(&to) {
            pending.push((bytes, key));
            return Sent::Queued;
        }
        if self.tls.is_some() || self.connections.len() >= self.limits.max_connections {
            return Sent::Failed;
        }
        self.pending.insert(to, vec![(bytes, key)]);
        let (tx, limits) = (self.tx.clone(), self.limits);
        tokio::spawn(async move {
            match tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(to)).await {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    serve(stream, to, limits, tx).await;
                }
                _ => {
                    let _ = tx.send(StreamInput::Closed { peer: to }).await;
                }
            }
        });
        Sent::Queued
    }
}

/// Runs one connection: reads into the runner's channel and writes what
/// the runner routes to it, until either side ends.
async fn serve<S>(stream: S, peer: SocketAddr, limits: StreamLimits, tx: mpsc::Sender<StreamInput>)
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let (mut read, mut write) = tokio::io::split(stream);
    let (outbound, mut queue) = mpsc::channel::<Vec<u8>>(CONNECTION_QUEUE);
    if tx.send(StreamInput::Open { peer, outbound }).await.is_err() {
        return;
    }
    let writer = tokio::spawn(async move {
        while let Some(bytes) = queue.recv().await {
            if write.write_all(&bytes).await.is_err() {
                break;
            }
        }
    });
    let mut framer = StreamFramer::new(limits.limits);
    let wrap = |item| match item {
        StreamItem::Message(message) => StreamInput::Message { peer, message },
        _ => StreamInput::Ping { peer },
    };
    read_stream(&mut read, &mut framer, limits.idle_timeout, &tx, wrap).await;
    writer.abort();
    let _ = tx.send(StreamInput::Closed { peer }).await;
}
