//! The SIP endpoint behind `GET /sip` (SIP over WebSocket) until the
//! registrar and call legs exist: OPTIONS gets 200, every other request
//! (ACK and CANCEL are the layer's) gets 501 Not Implemented.

use std::time::Instant;

use sip::layer::{LayerEvent, TransactionLayer};
use sip::message::{Method, StatusCode};
use sip::udp::Handler;

/// Answers OPTIONS 200 and other requests 501.
pub struct MinimalEdge;

impl Handler for MinimalEdge {
    fn on_event(&mut self, event: LayerEvent, layer: &mut TransactionLayer, now: Instant) {
        let LayerEvent::Request { key, request, .. } = event else { return };
        let status = match request.method() {
            Method::Options => StatusCode::OK,
            _ => StatusCode::new(501).unwrap_or(StatusCode::SERVER_INTERNAL_ERROR),
        };
        let mut response = request.response(status, Some("sb-edge"));
        if status == StatusCode::OK {
            let _ = response.headers_mut().push("Allow", "OPTIONS");
        }
        let _ = layer.respond(&key, response, now);
    }
}
