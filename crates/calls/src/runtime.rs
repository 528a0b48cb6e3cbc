//! The call layer's shell: the dispatcher of the SIP edge's events (a new
//! INVITE becomes a call actor, a leg's events go to the actor that owns
//! the leg, registrations become device events), one ACD task per tenant,
//! and the agent commands the API forwards.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use media::shard::MediaEngine;
use model::{AgentId, CallId, EventPayload, SupervisionMode, TenantId, UnregisterReason, UserId};
use sip::edge::{EdgeEvent, LegId as SipLeg};
use sip::registrar::BindingEvent;
use sip::runner::EdgeHandle;
use sqlx::PgPool;
use store::writer::EventSink;
use tokio::sync::{mpsc, oneshot};

use crate::acd_task::AcdHandle;
use crate::actor::{self, CallCommand, CallMsg};
use crate::directory::Directory;
use crate::error::CallsError;
use crate::events::emit_agent;
use crate::prompts::PromptLibrary;

/// (tenant domain, extension) → the agent, shared with the reload.
pub type AgentsByAor = Arc<std::sync::RwLock<HashMap<(String, String), (TenantId, AgentId)>>>;

/// Events of a leg nobody follows yet are kept this long (an agent leg's
/// first response racing the actor's registration of it).
const PENDING_FOR: Duration = Duration::from_secs(5);

/// At most this many such events are kept.
const PENDING_MAX: usize = 4_096;

/// What every call actor shares.
pub(crate) struct Shared {
    pub edge: EdgeHandle,
    pub media: MediaEngine,
    pub sink: EventSink,
    pub pool: PgPool,
    pub prompts: PromptLibrary,
    pub legs: LegRouter,
    pub live: LiveCalls,
    /// Each agent's last answered call, for the disposition of its wrap-up.
    pub wrap_ups: Mutex<HashMap<AgentId, WrapUp>>,
    /// The platform's SIP domain (From of the legs we place).
    pub domain: String,
    /// Where recordings and voicemail go (a folder per tenant).
    pub recordings: std::path::PathBuf,
    seed: AtomicU64,
}

impl Shared {
    /// A seed for a negotiator's session id (unique per leg).
    pub fn seed(&self) -> u64 {
        self.seed.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
    }
}

/// Which actor follows which SIP leg.
#[derive(Default)]
pub(crate) struct LegRouter {
    inner: Mutex<RouterState>,
}

#[derive(Default)]
struct RouterState {
    actors: HashMap<SipLeg, mpsc::UnboundedSender<CallMsg>>,
    pending: Vec<(Instant, SipLeg, EdgeEvent)>,
}

impl LegRouter {
    /// From now on, the events of `leg` go to `actor` (with any that came first).
    pub fn follow(&self, leg: SipLeg, actor: mpsc::UnboundedSender<CallMsg>) {
        let mut state = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let pending = std::mem::take(&mut state.pending);
        for (at, pending_leg, event) in pending {
            if pending_leg == leg {
                let _ = actor.send(CallMsg::Sip(event));
            } else {
                state.pending.push((at, pending_leg, event));
            }
        }
        state.actors.insert(leg, actor);
    }

    /// The leg's actor is gone.
    pub fn forget(&self, leg: SipLeg) {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).actors.remove(&leg);
    }

    /// Hands an event to the leg's actor, or keeps it a moment.
    fn route(&self, leg: SipLeg, event: EdgeEvent) {
        let mut state = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(actor) = state.actors.get(&leg) {
            let _ = actor.send(CallMsg::Sip(event));
            return;
        }
        let now = Instant::now();
        state.pending.retain(|(at, _, _)| now.saturating_duration_since(*at) < PENDING_FOR);
        if state.pending.len() < PENDING_MAX {
            state.pending.push((now, leg, event));
        }
    }
}

/// An agent's last answered call, waiting for its disposition.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WrapUp {
    pub tenant: TenantId,
    pub call: CallId,
    /// The sequence of the call's next event (none while it is live).
    pub next_seq: Option<u64>,
}

/// The live calls: each call's actor, for the API's commands.
#[derive(Default)]
pub(crate) struct LiveCalls {
    inner: Mutex<HashMap<CallId, (TenantId, mpsc::UnboundedSender<CallMsg>)>>,
}

