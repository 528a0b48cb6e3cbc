//! The WebSocket flows for a loop that owns its own transaction layer
//! (the edge runner): frames in, messages routed to the flow that reaches
//! their destination.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;

use super::endpoint::Inbound;
use super::frame::{FrameContent, read_frame};
use super::{FlowTable, Shared};
use crate::message::{Limits, Message};

/// What one step of the flows produced.
#[derive(Debug)]
pub enum WsInput {
    /// A SIP message from the flow at `peer`.
    Message {
        /// The flow's TCP peer address.
        peer: SocketAddr,
        /// The message.
        message: Message,
    },
    /// A frame that was not one SIP message, with the 400 to send back.
    Reject {
        /// The flow's TCP peer address.
        peer: SocketAddr,
        /// The answer.
        answer: Message,
    },
    /// A flow opened or closed, or a frame was ignored or dropped.
    Idle,
}

/// The SIP side of a [`WsTransport`](super::WsTransport) made with
/// [`WsTransport::with_flows`](super::WsTransport::with_flows).
#[derive(Debug)]
pub struct WsFlows {
    pub(super) inbound: mpsc::Receiver<Inbound>,
    pub(super) shared: Arc<Shared>,
    pub(super) limits: Limits,
    pub(super) flows: FlowTable<mpsc::Sender<Vec<u8>>>,
}

impl WsFlows {
    /// The next input; `None` once the transport (the HTTP side) is gone.
    pub async fn recv(&mut self) -> Option<WsInput> {
        let inbound = self.inbound.recv().await?;
        let input = match inbound {
            Inbound::Open { id, flow, outbound } => {
                self.flows.open(id, flow.source, outbound);
                self.shared.flows().insert(flow.source, (id, flow));
                WsInput::Idle
            }
            Inbound::Closed { id, peer } => {
                if self.flows.close(id, peer) {
                    self.shared.flows().remove(&peer);
                }
                WsInput::Idle
            }
            Inbound::Frame { peer, bytes } => match read_frame(&bytes, &self.limits) {
                FrameContent::Message(message) => WsInput::Message { peer, message },
                FrameContent::KeepAlive => WsInput::Idle,
                FrameContent::Invalid(Some(answer)) => {
                    self.shared.stats.rejected.fetch_add(1, Ordering::Relaxed);
                    WsInput::Reject { peer, answer }
                }
                FrameContent::Invalid(None) => {
                    self.shared.stats.dropped.fetch_add(1, Ordering::Relaxed);
                    WsInput::Idle
                }
            },
        };
        self.shared.stats.open_flows.store(self.flows.len(), Ordering::Relaxed);
        Some(input)
    }

    /// Queues `bytes` for the flow that reaches `to`; `false` (counted as
    /// unroutable) when no flow does or its queue is full.
    pub fn send(&self, to: SocketAddr, bytes: Vec<u8>) -> bool {
        let sent = self.flows.get(to).is_some_and(|(_, outbound)| outbound.try_send(bytes).is_ok());
        if !sent {
            self.shared.stats.unroutable.fetch_add(1, Ordering::Relaxed);
        }
        sent
    }
}
