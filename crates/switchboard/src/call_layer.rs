//! The call layer inside `serve`: the media engine, every tenant's
//! configuration, the prompts, and `calls::Calls` over the SIP edge's
//! events; plugged into the API as its [`api::call_control::CallControl`].

use anyhow::Context;
use api::call_control::{CallControl, CallControlError, CallFuture, ChosenState, TransferBy, WrapUp};
use api::live::{AgentsByState, LiveAgent, LiveCall, LiveCallState, LiveSnapshot, QueueFigures};
use calls::{Calls, CallsError};
use media::shard::{EngineConfig, MediaEngine};
use model::{AgentId, CallId, MoveTarget, QueueId, SupervisionMode, TenantId, TransferTarget, UserId};
use sqlx::PgPool;
use store::writer::EventSink;

use crate::config::Config;
use crate::sip_edge::SipEdge;

/// Starts the media engine and the call layer on the edge's events.
pub async fn start(config: &Config, pool: &PgPool, sink: EventSink, edge: &mut SipEdge) -> anyhow::Result<CallLayer> {
    let media_config = &config.media;
    let engine_config = EngineConfig::new(media_config.bind, media_config.port_first, media_config.port_last)
        .with_advertise(media_config.advertise)
        .with_shards(media_config.shards)
        .with_cores(media_config.cores.clone())
        .with_pacing(media_config.pacing());
    let media = MediaEngine::start(engine_config).context("cannot start the media engine (media.*)")?;
    let directory = calls::directory::Directory::load(pool, &config.sip.domain)
        .await
        .context("cannot read the tenants' numbers, flows, queues and agents")?;
    let prompts = calls::prompts::PromptLibrary::load(&media_config.prompts_dir);
    let edge_events = edge.events.take().context("the SIP edge's events were already taken")?;
    let calls = Calls::start(calls::Setup {
        edge: edge.handle.clone(),
        edge_events,
        media,
        sink,
        pool: pool.clone(),
        directory,
        prompts,
        domain: config.sip.domain.clone(),
        recordings: config.recordings_dir(),
        agents_by_aor: edge.agents.clone(),
        reload_every: config.reload.every(),
    });
    tracing::info!(
        rtp = %format!("{}:{}-{}", media_config.bind, media_config.port_first, media_config.port_last),
        "call layer running"
    );
    Ok(CallLayer(calls))
}

/// The call layer as the API sees it.
pub struct CallLayer(Calls);

fn refusal(error: CallsError) -> CallControlError {
    match error {
        CallsError::UnknownAgent | CallsError::UnknownTenant => CallControlError::UnknownAgent,
        CallsError::AcdStopped => CallControlError::Unavailable,
        CallsError::UnknownCall => CallControlError::UnknownCall,
        other => CallControlError::Refused(other.to_string()),
    }
}

