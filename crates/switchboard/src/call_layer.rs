//! The call layer inside `serve`: the media engine, every tenant's
//! configuration, the prompts, and `calls::Calls` over the SIP edge's
//! events; plugged into the API as its [`api::call_control::CallControl`].

use anyhow::Context;
use api::call_control::{CallControl, CallControlError, CallFuture, ChosenState, WrapUp};
use calls::{Calls, CallsError};
use media::shard::{EngineConfig, MediaEngine};
use model::{AgentId, CallId, SupervisionMode, TenantId, UserId};
use sqlx::PgPool;
use store::writer::EventSink;

use crate::config::Config;
use crate::sip_edge::SipEdge;

/// Starts the media engine and the call layer on the edge's events.
pub async fn start(config: &Config, pool: &PgPool, sink: EventSink, edge: &mut SipEdge) -> anyhow::Result<CallLayer> {
    let media_config = &config.media;
    let engine_config = EngineConfig::new(media_config.bind, media_config.port_first, media_config.port_last)
        .with_advertise(media_config.advertise)
        .with_shards(media_config.shards);
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
        let state = match state {
            ChosenState::Available => acd::ReadyState::Available,
            ChosenState::NotReady { reason } => acd::ReadyState::NotReady(reason),
            ChosenState::DoNotDisturb => acd::ReadyState::DoNotDisturb,
        };
        Box::pin(async move { self.0.set_agent_state(tenant, agent, state).await.map_err(refusal) })
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
}
