//! Filters on the local weekday and hour of day of a bucket.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::ReportError;

/// Keeps the buckets whose local start falls on one of `weekdays` and in
/// one of `hours` (0–23); an empty list keeps every weekday (hour).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalFilter {
    weekdays: Vec<Weekday>,
    hours: Vec<u32>,
}

impl LocalFilter {
    /// A filter on the given weekdays and hours (either may be empty: no
    /// filter on it); an hour over 23 is an error.
    pub fn new(weekdays: Vec<Weekday>, hours: Vec<u32>) -> Result<Self, ReportError> {
        if let Some(&h) = hours.iter().find(|&&h| h > 23) {
            return Err(ReportError::InvalidHour(h));
        }
        Ok(LocalFilter { weekdays, hours })
    }

    /// Whether the bucket starting at `bucket` passes, in `tz`. Offsets are
    /// whole quarter hours, so a 15-minute bucket lies in one local hour.
    pub fn keeps(&self, bucket: DateTime<Utc>, tz: Tz) -> bool {
        let local = bucket.with_timezone(&tz);
        (self.weekdays.is_empty() || self.weekdays.contains(&local.weekday()))
            && (self.hours.is_empty() || self.hours.contains(&local.hour()))
    }
}
