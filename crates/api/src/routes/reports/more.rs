//! The other call figures of the `reports` crate: `GET
//! /api/v1/reports/{speed,callbacks,survey}` (total and per `group`),
//! `…/ivr-vs-direct`, `…/ivr-paths` and `…/dispositions`; JSON or CSV.
//! Supervisors and admins; an agent gets 403, except for dispositions,
//! which are narrowed to the calls they answered.

use axum::extract::State;
use axum::response::Response;
use model::report::CallCounters;
use reports::callbacks::{CallbackReport, callbacks};
use reports::csv::{CsvTable, to_csv};
use reports::paths::{ivr_paths, ivr_vs_direct};
use reports::speed::{SpeedReport, speed};
use reports::survey::{SurveyReport, survey};
use reports::time::Group;
use serde::Serialize;
use store::reports::calls::{CallDim, CallSplit};
use store::reports::{agents, ivr};

use super::figures::{Format, call_filter, report_error, report_time, spec, sum_and_groups};
use super::params::{ReportParams, query_error};
use super::{narrow_to_agent, scope, tenant_zone};
use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// A figure over the whole range and per group.
#[derive(Clone, Debug, Serialize)]
pub struct Grouped<T> {
    /// The zone the groups are in.
    pub time_zone: String,
    /// Over the whole range.
    pub total: T,
    /// Per group (`group`), by start.
    pub groups: Vec<Group<T>>,
}

/// `figure` of the caller's call counters, total and per group.
async fn grouped<T: Serialize + CsvTable>(
    s: AppState,
    c: crate::auth::Caller,
    p: ReportParams,
    figure: fn(&CallCounters) -> T,
) -> Result<Response, ApiError> {
    let filter = call_filter(&s, &c, &p, &["group", "format"]).await?;
    let (format, time) = (Format::of(&p)?, report_time(&filter, &p)?);
    let (sum, groups) = sum_and_groups(&s, &filter, time.as_ref()).await?;
    let groups = groups.into_iter().map(|g| Group { start: g.start, value: figure(&g.value) }).collect();
    let report = Grouped { time_zone: filter.time_zone, total: figure(&sum), groups };
    let by_group = time.is_some();
    format.reply(&report, || if by_group { to_csv(&report.groups) } else { to_csv(&report.total) })
}

pub(super) async fn speed_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    grouped::<SpeedReport>(s, c, p, speed).await
}

pub(super) async fn callback_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    grouped::<CallbackReport>(s, c, p, callbacks).await
}

pub(super) async fn survey_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    grouped::<SurveyReport>(s, c, p, survey).await
}

pub(super) async fn ivr_vs_direct_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    let filter =
        call_filter(&s, &c, &p, &["format", "threshold_secs", "target_pct", "abandons", "short_abandon_secs"]).await?;
    let (format, spec) = (Format::of(&p)?, spec(&p)?);
    let groups = store::reports::calls::sums(&s.pool, &filter, store::reports::Grouping::Total, CallSplit::ViaIvr)
        .await
        .map_err(query_error)?;
    let (mut via, mut direct) = (CallCounters::default(), CallCounters::default());
    for g in &groups {
        match g.dim {
            CallDim::ViaIvr(true) => via += &g.counters,
            _ => direct += &g.counters,
        }
    }
    let report = ivr_vs_direct(&via, &direct, &spec).map_err(report_error)?;
    format.reply(&report, || to_csv(&report))
}

pub(super) async fn ivr_paths_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    let filter = call_filter(&s, &c, &p, &["format"]).await?;
    let format = Format::of(&p)?;
    let counts = ivr::counts(&s.pool, &filter).await.map_err(query_error)?;
    let kind = |k: ivr::IvrKind| if k == ivr::IvrKind::Exit { "exit" } else { "choice" };
    let report = ivr_paths(counts.iter().map(|c| (kind(c.kind), c.value.as_str(), c.calls)));
    format.reply(&report, || to_csv(&report))
}

pub(super) async fn dispositions_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    p.allow(&["format"])?;
    let format = Format::of(&p)?;
    let who = scope(&s, &c).await?;
    let mut filter = p.filter(c.tenant_id, tenant_zone(&s, &c).await?)?;
    ReportParams::require_quarter_hours(&filter)?;
    narrow_to_agent(who, &mut filter)?;
    let rows = agents::dispositions(&s.pool, &filter, false).await.map_err(query_error)?;
    let report = reports::paths::dispositions(rows.iter().map(|d| (d.disposition.as_str(), d.calls)));
    format.reply(&report, || to_csv(&report))
}
