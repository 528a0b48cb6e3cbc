//! The call figures of the `reports` crate over the store's sums:
//! `GET /api/v1/reports/service-level`, `…/volume` and `…/heatmap`
//! (supervisors and admins), as JSON or, with `format=csv`, CSV.
//!
//! The store sums the rollup rows per 15-minute bucket (or over the whole
//! range when no group is asked), so a report reads at most one row per
//! bucket of its range; the `reports` crate groups the buckets in the
//! report's zone (with its daylight-saving rules) and computes the figures.

use std::collections::BTreeMap;
use std::ops::AddAssign;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc, Weekday};
use model::report::CallCounters;
use reports::ReportError;
use reports::csv::to_csv;
use reports::heatmap::heatmap;
use reports::service_level::{AbandonTreatment, ServiceLevel, ServiceLevelSpec, service_level};
use reports::time::{Group, Grouping as TimeGrouping, LocalFilter, ReportRange, ReportTime, group_rows, parse_zone};
use reports::volume::{VolumeInput, VolumeReport, volume};
use serde::Serialize;
use store::reports::calls::{self, CallDim, CallSplit};
use store::reports::{Filter, GroupKey, Grouping};
use utoipa::ToSchema;

use super::params::{ReportParams, bad, query_error};
use super::{Scope, scope, tenant_zone};
use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// A report error as a 400 naming the parameter it is about.
pub(super) fn report_error(e: ReportError) -> ApiError {
    let field = match &e {
        ReportError::UnknownTimeZone(_) => "time_zone",
        ReportError::RangeNotIncreasing { .. } | ReportError::RangeTooLong { .. } => "to",
        ReportError::InvalidHour(_) => "hours",
        ReportError::NotAWaitEdge { what, .. } if what.contains("short") => "short_abandon_secs",
        ReportError::NotAWaitEdge { .. } => "threshold_secs",
        ReportError::PercentOutOfRange { .. } => "target_pct",
        ReportError::UnalignedBucket(_) | ReportError::Csv(_) => return ApiError::Internal(e.to_string()),
        _ => "",
    };
    bad(field, e.to_string())
}

/// How a report is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    /// `application/json` (the default).
    Json,
    /// `text/csv`, the `reports` crate's table.
    Csv,
}

impl Format {
    /// `format=json|csv`.
    pub(super) fn of(p: &ReportParams) -> Result<Format, ApiError> {
        Format::parse(p.format.as_deref())
    }

    /// The value of a `format` parameter (absent: JSON).
    pub(super) fn parse(format: Option<&str>) -> Result<Format, ApiError> {
        match format {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some(other) => Err(bad("format", format!("`{other}`: expected json or csv"))),
        }
    }

    /// `json` as JSON, or the CSV `csv` makes.
    pub(super) fn reply<T: Serialize>(
        self,
        json: &T,
        csv: impl FnOnce() -> Result<String, ReportError>,
    ) -> Result<Response, ApiError> {
        match self {
            Format::Json => Ok(Json(json).into_response()),
            Format::Csv => {
                let mut r = csv().map_err(report_error)?.into_response();
                r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
                Ok(r)
            }
        }
    }
}

/// The `reports` crate's time parameters for `filter` and `group`
/// (`None` for `group=total`).
pub(super) fn report_time(filter: &Filter, p: &ReportParams) -> Result<Option<ReportTime>, ApiError> {
    use reports::time::Grouping as G;
    let grouping = match p.grouping()? {
        Grouping::Total => return Ok(None),
        Grouping::Bucket => G::Minutes15,
        Grouping::Minutes30 => G::Minutes30,
        Grouping::Hour => G::Minutes60,
        Grouping::Day => G::Day,
        Grouping::Week => G::Week,
        Grouping::Month => G::Month,
        Grouping::WeekdayHour => return Err(bad("group", "weekday × hour is the heatmap report")),
    };
    let weekdays = filter.weekdays.iter().filter_map(|&d| Weekday::try_from(d - 1).ok()).collect();
    let hours = filter.hours.iter().map(|&h| u32::from(h)).collect();
    Ok(Some(ReportTime {
        range: ReportRange::new(filter.range.start, filter.range.end).map_err(report_error)?,
        zone: parse_zone(&filter.time_zone).map_err(report_error)?,
        grouping,
        filter: LocalFilter::new(weekdays, hours).map_err(report_error)?,
    }))
}

