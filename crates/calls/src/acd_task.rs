//! The shell of one tenant's ACD: the engine in a task of its own, its
//! commands from call actors and the API, its timers, and its actions sent
//! to the call they concern (or written as agent events).

use std::collections::HashMap;
use std::time::Instant as StdInstant;

use acd::{AcdError, Action, Command, Engine, Instant};

use crate::error::CallsError;
use model::{AgentId, CallId, Event, EventPayload, QueueId, TenantId};
use store::writer::EventSink;
use tokio::sync::{mpsc, oneshot};

use crate::events::agent_seq;

/// Agent events the ACD has decided and its writer has not yet made
/// durable. When full, the ACD waits for room: memory stays bounded, and
/// the ACD slows down only when PostgreSQL cannot keep up at all.
const AGENT_EVENTS_PENDING: usize = 16_384;

/// What a call actor or the API asks of the ACD.
#[derive(Debug)]
pub enum AcdRequest {
    /// A command; its result comes back when `reply` is given.
    Command(Command, Option<oneshot::Sender<Result<(), AcdError>>>),
    /// From now on, actions for `call` go to this actor.
    Follow(CallId, mpsc::UnboundedSender<Action>),
    /// The actor of `call` has ended.
    Forget(CallId),
    /// A waiting call's position (1 = next).
    Position(CallId, oneshot::Sender<Option<u32>>),
    /// What is live: these agents (with their queues) and these queues.
    Snapshot(Vec<(AgentId, Vec<QueueId>)>, Vec<QueueId>, oneshot::Sender<AcdSnapshot>),
}

/// An agent as the ACD sees it now.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentLive {
    /// The agent.
    pub agent: AgentId,
    /// Its routing state (logged out when the ACD never saw it).
    pub state: model::AgentState,
    /// The queues it serves.
    pub queues: Vec<QueueId>,
}

/// What a tenant's ACD knows live, for the live feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcdSnapshot {
    /// Agents and their states.
    pub agents: Vec<AgentLive>,
    /// Each known queue's figures.
    pub queues: Vec<(QueueId, acd::QueueStats)>,
    /// Calls waiting in a queue, with their position (1 = next).
    pub waiting: Vec<(CallId, u32)>,
}

/// The call layer's end of a tenant's ACD task. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AcdHandle {
    tx: mpsc::UnboundedSender<AcdRequest>,
}

impl AcdHandle {
    /// Starts the ACD of `tenant`, configured with its queues.
    pub fn start(tenant: TenantId, queues: Vec<(model::QueueId, model::Queue)>, sink: EventSink) -> AcdHandle {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut engine = Engine::new();
        for (queue, config) in queues {
            if let Err(error) =
                engine.handle(Command::ConfigureQueue { queue, config: Box::new(config) }, Instant::ZERO)
            {
                tracing::warn!(%tenant, %queue, %error, "queue left out of the ACD");
            }
        }
        let (events_tx, events_rx) = mpsc::channel(AGENT_EVENTS_PENDING);
        tokio::spawn(write_agent_events(events_rx, sink));
        tokio::spawn(run(tenant, engine, rx, events_tx));
        AcdHandle { tx }
    }

    /// Sends a command and waits for the engine's verdict.
    pub async fn command(&self, command: Command) -> Result<(), CallsError> {
        let (reply, answer) = oneshot::channel();
        if self.tx.send(AcdRequest::Command(command, Some(reply))).is_err() {
            return Err(CallsError::AcdStopped);
        }
        Ok(answer.await.map_err(|_| CallsError::AcdStopped)??)
    }

    /// Sends a command whose result nobody waits for (a hang-up, an answer).
    pub fn tell(&self, command: Command) {
        let _ = self.tx.send(AcdRequest::Command(command, None));
    }

    /// Routes the actions of `call` to `actor`.
    pub fn follow(&self, call: CallId, actor: mpsc::UnboundedSender<Action>) {
        let _ = self.tx.send(AcdRequest::Follow(call, actor));
    }

    /// A waiting call's position, 1 being next.
    pub async fn position(&self, call: CallId) -> Option<u32> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(AcdRequest::Position(call, reply)).ok()?;
        answer.await.ok().flatten()
    }

    /// What the ACD knows live of `agents` (with their queues) and `queues`.
    pub async fn snapshot(&self, agents: Vec<(AgentId, Vec<QueueId>)>, queues: Vec<QueueId>) -> Option<AcdSnapshot> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(AcdRequest::Snapshot(agents, queues, reply)).ok()?;
        answer.await.ok()
    }

    /// The actor of `call` is gone.
    pub fn forget(&self, call: CallId) {
        let _ = self.tx.send(AcdRequest::Forget(call));
    }
}

