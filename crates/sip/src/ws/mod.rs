//! SIP over WebSocket (RFC 7118) for browser softphones: an axum route that
//! upgrades `GET` requests offering the subprotocol `sip`, one task per
//! connection (a *flow*), and one [`WsEndpoint`] loop that owns the
//! [`TransactionLayer`] and the [`FlowTable`].
//!
//! Each WebSocket message carries exactly one SIP message; a frame that is
//! not one gets 400 when the answer can be routed, else it is dropped and
//! counted. The layer marks the top Via with `received`/`rport` from the
//! connection's TCP peer address and answers to that address; the endpoint
//! routes every message for that address to the flow, which is the only way
//! to reach a browser (its Contact host is `*.invalid`).
//!
//! Overload policy: connection tasks hand frames over one bounded channel
//! and wait when it is full (which stops reading the socket: TCP
//! backpressure); each flow's outbound queue is bounded, and a message for a
//! flow whose queue is full is not sent (its transaction gets a transport
//! error), so a slow browser never makes memory grow. At most
//! [`WsTransport::with_max_flows`] flows (default 10,000) are open; a
//! handshake beyond that is refused with 503 before the upgrade.
//!
//! Over TLS (WSS) the server inserts the [`OverTls`] extension into each
//! request (`router.layer(Extension(OverTls))`); flows upgraded from such a
//! request are [`Transport::Wss`], others [`Transport::Ws`], and
//! [`WsTransport::flow`] tells which flow a source address is.
//!
//! ```no_run
//! # async fn demo(api: axum::Router) {
//! use sip::layer::TransactionLayer;
//! use sip::message::Limits;
//! use sip::transaction::Config;
//! use sip::ws::WsTransport;
//!
//! struct Answer;
//! impl sip::udp::Handler for Answer {
//!     fn on_event(&mut self, _: sip::layer::LayerEvent, _: &mut TransactionLayer, _: std::time::Instant) {}
//! }
//! let layer = TransactionLayer::new(Config::reliable(), Limits::default(), 7);
//! let (transport, endpoint) = WsTransport::new(layer, Limits::default());
//! tokio::spawn(async move { endpoint.run(&mut Answer, std::future::pending()).await });
//! let app = api.merge(transport.router());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! // The handler needs the peer address: serve with connect info.
//! axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
//! # }
//! ```

mod connection;
mod endpoint;
mod flow;
mod flows;
mod frame;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tokio::sync::mpsc;

pub use endpoint::WsEndpoint;
pub use flow::{FlowId, FlowTable};
pub use flows::{WsFlows, WsInput};
pub use frame::{FrameContent, read_frame};

use crate::layer::TransactionLayer;
use crate::message::Limits;
use crate::registrar::{Flow, Transport};

/// The path browsers connect to.
pub const PATH: &str = "/sip";

/// The WebSocket subprotocol of SIP (RFC 7118 §4.1).
pub const SUBPROTOCOL: &str = "sip";

/// The Via transport of a plain WebSocket flow (`WSS` over TLS: see [`via_transport`]).
pub const VIA_TRANSPORT: &str = "WS";

/// The Via transport of a secure WebSocket flow (RFC 7118 §5.1).
pub const VIA_TRANSPORT_SECURE: &str = "WSS";

/// Open flows at most, by default.
pub const DEFAULT_MAX_FLOWS: usize = 10_000;

/// The Via transport token for a flow's transport: `WSS` for
/// [`Transport::Wss`], `WS` otherwise.
pub fn via_transport(transport: Transport) -> &'static str {
    match transport {
        Transport::Wss => VIA_TRANSPORT_SECURE,
        _ => VIA_TRANSPORT,
    }
}

/// A request extension saying the connection it came over is TLS: insert
/// it on an HTTPS server (`router.layer(Extension(OverTls))`) so the flows
/// upgraded there are WSS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverTls;

/// Frames waiting for the endpoint loop, all flows together.
const INBOUND_QUEUE: usize = 1024;

/// Messages waiting to be written to one flow.
const FLOW_QUEUE: usize = 256;

/// Why a WebSocket handshake was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The client did not offer the subprotocol `sip`.
    #[error("SIP over WebSocket (RFC 7118) needs the subprotocol \"sip\" in Sec-WebSocket-Protocol")]
    MissingSubprotocol,
    /// The transport already has as many flows open as it may.
    #[error("too many SIP WebSocket flows are open (limit {limit}); try again later")]
    TooManyFlows {
        /// The limit.
        limit: usize,
    },
}

impl IntoResponse for HandshakeError {
    fn into_response(self) -> Response {
        let status = match self {
            HandshakeError::MissingSubprotocol => StatusCode::BAD_REQUEST,
            HandshakeError::TooManyFlows { .. } => StatusCode::SERVICE_UNAVAILABLE,
        };
        (status, self.to_string()).into_response()
    }
}

/// Counters of the transport, readable while it runs.
#[derive(Debug, Default)]
pub struct WsStats {
    open_flows: AtomicUsize,
    rejected: AtomicU64,
    dropped: AtomicU64,
    unroutable: AtomicU64,
    refused_flows: AtomicU64,
}

impl WsStats {
    /// Flows the endpoint loop knows as open.
    pub fn open_flows(&self) -> usize {
        self.open_flows.load(Ordering::Relaxed)
    }

    /// Frames that were not one SIP message and were answered 400.
    pub fn rejected(&self) -> u64 {
        self.rejected.load(Ordering::Relaxed)
    }

