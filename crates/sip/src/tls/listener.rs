//! [`TlsListener`]: TCP accept plus TLS handshake, as an
//! [`axum::serve::Listener`], for HTTPS and WSS on one port.
//!
//! Overload policy: each handshake runs on its own task with a deadline;
//! at most [`MAX_PENDING_HANDSHAKES`] run (or wait to be handed to the
//! server) at once, and a connection beyond that is closed at once and
//! counted. A failed or late handshake closes its connection and is
//! counted; the listener goes on.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Handshakes running or waiting for the server to take them, at most.
pub const MAX_PENDING_HANDSHAKES: usize = 1024;

/// Counters of a [`TlsListener`], readable while it runs.
#[derive(Debug, Default)]
pub struct TlsListenerStats {
    handshakes_failed: AtomicU64,
    refused: AtomicU64,
}

impl TlsListenerStats {
    /// Connections closed because their handshake failed or took too long.
    pub fn handshakes_failed(&self) -> u64 {
        self.handshakes_failed.load(Ordering::Relaxed)
    }

    /// Connections closed at once because too many handshakes were pending.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// A TCP listener whose connections are handed over only once their TLS
/// handshake is done. Serve it with `axum::serve(listener.tap_io(|_| ()), ..)`
/// (`ListenerExt::tap_io` makes `ConnectInfo<SocketAddr>` available).
#[derive(Debug)]
pub struct TlsListener {
    incoming: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
    stats: Arc<TlsListenerStats>,
    accept_task: JoinHandle<()>,
}

impl TlsListener {
    /// Accepts on `listener` and runs `acceptor`'s handshake on each
    /// connection, giving up after `handshake_timeout`.
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor, handshake_timeout: Duration) -> io::Result<TlsListener> {
        let local_addr = listener.local_addr()?;
        let (tx, incoming) = mpsc::channel(64);
        let stats = Arc::new(TlsListenerStats::default());
        let accept_task = tokio::spawn(accept_loop(listener, acceptor, handshake_timeout, tx, stats.clone()));
        Ok(TlsListener { incoming, local_addr, stats, accept_task })
    }

    /// The listener's counters.
    pub fn stats(&self) -> Arc<TlsListenerStats> {
        self.stats.clone()
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.incoming.recv().await {
            Some(connection) => connection,
            // The accept loop never ends while the listener lives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    handshake_timeout: Duration,
    tx: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
    stats: Arc<TlsListenerStats>,
) {
    let pending = Arc::new(Semaphore::new(MAX_PENDING_HANDSHAKES));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) if is_connection_error(&error) => continue,
            Err(_) => {
                // Out of file descriptors or similar: accepting again at
                // once would spin; pause as hyper and axum do.
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let Ok(permit) = pending.clone().try_acquire_owned() else {
            stats.refused.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (acceptor, tx, stats) = (acceptor.clone(), tx.clone(), stats.clone());
        tokio::spawn(async move {
            // Counted before the socket closes (a failed handshake hands it
            // back; a late one is still pinned here).
            let handshake = acceptor.accept(stream).into_fallible();
            tokio::pin!(handshake);
            tokio::select! {
                done = &mut handshake => match done {
                    Ok(tls) => {
                        let _ = tx.send((tls, peer)).await;
                    }
                    Err(failed) => {
                        stats.handshakes_failed.fetch_add(1, Ordering::Relaxed);
                        drop(failed);
                    }
                },
                () = tokio::time::sleep(handshake_timeout) => {
                    stats.handshakes_failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            drop(permit);
        });
    }
}

/// Accept errors about one connection only (the listener is fine).
pub(crate) fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}
