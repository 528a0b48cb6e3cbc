//! The query parameters every report takes, parsed into a
//! `store::reports::Filter` with 400 errors that name the parameter.
//!
//! `from` and `to` are RFC 3339 instants (`to` excluded, at most 400 days
//! after `from`); lists are comma-separated (`queue_ids=a,b`); weekdays
//! are ISO (1 = Monday) and hours 0–23, both in the time zone
//! (`time_zone`, an IANA name, by default the tenant's).

use chrono::{DateTime, TimeDelta, Utc};
use model::{FieldError, TenantId};
use serde::Deserialize;
use store::reports::calls::CallSplit;
use store::reports::{Filter, Grouping};

use crate::error::ApiError;

/// The longest range a report covers.
pub const MAX_RANGE: TimeDelta = TimeDelta::days(400);

/// The report query string, as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// Start of the range (RFC 3339), included.
    pub from: Option<String>,
    /// End of the range (RFC 3339), excluded.
    pub to: Option<String>,
    /// An IANA zone to group and filter in instead of the tenant's.
    pub time_zone: Option<String>,
    /// Comma-separated queue ids.
    pub queue_ids: Option<String>,
    /// Comma-separated agent ids.
    pub agent_ids: Option<String>,
    /// Comma-separated VIP tiers (0–3).
    pub vip_tiers: Option<String>,
    /// Comma-separated entry number ids.
    pub number_ids: Option<String>,
    /// Comma-separated local ISO weekdays (1 = Monday … 7).
    pub weekdays: Option<String>,
    /// Comma-separated local hours (0–23).
    pub hours: Option<String>,
    /// `total` (default), `15m`, `30m`, `60m`, `day`, `week`, `month`,
    /// `weekday_hour`.
    pub group: Option<String>,
    /// `queue`, `vip_tier`, `number`, `ivr`, `business_hours`, `direction`.
    pub split: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
    /// Service level: the wait threshold in seconds (a rollup wait edge;
    /// default 20).
    pub threshold_secs: Option<u32>,
    /// Service level: the target in percent (default 80).
    pub target_pct: Option<f64>,
    /// Service level: `counted` (default), `excluded` or `short_excluded`.
    pub abandons: Option<String>,
    /// Service level with `abandons=short_excluded`: the short-abandon
    /// limit in seconds (a rollup wait edge; default 5).
    pub short_abandon_secs: Option<u32>,
    /// Caller report: `range` (default) or `day`.
    pub period: Option<String>,
    /// Caller report: the first-contact-resolution window, 1–90 days.
    pub fcr_window_days: Option<u32>,
}

/// A 400 naming `field`.
pub fn bad(field: &str, reason: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        message: "invalid query parameter".into(),
        fields: vec![FieldError { field: field.into(), reason: reason.into() }],
    }
}

fn instant(field: &str, value: Option<&String>) -> Result<DateTime<Utc>, ApiError> {
    let value = value.ok_or_else(|| bad(field, "required (an RFC 3339 instant, e.g. 2026-03-02T00:00:00Z)"))?;
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| bad(field, format!("not an RFC 3339 instant: {e}")))
}

fn list<T>(field: &str, value: &Option<String>, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, ApiError> {
    let Some(value) = value else { return Ok(Vec::new()) };
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse(s).ok_or_else(|| bad(field, format!("`{s}` is not valid here"))))
        .collect()
}

fn small(max: u8) -> impl Fn(&str) -> Option<u8> {
    move |s| s.parse::<u8>().ok().filter(|v| *v <= max)
}

fn id<T: From<uuid::Uuid>>(s: &str) -> Option<T> {
    s.parse::<uuid::Uuid>().ok().map(T::from)
}

/// Checks an IANA zone name.
pub fn valid_zone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