/// The call an action concerns, if it is a call's.
fn call_of(action: &Action) -> Option<CallId> {
    match action {
        Action::Offer { call, .. }
        | Action::CancelOffer { call, .. }
        | Action::Announce { call, .. }
        | Action::OfferCallback { call, .. }
        | Action::Overflow { call, .. }
        | Action::Finished { call, .. } => Some(*call),
        Action::AgentStateChanged { .. } => None,
    }
}

async fn run(
    tenant: TenantId,
    mut engine: Engine,
    mut rx: mpsc::UnboundedReceiver<AcdRequest>,
    events: mpsc::Sender<Event>,
) {
    let span = tracing::info_span!("acd", %tenant);
    let _enter = span.enter();
    let start = StdInstant::now();
    let now = |at: StdInstant| Instant::from_duration(at.saturating_duration_since(start));
    let mut actors: HashMap<CallId, mpsc::UnboundedSender<Action>> = HashMap::new();
    loop {
        let deadline = engine.poll_timeout().map(|at| start + at.since(Instant::ZERO));
        let request = match deadline {
            Some(at) => tokio::select! {
                request = rx.recv() => request,
                () = tokio::time::sleep_until(tokio::time::Instant::from_std(at)) => {
                    engine.handle_timeout(now(StdInstant::now()));
                    dispatch(&mut engine, &mut actors, tenant, &events).await;
                    continue;
                }
            },
            None => rx.recv().await,
        };
        let Some(request) = request else { break };
        let at = now(StdInstant::now());
        // Timers due before this command fire first (the engine's contract).
        if engine.poll_timeout().is_some_and(|due| due <= at) {
            engine.handle_timeout(at);
        }
        match request {
            AcdRequest::Command(command, reply) => {
                let result = engine.handle(command, at);
                if let Some(reply) = reply {
                    let _ = reply.send(result);
                } else if let Err(error) = result {
                    tracing::debug!(%error, "ACD command refused");
                }
            }
            AcdRequest::Follow(call, actor) => {
                actors.insert(call, actor);
            }
            AcdRequest::Forget(call) => {
                actors.remove(&call);
            }
            AcdRequest::Position(call, reply) => {
                let _ = reply.send(engine.position(call));
            }
            AcdRequest::Snapshot(agents, queues, reply) => {
                let _ = reply.send(snapshot(&engine, &actors, agents, queues, at));
            }
        }
        dispatch(&mut engine, &mut actors, tenant, &events).await;
    }
}

/// Makes the ACD's agent events durable, in the order it decided them,
/// as many per write as have queued up: the ACD never waits for a commit
/// (it waited for each one, so its decisions per second were bounded by
/// one over the commit latency).
async fn write_agent_events(mut rx: mpsc::Receiver<Event>, sink: EventSink) {
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, 1_024).await > 0 {
        let n = batch.len();
        if let Err(error) = sink.write_batch(std::mem::take(&mut batch)).await {
            tracing::error!(%error, events = n, "agent events not written");
        }
    }
}

/// The engine's view of `agents`, `queues` and the followed calls at `at`.
fn snapshot(
    engine: &Engine,
    actors: &HashMap<CallId, mpsc::UnboundedSender<Action>>,
    agents: Vec<(AgentId, Vec<QueueId>)>,
    queues: Vec<QueueId>,
    at: Instant,
) -> AcdSnapshot {
    let agents = agents
        .into_iter()
        .map(|(agent, queues)| AgentLive {
            agent,
            state: engine.agent_state(agent).unwrap_or(model::AgentState::LoggedOut),
            queues,
        })
        .collect();
    let queues = queues.into_iter().filter_map(|q| engine.queue_stats(q, at).ok().map(|s| (q, s))).collect();
    let waiting = actors.keys().filter_map(|&call| engine.position(call).map(|p| (call, p))).collect();
    AcdSnapshot { agents, queues, waiting }
}

/// Hands every pending action to its call's actor; agent state changes
/// become events, queued for their writer.
async fn dispatch(
    engine: &mut Engine,
    actors: &mut HashMap<CallId, mpsc::UnboundedSender<Action>>,
    tenant: TenantId,
    events: &mpsc::Sender<Event>,
) {
    while let Some(action) = engine.poll_action() {
        if let Action::AgentStateChanged { agent, state } = &action {
            let payload = EventPayload::AgentStateChanged { agent_id: *agent, state: state.clone() };
            if events.send(Event::agent(tenant, agent_seq(), chrono::Utc::now(), payload)).await.is_err() {
                tracing::error!(%agent, "agent event not written: its writer is gone");
            }
            continue;
        }
        let Some(call) = call_of(&action) else { continue };
        match actors.get(&call) {
            Some(actor) => {
                let _ = actor.send(action);
            }
            None => tracing::debug!(%call, ?action, "ACD action for a call with no actor"),
        }
    }
}
