//! Agent figures of the `reports` crate over the store's sums:
//! `GET /api/v1/reports/agents` (each agent's calls, handling, survey,
//! time by state and reason, occupancy; an agent gets their own) and
//! `GET /api/v1/reports/agents/ranking` (the team's ranking: for an
//! agent, themselves and the agents who share a queue with them, on all
//! their calls, with no filter of their own; for supervisors, every agent
//! with calls in the filter).
//!
//! The queue filter applies to calls; state time belongs to no queue and
//! is the agent's whole logged-in time in the range.

use std::collections::{BTreeMap, HashSet};

use axum::extract::State;
use axum::response::Response;
use model::AgentId;
use model::report::AgentCounters;
use reports::agents::{AgentKpi, AgentStates, Ranking, agent_kpi, agent_states, rank};
use reports::csv::to_csv;
use serde::Serialize;
use store::reports::{Filter, Grouping, agents};
use utoipa::ToSchema;

use super::figures::Format;
use super::params::{ReportParams, query_error};
use super::{Scope, narrow_to_agent, scope, tenant_zone};
use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// One agent's figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgentReportRow {
    /// Calls, handling and survey.
    #[schema(value_type = Object)]
    pub kpi: AgentKpi,
    /// Time by state and reason, occupancy.
    #[schema(value_type = Object)]
    pub states: AgentStates,
}

/// `GET /api/v1/reports/agents`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgentReport {
    /// The agents, by id.
    pub agents: Vec<AgentReportRow>,
}

/// Each agent's summed counters over the range, with `known` agents
/// present even without calls.
async fn counters(
    s: &AppState,
    filter: &Filter,
    known: &[AgentId],
) -> Result<BTreeMap<AgentId, AgentCounters>, ApiError> {
    let mut by: BTreeMap<AgentId, AgentCounters> = known.iter().map(|a| (*a, AgentCounters::default())).collect();
    for g in agents::sums(&s.pool, filter, Grouping::Total, false).await.map_err(query_error)? {
        *by.entry(g.agent_id).or_default() += &g.counters;
    }
    Ok(by)
}

fn params(p: &ReportParams) -> Result<(), ApiError> {
    p.allow(&["format"])
}

pub(super) async fn agents_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    params(&p)?;
    let format = Format::of(&p)?;
    let who = scope(&s, &c).await?;
    let mut filter = p.filter(c.tenant_id, tenant_zone(&s, &c).await?)?;
    ReportParams::require_quarter_hours(&filter)?;
    narrow_to_agent(who, &mut filter)?;
    let known = filter.agents.clone();
    let by = counters(&s, &filter, &known).await?;
    let states_filter = Filter { queues: Vec::new(), ..filter.clone() };
    let times = agents::state_times(&s.pool, &states_filter, Grouping::Total).await.map_err(query_error)?;
    let rows = by
        .iter()
        .map(|(agent, c)| AgentReportRow {
            kpi: agent_kpi(*agent, c),
            states: agent_states(
                times.iter().filter(|t| t.agent_id == *agent).map(|t| (t.state.as_str(), t.reason.as_deref(), t.ms)),
            ),
        })
        .collect();
    let report = AgentReport { agents: rows };
    format.reply(&report, || to_csv(&report.agents.iter().map(|r| r.kpi.clone()).collect::<Vec<_>>()))
}

pub(super) async fn ranking_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    params(&p)?;
    let format = Format::of(&p)?;
    let who = scope(&s, &c).await?;
    let mut filter = p.filter(c.tenant_id, tenant_zone(&s, &c).await?)?;
    ReportParams::require_quarter_hours(&filter)?;
    if let Scope::Agent(me) = who {
        if !filter.agents.is_empty() || !filter.queues.is_empty() {
            return Err(ApiError::Forbidden);
        }
        let all = store::repo::agents::list(&s.pool, c.tenant_id).await?;
        let mine: HashSet<_> = all
            .iter()
            .find(|a| a.id == me)
            .map(|a| a.data.queues.iter().map(|m| m.queue_id).collect())
            .unwrap_or_default();
        let team: Vec<AgentId> = all
            .iter()
            .filter(|a| a.id == me || a.data.queues.iter().any(|m| mine.contains(&m.queue_id)))
            .map(|a| a.id)
            .collect();
        filter.agents = team;
    }
    let known = filter.agents.clone();
    let by = counters(&s, &filter, &known).await?;
    let ranking: Ranking = rank(by.iter().map(|(a, c)| agent_kpi(*a, c)).collect());
    format.reply(&ranking, || to_csv(&ranking))
}