impl LiveCalls {
    /// The call's actor takes commands from now on.
    pub fn follow(&self, call: CallId, tenant: TenantId, actor: mpsc::UnboundedSender<CallMsg>) {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).insert(call, (tenant, actor));
    }

    /// The call has ended.
    pub fn forget(&self, call: CallId) {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).remove(&call);
    }

    /// The actors of every live call of `tenant`.
    fn actors_of(&self, tenant: TenantId) -> Vec<mpsc::UnboundedSender<CallMsg>> {
        let calls = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        calls.values().filter(|(t, _)| *t == tenant).map(|(_, actor)| actor.clone()).collect()
    }

    /// The actor of a live call of `tenant`.
    fn actor(&self, tenant: TenantId, call: CallId) -> Option<mpsc::UnboundedSender<CallMsg>> {
        let calls = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        calls.get(&call).filter(|(t, _)| *t == tenant).map(|(_, actor)| actor.clone())
    }
}

/// Who asks for a call's transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transferor {
    /// The agent on the call (refused for anyone else's call).
    Agent(AgentId),
    /// A supervisor or admin of the tenant.
    Supervisor(UserId),
}

/// What the call layer needs to run.
pub struct Setup {
    /// The SIP edge's handle.
    pub edge: EdgeHandle,
    /// The SIP edge's events (the call layer consumes all of them).
    pub edge_events: mpsc::Receiver<EdgeEvent>,
    /// The media engine.
    pub media: MediaEngine,
    /// Where events go.
    pub sink: EventSink,
    /// The database.
    pub pool: PgPool,
    /// The tenants' configuration.
    pub directory: Directory,
    /// The prompts and music on hold.
    pub prompts: PromptLibrary,
    /// The platform SIP domain.
    pub domain: String,
    /// Where recordings and voicemail go (a folder per tenant is made).
    pub recordings: std::path::PathBuf,
    /// (tenant domain, extension) → agent, to name the agent of a
    /// registration; kept current by whoever reloads the accounts.
    pub agents_by_aor: AgentsByAor,
    /// How often every tenant's configuration is read again (new numbers,
    /// flows, queues and agents take effect without a restart).
    pub reload_every: Duration,
}

/// The running call layer. Cheap to clone.
#[derive(Clone)]
pub struct Calls {
    shared: Arc<Shared>,
    directory: Arc<Mutex<Directory>>,
    acds: Arc<Mutex<HashMap<TenantId, AcdHandle>>>,
}

impl Calls {
    /// Starts the dispatcher and one ACD per tenant.
    pub fn start(setup: Setup) -> Calls {
        let domain = setup.domain.clone();
        let shared = Arc::new(Shared {
            edge: setup.edge,
            media: setup.media,
            sink: setup.sink,
            pool: setup.pool,
            prompts: setup.prompts,
            legs: LegRouter::default(),
            live: LiveCalls::default(),
            wrap_ups: Mutex::new(HashMap::new()),
            domain: setup.domain,
            recordings: setup.recordings,
            seed: AtomicU64::new(uuid::Uuid::new_v4().as_u64_pair().0),
        });
        let mut acds = HashMap::new();
        for (tenant, config) in &setup.directory.tenants {
            let queues = config.queues.iter().map(|(id, q)| (*id, q.clone())).collect();
            acds.insert(*tenant, AcdHandle::start(*tenant, queues, shared.sink.clone()));
        }
        let calls =
            Calls { shared, directory: Arc::new(Mutex::new(setup.directory)), acds: Arc::new(Mutex::new(acds)) };
        tokio::spawn(calls.clone().dispatch(setup.edge_events, setup.agents_by_aor));
        tokio::spawn(calls.clone().reload(domain, setup.reload_every));
        calls
    }

