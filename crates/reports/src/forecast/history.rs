//! The history a forecast is fitted to: calls per local half-hour over
//! consecutive local days.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

use crate::ReportError;

/// Half-hour slots in a local day (slot `i` starts at `i × 30` minutes of
/// wall-clock time; on a DST change day the store puts a repeated hour's
/// calls in its slot and leaves a skipped hour's slots at 0).
pub const SLOTS_PER_DAY: usize = 48;

/// The shortest history a forecast accepts: four weeks.
pub const MIN_HISTORY_DAYS: usize = 28;

/// Calls per half-hour slot of consecutive local days, the first on
/// `first_day`.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    first_day: NaiveDate,
    counts: Vec<f64>,
}

impl History {
    /// A history of `counts` (48 a day, day after day) from `first_day`:
    /// at least [`MIN_HISTORY_DAYS`] whole days of finite counts ≥ 0.
    pub fn new(first_day: NaiveDate, counts: Vec<f64>) -> Result<Self, ReportError> {
        if !counts.len().is_multiple_of(SLOTS_PER_DAY) {
            return Err(ReportError::HistoryNotWholeDays(counts.len()));
        }
        if let Some((index, &value)) = counts.iter().enumerate().find(|(_, v)| !v.is_finite() || **v < 0.0) {
            return Err(ReportError::InvalidCount { index, value });
        }
        let days = counts.len() / SLOTS_PER_DAY;
        if days < MIN_HISTORY_DAYS {
            return Err(ReportError::HistoryTooShort { days, min: MIN_HISTORY_DAYS });
        }
        Ok(History { first_day, counts })
    }

    /// The history of the `days` local days from `first_day` in `tz`,
    /// from rollup rows (bucket start in UTC, calls): each bucket's calls
    /// go to the half-hour slot its local start falls in, so the repeated
    /// hour of a fall-back change adds into its slots and the skipped hour
    /// of a spring-forward change stays 0. Rows outside the days are left
    /// out.
    pub fn from_buckets<I>(first_day: NaiveDate, days: usize, tz: Tz, rows: I) -> Result<Self, ReportError>
    where
        I: IntoIterator<Item = (DateTime<Utc>, u64)>,
    {
        let mut counts = vec![0.0; days * SLOTS_PER_DAY];
        for (bucket, calls) in rows {
            let local = bucket.with_timezone(&tz).naive_local();
            let Ok(day) = usize::try_from((local.date() - first_day).num_days()) else {
                continue;
            };
            let slot = (local.hour() * 2 + local.minute() / 30) as usize;
            if let Some(c) = counts.get_mut(day * SLOTS_PER_DAY + slot) {
                *c += calls as f64;
            }
        }
        History::new(first_day, counts)
    }

    /// The first day.
    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    /// The number of days.
    pub fn days(&self) -> usize {
        self.counts.len() / SLOTS_PER_DAY
    }

    /// The date of day `i`.
    pub fn date(&self, i: usize) -> NaiveDate {
        self.first_day + Duration::days(i as i64)
    }

    /// The 48 counts of day `i`.
    pub fn day(&self, i: usize) -> &[f64] {
        &self.counts[i * SLOTS_PER_DAY..(i + 1) * SLOTS_PER_DAY]
    }

    /// The first `days` days (at least [`MIN_HISTORY_DAYS`]).
    pub(crate) fn truncated(&self, days: usize) -> Result<History, ReportError> {
        let keep = days.min(self.days()) * SLOTS_PER_DAY;
        History::new(self.first_day, self.counts[..keep].to_vec())
    }
}
