//! The thin tokio shell for SIP over UDP: one socket, one
//! [`TransactionLayer`], one [`Handler`]. It owns the socket and the clock;
//! everything else happens in the sans-IO layer.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use tokio::net::UdpSocket;

use crate::layer::{LayerEvent, TransactionLayer};

/// The transaction user of an endpoint: gets every layer event and may
/// answer or send through the layer it is given.
pub trait Handler {
    /// Called for each event, in order.
    fn on_event(&mut self, event: LayerEvent, layer: &mut TransactionLayer, now: Instant);
}

/// A UDP socket with its transaction layer.
#[derive(Debug)]
pub struct UdpEndpoint {
    socket: UdpSocket,
    layer: TransactionLayer,
}

impl UdpEndpoint {
    /// Binds `addr` and drives `layer` on it.
    pub async fn bind(addr: SocketAddr, layer: TransactionLayer) -> io::Result<UdpEndpoint> {
        Ok(UdpEndpoint { socket: UdpSocket::bind(addr).await?, layer })
    }

    /// The transaction layer, to send requests before or between runs.
    pub fn layer_mut(&mut self) -> &mut TransactionLayer {
        &mut self.layer
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Receives, fires timers, hands events to `handler` and sends until
    /// `shutdown` completes. A failed send ends its transaction with a
    /// transport error; ICMP errors reported on receive are ignored (the
    /// transactions' timers cover a lost message).
    pub async fn run<H: Handler>(mut self, handler: &mut H, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let mut buf = vec![0u8; 65_535];
        tokio::pin!(shutdown);
        loop {
            self.flush(handler).await;
            let deadline = self.layer.poll_timeout().map(tokio::time::Instant::from_std);
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                received = self.socket.recv_from(&mut buf) => match received {
                    Ok((n, source)) => self.layer.handle_datagram(&buf[..n], source, Instant::now()),
                    Err(e) if is_transient(&e) => {}
                    Err(e) => return Err(e),
                },
                () = sleep_until(deadline) => self.layer.handle_timeout(Instant::now()),
            }
        }
    }

    /// Hands every event to the handler and sends every queued message,
    /// until neither is left (a handler's answer may queue more).
    async fn flush<H: Handler>(&mut self, handler: &mut H) {
        loop {
            let mut idle = true;
            while let Some(event) = self.layer.poll_event() {
                idle = false;
                handler.on_event(event, &mut self.layer, Instant::now());
            }
            while let Some(transmit) = self.layer.poll_transmit() {
                idle = false;
                let sent = self.socket.send_to(&transmit.message.to_bytes(), transmit.to).await;
                if let (Err(e), Some(key)) = (sent, &transmit.key)
                    && !is_transient(&e)
                {
                    self.layer.handle_transport_error(key, Instant::now());
                }
            }
            if idle {
                return;
            }
        }
    }
}

pub(crate) async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Errors a UDP socket reports for an earlier send (ICMP unreachable).
fn is_transient(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset)
}
