//! `/api/v1/reports/…` (issue 7): the raw CDR as CSV, the real-time
//! snapshot, the rollup counters summed per group, and the `reports`
//! crate's figures (service level, volume and abandonment, heatmap, agent
//! KPIs with state time, the team ranking) over the store's report
//! queries (`store::reports`).
//!
//! Roles: supervisors and admins see their whole tenant. An agent sees
//! only their own figures: the agent reports are narrowed to them (naming
//! another agent is 403), the CDR export to the calls they answered, the
//! real-time snapshot to their agent, calls and queues, the ranking to
//! their team (the agents sharing a queue with them); tenant-wide call
//! figures are 403 for them. An agent-role caller without an agent
//! profile (an agent-role API key) is 403. Nothing of another tenant is
//! ever read: every query is scoped to the caller's tenant.

mod callers;
mod cdr_csv;
mod counters;
mod figures;
mod forecast;
mod more;
pub mod params;
mod people;
mod realtime;

use axum::Router;
use axum::routing::get;
use model::{AgentId, Role};
use store::reports::Filter;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

pub use callers::CallerReport;
pub use counters::{AgentCountersGroup, AgentCountersReport, CallCountersGroup, CallCountersReport, GroupKeyView};
pub use figures::{ServiceLevelReport, VolumeReportView};
pub use people::{AgentReport, AgentReportRow};

/// The report routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/cdr.csv", get(cdr_csv::export))
        .route("/api/v1/reports/realtime", get(realtime::snapshot))
        .route("/api/v1/reports/counters/calls", get(counters::calls))
        .route("/api/v1/reports/counters/agents", get(counters::agents))
        .route("/api/v1/reports/service-level", get(figures::service_level_report))
        .route("/api/v1/reports/volume", get(figures::volume_report))
        .route("/api/v1/reports/heatmap", get(figures::heatmap_report))
        .route("/api/v1/reports/agents", get(people::agents_report))
        .route("/api/v1/reports/agents/ranking", get(people::ranking_report))
        .route("/api/v1/reports/callers", get(callers::caller_report))
        .route("/api/v1/reports/forecast", get(forecast::forecast_report))
        .route("/api/v1/reports/forecast/backtest", get(forecast::backtest_report))
        .route("/api/v1/reports/speed", get(more::speed_report))
        .route("/api/v1/reports/callbacks", get(more::callback_report))
        .route("/api/v1/reports/survey", get(more::survey_report))
        .route("/api/v1/reports/ivr-vs-direct", get(more::ivr_vs_direct_report))
        .route("/api/v1/reports/ivr-paths", get(more::ivr_paths_report))
        .route("/api/v1/reports/dispositions", get(more::dispositions_report))
}

/// What part of the tenant a caller's reports cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Everything (supervisors, admins).
    Tenant,
    /// One agent's own figures.
    Agent(AgentId),
}

/// The caller's scope; 403 for an agent-role caller without an agent.
pub(crate) async fn scope(state: &AppState, caller: &Caller) -> Result<Scope, ApiError> {
    if caller.role.at_least(Role::Supervisor) {
        return Ok(Scope::Tenant);
    }
    let user = caller.user_id().ok_or(ApiError::Forbidden)?;
    let agent =
        store::repo::agents::find_by_user(&state.pool, caller.tenant_id, user).await?.ok_or(ApiError::Forbidden)?;
    Ok(Scope::Agent(agent.id))
}

/// Narrows `filter` to the agent of `scope`: no `agent_ids` means theirs,
/// any other agent is 403.
pub(crate) fn narrow_to_agent(scope: Scope, filter: &mut Filter) -> Result<(), ApiError> {
    let Scope::Agent(me) = scope else { return Ok(()) };
    if filter.agents.iter().any(|a| *a != me) {
        return Err(ApiError::Forbidden);
    }
    filter.agents = vec![me];
    Ok(())
}

/// The tenant's time zone (`UTC` for a tenant that vanished meanwhile).
pub(crate) async fn tenant_zone(state: &AppState, caller: &Caller) -> Result<String, ApiError> {
    Ok(store::repo::tenants::time_zone(&state.pool, caller.tenant_id).await?.unwrap_or_else(|| "UTC".into()))
}
