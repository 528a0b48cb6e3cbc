//! `GET /api/v1/reports/callers` (supervisors and admins): first-attempt
//! reach, repeat callers and first-contact resolution, computed by
//! PostgreSQL over the `calls` rows (`store::reports::callers` states each
//! definition), judged at the request's time.
//!
//! `period=range` (default) or `day` (a caller's first call of each local
//! day); `fcr_window_days` 1–90 (default 7). Filters: queues, VIP tiers,
//! entry numbers, local weekdays and hours.

use axum::Json;
use axum::extract::State;
use chrono::{TimeDelta, Utc};
use serde::Serialize;
use store::reports::callers::{self, FcrFigures, ReachFigures, ReachPeriod, RepeatFigures};
use utoipa::ToSchema;

use super::params::{ReportParams, bad, query_error};
use super::{Scope, scope, tenant_zone};
use crate::auth::AnyRole;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;

/// `GET /api/v1/reports/callers`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CallerReport {
    /// `range` or `day`.
    pub period: String,
    /// First-attempt reach: `callers`, `first_attempt`, `later` as
    /// `[attempts, callers]` pairs, `never`, `never_calls`.
    #[schema(value_type = Object)]
    pub reach: ReachFigures,
    /// Repeat callers: `callers`, `calls`, `repeat_callers`, `repeat_calls`.
    #[schema(value_type = Object)]
    pub repeat: RepeatFigures,
    /// The FCR window in days.
    pub fcr_window_days: u32,
    /// First-contact resolution: `answered`, `resolved`, `repeated`,
    /// `undecided` (window still open).
    #[schema(value_type = Object)]
    pub fcr: FcrFigures,
}

pub(super) async fn caller_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Json<CallerReport>, ApiError> {
    if scope(&s, &c).await? != Scope::Tenant {
        return Err(ApiError::Forbidden);
    }
    p.allow(&["period", "fcr_window_days"])?;
    let filter = p.filter(c.tenant_id, tenant_zone(&s, &c).await?)?;
    let (period, name) = match p.period.as_deref() {
        None | Some("range") => (ReachPeriod::Range, "range"),
        Some("day") => (ReachPeriod::LocalDay, "day"),
        Some(other) => return Err(bad("period", format!("`{other}`: expected range or day"))),
    };
    let window_days = p.fcr_window_days.unwrap_or(7);
    if !(1..=90).contains(&window_days) {
        return Err(bad("fcr_window_days", "a window of 1 to 90 days"));
    }
    let reach = callers::first_attempt_reach(&s.pool, &filter, period).await.map_err(query_error)?;
    let repeat = callers::repeat_callers(&s.pool, &filter).await.map_err(query_error)?;
    let window = TimeDelta::days(i64::from(window_days));
    let fcr = callers::first_contact_resolution(&s.pool, &filter, window, Utc::now()).await.map_err(query_error)?;
    Ok(Json(CallerReport { period: name.into(), reach, repeat, fcr_window_days: window_days, fcr }))
}
