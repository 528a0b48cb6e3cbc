//! The loop that owns the [`TransactionLayer`] and the [`FlowTable`]: it
//! feeds the frames of every flow to the layer, hands events to a
//! [`Handler`], and routes each [`Transmit`](crate::layer::Transmit) to the
//! flow that reaches its destination.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use tokio::sync::mpsc;

use super::frame::{FrameContent, read_frame};
use super::{FlowId, FlowTable, Shared};
use crate::layer::TransactionLayer;
use crate::message::{Limits, Message};
use crate::registrar::Flow;
use crate::udp::Handler;

/// What a connection task tells the loop.
#[derive(Debug)]
pub(super) enum Inbound {
    /// A flow opened; `outbound` reaches it.
    Open { id: FlowId, flow: Flow, outbound: mpsc::Sender<Vec<u8>> },
    /// One WebSocket message's payload.
    Frame { peer: SocketAddr, bytes: Vec<u8> },
    /// A flow closed.
    Closed { id: FlowId, peer: SocketAddr },
}

/// The SIP side of a [`WsTransport`](super::WsTransport): run it with
/// [`WsEndpoint::run`] on its own task.
#[derive(Debug)]
pub struct WsEndpoint {
    pub(super) layer: TransactionLayer,
    pub(super) limits: Limits,
    pub(super) inbound: mpsc::Receiver<Inbound>,
    pub(super) shared: Arc<Shared>,
}

impl WsEndpoint {
    /// The transaction layer, to send requests before running.
    pub fn layer_mut(&mut self) -> &mut TransactionLayer {
        &mut self.layer
    }

    /// Reads the flows, fires timers, hands events to `handler` and writes
    /// until `shutdown` completes; returning closes every flow.
    pub async fn run<H: Handler>(mut self, handler: &mut H, shutdown: impl Future<Output = ()>) {
        let mut flows: FlowTable<mpsc::Sender<Vec<u8>>> = FlowTable::new();
        tokio::pin!(shutdown);
        loop {
            self.flush(handler, &flows);
            let deadline = self.layer.poll_timeout().map(tokio::time::Instant::from_std);
            tokio::select! {
                () = &mut shutdown => {
                    self.shared.flows().clear();
                    return;
                }
                Some(inbound) = self.inbound.recv() => self.handle(inbound, &mut flows),
                () = crate::udp::sleep_until(deadline) => self.layer.handle_timeout(Instant::now()),
            }
        }
    }

    fn handle(&mut self, inbound: Inbound, flows: &mut FlowTable<mpsc::Sender<Vec<u8>>>) {
        match inbound {
            Inbound::Open { id, flow, outbound } => {
                flows.open(id, flow.source, outbound);
                self.shared.flows().insert(flow.source, (id, flow));
            }
            Inbound::Closed { id, peer } => {
                if flows.close(id, peer) {
                    self.shared.flows().remove(&peer);
                }
            }
            Inbound::Frame { peer, bytes } => match read_frame(&bytes, &self.limits) {
                FrameContent::Message(Message::Request(r)) => self.layer.handle_request(r, peer, Instant::now()),
                FrameContent::Message(Message::Response(r)) => self.layer.handle_response(r, peer, Instant::now()),
                FrameContent::KeepAlive => {}
                FrameContent::Invalid(Some(answer)) => {
                    self.shared.stats.rejected.fetch_add(1, Ordering::Relaxed);
                    self.layer.send_stateless(answer, peer);
                }
                FrameContent::Invalid(None) => {
                    self.shared.stats.dropped.fetch_add(1, Ordering::Relaxed);
                }
            },
        }
        self.shared.stats.open_flows.store(flows.len(), Ordering::Relaxed);
    }

    /// Hands every event to the handler and routes every queued message,
    /// until neither is left. A message for an address without a flow, or
    /// for a flow whose queue is full, is not sent: its transaction gets a
    /// transport error (a browser cannot be reached any other way).
    fn flush<H: Handler>(&mut self, handler: &mut H, flows: &FlowTable<mpsc::Sender<Vec<u8>>>) {
        loop {
            let mut idle = true;
            while let Some(event) = self.layer.poll_event() {
                idle = false;
                handler.on_event(event, &mut self.layer, Instant::now());
            }
            while let Some(transmit) = self.layer.poll_transmit() {
                idle = false;
                let sent = flows
                    .get(transmit.to)
                    .is_some_and(|(_, outbound)| outbound.try_send(transmit.message.to_bytes()).is_ok());
                if !sent {
                    self.shared.stats.unroutable.fetch_add(1, Ordering::Relaxed);
                    if let Some(key) = &transmit.key {
                        self.layer.handle_transport_error(key, Instant::now());
                    }
                }
            }
            if idle {
                return;
            }
        }
    }
}
