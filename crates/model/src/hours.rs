//! Business hours: a weekly schedule, holidays and a time zone.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validation::{FieldErrors, Validate, index, join};

/// When an entry point or queue is open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// IANA time zone name, e.g. `Europe/London`.
    pub time_zone: String,
    /// Opening windows; a day may have several (e.g. split shifts).
    pub weekly: Vec<OpeningWindow>,
    /// Days closed all day, in the local calendar.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

/// One opening window on a weekday, in local time, `open` inclusive and
/// `close` exclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningWindow {
    /// The weekday.
    #[schema(value_type = String, example = "Mon")]
    pub day: Weekday,
    /// Opening time, `HH:MM`.
    #[schema(value_type = String, example = "09:00")]
    pub open: NaiveTime,
    /// Closing time, `HH:MM`; after `open`.
    #[schema(value_type = String, example = "17:30")]
    pub close: NaiveTime,
}

/// A closed day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// The local date.
    #[schema(value_type = String, example = "2026-12-25")]
    pub date: NaiveDate,
    /// What it is called.
    pub name: String,
}

impl BusinessHours {
    /// Open around the clock, every day, in UTC.
    pub fn always_open() -> Self {
        let all_day = |day| OpeningWindow {
            day,
            open: NaiveTime::MIN,
            close: NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
        };
        use Weekday::*;
        BusinessHours {
            time_zone: "UTC".into(),
            weekly: [Mon, Tue, Wed, Thu, Fri, Sat, Sun].into_iter().map(all_day).collect(),
            holidays: Vec::new(),
        }
    }

    /// The parsed time zone; UTC when the name is unknown (validation rejects those).
    pub fn tz(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::UTC)
    }

    /// Whether it is open at instant `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.tz());
        let date = local.date_naive();
        if self.holidays.iter().any(|h| h.date == date) {
            return false;
        }
        let time = local.time();
        self.weekly.iter().any(|w| w.day == local.weekday() && w.open <= time && time < w.close)
    }
}

impl Validate for BusinessHours {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        if self.time_zone.parse::<Tz>().is_err() {
            errors.push(join(path, "time_zone"), "must be an IANA time zone such as Europe/London");
        }
        let weekly = join(path, "weekly");
        for (i, w) in self.weekly.iter().enumerate() {
            if w.close <= w.open {
                errors.push(join(&index(&weekly, i), "close"), "must be after open");
            }
        }
        let holidays = join(path, "holidays");
        for (i, h) in self.holidays.iter().enumerate() {
            if h.name.trim().is_empty() {
                errors.push(join(&index(&holidays, i), "name"), "must not be empty");
            }
        }
    }
}
