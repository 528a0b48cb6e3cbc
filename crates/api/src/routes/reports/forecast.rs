//! `GET /api/v1/reports/forecast` and `…/forecast/backtest` (supervisors
//! and admins): one queue's calls per local half-hour for the next 1–14
//! days, fitted by the `reports` crate on the last `history_days` complete
//! local days (today excluded) of the queue's rollup rows, with the agents
//! needed per half-hour by Erlang C (the queue's service-level target, the
//! history's average handle time, shrinkage) and the queue's agents on the
//! roster (their weekly shifts) at each half-hour's start; and the
//! forecast's error on held-back weeks.
//!
//! "Today" is the request's local date in the zone. Adjustments (they
//! apply to the history too, so a past peak does not inflate the profile):
//! `month_start_days` with `month_start_multiplier`, `month_end_days` with
//! `month_end_multiplier`, and `campaigns`, comma-separated
//! `name:first:last:multiplier` entries (local dates, inclusive), e.g.
//! `campaigns=winter-sale:2026-12-07:2026-12-11:1.5`.

use axum::extract::State;
use axum::response::Response;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use model::QueueId;
use model::report::CallCounters;
use reports::ReportError;
use reports::csv::to_csv;
use reports::forecast::{Adjustments, Backtest, Campaign, History, MonthEdge, backtest, fit};
use reports::staffing::{Staffing, StaffingSpec, staffing};
use reports::time::parse_zone;
use serde::{Deserialize, Serialize};
use store::reports::calls::{self, CallSplit};
use store::reports::{Filter, GroupKey, Grouping};

use super::figures::{Format, report_error};
use super::params::{bad, query_error};
use super::{Scope, scope, tenant_zone};
use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// The query string.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ForecastParams {
    queue_id: Option<QueueId>,
    time_zone: Option<String>,
    /// Complete local days of history before today (28–400, default 56).
    history_days: Option<u32>,
    /// Days to forecast (1–14, default 7).
    days: Option<u32>,
    /// Weeks held back by the backtest (default 1).
    weeks: Option<u32>,
    shrinkage_pct: Option<f64>,
    aht_secs: Option<f64>,
    threshold_secs: Option<u32>,
    target_pct: Option<f64>,
    month_start_days: Option<u32>,
    month_start_multiplier: Option<f64>,
    month_end_days: Option<u32>,
    month_end_multiplier: Option<f64>,
    campaigns: Option<String>,
    format: Option<String>,
}

/// The `campaigns` parameter: `name:first:last:multiplier`, comma-separated.
fn parse_campaigns(text: Option<&str>) -> Result<Vec<Campaign>, ApiError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else { return Ok(Vec::new()) };
    let bad_entry =
        |entry: &str, why: &str| bad("campaigns", format!("`{entry}`: {why} (expected name:first:last:multiplier)"));
    text.split(',')
        .map(|entry| {
            let parts: Vec<&str> = entry.split(':').collect();
            let [name, first, last, multiplier] = parts[..] else { return Err(bad_entry(entry, "four parts")) };
            if name.is_empty() {
                return Err(bad_entry(entry, "a name"));
            }
            let date =
                |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad_entry(entry, "dates as YYYY-MM-DD"));
            let multiplier: f64 = multiplier.parse().map_err(|_| bad_entry(entry, "a number as the multiplier"))?;
            Ok(Campaign { name: name.into(), first: date(first)?, last: date(last)?, multiplier })
        })
        .collect()
}

/// What a forecast is built from.
struct Basis {
    queue_id: QueueId,
    zone: Tz,
    history: History,
    sum: CallCounters,
    adjustments: Adjustments,
}

fn forecast_error(e: ReportError) -> ApiError {
    let field = match &e {
        ReportError::PercentOutOfRange { what, .. } if what.contains("shrinkage") => "shrinkage_pct",
        ReportError::PercentOutOfRange { .. } => "target_pct",
        ReportError::InvalidHandleTime(_) => "aht_secs",
        ReportError::HistoryTooShort { .. } | ReportError::HistoryNotWholeDays(_) => "history_days",
        ReportError::InvalidHorizon(_) => "days",
        ReportError::BacktestTooLong { .. } => "weeks",
        ReportError::InvalidMultiplier { what, .. } if what.contains("start") => "month_start_multiplier",
        ReportError::InvalidMultiplier { what, .. } if what.contains("campaign") => "campaigns",
        ReportError::CampaignReversed { .. } => "campaigns",
        ReportError::InvalidMultiplier { .. } => "month_end_multiplier",
        _ => return report_error(e),
    };
    bad(field, e.to_string())
}

