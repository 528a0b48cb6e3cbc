//! `GET /api/v1/live`: authentication before the upgrade, then one task
//! per connection.
//!
//! A browser cannot set headers on a WebSocket, so the bearer token is
//! taken, in this order, from `Authorization: Bearer`, from the
//! `Sec-WebSocket-Protocol` offer `switchboard.bearer, <token>` (answered
//! with the protocol `switchboard.bearer`), or from the `token` query
//! parameter. The request's URI is never logged. No valid token: 401 and no
//! upgrade; an agent without an agent profile (or an agent-role API key):
//! 403.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use model::{QueueId, Role, TenantId};
use store::repo::agents;
use store::writer::{BusError, EventSubscriber};
use tokio::time::{Instant, MissedTickBehavior};

use super::types::{LiveMessage, LiveSnapshot, QueueFigures};
use super::viewer::{Scope, Viewer};
use super::{LiveConfig, LiveHub, layer_snapshot, snapshot};
use crate::auth::{Caller, authenticate};
use crate::error::ApiError;
use crate::state::AppState;

/// The subprotocol that carries the bearer token as the second offer.
pub const BEARER_PROTOCOL: &str = "switchboard.bearer";

/// Close code sent when the session ends (a private-use code, RFC 6455 §7.4.2).
pub const CLOSE_SESSION_EXPIRED: u16 = 4001;

/// The live feed's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/live", get(live))
}

/// The bearer token of a WebSocket request, wherever a client could put it.
fn token_of(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let from_protocol = || {
        let offers: Vec<&str> = headers
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let at = offers.iter().position(|p| *p == BEARER_PROTOCOL)?;
        offers.get(at + 1).map(|t| (*t).to_owned())
    };
    let from_query =
        || form_urlencoded::parse(uri.query()?.as_bytes()).find(|(k, _)| k == "token").map(|(_, v)| v.into_owned());
    from_header.or_else(from_protocol).or_else(from_query).filter(|t| !t.is_empty())
}

/// What the caller may see, or 403.
pub(crate) async fn viewer_of(state: &AppState, caller: &Caller) -> Result<Viewer, ApiError> {
    if caller.role.at_least(Role::Supervisor) {
        return Ok(Viewer { tenant: caller.tenant_id, scope: Scope::Tenant });
    }
    let user = caller.user_id().ok_or(ApiError::Forbidden)?;
    let agent = agents::find_by_user(&state.pool, caller.tenant_id, user).await?.ok_or(ApiError::Forbidden)?;
    let queues = agent.data.queues.iter().map(|m| m.queue_id).collect();
    Ok(Viewer { tenant: caller.tenant_id, scope: Scope::Agent { agent: agent.id, queues, calls: HashSet::new() } })
}

async fn live(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let token = token_of(&headers, &uri).ok_or(ApiError::Unauthorized)?;
    let (caller, expires) = authenticate(&state, &token).await?;
    let viewer = viewer_of(&state, &caller).await?;
    let upgrade = upgrade.map_err(|r| ApiError::BadRequest { message: r.body_text(), fields: Vec::new() })?;
    let hub = state.live.clone().ok_or_else(|| ApiError::Unavailable("the live feed is not running".into()))?;
    // Subscribed before the snapshot is read: no event falls in between.
    let events = hub.bus.subscribe().ok_or_else(|| ApiError::Unavailable("the event writer is gone".into()))?;
    let connection = Connection::new(state, hub, viewer, events, expires);
    Ok(upgrade.protocols([BEARER_PROTOCOL]).on_upgrade(move |socket| connection.run(socket)))
}

/// One client's feed.
struct Connection {
    state: AppState,
    hub: Arc<LiveHub>,
    viewer: Viewer,
    events: EventSubscriber,
    expires: Option<DateTime<Utc>>,
    config: LiveConfig,
    /// The figures last sent, by queue.
    figures: HashMap<QueueId, QueueFigures>,
}

/// Why a connection ends.
enum End {
    /// The client went away, or sending failed.
    Gone,
    /// Close with this code and reason.
    Close(u16, &'static str),
}

impl Connection {
    fn new(
        state: AppState,
        hub: Arc<LiveHub>,
        viewer: Viewer,
        events: EventSubscriber,
        expires: Option<DateTime<Utc>>,
    ) -> Self {
        let config = state.config.live.clone();
        Connection { state, hub, viewer, events, expires, config, figures: HashMap::new() }
    }

