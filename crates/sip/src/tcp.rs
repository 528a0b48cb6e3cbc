//! The thin tokio shell for SIP over TCP: a listener, one reader task per
//! connection framing bytes with [`StreamFramer`], and one loop that owns
//! the [`TransactionLayer`] and the write halves.
//!
//! Overload policy: readers hand frames over a bounded channel and wait
//! when it is full, which stops reading the socket (TCP backpressure).
//! Responses and requests to a peer go over its connection; a request to a
//! peer without one opens a connection. A connection whose stream can no
//! longer be framed is closed.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::layer::TransactionLayer;
use crate::message::{Frame, Limits, Message, StreamFramer};
use crate::udp::Handler;

/// Frames waiting for the layer, per endpoint.
const CHANNEL_CAPACITY: usize = 1024;

/// What a connection's reader reports.
enum Read {
    Message(SocketAddr, Message),
    Ping(SocketAddr),
    Closed(SocketAddr),
}

/// A TCP listener with its transaction layer (use a reliable transaction
/// config: no retransmissions).
#[derive(Debug)]
pub struct TcpEndpoint {
    listener: TcpListener,
    layer: TransactionLayer,
    limits: Limits,
}

impl TcpEndpoint {
    /// Listens on `addr` and drives `layer` on the accepted connections.
    pub async fn bind(addr: SocketAddr, layer: TransactionLayer, limits: Limits) -> io::Result<TcpEndpoint> {
        Ok(TcpEndpoint { listener: TcpListener::bind(addr).await?, layer, limits })
    }

    /// The listening address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The transaction layer, to send requests before running.
    pub fn layer_mut(&mut self) -> &mut TransactionLayer {
        &mut self.layer
    }

    /// Accepts, reads, fires timers, hands events to `handler` and writes
    /// until `shutdown` completes.
    pub async fn run<H: Handler>(mut self, handler: &mut H, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let (tx, mut rx) = mpsc::channel(CHANNEL_CAPACITY);
        let mut writers: HashMap<SocketAddr, OwnedWriteHalf> = HashMap::new();
        tokio::pin!(shutdown);
        loop {
            self.flush(handler, &mut writers, &tx).await;
            let deadline = self.layer.poll_timeout().map(tokio::time::Instant::from_std);
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                accepted = self.listener.accept() => {
                    let (stream, peer) = accepted?;
                    self.add_connection(stream, peer, &mut writers, &tx);
                }
                Some(read) = rx.recv() => match read {
                    Read::Message(peer, Message::Request(r)) => self.layer.handle_request(r, peer, Instant::now()),
                    Read::Message(peer, Message::Response(r)) => self.layer.handle_response(r, peer, Instant::now()),
                    Read::Ping(peer) => { write(&mut writers, peer, b"\r\n").await; }
                    Read::Closed(peer) => { writers.remove(&peer); }
                },
                () = crate::udp::sleep_until(deadline) => self.layer.handle_timeout(Instant::now()),
            }
        }
    }

    fn add_connection(
        &self,
        stream: TcpStream,
        peer: SocketAddr,
        writers: &mut HashMap<SocketAddr, OwnedWriteHalf>,
        tx: &mpsc::Sender<Read>,
    ) {
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        writers.insert(peer, write);
        tokio::spawn(read_connection(read, peer, StreamFramer::new(self.limits), tx.clone()));
    }

    async fn flush<H: Handler>(
        &mut self,
        handler: &mut H,
        writers: &mut HashMap<SocketAddr, OwnedWriteHalf>,
        tx: &mpsc::Sender<Read>,
    ) {
        loop {
            let mut idle = true;
            while let Some(event) = self.layer.poll_event() {
                idle = false;
                handler.on_event(event, &mut self.layer, Instant::now());
            }
            while let Some(transmit) = self.layer.poll_transmit() {
                idle = false;
                if !writers.contains_key(&transmit.to)
                    && let Ok(stream) = TcpStream::connect(transmit.to).await
                {
                    self.add_connection(stream, transmit.to, writers, tx);
                }
                let sent = write(writers, transmit.to, &transmit.message.to_bytes()).await;
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
async fn write(writers: &mut HashMap<SocketAddr, OwnedWriteHalf>, peer: SocketAddr, bytes: &[u8]) -> bool {
    let Some(writer) = writers.get_mut(&peer) else { return false };
    if writer.write_all(bytes).await.is_err() {
        writers.remove(&peer);
        return false;
    }
    true
}

async fn read_connection(mut read: OwnedReadHalf, peer: SocketAddr, mut framer: StreamFramer, tx: mpsc::Sender<Read>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        framer.push(&buf[..n]);
        while let Some(frame) = framer.poll() {
            let report = match frame {
                Ok(Frame::Message(message)) => Read::Message(peer, message),
                Ok(Frame::Ping) => Read::Ping(peer),
                Ok(Frame::Pong) => continue,
                Err(_) if framer.is_failed() => {
                    let _ = tx.send(Read::Closed(peer)).await;
                    return;
                }
                Err(_) => continue,
            };
            if tx.send(report).await.is_err() {
                return;
            }
        }
    }
    let _ = tx.send(Read::Closed(peer)).await;
}
