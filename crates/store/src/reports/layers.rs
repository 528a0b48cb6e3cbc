//! Which rollup rows a query reads: a fine table (15-minute buckets) alone,
//! or a coarse twin (migration 0012: the same counters per UTC hour or
//! day) for the range's whole hours or days and the fine table for its
//! edges. Each coarse row is the sum of the fine rows inside it, so both
//! give the same sums; the coarse one reads a fourth (hours) or a
//! ninety-sixth (days) as many rows.

use std::ops::Range;

use chrono::{DateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// The rollup tables a query reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    /// The 15-minute table.
    pub fine: &'static str,
    /// The coarse twin and its step, when the query may use it.
    pub coarse: Option<(&'static str, Step)>,
}

/// The length of a coarse table's buckets (from the Unix epoch, UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `rollup_hour`.
    Hour,
    /// `rollup_day`.
    Day,
}

impl Step {
    fn seconds(self) -> i64 {
        match self {
            Step::Hour => 3_600,
            Step::Day => 86_400,
        }
    }
}

impl Source {
    /// The fine table alone.
    pub fn fine(table: &'static str) -> Source {
        Source { fine: table, coarse: None }
    }

    /// The fine table, with `coarse` for whole steps when `allowed`.
    pub fn layered(fine: &'static str, coarse: &'static str, step: Step, allowed: bool) -> Source {
        Source { fine, coarse: allowed.then_some((coarse, step)) }
    }

    /// The coarse table and the part of `range` it serves: the coarse
    /// buckets all of whose 15-minute buckets start in `range`. `None`
    /// when there is no coarse table or no such bucket.
    pub fn middle(&self, range: &Range<DateTime<Utc>>) -> Option<(&'static str, Range<DateTime<Utc>>)> {
        let (table, step) = self.coarse?;
        let quarter = 900;
        // The fine buckets counted start in [first, end): quarter starts.
        let first = ceil(range.start, quarter)?;
        let end = ceil(range.end, quarter)?;
        let from = ceil(first, step.seconds())?;
        let to = floor(end, step.seconds())?;
        (from < to).then_some((table, from..to))
    }
}

/// The first multiple of `step` seconds (from the epoch) at or after `t`.
fn ceil(t: DateTime<Utc>, step: i64) -> Option<DateTime<Utc>> {
    let down = floor(t, step)?;
    if down == t { Some(t) } else { down.checked_add_signed(TimeDelta::seconds(step)) }
}

/// The last multiple of `step` seconds (from the epoch) at or before `t`.
fn floor(t: DateTime<Utc>, step: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.timestamp().div_euclid(step) * step, 0)
}

/// Whether `zone` (an IANA name) is a whole number of hours from UTC at
/// every hour of `range`, so that a UTC hour lies inside one local hour
/// (and day, week, month). An unknown zone is not.
pub fn whole_hour_offsets(zone: &str, range: &Range<DateTime<Utc>>) -> bool {
    let Ok(tz) = zone.parse::<Tz>() else { return false };
    let Some(mut t) = floor(range.start, 3_600) else { return false };
    while t < range.end {
        if tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc() % 3_600 != 0 {
            return false;
        }
        t += TimeDelta::hours(1);
    }
    true
}