/// The service-level parameters.
pub(super) fn spec(p: &ReportParams) -> Result<ServiceLevelSpec, ApiError> {
    let d = ServiceLevelSpec::default();
    let treatment = match p.abandons.as_deref() {
        None | Some("counted") => AbandonTreatment::Counted,
        Some("excluded") => AbandonTreatment::Excluded,
        Some("short_excluded") => AbandonTreatment::ShortExcluded { within_secs: p.short_abandon_secs.unwrap_or(5) },
        Some(other) => {
            return Err(bad("abandons", format!("`{other}`: expected counted, excluded or short_excluded")));
        }
    };
    if p.short_abandon_secs.is_some() && !matches!(treatment, AbandonTreatment::ShortExcluded { .. }) {
        return Err(bad("short_abandon_secs", "only with abandons=short_excluded"));
    }
    Ok(ServiceLevelSpec {
        threshold_secs: p.threshold_secs.unwrap_or(d.threshold_secs),
        target_pct: p.target_pct.unwrap_or(d.target_pct),
        treatment,
    })
}

/// The caller's filter for a tenant-wide call report: 403 for an agent.
pub(super) async fn call_filter(
    s: &AppState,
    c: &crate::auth::Caller,
    p: &ReportParams,
    allowed: &[&str],
) -> Result<Filter, ApiError> {
    if scope(s, c).await? != Scope::Tenant {
        return Err(ApiError::Forbidden);
    }
    p.allow(allowed)?;
    let filter = p.filter(c.tenant_id, tenant_zone(s, c).await?)?;
    ReportParams::require_quarter_hours(&filter)?;
    Ok(filter)
}

/// The filter's call counters per UTC bucket, split by `split`; with
/// `hourly`, for a caller grouping them into local hours or coarser, a
/// bucket may be a whole UTC hour (where the zone allows it).
pub(super) async fn buckets(
    s: &AppState,
    filter: &Filter,
    split: CallSplit,
    hourly: bool,
) -> Result<Vec<(DateTime<Utc>, CallDim, CallCounters)>, ApiError> {
    let groups = if hourly {
        calls::hour_or_quarter_buckets(&s.pool, filter, split).await
    } else {
        calls::sums(&s.pool, filter, Grouping::Bucket, split).await
    }
    .map_err(query_error)?;
    Ok(groups
        .into_iter()
        .filter_map(|g| match g.key {
            GroupKey::Bucket(b) => Some((b, g.dim, g.counters)),
            _ => None,
        })
        .collect())
}

/// The filter's counters over the whole range.
pub(super) async fn total(s: &AppState, filter: &Filter) -> Result<CallCounters, ApiError> {
    let groups = calls::sums(&s.pool, filter, Grouping::Total, CallSplit::None).await.map_err(query_error)?;
    Ok(groups.into_iter().next().map(|g| g.counters).unwrap_or_default())
}

/// The filter's counters over the whole range and, when the report is
/// grouped, per group of `time` (from the UTC buckets; absent groups had
/// no calls).
pub(super) async fn sum_and_groups(
    s: &AppState,
    filter: &Filter,
    time: Option<&ReportTime>,
) -> Result<(CallCounters, Vec<Group<CallCounters>>), ApiError> {
    let Some(time) = time else { return Ok((total(s, filter).await?, Vec::new())) };
    let rows = buckets(s, filter, CallSplit::None, hourly(time)).await?;
    let mut sum = CallCounters::default();
    for (_, _, c) in &rows {
        sum += c;
    }
    let groups = group_rows(rows.iter().map(|(b, _, c)| (*b, c)), time).map_err(report_error)?;
    Ok((sum, groups))
}

/// Whether `time`'s groups are local hours or coarser (rows may be hours).
fn hourly(time: &ReportTime) -> bool {
    !matches!(time.grouping, TimeGrouping::Minutes15 | TimeGrouping::Minutes30)
}

/// `GET /api/v1/reports/service-level`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ServiceLevelReport {
    /// The zone the groups are in.
    pub time_zone: String,
    /// Over the whole range (the formula is stated in it).
    #[schema(value_type = Object)]
    pub total: ServiceLevel,
    /// Per group (`group`), by start; absent groups had no calls.
    #[schema(value_type = Vec<Object>)]
    pub groups: Vec<Group<ServiceLevel>>,
}

