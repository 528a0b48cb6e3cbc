//! Fitting the weekly-seasonal model and forecasting with it.

use chrono::{DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

use super::{Adjustments, History, SLOTS_PER_DAY};
use crate::ReportError;

/// The longest forecast, in days.
pub const MAX_HORIZON_DAYS: u32 = 14;

const METHOD: &str = "weekly-seasonal: level (least-squares line over the weekly totals) × \
weekday-and-half-hour share of the week × adjustments (month start/end, campaigns)";

/// A fitted model.
#[derive(Clone, Debug, PartialEq)]
pub struct ForecastModel {
    /// The first day of the first complete week fitted.
    start: NaiveDate,
    /// The day after the history.
    next_day: NaiveDate,
    /// Weekly total at week 0 (`a`).
    intercept: f64,
    /// Change of the weekly total per week (`b`).
    slope: f64,
    /// `profile[weekday from Monday][slot]`: share of a week's calls.
    profile: [[f64; SLOTS_PER_DAY]; 7],
    adjustments: Adjustments,
}

/// One forecast half-hour.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForecastInterval {
    /// The local date.
    pub date: NaiveDate,
    /// The slot of the day (0–47).
    pub slot: u8,
    /// Its local wall-clock start.
    pub start_local: NaiveDateTime,
    /// The instant it starts (the earlier one in a repeated hour); none
    /// for a half-hour that a spring-forward change skips, whose forecast
    /// is 0.
    pub start: Option<DateTime<FixedOffset>>,
    /// The calls expected.
    pub calls: f64,
}

/// A forecast.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forecast {
    /// The model, in words.
    pub method: &'static str,
    /// The fitted weekly total at the forecast's first day.
    pub weekly_level: f64,
    /// The fitted change of the weekly total per week.
    pub weekly_trend: f64,
    /// Every half-hour, in time order.
    pub intervals: Vec<ForecastInterval>,
}

/// Fits the model to `history` with `adjustments`.
pub fn fit(history: &History, adjustments: &Adjustments) -> Result<ForecastModel, ReportError> {
    adjustments.validate()?;
    let weeks = history.days() / 7;
    let skip = history.days() - weeks * 7;
    let mut totals = vec![0.0; weeks];
    let mut sums = [[0.0; SLOTS_PER_DAY]; 7];
    for (w, total) in totals.iter_mut().enumerate() {
        for (d, day_sums) in sums.iter_mut().enumerate() {
            let i = skip + w * 7 + d;
            let f = adjustments.factor(history.date(i));
            for (sum, &y) in day_sums.iter_mut().zip(history.day(i)) {
                *total += y / f;
                *sum += y / f;
            }
        }
    }
    let (intercept, slope) = least_squares(&totals);
    let fitted: f64 = (0..weeks).map(|w| intercept + slope * w as f64).sum();
    let start = history.date(skip);
    // sums[d] is by position in the week; store by weekday.
    let mut profile = [[0.0; SLOTS_PER_DAY]; 7];
    for (d, row) in sums.iter().enumerate() {
        let wd = (start + Duration::days(d as i64)).weekday().num_days_from_monday() as usize;
        for (s, &v) in row.iter().enumerate() {
            profile[wd][s] = if fitted > 0.0 { v / fitted } else { 0.0 };
        }
    }
    Ok(ForecastModel {
        start,
        next_day: history.date(history.days()),
        intercept,
        slope,
        profile,
        adjustments: adjustments.clone(),
    })
}

/// The line `a + b·x` through `(0, y0), (1, y1), …` by least squares.
fn least_squares(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, &v) in y.iter().enumerate() {
        let dx = x as f64 - mean_x;
        sxy += dx * (v - mean_y);
        sxx += dx * dx;
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (mean_y - slope * mean_x, slope)
}

impl ForecastModel {
    /// The fitted weekly total around `date` (never below 0).
    fn level(&self, date: NaiveDate) -> f64 {
        let x = ((date - self.start).num_days() as f64 - 3.0) / 7.0;
        (self.intercept + self.slope * x).max(0.0)
    }

    /// The calls expected on `date` in `slot`.
    pub fn expected(&self, date: NaiveDate, slot: usize) -> f64 {
        let wd = date.weekday().num_days_from_monday() as usize;
        self.level(date) * self.profile[wd][slot] * self.adjustments.factor(date)
    }

    /// The day after the history.
    pub fn next_day(&self) -> NaiveDate {
        self.next_day
    }

    /// Every half-hour of `days` days from `first` in `tz`, unchecked.
    pub(crate) fn intervals(&self, first: NaiveDate, days: u32, tz: Tz) -> Vec<ForecastInterval> {
        let mut out = Vec::with_capacity(days as usize * SLOTS_PER_DAY);
        for d in 0..days {
            let date = first + Duration::days(i64::from(d));
            let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
            for slot in 0..SLOTS_PER_DAY {
                let wall = midnight + Duration::minutes(30 * slot as i64);
                let start = first_instant(wall, tz);
                out.push(ForecastInterval {
                    date,
                    slot: slot as u8,
                    start_local: wall,
                    start,
                    calls: if start.is_some() { self.expected(date, slot) } else { 0.0 },
                });
            }
        }
        out
    }

    /// The forecast for the `days` days (1–14) after the history, in the
    /// tenant's zone `tz`.
    pub fn forecast(&self, days: u32, tz: Tz) -> Result<Forecast, ReportError> {
        if !(1..=MAX_HORIZON_DAYS).contains(&days) {
            return Err(ReportError::InvalidHorizon(days));
        }
        Ok(Forecast {
            method: METHOD,
            weekly_level: self.level(self.next_day + Duration::days(3)),
            weekly_trend: self.slope,
            intervals: self.intervals(self.next_day, days, tz),
        })
    }
}

/// The first instant of the half-hour starting at `wall` in `tz`: its
/// start, or its second quarter if only that exists; none if neither does.
fn first_instant(wall: NaiveDateTime, tz: Tz) -> Option<DateTime<FixedOffset>> {
    [wall, wall + Duration::minutes(15)].iter().find_map(|w| match tz.from_local_datetime(w) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.fixed_offset()),
        LocalResult::None => None,
    })
}
