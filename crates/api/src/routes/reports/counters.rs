//! `GET /api/v1/reports/counters/calls` and `…/counters/agents`: the rollup
//! counters summed per group of time (and split), as the store sums them.
//! The figures (service level, rates, averages) are the `reports` crate's;
//! these are the raw sums it starts from, for exports and for clients that
//! compute their own.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDateTime, Utc};
use model::report::{AgentCounters, CallCounters};
use model::{AgentId, QueueId};
use serde::Serialize;
use serde_json::Value;
use store::reports::calls::CallDim;
use store::reports::{GroupKey, agents, calls};
use utoipa::ToSchema;

use super::params::{ReportParams, query_error};
use super::{Scope, narrow_to_agent, scope, tenant_zone};
use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// A group's key: the whole range, a UTC bucket, a local start, or a
/// local weekday and hour.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GroupKeyView {
    /// `group=total`.
    Total,
    /// `group=15m`: the bucket's UTC start.
    Bucket {
        /// UTC start.
        start: DateTime<Utc>,
    },
    /// `30m`, `60m`, `day`, `week`, `month`: the local start (no offset).
    Local {
        /// Local start, in the report's time zone.
        #[schema(value_type = String, example = "2026-03-02T00:00:00")]
        start: NaiveDateTime,
    },
    /// `weekday_hour`.
    WeekdayHour {
        /// ISO weekday, 1 = Monday.
        weekday: u8,
        /// Hour of day, 0–23.
        hour: u8,
    },
}

impl From<GroupKey> for GroupKeyView {
    fn from(k: GroupKey) -> Self {
        match k {
            GroupKey::Total => GroupKeyView::Total,
            GroupKey::Bucket(start) => GroupKeyView::Bucket { start },
            GroupKey::Local(start) => GroupKeyView::Local { start },
            GroupKey::WeekdayHour { weekday, hour } => GroupKeyView::WeekdayHour { weekday, hour },
        }
    }
}

/// One group of call counters.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CallCountersGroup {
    /// The group of time.
    pub key: GroupKeyView,
    /// The split's value: a queue or number id (or null: none), a VIP
    /// tier, `true`/`false` (IVR, outside business hours), a direction;
    /// absent without a split.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub split: Option<Value>,
    /// The sums (`model::report::CallCounters`; times in milliseconds).
    #[schema(value_type = Object)]
    pub counters: CallCounters,
}

/// `GET /api/v1/reports/counters/calls`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CallCountersReport {
    /// The zone local groups are in.
    pub time_zone: String,
    /// Groups with calls, by key then split value.
    pub groups: Vec<CallCountersGroup>,
}

/// One agent's counters in one group.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgentCountersGroup {
    /// The group of time.
    pub key: GroupKeyView,
    /// The agent.
    pub agent_id: AgentId,
    /// The queue, with `split=queue`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<QueueId>,
    /// The sums (`model::report::AgentCounters`; times in milliseconds).
    #[schema(value_type = Object)]
    pub counters: AgentCounters,
}

/// `GET /api/v1/reports/counters/agents`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgentCountersReport {
    /// The zone local groups are in.
    pub time_zone: String,
    /// Groups with calls, by key then agent (then queue).
    pub groups: Vec<AgentCountersGroup>,
}

fn split_value(dim: CallDim) -> Option<Value> {
    match dim {
        CallDim::All => None,
        CallDim::Queue(q) => Some(serde_json::to_value(q).unwrap_or(Value::Null)),
        CallDim::Number(n) => Some(serde_json::to_value(n).unwrap_or(Value::Null)),
        CallDim::VipTier(t) => Some(t.into()),
        CallDim::ViaIvr(b) | CallDim::OutsideBusinessHours(b) => Some(b.into()),
        CallDim::Direction(d) => Some(d.into()),
    }
}

/// Tenant-wide call counters: supervisors and admins only.
pub(super) async fn calls(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Json<CallCountersReport>, ApiError> {
    if scope(&s, &c).await? != Scope::Tenant {
        return Err(ApiError::Forbidden);
    }
    p.allow(&["group", "split"])?;
    let filter = p.filter(c.tenant_id, tenant_zone(&s, &c).await?)?;
    ReportParams::require_quarter_hours(&filter)?;
    let (grouping, split) = (p.grouping()?, p.call_split()?);
    let groups = calls::sums(&s.pool, &filter, grouping, split).await.map_err(query_error)?;
    let groups = groups
        .into_iter()
        .map(|g| CallCountersGroup { key: g.key.into(), split: split_value(g.dim), counters: g.counters })
        .collect();
    Ok(Json(CallCountersReport { time_zone: filter.time_zone, groups }))
}

/// Per-agent counters: an agent gets their own only.
pub(super) async fn agents(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Json<AgentCountersReport>, ApiError> {
    p.allow(&["group", "split"])?;
    let who = scope(&s, &c).await?;
    let mut filter = p.filter(c.tenant_id, tenant_zone(&s, &c).await?)?;
    ReportParams::require_quarter_hours(&filter)?;
    narrow_to_agent(who, &mut filter)?;
    let by_queue = match p.split.as_deref() {
        None => false,
        Some("queue") => true,
        Some(other) => return Err(super::params::bad("split", format!("`{other}`: only `queue` splits agents"))),
    };
    let groups = agents::sums(&s.pool, &filter, p.grouping()?, by_queue).await.map_err(query_error)?;
    let groups = groups
        .into_iter()
        .map(|g| AgentCountersGroup {
            key: g.key.into(),
            agent_id: g.agent_id,
            queue_id: g.queue_id,
            counters: g.counters,
        })
        .collect();
    Ok(Json(AgentCountersReport { time_zone: filter.time_zone, groups }))
}