impl CallControl for CallLayer {
    fn log_in(&self, tenant: TenantId, agent: AgentId) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.log_in(tenant, agent).await.map_err(refusal) })
    }

    fn log_out(&self, tenant: TenantId, agent: AgentId) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.log_out(tenant, agent).await.map_err(refusal) })
    }

    fn set_state(
        &self,
        tenant: TenantId,
        agent: AgentId,
        state: ChosenState,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let state = ready_state(state);
        Box::pin(async move { self.0.set_agent_state(tenant, agent, state).await.map_err(refusal) })
    }

    fn reject_offer(&self, tenant: TenantId, agent: AgentId) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.reject_offer(tenant, agent).await.map_err(refusal) })
    }

    fn set_state_by(
        &self,
        tenant: TenantId,
        agent: AgentId,
        state: ChosenState,
        by: UserId,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        let state = ready_state(state);
        Box::pin(async move { self.0.set_agent_state_by(tenant, agent, state, by).await.map_err(refusal) })
    }

    fn supervise(
        &self,
        tenant: TenantId,
        call: CallId,
        supervisor: UserId,
        mode: SupervisionMode,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.supervise(tenant, call, supervisor, mode).await.map_err(refusal) })
    }

    fn wrap_up(
        &self,
        tenant: TenantId,
        agent: AgentId,
        wrap_up: WrapUp,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(
            async move { self.0.wrap_up(tenant, agent, wrap_up.disposition, wrap_up.notes).await.map_err(refusal) },
        )
    }

    fn stop_supervising(
        &self,
        tenant: TenantId,
        call: CallId,
        supervisor: UserId,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.stop_supervising(tenant, call, supervisor).await.map_err(refusal) })
    }

    fn transfer(
        &self,
        tenant: TenantId,
        call: CallId,
        by: TransferBy,
        target: TransferTarget,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.transfer(tenant, call, transferor(by), target).await.map_err(refusal) })
    }

    fn consult(
        &self,
        tenant: TenantId,
        call: CallId,
        by: TransferBy,
        target: TransferTarget,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.consult(tenant, call, transferor(by), target).await.map_err(refusal) })
    }

    fn complete_consult(
        &self,
        tenant: TenantId,
        call: CallId,
        by: TransferBy,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.complete_consult(tenant, call, transferor(by)).await.map_err(refusal) })
    }

    fn cancel_consult(
        &self,
        tenant: TenantId,
        call: CallId,
        by: TransferBy,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.cancel_consult(tenant, call, transferor(by)).await.map_err(refusal) })
    }

    fn place_call(
        &self,
        tenant: TenantId,
        agent: AgentId,
        number: String,
    ) -> CallFuture<'_, Result<CallId, CallControlError>> {
        Box::pin(async move { self.0.place_call(tenant, agent, &number).await.map_err(refusal) })
    }

    fn snapshot(&self, tenant: TenantId) -> CallFuture<'_, Result<LiveSnapshot, CallControlError>> {
        Box::pin(async move { self.0.snapshot(tenant).await.map(live_snapshot).map_err(refusal) })
    }

    fn move_call(
        &self,
        tenant: TenantId,
        call: CallId,
        by: UserId,
        target: MoveTarget,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.move_call(tenant, call, by, target).await.map_err(refusal) })
    }

    fn set_priority(
        &self,
        tenant: TenantId,
        call: CallId,
        by: UserId,
        priority: i32,
    ) -> CallFuture<'_, Result<(), CallControlError>> {
        Box::pin(async move { self.0.set_priority(tenant, call, by, priority).await.map_err(refusal) })
    }
}

/// A state chosen over the API, in the ACD's terms.
fn ready_state(state: ChosenState) -> acd::ReadyState {
    match state {
        ChosenState::Available => acd::ReadyState::Available,
        ChosenState::NotReady { reason } => acd::ReadyState::NotReady(reason),
        ChosenState::DoNotDisturb => acd::ReadyState::DoNotDisturb,
    }
}

/// Who asks, in the call layer's terms.
fn transferor(by: TransferBy) -> calls::Transferor {
    match by {
        TransferBy::Agent(agent) => calls::Transferor::Agent(agent),
        TransferBy::Supervisor(user) => calls::Transferor::Supervisor(user),
    }
}

/// The ACD's view in the API's terms.
fn live_snapshot(acd: calls::acd_task::AcdSnapshot) -> LiveSnapshot {
    let agents = acd
        .agents
        .into_iter()
        .map(|a| LiveAgent { agent_id: a.agent, state: a.state, since: None, queues: a.queues, call_id: None })
        .collect();
    let queues = acd.queues.into_iter().map(|(queue, stats)| figures(queue, &stats)).collect();
    let calls = acd
        .waiting
        .into_iter()
        .map(|(call, position)| LiveCall { position: Some(position), ..LiveCall::bare(call, LiveCallState::Queued) })
        .collect();
    LiveSnapshot { calls, agents, queues }
}

fn figures(queue_id: QueueId, s: &acd::QueueStats) -> QueueFigures {
    let a = &s.agents;
    QueueFigures {
        queue_id,
        waiting: s.waiting,
        callbacks_waiting: s.callbacks_waiting,
        longest_wait_secs: s.longest_wait.as_secs(),
        agents: AgentsByState {
            available: a.available,
            ringing: a.reserved,
            on_call: a.on_call,
            wrap_up: a.wrap_up,
            not_ready: a.not_ready,
            do_not_disturb: a.do_not_disturb,
            logged_out: a.logged_out,
        },
        offered: s.offered,
        answered: s.answered,
        abandoned: s.abandoned,
        overflowed: s.overflowed,
        service_level_percent: s.service_level,
        average_speed_of_answer_secs: s.average_speed_of_answer.map(|d| d.as_secs()),
        estimated_wait_secs: s.estimated_wait.map(|d| d.as_secs()),
    }
}