pub(super) async fn service_level_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    let filter =
        call_filter(&s, &c, &p, &["group", "format", "threshold_secs", "target_pct", "abandons", "short_abandon_secs"])
            .await?;
    let (format, spec, time) = (Format::of(&p)?, spec(&p)?, report_time(&filter, &p)?);
    service_level(&CallCounters::default(), &spec).map_err(report_error)?;
    let (sum, grouped) = sum_and_groups(&s, &filter, time.as_ref()).await?;
    let groups = grouped
        .into_iter()
        .map(|g| Ok(Group { start: g.start, value: service_level(&g.value, &spec)? }))
        .collect::<Result<Vec<_>, ReportError>>()
        .map_err(report_error)?;
    let total = service_level(&sum, &spec).map_err(report_error)?;
    let report = ServiceLevelReport { time_zone: filter.time_zone, total, groups };
    let grouped = time.is_some();
    format.reply(&report, || if grouped { to_csv(&report.groups) } else { to_csv(&report.total) })
}

/// The volume report's three sums, addable (for grouping).
#[derive(Clone, Debug, Default)]
struct VolumeSums(VolumeInput);

impl AddAssign<&VolumeSums> for VolumeSums {
    fn add_assign(&mut self, o: &VolumeSums) {
        self.0.all += &o.0.all;
        self.0.via_ivr += &o.0.via_ivr;
        self.0.outside_business_hours += &o.0.outside_business_hours;
    }
}

/// The filter's volume sums per bucket: two queries (split by IVR and by
/// business hours), every call being in exactly one IVR part.
async fn volume_buckets(
    s: &AppState,
    filter: &Filter,
    time: Option<&ReportTime>,
) -> Result<BTreeMap<DateTime<Utc>, VolumeSums>, ApiError> {
    let hourly = time.is_none_or(hourly);
    let mut by: BTreeMap<DateTime<Utc>, VolumeSums> = BTreeMap::new();
    for (bucket, dim, c) in buckets(s, filter, CallSplit::ViaIvr, hourly).await? {
        let v = by.entry(bucket).or_default();
        v.0.all += &c;
        if dim == CallDim::ViaIvr(true) {
            v.0.via_ivr += &c;
        }
    }
    for (bucket, dim, c) in buckets(s, filter, CallSplit::OutsideBusinessHours, hourly).await? {
        if dim == CallDim::OutsideBusinessHours(true) {
            by.entry(bucket).or_default().0.outside_business_hours += &c;
        }
    }
    Ok(by)
}

/// `GET /api/v1/reports/volume`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VolumeReportView {
    /// The zone the groups are in.
    pub time_zone: String,
    /// Over the whole range.
    #[schema(value_type = Object)]
    pub total: VolumeReport,
    /// Per group (`group`), by start.
    #[schema(value_type = Vec<Object>)]
    pub groups: Vec<Group<VolumeReport>>,
}

pub(super) async fn volume_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    let filter = call_filter(&s, &c, &p, &["group", "format"]).await?;
    let (format, time) = (Format::of(&p)?, report_time(&filter, &p)?);
    let by = volume_buckets(&s, &filter, time.as_ref()).await?;
    let mut sum = VolumeSums::default();
    for v in by.values() {
        sum += v;
    }
    let groups = match &time {
        None => Vec::new(),
        Some(time) => group_rows(by.iter().map(|(b, v)| (*b, v)), time)
            .map_err(report_error)?
            .into_iter()
            .map(|g| Group { start: g.start, value: volume(&g.value.0) })
            .collect(),
    };
    let report = VolumeReportView { time_zone: filter.time_zone, total: volume(&sum.0), groups };
    let grouped = time.is_some();
    format.reply(&report, || if grouped { to_csv(&report.groups) } else { to_csv(&report.total) })
}

pub(super) async fn heatmap_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    let filter =
        call_filter(&s, &c, &p, &["format", "threshold_secs", "target_pct", "abandons", "short_abandon_secs"]).await?;
    let (format, spec) = (Format::of(&p)?, spec(&p)?);
    let range = ReportRange::new(filter.range.start, filter.range.end).map_err(report_error)?;
    let zone = parse_zone(&filter.time_zone).map_err(report_error)?;
    let rows = buckets(&s, &filter, CallSplit::None, true).await?;
    let map = heatmap(rows.iter().map(|(b, _, c)| (*b, c)), &range, zone, &spec).map_err(report_error)?;
    format.reply(&map, || to_csv(&map))
}
