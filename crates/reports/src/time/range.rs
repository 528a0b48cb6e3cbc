//! The range of a report and the tenant's time zone, validated.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::ReportError;

/// The longest range a report may cover, in days: a year and a month, so
/// that a month-by-month view of a year fits (and a 15-minute view of it
/// is still only about 38,000 groups).
pub const MAX_RANGE_DAYS: i64 = 400;

/// The instants a report covers: `start` inclusive, `end` exclusive, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReportRange {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl ReportRange {
    /// The range `[start, end)`; `end` must be after `start` and at most
    /// [`MAX_RANGE_DAYS`] days later.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, ReportError> {
        if end <= start {
            return Err(ReportError::RangeNotIncreasing {
                start: start.to_rfc3339_opts(SecondsFormat::Secs, true),
                end: end.to_rfc3339_opts(SecondsFormat::Secs, true),
            });
        }
        let secs = (end - start).num_seconds();
        let days = (secs + 86_399) / 86_400;
        if days > MAX_RANGE_DAYS {
            return Err(ReportError::RangeTooLong { days, max: MAX_RANGE_DAYS });
        }
        Ok(ReportRange { start, end })
    }

    /// The first instant covered.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after the range.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Whether `t` is in the range.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}

/// The time zone named `name` (IANA, e.g. `Asia/Kolkata`).
pub fn parse_zone(name: &str) -> Result<Tz, ReportError> {
    name.parse::<Tz>().map_err(|_| ReportError::UnknownTimeZone(name.to_string()))
}