    /// Frames that were not one SIP message and could not be answered.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Messages not sent: no flow reaches the destination, or its queue was full.
    pub fn unroutable(&self) -> u64 {
        self.unroutable.load(Ordering::Relaxed)
    }

    /// Handshakes refused with 503 because the flow limit was reached.
    pub fn refused_flows(&self) -> u64 {
        self.refused_flows.load(Ordering::Relaxed)
    }
}

/// What the route and the connection tasks share.
#[derive(Debug)]
struct Shared {
    inbound: mpsc::Sender<endpoint::Inbound>,
    next_flow: AtomicU64,
    stats: Arc<WsStats>,
    /// Flows at most (handshakes accepted and not yet ended).
    max_flows: AtomicUsize,
    /// Flows accepted and not yet ended (a [`FlowSlot`] each).
    live_flows: AtomicUsize,
    /// The open flows by source address, as the endpoint loop sees them.
    flows: Mutex<HashMap<SocketAddr, (FlowId, Flow)>>,
}

impl Shared {
    fn new(inbound: mpsc::Sender<endpoint::Inbound>) -> Arc<Shared> {
        Arc::new(Shared {
            inbound,
            next_flow: AtomicU64::new(1),
            stats: Arc::new(WsStats::default()),
            max_flows: AtomicUsize::new(DEFAULT_MAX_FLOWS),
            live_flows: AtomicUsize::new(0),
            flows: Mutex::new(HashMap::new()),
        })
    }

    fn flows(&self) -> std::sync::MutexGuard<'_, HashMap<SocketAddr, (FlowId, Flow)>> {
        self.flows.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One place under the flow limit, given back when dropped.
#[derive(Debug)]
struct FlowSlot(Arc<Shared>);

impl FlowSlot {
    fn reserve(shared: &Arc<Shared>) -> Option<FlowSlot> {
        let max = shared.max_flows.load(Ordering::Relaxed);
        shared.live_flows.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < max).then_some(n + 1)).ok()?;
        Some(FlowSlot(shared.clone()))
    }
}

impl Drop for FlowSlot {
    fn drop(&mut self) {
        self.0.live_flows.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The HTTP side of SIP over WebSocket: clone it into the router with
/// [`WsTransport::router`]; its [`WsEndpoint`] runs the SIP side.
#[derive(Debug, Clone)]
pub struct WsTransport {
    shared: Arc<Shared>,
}

impl WsTransport {
    /// A transport whose endpoint drives `layer` (use a reliable
    /// transaction config: no retransmissions) with message `limits`.
    pub fn new(layer: TransactionLayer, limits: Limits) -> (WsTransport, WsEndpoint) {
        let (tx, rx) = mpsc::channel(INBOUND_QUEUE);
        let shared = Shared::new(tx);
        let endpoint = WsEndpoint { layer, limits, inbound: rx, shared: shared.clone() };
        (WsTransport { shared }, endpoint)
    }

    /// A transport whose SIP side is [`WsFlows`], for a loop that owns
    /// its transaction layer itself (the edge runner).
    pub fn with_flows(limits: Limits) -> (WsTransport, WsFlows) {
        let (tx, rx) = mpsc::channel(INBOUND_QUEUE);
        let shared = Shared::new(tx);
        let flows = WsFlows { inbound: rx, shared: shared.clone(), limits, flows: FlowTable::new() };
        (WsTransport { shared }, flows)
    }

    /// The same transport with at most `max` open flows (default
    /// [`DEFAULT_MAX_FLOWS`]); a handshake beyond it gets 503.
    pub fn with_max_flows(self, max: usize) -> WsTransport {
        self.shared.max_flows.store(max, Ordering::Relaxed);
        self
    }

    /// The open flow whose connection comes from `source` (the address
    /// layer events give), with its transport (WS or WSS).
    pub fn flow(&self, source: SocketAddr) -> Option<(FlowId, Flow)> {
        self.shared.flows().get(&source).copied()
    }

    /// The transport's counters.
    pub fn stats(&self) -> Arc<WsStats> {
        self.shared.stats.clone()
    }

    /// A router with `GET` [`PATH`]. Serve it with
    /// `into_make_service_with_connect_info::<SocketAddr>()`: the flow's
    /// peer address comes from [`ConnectInfo`].
    pub fn router(self) -> Router {
        Router::new().route(PATH, get(upgrade)).with_state(self)
    }
}

/// Accepts a handshake that offers `sip` and answers with it; refuses any
/// other, and any beyond the flow limit.
async fn upgrade(
    State(transport): State<WsTransport>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    tls: Option<Extension<OverTls>>,
    ws: WebSocketUpgrade,
) -> Response {
    let ws = ws.protocols([SUBPROTOCOL]);
    if ws.selected_protocol().is_none() {
        return HandshakeError::MissingSubprotocol.into_response();
    }
    let shared = transport.shared;
    let Some(slot) = FlowSlot::reserve(&shared) else {
        shared.stats.refused_flows.fetch_add(1, Ordering::Relaxed);
        let limit = shared.max_flows.load(Ordering::Relaxed);
        return HandshakeError::TooManyFlows { limit }.into_response();
    };
    let id = FlowId(shared.next_flow.fetch_add(1, Ordering::Relaxed));
    let flow = Flow { source: peer, transport: if tls.is_some() { Transport::Wss } else { Transport::Ws } };
    ws.on_upgrade(move |socket| connection::run(socket, id, flow, shared, slot))
}
