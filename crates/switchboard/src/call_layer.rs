//! The call layer inside `serve`: the media engine, every tenant's
//! configuration, the prompts, and `calls::Calls` over the SIP edge's
//! events; plugged into the API as its [`api::call_control::CallControl`].

use anyhow::Context;
use api::call_control::{CallControl, CallControlError, CallFuture, ChosenState};
use calls::{Calls, CallsError};
use media::shard::{EngineConfig, MediaEngine};
use model::{AgentId, TenantId};
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
}