    fn tenant(&self) -> TenantId {
        self.viewer.tenant
    }

    async fn run(mut self, mut socket: WebSocket) {
        let end = match self.send_snapshot(&mut socket, None).await {
            Ok(()) => match self.serve(&mut socket).await {
                Err(end) => end,
                Ok(never) => match never {},
            },
            Err(end) => end,
        };
        if let End::Close(code, reason) = end {
            let frame = CloseFrame { code, reason: reason.into() };
            let _ = socket.send(Message::Close(Some(frame))).await;
        }
    }

    /// Pushes events, figures and pings until the client or the session ends.
    async fn serve(&mut self, socket: &mut WebSocket) -> Result<Infallible, End> {
        let mut ping = tokio::time::interval_at(Instant::now() + self.config.ping_interval, self.config.ping_interval);
        let mut figures = tokio::time::interval(self.config.queue_interval);
        figures.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut awaiting_pong = false;
        let mut dirty = false;
        let mut refreshed = Instant::now();
        let expiry = self.expires.map(deadline);
        loop {
            tokio::select! {
                event = self.events.recv() => match event {
                    Ok(event) => {
                        dirty |= event.tenant_id == self.tenant();
                        if self.viewer.admit(&event) {
                            send(socket, &LiveMessage::Event { event: Box::new((*event).clone()) }).await?;
                        }
                    }
                    Err(BusError::Lagged(missed)) => self.send_snapshot(socket, Some(missed)).await?,
                    Err(_) => return Err(End::Close(1012, "the server is restarting")),
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Pong(_))) => awaiting_pong = false,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Err(End::Gone),
                    Some(Ok(_)) => {}
                },
                _ = ping.tick() => {
                    if awaiting_pong {
                        return Err(End::Close(1011, "no pong"));
                    }
                    awaiting_pong = true;
                    if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                        return Err(End::Gone);
                    }
                }
                _ = figures.tick() => {
                    if !dirty && refreshed.elapsed() < self.config.refresh_interval {
                        continue;
                    }
                    dirty = false;
                    refreshed = Instant::now();
                    let layer = layer_snapshot(&self.state, self.tenant()).await;
                    self.send_changed_figures(socket, layer).await?;
                }
                () = sleep_until(expiry) => return Err(End::Close(CLOSE_SESSION_EXPIRED, "session expired")),
            }
        }
    }

    /// Sends a snapshot (`resync` after `missed` events were lost).
    async fn send_snapshot(&mut self, socket: &mut WebSocket, missed: Option<u64>) -> Result<(), End> {
        let mut missed = missed;
        // Events already behind the snapshot are in it; skip them.
        loop {
            match self.events.try_recv() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(BusError::Lagged(n)) => missed = Some(missed.unwrap_or(0) + n),
                Err(_) => return Err(End::Close(1012, "the server is restarting")),
            }
        }
        let full = snapshot(&self.state, &self.hub, self.tenant()).await;
        let snapshot = self.viewer.restrict(full);
        self.figures = snapshot.queues.iter().map(|q| (q.queue_id, q.clone())).collect();
        let message = match missed {
            None => LiveMessage::Snapshot { snapshot },
            Some(missed) => LiveMessage::Resync { missed, snapshot },
        };
        send(socket, &message).await
    }

    async fn send_changed_figures(&mut self, socket: &mut WebSocket, layer: LiveSnapshot) -> Result<(), End> {
        for queue in layer.queues {
            if !self.viewer.sees_queue(queue.queue_id) || self.figures.get(&queue.queue_id) == Some(&queue) {
                continue;
            }
            self.figures.insert(queue.queue_id, queue.clone());
            send(socket, &LiveMessage::Queue { queue }).await?;
        }
        Ok(())
    }
}

async fn send(socket: &mut WebSocket, message: &LiveMessage) -> Result<(), End> {
    let text = serde_json::to_string(message).map_err(|e| {
        tracing::error!(error = %e, "cannot encode a live message");
        End::Close(1011, "internal error")
    })?;
    socket.send(Message::Text(text.into())).await.map_err(|_| End::Gone)
}

/// The instant of the runtime clock at which `at` is reached.
fn deadline(at: DateTime<Utc>) -> Instant {
    let left = (at - Utc::now()).to_std().unwrap_or_default();
    Instant::now() + left
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
