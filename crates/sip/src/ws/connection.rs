//! One WebSocket connection (a flow): reads frames and hands their bytes
//! to the endpoint loop; writes what the loop routes to this flow.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ws::{Message as WsMessage, WebSocket};
use tokio::sync::mpsc;

use super::endpoint::Inbound;
use super::{FLOW_QUEUE, FlowId, FlowSlot, Shared};
use crate::registrar::Flow;

/// Runs the flow until the peer closes it, it fails, or the endpoint loop
/// stops; the loop is told when it opens and when it closes. The flow's
/// place under the limit is given back when this returns.
pub(super) async fn run(mut socket: WebSocket, id: FlowId, flow: Flow, shared: Arc<Shared>, _slot: FlowSlot) {
    let peer: SocketAddr = flow.source;
    let (outbound, mut queue) = mpsc::channel::<Vec<u8>>(FLOW_QUEUE);
    if shared.inbound.send(Inbound::Open { id, flow, outbound }).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            received = socket.recv() => match received {
                Some(Ok(WsMessage::Text(text))) => {
                    let bytes = text.as_str().as_bytes().to_vec();
                    if shared.inbound.send(Inbound::Frame { peer, bytes }).await.is_err() { break; }
                }
                Some(Ok(WsMessage::Binary(bytes))) => {
                    if shared.inbound.send(Inbound::Frame { peer, bytes: bytes.to_vec() }).await.is_err() { break; }
                }
                // Pings are answered by tungstenite itself.
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => {}
                Some(Ok(WsMessage::Close(_)) | Err(_)) | None => break,
            },
            sent = queue.recv() => match sent {
                Some(bytes) => {
                    let message = match String::from_utf8(bytes) {
                        Ok(text) => WsMessage::text(text),
                        Err(e) => WsMessage::binary(e.into_bytes()),
                    };
                    if socket.send(message).await.is_err() { break; }
                }
                None => break,
            },
        }
    }
    let _ = shared.inbound.send(Inbound::Closed { id, peer }).await;
}
