//! Configurable adjustments: month-start and month-end multipliers for the
//! first or last N days of a month, and campaign peaks over date ranges.
//! Adjustments multiply each other where they overlap.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ReportError;

/// A multiplier for the first (or last) `days` days of every month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthEdge {
    /// How many days at the edge of the month.
    pub days: u32,
    /// The multiplier (> 0).
    pub multiplier: f64,
}

/// A campaign: the calls from `first` to `last` (inclusive, local dates)
/// are multiplied by `multiplier`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// What it is called.
    pub name: String,
    /// Its first day.
    pub first: NaiveDate,
    /// Its last day.
    pub last: NaiveDate,
    /// The multiplier (> 0).
    pub multiplier: f64,
}

/// The adjustments of a forecast. They apply to the history too: a fit
/// divides each historical day by its multiplier, so a past campaign or
/// month end does not inflate the profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Adjustments {
    /// The first days of each month.
    pub month_start: Option<MonthEdge>,
    /// The last days of each month.
    pub month_end: Option<MonthEdge>,
    /// Campaign peaks.
    pub campaigns: Vec<Campaign>,
}

fn check(what: &'static str, value: f64) -> Result<(), ReportError> {
    if value.is_finite() && value > 0.0 { Ok(()) } else { Err(ReportError::InvalidMultiplier { what, value }) }
}

impl Adjustments {
    /// Checks every multiplier is positive and every campaign in order.
    pub fn validate(&self) -> Result<(), ReportError> {
        if let Some(e) = &self.month_start {
            check("the month-start", e.multiplier)?;
        }
        if let Some(e) = &self.month_end {
            check("the month-end", e.multiplier)?;
        }
        for c in &self.campaigns {
            check("a campaign", c.multiplier)?;
            if c.last < c.first {
                return Err(ReportError::CampaignReversed { name: c.name.clone() });
            }
        }
        Ok(())
    }

    /// The product of the multipliers that apply to `date`.
    pub fn factor(&self, date: NaiveDate) -> f64 {
        let mut f = 1.0;
        if let Some(e) = &self.month_start
            && date.day() <= e.days
        {
            f *= e.multiplier;
        }
        if let Some(e) = &self.month_end
            && days_to_month_end(date) < e.days
        {
            f *= e.multiplier;
        }
        for c in &self.campaigns {
            if c.first <= date && date <= c.last {
                f *= c.multiplier;
            }
        }
        f
    }
}

/// Days after `date` in its month (0 on the last day).
fn days_to_month_end(date: NaiveDate) -> u32 {
    let mut d = date;
    let mut n = 0;
    while (d + Duration::days(1)).month() == date.month() {
        d += Duration::days(1);
        n += 1;
    }
    n
}