    /// Reads every tenant's configuration again now and then: calls that
    /// arrive after take the new numbers and flows; each tenant's ACD gets
    /// its queues again (a queue's settings apply to the next decisions);
    /// a new tenant gets its ACD.
    async fn reload(self, domain: String, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let directory = match Directory::load(&self.shared.pool, &domain).await {
                Ok(directory) => directory,
                Err(error) => {
                    tracing::warn!(%error, "the call layer kept its configuration: reading it failed");
                    continue;
                }
            };
            self.apply(directory).await;
        }
    }

    /// Takes a configuration read again; only queues whose settings
    /// changed are configured again.
    async fn apply(&self, directory: Directory) {
        let before = self.directory.lock().unwrap_or_else(PoisonError::into_inner).clone();
        for (tenant, config) in &directory.tenants {
            match self.acd(*tenant) {
                Some(acd) => {
                    let old = before.tenant(*tenant);
                    let changed =
                        config.queues.iter().filter(|(id, q)| old.as_ref().and_then(|o| o.queues.get(*id)) != Some(*q));
                    for (queue, settings) in changed {
                        let command =
                            acd::Command::ConfigureQueue { queue: *queue, config: Box::new(settings.clone()) };
                        if let Err(error) = acd.command(command).await {
                            tracing::warn!(%tenant, %queue, %error, "queue settings not taken by the ACD");
                        }
                    }
                }
                None => {
                    let queues = config.queues.iter().map(|(id, q)| (*id, q.clone())).collect();
                    let acd = AcdHandle::start(*tenant, queues, self.shared.sink.clone());
                    self.acds.lock().unwrap_or_else(PoisonError::into_inner).insert(*tenant, acd);
                }
            }
        }
        *self.directory.lock().unwrap_or_else(PoisonError::into_inner) = directory;
    }

    fn acd(&self, tenant: TenantId) -> Option<AcdHandle> {
        self.acds.lock().unwrap_or_else(PoisonError::into_inner).get(&tenant).cloned()
    }

    /// Logs an agent in: available for calls of its queues.
    pub async fn log_in(&self, tenant: TenantId, agent: AgentId) -> Result<(), CallsError> {
        let config = self.directory.lock().unwrap_or_else(PoisonError::into_inner).tenant(tenant);
        let config = config.ok_or(CallsError::UnknownTenant)?;
        let (profile, _) = config.agents.get(&agent).ok_or(CallsError::UnknownAgent)?;
        let acd = self.acd(tenant).ok_or(CallsError::UnknownTenant)?;
        acd.command(acd::Command::LogIn { agent, profile: acd::AgentProfile::from(profile) }).await?;
        emit_agent(&self.shared.sink, tenant, EventPayload::AgentLoggedIn { agent_id: agent }).await;
        Ok(())
    }

    /// Logs an agent out (refused while on a call).
    pub async fn log_out(&self, tenant: TenantId, agent: AgentId) -> Result<(), CallsError> {
        let acd = self.acd(tenant).ok_or(CallsError::UnknownTenant)?;
        acd.command(acd::Command::LogOut { agent }).await?;
        emit_agent(&self.shared.sink, tenant, EventPayload::AgentLoggedOut { agent_id: agent }).await;
        Ok(())
    }

    /// Sets an agent's state (available, not ready with a reason, DND).
    pub async fn set_agent_state(
        &self,
        tenant: TenantId,
        agent: AgentId,
        state: acd::ReadyState,
    ) -> Result<(), CallsError> {
        let acd = self.acd(tenant).ok_or(CallsError::UnknownTenant)?;
        acd.command(acd::Command::SetAgentState { agent, state }).await
    }

    /// The agent refuses the call ringing at them, as if their phone had
    /// declined it: the ACD offers it to the next agent. `NoOffer` when
    /// no call rings at them.
    pub async fn reject_offer(&self, tenant: TenantId, agent: AgentId) -> Result<(), CallsError> {
        let mut answers = Vec::new();
        for actor in self.shared.live.actors_of(tenant) {
            let (reply, answer) = oneshot::channel();
            if actor.send(CallMsg::Command(CallCommand::RejectOffer { agent, reply })).is_ok() {
                answers.push(answer);
            }
        }
        for answer in answers {
            if let Ok(Ok(true)) = answer.await {
                return Ok(());
            }
        }
        Err(CallsError::NoOffer)
    }

    /// A supervisor sets an agent's state: as `set_agent_state`, then the
    /// audit `agent_state_set` (who set what).
    pub async fn set_agent_state_by(
        &self,
        tenant: TenantId,
        agent: AgentId,
        state: acd::ReadyState,
        by: UserId,
    ) -> Result<(), CallsError> {
        self.set_agent_state(tenant, agent, state.clone()).await?;
        let state = match state {
            acd::ReadyState::Available => model::AgentState::Available,
            acd::ReadyState::NotReady(reason) => model::AgentState::NotReady { reason },
            acd::ReadyState::DoNotDisturb => model::AgentState::DoNotDisturb,
        };
        emit_agent(&self.shared.sink, tenant, EventPayload::AgentStateSet { agent_id: agent, by, state }).await;
        Ok(())
    }

    /// A supervisor joins a live call in `mode` (monitor, whisper, barge),
    /// or switches to it when already on the call.
    pub async fn supervise(
        &self,
        tenant: TenantId,
        call: CallId,
        supervisor: UserId,
        mode: SupervisionMode,
    ) -> Result<(), CallsError> {
        let actor = self.shared.live.actor(tenant, call).ok_or(CallsError::UnknownCall)?;
        let (reply, answer) = oneshot::channel();
        actor
            .send(CallMsg::Command(CallCommand::Supervise { supervisor, mode, reply }))
            .map_err(|_| CallsError::UnknownCall)?;
        answer.await.map_err(|_| CallsError::UnknownCall)?
    }

    /// The supervisor leaves the call; caller and agent are bridged again.
    pub async fn stop_supervising(&self, tenant: TenantId, call: CallId, supervisor: UserId) -> Result<(), CallsError> {
        let actor = self.shared.live.actor(tenant, call).ok_or(CallsError::UnknownCall)?;
        let (reply, answer) = oneshot::channel();
        actor.send(CallMsg::Command(CallCommand::Leave { supervisor, reply })).map_err(|_| CallsError::UnknownCall)?;
        answer.await.map_err(|_| CallsError::UnknownCall)?
    }

    /// A blind transfer of a connected call to a queue, an agent or a
    /// number, asked by its agent or a supervisor.
    pub async fn transfer(
        &self,
        tenant: TenantId,
        call: CallId,
        by: Transferor,
        target: model::TransferTarget,
    ) -> Result<(), CallsError> {
        let actor = self.shared.live.actor(tenant, call).ok_or(CallsError::UnknownCall)?;
        let (reply, answer) = oneshot::channel();
        actor
            .send(CallMsg::Command(CallCommand::Transfer { by, target, reply }))
            .map_err(|_| CallsError::UnknownCall)?;
        answer.await.map_err(|_| CallsError::UnknownCall)?
    }

    /// Warm transfer, step one: the caller is held, `target` (an agent or
    /// a number) rung for the agent to consult.
    pub async fn consult(
        &self,
        tenant: TenantId,
        call: CallId,
        by: Transferor,
        target: model::TransferTarget,
    ) -> Result<(), CallsError> {
        self.ask(tenant, call, |reply| CallCommand::Consult { by, target, reply }).await
    }

    /// Warm transfer, step two: the caller is bridged to the party
    /// consulted and the agent leaves.
    pub async fn complete_consult(&self, tenant: TenantId, call: CallId, by: Transferor) -> Result<(), CallsError> {
        self.ask(tenant, call, |reply| CallCommand::CompleteConsult { by, reply }).await
    }

    /// The consultation is called off: the agent is back with the caller.
    pub async fn cancel_consult(&self, tenant: TenantId, call: CallId, by: Transferor) -> Result<(), CallsError> {
        self.ask(tenant, call, |reply| CallCommand::CancelConsult { by, reply }).await
    }

    /// An agent's click-to-call: the agent is put on the call in the ACD
    /// (refused while they are logged out or busy), their phone is rung,
    /// then `number` is dialled through the tenant's trunks.
    pub async fn place_call(&self, tenant: TenantId, agent: AgentId, number: &str) -> Result<CallId, CallsError> {
        let config = self.directory.lock().unwrap_or_else(PoisonError::into_inner).tenant(tenant);
        let config = config.ok_or(CallsError::UnknownTenant)?;
        if !config.agents.contains_key(&agent) {
            return Err(CallsError::UnknownAgent);
        }
        if config.trunks.is_empty() {
            return Err(CallsError::NoTrunk);
        }
        let digits = number.strip_prefix('+').unwrap_or(number);
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CallsError::BadNumber(number.to_owned()));
        }
        let acd = self.acd(tenant).ok_or(CallsError::UnknownTenant)?;
        let call = CallId::new();
        acd.command(acd::Command::Outbound { call, agent }).await?;
        let (tx, rx) = mpsc::unbounded_channel();
        let outbound = actor::Outbound { call, agent, number: number.to_owned() };
        tokio::spawn(actor::run_outbound(Arc::clone(&self.shared), config, acd, outbound, tx, rx));
        Ok(call)
    }

    /// A supervisor moves a waiting call to another queue, or offers it
    /// to an available agent now (`call_moved`).
    pub async fn move_call(
        &self,
        tenant: TenantId,
        call: CallId,
        by: UserId,
        target: model::MoveTarget,
    ) -> Result<(), CallsError> {
        self.ask(tenant, call, |reply| CallCommand::Move { by, target, reply }).await
    }

    /// A supervisor changes a waiting call's base priority (`priority_changed`).
    pub async fn set_priority(
        &self,
        tenant: TenantId,
        call: CallId,
        by: UserId,
        priority: i32,
    ) -> Result<(), CallsError> {
        self.ask(tenant, call, |reply| CallCommand::Prioritise { by, priority, reply }).await
    }

    /// Sends a command to a live call's actor and waits for its answer; a
    /// call with no actor, or one that drops the command (in the IVR, in
    /// the survey), is unknown.
    async fn ask(
        &self,
        tenant: TenantId,
        call: CallId,
        command: impl FnOnce(oneshot::Sender<Result<(), CallsError>>) -> CallCommand,
    ) -> Result<(), CallsError> {
        let actor = self.shared.live.actor(tenant, call).ok_or(CallsError::UnknownCall)?;
        let (reply, answer) = oneshot::channel();
        actor.send(CallMsg::Command(command(reply))).map_err(|_| CallsError::UnknownCall)?;
        answer.await.map_err(|_| CallsError::UnknownCall)?
    }

    /// Files the disposition of the agent's last call and ends their
    /// wrap-up: `disposition_set` joins the call's CDR. A call that goes on
    /// without the agent (transferred to a queue, taken over) has its actor
    /// write it among its own events; one still connected to the agent is
    /// refused ([`CallsError::CallStillLive`]).
    pub async fn wrap_up(
        &self,
        tenant: TenantId,
        agent: AgentId,
        code: String,
        notes: String,
    ) -> Result<(), CallsError> {
        // The call may end between the two looks (its actor gone, its
        // wrap-up not yet closed): then it is a late event, a look later.
        for _ in 0..3 {
            let (call, late) = {
                let mut wrap_ups = self.shared.wrap_ups.lock().unwrap_or_else(PoisonError::into_inner);
                let entry =
                    wrap_ups.get_mut(&agent).filter(|w| w.tenant == tenant).ok_or(CallsError::NoCallToWrapUp)?;
                let late = entry.next_seq;
                if let Some(seq) = late {
                    entry.next_seq = Some(seq + 1);
                }
                (entry.call, late)
            };
            match late {
                Some(seq) => {
                    let payload = EventPayload::DispositionSet { agent_id: agent, code, notes };
                    crate::events::emit_late(&self.shared.sink, tenant, call, seq, payload).await;
                }
                None => {
                    let (code, notes) = (code.clone(), notes.clone());
                    match self
                        .ask(tenant, call, |reply| CallCommand::FileDisposition { agent, code, notes, reply })
                        .await
                    {
                        Ok(()) => {}
                        Err(CallsError::UnknownCall) => {
                            tokio::task::yield_now().await;
                            continue;
                        }
                        Err(error) => return Err(error),
                    }
                }
            }
            let acd = self.acd(tenant).ok_or(CallsError::UnknownTenant)?;
            // An agent whose wrap-up already ended is refused here; the disposition stands.
            let _ = acd.command(acd::Command::EndWrapUp { agent }).await;
            return Ok(());
        }
        Err(CallsError::CallStillLive)
    }

    /// What is live in `tenant`: its agents' states, its queues' figures,
    /// the calls waiting in its queues (for the live feed).
    pub async fn snapshot(&self, tenant: TenantId) -> Result<crate::acd_task::AcdSnapshot, CallsError> {
        let config = self.directory.lock().unwrap_or_else(PoisonError::into_inner).tenant(tenant);
        let config = config.ok_or(CallsError::UnknownTenant)?;
        let agents = config
            .agents
            .iter()
            .map(|(id, (agent, _))| (*id, agent.queues.iter().map(|m| m.queue_id).collect()))
            .collect();
        let queues = config.queues.keys().copied().collect();
        let acd = self.acd(tenant).ok_or(CallsError::UnknownTenant)?;
        acd.snapshot(agents, queues).await.ok_or(CallsError::AcdStopped)
    }

    /// Reads every edge event until the edge stops.
    async fn dispatch(self, mut events: mpsc::Receiver<EdgeEvent>, agents: AgentsByAor) {
        while let Some(event) = events.recv().await {
            match event {
                EdgeEvent::Incoming(incoming) => self.incoming(incoming).await,
                EdgeEvent::Binding(binding) => self.binding(&binding, &agents).await,
                other => {
                    if let Some(leg) = leg_of(&other) {
                        self.shared.legs.route(leg, other);
                    }
                }
            }
        }
    }

    async fn incoming(&self, incoming: sip::edge::IncomingCall) {
        let tenant = incoming.route.tenant.as_deref().and_then(|t| t.parse().ok()).map(TenantId);
        let config = tenant.and_then(|t| self.directory.lock().unwrap_or_else(PoisonError::into_inner).tenant(t));
        let (Some(config), Some(acd)) = (config, tenant.and_then(|t| self.acd(t))) else {
            tracing::warn!(route = ?incoming.route, "a call for no known tenant: 404");
            let _ = self.shared.edge.reject(incoming.leg, sip::message::StatusCode::NOT_FOUND).await;
            return;
        };
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.legs.follow(incoming.leg, tx.clone());
        tokio::spawn(actor::run_inbound(Arc::clone(&self.shared), config, acd, incoming, tx, rx));
    }

    /// A registration change becomes a device event of its agent.
    async fn binding(&self, binding: &BindingEvent, agents: &AgentsByAor) {
        let key = (binding.domain().to_owned(), binding.user().to_ascii_lowercase());
        let agent = agents.read().unwrap_or_else(PoisonError::into_inner).get(&key).copied();
        let Some((tenant, agent_id)) = agent else { return };
        let contact = binding.binding().contact.uri().to_string();
        let payload = match binding {
            BindingEvent::Added { binding: b, .. } => EventPayload::AgentDeviceRegistered {
                agent_id,
                contact,
                transport: b.flow.transport.as_str().to_owned(),
                expires_secs: u32::try_from(b.remaining_secs(std::time::Instant::now())).unwrap_or(u32::MAX),
            },
            BindingEvent::Removed { .. } => {
                EventPayload::AgentDeviceUnregistered { agent_id, contact, reason: UnregisterReason::Unregistered }
            }
            BindingEvent::Expired { .. } => {
                EventPayload::AgentDeviceUnregistered { agent_id, contact, reason: UnregisterReason::Expired }
            }
            _ => return,
        };
        emit_agent(&self.shared.sink, tenant, payload).await;
    }
}

/// The leg an edge event is about.
fn leg_of(event: &EdgeEvent) -> Option<SipLeg> {
    match event {
        EdgeEvent::Progress { leg, .. }
        | EdgeEvent::Answered { leg, .. }
        | EdgeEvent::Confirmed { leg }
        | EdgeEvent::Reoffer { leg, .. }
        | EdgeEvent::ReofferAnswered { leg, .. }
        | EdgeEvent::ReofferFailed { leg, .. }
        | EdgeEvent::Info { leg, .. }
        | EdgeEvent::TransferRequested { leg, .. }
        | EdgeEvent::TransferProgress { leg, .. }
        | EdgeEvent::TransferRefused { leg, .. }
        | EdgeEvent::Ended { leg, .. } => Some(*leg),
        _ => None,
    }
}
