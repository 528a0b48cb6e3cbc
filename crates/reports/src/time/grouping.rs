//! Which local group a 15-minute rollup bucket belongs to.
//!
//! Intervals (15, 30, 60 minutes) floor the bucket's local wall-clock time
//! and keep the bucket's own UTC offset, so the repeated hour of a
//! fall-back change is two groups (01:00-04:00 and 01:00-05:00), a
//! spring-forward gap is no group, and a zone at +05:30 or +05:45 gets its
//! hours on its own local :00. Days, weeks (ISO, from Monday) and months
//! start at the first instant of their first local day (local midnight,
//! or the first time after it that exists when a change skips midnight),
//! so a local day lasts 23 or 25 hours across a change.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use model::report::BUCKET_SECS;
use serde::{Deserialize, Serialize};

use crate::ReportError;

/// How buckets are grouped, in the tenant's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// 15 local minutes (one bucket).
    Minutes15,
    /// 30 local minutes, from :00 and :30.
    Minutes30,
    /// A local hour.
    Minutes60,
    /// A local calendar day.
    Day,
    /// An ISO week, from Monday.
    Week,
    /// A calendar month.
    Month,
}

/// The start of the group of the bucket starting at `bucket` (UTC, on a
/// 15-minute boundary), as a local instant with its offset.
pub fn group_start(bucket: DateTime<Utc>, grouping: Grouping, tz: Tz) -> Result<DateTime<FixedOffset>, ReportError> {
    if bucket.timestamp().rem_euclid(BUCKET_SECS) != 0 || bucket.timestamp_subsec_nanos() != 0 {
        return Err(ReportError::UnalignedBucket(bucket.to_rfc3339()));
    }
    let local = bucket.with_timezone(&tz);
    let offset = local.offset().fix();
    let wall = local.naive_local();
    let minutes = match grouping {
        Grouping::Minutes15 => 15,
        Grouping::Minutes30 => 30,
        Grouping::Minutes60 => 60,
        Grouping::Day => return Ok(day_start(wall.date(), tz)),
        Grouping::Week => {
            let back = i64::from(wall.weekday().num_days_from_monday());
            return Ok(day_start(wall.date() - Duration::days(back), tz));
        }
        Grouping::Month => {
            let first = wall.date().with_day(1).unwrap_or(wall.date());
            return Ok(day_start(first, tz));
        }
    };
    let into = i64::from(wall.minute() % minutes) * 60 + i64::from(wall.second());
    let floored = wall - Duration::seconds(into);
    Ok(fixed(floored, offset))
}

/// The first existing instant of the local day `date`.
fn day_start(date: NaiveDate, tz: Tz) -> DateTime<FixedOffset> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A change skips at most a few hours; step through them by 15 minutes.
    for step in 0..=16 {
        let wall = midnight + Duration::minutes(15 * step);
        match tz.from_local_datetime(&wall) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.fixed_offset(),
            LocalResult::None => {}
        }
    }
    fixed(midnight, tz.offset_from_utc_datetime(&midnight).fix())
}

fn fixed(wall: NaiveDateTime, offset: FixedOffset) -> DateTime<FixedOffset> {
    match offset.from_local_datetime(&wall) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t,
        LocalResult::None => DateTime::<Utc>::from_naive_utc_and_offset(wall, Utc).fixed_offset(),
    }
}
