//! The roster: each agent's weekly shifts, in the tenant's local time. The
//! staffing forecast counts, per half-hour, the queue's agents on shift
//! beside the agents it needs.

use chrono::{Datelike, NaiveDateTime, NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validation::{FieldErrors, Validate, index, join};

/// The most shifts one agent may have in a week.
pub const MAX_SHIFTS: usize = 28;

/// Minutes in a week.
const WEEK_MINUTES: u32 = 7 * 24 * 60;

/// One weekly shift: from `start` on `day` to `end`, local wall-clock
/// times; an `end` before `start` runs overnight into the next day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// The weekday the shift starts on.
    #[schema(value_type = String, example = "Mon")]
    pub day: Weekday,
    /// Its start, `HH:MM`.
    #[schema(value_type = String, example = "08:00")]
    pub start: NaiveTime,
    /// Its end, `HH:MM` (exclusive); earlier than `start` for an overnight shift.
    #[schema(value_type = String, example = "16:00")]
    pub end: NaiveTime,
}

/// An agent's shifts (the body of `PUT /api/v1/agents/{id}/shifts`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// The weekly shifts, in any order; stored sorted by day and start.
    pub shifts: Vec<Shift>,
}

/// The minute of the week (Monday 00:00 = 0) of `day` at `time`.
fn week_minute(day: Weekday, time: NaiveTime) -> u32 {
    day.num_days_from_monday() * 24 * 60 + time.hour() * 60 + time.minute()
}

impl Shift {
    /// Its span in minutes of the week: the start and the length (one
    /// minute at least; an overnight shift goes past Sunday's midnight
    /// into Monday).
    fn span(&self) -> (u32, u32) {
        let start = week_minute(self.day, self.start);
        let (from, to) = (self.start.hour() * 60 + self.start.minute(), self.end.hour() * 60 + self.end.minute());
        let length = if to > from { to - from } else { to + 24 * 60 - from };
        (start, length)
    }

    /// Whether the shift covers the local instant `at`.
    pub fn covers(&self, at: NaiveDateTime) -> bool {
        let (start, length) = self.span();
        let minute = week_minute(at.weekday(), at.time());
        (minute + WEEK_MINUTES - start) % WEEK_MINUTES < length
    }
}

impl Roster {
    /// Whether any shift covers the local instant `at`.
    pub fn on_shift(&self, at: NaiveDateTime) -> bool {
        self.shifts.iter().any(|s| s.covers(at))
    }

    /// The shifts sorted by day (Monday first) and start.
    pub fn sorted(mut self) -> Roster {
        self.shifts.sort_by_key(|s| week_minute(s.day, s.start));
        self
    }
}

impl Validate for Roster {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        let shifts = join(path, "shifts");
        let empty = |s: &Shift| s.end.hour() == s.start.hour() && s.end.minute() == s.start.minute();
        if self.shifts.len() > MAX_SHIFTS {
            errors.push(shifts.clone(), format!("at most {MAX_SHIFTS} shifts a week"));
            return;
        }
        for (i, s) in self.shifts.iter().enumerate() {
            if empty(s) {
                errors.push(
                    join(&index(&shifts, i), "end"),
                    "must differ from start (an end before start runs overnight)",
                );
            }
        }
        for (i, s) in self.shifts.iter().enumerate().filter(|(_, s)| !empty(s)) {
            let (start, length) = s.span();
            let overlaps = self.shifts[..i].iter().find(|o| {
                if empty(o) {
                    return false;
                }
                let (other, other_length) = o.span();
                // Two spans on a circle of a week overlap when either starts inside the other.
                (start + WEEK_MINUTES - other) % WEEK_MINUTES < other_length
                    || (other + WEEK_MINUTES - start) % WEEK_MINUTES < length
            });
            if let Some(o) = overlaps {
                let at = |t: NaiveTime| t.format("%H:%M");
                errors.push(index(&shifts, i), format!("overlaps the shift {} {}–{}", o.day, at(o.start), at(o.end)));
            }
        }
    }
}