impl ReportParams {
    /// The filter for `tenant`, in `tenant_zone` unless `time_zone` is given.
    pub fn filter(&self, tenant: TenantId, tenant_zone: String) -> Result<Filter, ApiError> {
        let from = instant("from", self.from.as_ref())?;
        let to = instant("to", self.to.as_ref())?;
        if to <= from {
            return Err(bad("to", "must be after `from`"));
        }
        if to - from > MAX_RANGE {
            return Err(bad("to", format!("the range may cover at most {} days", MAX_RANGE.num_days())));
        }
        let time_zone = match &self.time_zone {
            Some(z) if valid_zone(z) => z.clone(),
            Some(z) => return Err(bad("time_zone", format!("`{z}` is not an IANA time zone"))),
            None => tenant_zone,
        };
        Ok(Filter {
            time_zone,
            queues: list("queue_ids", &self.queue_ids, id)?,
            agents: list("agent_ids", &self.agent_ids, id)?,
            vip_tiers: list("vip_tiers", &self.vip_tiers, small(3))?,
            numbers: list("number_ids", &self.number_ids, id)?,
            weekdays: list("weekdays", &self.weekdays, |s| small(7)(s).filter(|d| *d >= 1))?,
            hours: list("hours", &self.hours, small(23))?,
            ..Filter::new(tenant, from..to)
        })
    }

    /// Refuses `from`/`to` off a quarter hour: the rollups count whole
    /// 15-minute buckets, so another range would not mean what it says.
    pub fn require_quarter_hours(filter: &Filter) -> Result<(), ApiError> {
        let bucket = model::report::BUCKET_SECS;
        for (field, t) in [("from", filter.range.start), ("to", filter.range.end)] {
            if t.timestamp().rem_euclid(bucket) != 0 || t.timestamp_subsec_nanos() != 0 {
                return Err(bad(field, "must be on a quarter hour (reports count whole 15-minute intervals)"));
            }
        }
        Ok(())
    }

    /// The grouping (`total` when absent).
    pub fn grouping(&self) -> Result<Grouping, ApiError> {
        Ok(match self.group.as_deref().unwrap_or("total") {
            "total" => Grouping::Total,
            "15m" => Grouping::Bucket,
            "30m" => Grouping::Minutes30,
            "60m" => Grouping::Hour,
            "day" => Grouping::Day,
            "week" => Grouping::Week,
            "month" => Grouping::Month,
            "weekday_hour" => Grouping::WeekdayHour,
            other => {
                return Err(bad(
                    "group",
                    format!("`{other}`: expected total, 15m, 30m, 60m, day, week, month or weekday_hour"),
                ));
            }
        })
    }

    /// The split of call figures (none when absent).
    pub fn call_split(&self) -> Result<CallSplit, ApiError> {
        Ok(match self.split.as_deref() {
            None => CallSplit::None,
            Some("queue") => CallSplit::Queue,
            Some("vip_tier") => CallSplit::VipTier,
            Some("number") => CallSplit::Number,
            Some("ivr") => CallSplit::ViaIvr,
            Some("business_hours") => CallSplit::OutsideBusinessHours,
            Some("direction") => CallSplit::Direction,
            Some(other) => {
                return Err(bad(
                    "split",
                    format!("`{other}`: expected queue, vip_tier, number, ivr, business_hours or direction"),
                ));
            }
        })
    }

    /// Refuses every report-specific parameter given that is not in
    /// `allowed` (the range, zone and filter parameters are always taken).
    pub fn allow(&self, allowed: &[&str]) -> Result<(), ApiError> {
        let given = [
            ("group", self.group.is_some()),
            ("split", self.split.is_some()),
            ("format", self.format.is_some()),
            ("threshold_secs", self.threshold_secs.is_some()),
            ("target_pct", self.target_pct.is_some()),
            ("abandons", self.abandons.is_some()),
            ("short_abandon_secs", self.short_abandon_secs.is_some()),
            ("period", self.period.is_some()),
            ("fcr_window_days", self.fcr_window_days.is_some()),
        ];
        match given.into_iter().find(|(name, is)| *is && !allowed.contains(name)) {
            Some((name, _)) => Err(bad(name, "this report does not take it")),
            None => Ok(()),
        }
    }
}

/// A store error as an API error: a filter the report cannot apply is a
/// 400 naming the parameter.
pub fn query_error(e: store::reports::ReportQueryError) -> ApiError {
    use store::reports::ReportQueryError;
    match e {
        ReportQueryError::Unsupported { filter } => {
            let param = match filter {
                "queues" => "queue_ids",
                "agents" => "agent_ids",
                "numbers" => "number_ids",
                "ivr_flows" => "flow_ids",
                other => other,
            };
            bad(param, "this report cannot be filtered by it")
        }
        ReportQueryError::Database(e) => store::RepoError::from(e).into(),
        other => ApiError::Internal(other.to_string()),
    }
}
