//! `GET /api/v1/reports/callers` (supervisors and admins): first-attempt
//! reach, repeat callers and first-contact resolution, computed by
//! PostgreSQL over the `calls` rows (`store::reports::callers` states each
//! definition), judged at the request's time.
//!
//! `period=range` (default) or `day` (a caller's first call of each local
//! day); `fcr_window_days` 1–90 (default 7); `format=json|csv`. Filters:
//! queues, VIP tiers, entry numbers, local weekdays and hours.

use axum::extract::State;
use axum::response::Response;
use chrono::{TimeDelta, Utc};
use reports::csv::{CsvTable, to_csv};
use serde::Serialize;
use store::reports::callers::{self, FcrFigures, ReachFigures, ReachPeriod, RepeatFigures};
use utoipa::ToSchema;

use super::figures::Format;
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

/// Long: one row per figure (`reach`, `repeat`, `fcr`, each with its
/// parts), `attempts` set on the `reach later` rows.
impl CsvTable for CallerReport {
    fn header() -> Vec<&'static str> {
        vec!["period", "fcr_window_days", "figure", "part", "attempts", "value"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let (r, p, f) = (&self.reach, &self.repeat, &self.fcr);
        let mut parts: Vec<(&str, &str, String, u64)> = vec![
            ("reach", "callers", String::new(), r.callers),
            ("reach", "first_attempt", String::new(), r.first_attempt),
        ];
        parts.extend(r.later.iter().map(|(k, n)| ("reach", "later", k.to_string(), *n)));
        parts.extend([
            ("reach", "never", String::new(), r.never),
            ("reach", "never_calls", String::new(), r.never_calls),
            ("repeat", "callers", String::new(), p.callers),
            ("repeat", "calls", String::new(), p.calls),
            ("repeat", "repeat_callers", String::new(), p.repeat_callers),
            ("repeat", "repeat_calls", String::new(), p.repeat_calls),
            ("fcr", "answered", String::new(), f.answered),
            ("fcr", "resolved", String::new(), f.resolved),
            ("fcr", "repeated", String::new(), f.repeated),
            ("fcr", "undecided", String::new(), f.undecided),
        ]);
        parts
            .into_iter()
            .map(|(figure, part, attempts, value)| {
                vec![
                    self.period.clone(),
                    self.fcr_window_days.to_string(),
                    figure.into(),
                    part.into(),
                    attempts,
                    value.to_string(),
                ]
            })
            .collect()
    }
}

pub(super) async fn caller_report(
    State(s): State<AppState>,
    AnyRole(c): AnyRole,
    QueryParams(p): QueryParams<ReportParams>,
) -> Result<Response, ApiError> {
    if scope(&s, &c).await? != Scope::Tenant {
        return Err(ApiError::Forbidden);
    }
    p.allow(&["period", "fcr_window_days", "format"])?;
    let format = Format::of(&p)?;
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
    let report = CallerReport { period: name.into(), reach, repeat, fcr_window_days: window_days, fcr };
    format.reply(&report, || to_csv(&report))
}