/// The first UTC instant of local `date` in `zone` (a day a change skips
/// midnight starts an hour later).
fn day_start(date: NaiveDate, zone: Tz) -> chrono::DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=4)
        .find_map(|h| zone.from_local_datetime(&(midnight + Duration::hours(h))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

async fn basis(s: &AppState, c: &crate::auth::Caller, p: &ForecastParams) -> Result<Basis, ApiError> {
    if scope(s, c).await? != Scope::Tenant {
        return Err(ApiError::Forbidden);
    }
    let queue_id = p.queue_id.ok_or_else(|| bad("queue_id", "required: the queue to forecast"))?;
    store::repo::queues::get(&s.pool, c.tenant_id, queue_id).await?.ok_or(ApiError::NotFound)?;
    let zone_name = match &p.time_zone {
        Some(z) => z.clone(),
        None => tenant_zone(s, c).await?,
    };
    let zone = parse_zone(&zone_name).map_err(report_error)?;
    let days = p.history_days.unwrap_or(56);
    if !(28..=400).contains(&days) {
        return Err(bad("history_days", "28 to 400 complete days"));
    }
    let today = Utc::now().with_timezone(&zone).date_naive();
    let first_day = today - Duration::days(i64::from(days));
    let filter = Filter {
        time_zone: zone_name,
        queues: vec![queue_id],
        ..Filter::new(c.tenant_id, day_start(first_day, zone)..day_start(today, zone))
    };
    let rows = calls::sums(&s.pool, &filter, Grouping::Bucket, CallSplit::None).await.map_err(query_error)?;
    let mut sum = CallCounters::default();
    let mut buckets = Vec::with_capacity(rows.len());
    for g in &rows {
        sum += &g.counters;
        if let GroupKey::Bucket(b) = g.key {
            buckets.push((b, g.counters.calls));
        }
    }
    let history = History::from_buckets(first_day, days as usize, zone, buckets).map_err(forecast_error)?;
    let edge = |d: Option<u32>, m: Option<f64>| d.zip(m).map(|(days, multiplier)| MonthEdge { days, multiplier });
    let adjustments = Adjustments {
        month_start: edge(p.month_start_days, p.month_start_multiplier),
        month_end: edge(p.month_end_days, p.month_end_multiplier),
        campaigns: parse_campaigns(p.campaigns.as_deref())?,
    };
    adjustments.validate().map_err(forecast_error)?;
    Ok(Basis { queue_id, zone, history, sum, adjustments })
}

/// The average handle time of the history's answered calls: (talk + hold)
/// per answered call + wrap-up per call with a known wrap-up.
fn history_aht(c: &CallCounters) -> Option<f64> {
    if c.answered == 0 {
        return None;
    }
    let wrap = if c.wrap_up_calls > 0 { c.wrap_up_ms as f64 / c.wrap_up_calls as f64 } else { 0.0 };
    Some(((c.talk_ms + c.hold_ms) as f64 / c.answered as f64 + wrap) / 1000.0)
}

/// `GET /api/v1/reports/forecast`.
#[derive(Debug, Serialize)]
struct ForecastReport {
    queue_id: QueueId,
    time_zone: String,
    history_first_day: NaiveDate,
    history_days: usize,
    method: &'static str,
    weekly_level: f64,
    weekly_trend: f64,
    staffing: Staffing,
}

pub(super) async fn forecast_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ForecastParams>,
) -> Result<Response, ApiError> {
    let format = Format::parse(p.format.as_deref())?;
    if p.weeks.is_some() {
        return Err(bad("weeks", "only the backtest takes it"));
    }
    let b = basis(&s, &c, &p).await?;
    let queue = store::repo::queues::get(&s.pool, c.tenant_id, b.queue_id).await?.ok_or(ApiError::NotFound)?;
    let aht_secs = match p.aht_secs {
        Some(a) => a,
        None => history_aht(&b.sum).ok_or_else(|| {
            bad("aht_secs", "the history has no answered calls to take the handle time from: give it")
        })?,
    };
    let spec = StaffingSpec {
        target_pct: p.target_pct.unwrap_or(f64::from(queue.queue.service_level.percent)),
        threshold_secs: p.threshold_secs.unwrap_or(queue.queue.service_level.seconds),
        aht_secs,
        shrinkage_pct: p.shrinkage_pct.unwrap_or(30.0),
    };
    let model = fit(&b.history, &b.adjustments).map_err(forecast_error)?;
    let forecast = model.forecast(p.days.unwrap_or(7), b.zone).map_err(forecast_error)?;
    let mut staffed = staffing(&forecast, &spec).map_err(forecast_error)?;
    let rosters = store::repo::shifts::of_queue(&s.pool, c.tenant_id, b.queue_id).await?;
    // Shifts are written in the tenant's zone, whichever zone the forecast
    // is read in (without `time_zone`, the basis's zone is the tenant's).
    let roster_zone = match p.time_zone {
        None => b.zone,
        Some(_) => parse_zone(&tenant_zone(&s, &c).await?).map_err(report_error)?,
    };
    staffed.count_rostered(&rosters, roster_zone);
    let report = ForecastReport {
        queue_id: b.queue_id,
        time_zone: b.zone.name().to_owned(),
        history_first_day: b.history.first_day(),
        history_days: b.history.days(),
        method: forecast.method,
        weekly_level: forecast.weekly_level,
        weekly_trend: forecast.weekly_trend,
        staffing: staffed,
    };
    format.reply(&report, || to_csv(&report.staffing))
}

/// `GET /api/v1/reports/forecast/backtest`.
#[derive(Debug, Serialize)]
struct BacktestReport {
    queue_id: QueueId,
    time_zone: String,
    history_first_day: NaiveDate,
    history_days: usize,
    backtest: Backtest,
}

pub(super) async fn backtest_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ForecastParams>,
) -> Result<Response, ApiError> {
    let format = Format::parse(p.format.as_deref())?;
    for (name, given) in [
        ("days", p.days.is_some()),
        ("shrinkage_pct", p.shrinkage_pct.is_some()),
        ("aht_secs", p.aht_secs.is_some()),
        ("threshold_secs", p.threshold_secs.is_some()),
        ("target_pct", p.target_pct.is_some()),
    ] {
        if given {
            return Err(bad(name, "the backtest does not take it"));
        }
    }
    let b = basis(&s, &c, &p).await?;
    let result = backtest(&b.history, &b.adjustments, p.weeks.unwrap_or(1), b.zone).map_err(forecast_error)?;
    let report = BacktestReport {
        queue_id: b.queue_id,
        time_zone: b.zone.name().to_owned(),
        history_first_day: b.history.first_day(),
        history_days: b.history.days(),
        backtest: result,
    };
    format.reply(&report, || to_csv(&report.backtest))
}
