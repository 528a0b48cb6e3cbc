//! How many calls arrive when: a weekday × time-of-day profile (local
//! time), a linear trend, month-start and month-end peaks, campaign days,
//! and quiet public holidays. Pure; every factor is a constant here so the
//! forecast tests know the pattern they should find.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Calls on each weekday relative to the weekly mean (Monday first; the
/// seven average to 1).
pub const WEEKDAY_FACTOR: [f64; 7] = [1.40, 1.25, 1.15, 1.15, 1.05, 0.60, 0.40];

/// Growth of the volume per year (linear from the first generated day).
pub const TREND_PER_YEAR: f64 = 0.10;

/// The first two days of a month carry this much more.
pub const MONTH_START_FACTOR: f64 = 1.25;

/// The last day of a month carries this much more.
pub const MONTH_END_FACTOR: f64 = 1.15;

/// A campaign day carries this much more.
pub const CAMPAIGN_FACTOR: f64 = 1.6;

/// A public holiday of the tenant's business hours carries this share.
pub const HOLIDAY_FACTOR: f64 = 0.3;

/// One campaign day in every block of this many days.
pub const CAMPAIGN_EVERY_DAYS: i64 = 30;

/// Relative calls per local hour, Monday to Friday: night trickle, a
/// morning peak at 10–11, a lunch dip, a second peak at 14–15.
const WEEKDAY_HOURS: [f64; 24] = [
    0.05, 0.03, 0.02, 0.02, 0.02, 0.04, 0.10, 0.35, 0.80, 1.15, 1.30, 1.25, 0.95, 0.90, 1.10, 1.05, 0.90, 0.70, 0.40,
    0.25, 0.18, 0.14, 0.10, 0.07,
];

/// Relative calls per local hour at weekends: a late, flat morning.
const WEEKEND_HOURS: [f64; 24] = [
    0.05, 0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.15, 0.45, 0.85, 1.05, 1.05, 0.90, 0.75, 0.60, 0.55, 0.50, 0.45, 0.35,
    0.30, 0.25, 0.18, 0.12, 0.08,
];

/// The volume model over a generated range.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Mean calls per day over an ordinary week at the first day.
    pub calls_per_day: f64,
    /// The first generated day (the trend starts there).
    pub first: NaiveDate,
    /// The campaign days in the range.
    pub campaigns: Vec<NaiveDate>,
}

impl Profile {
    /// The profile of `days` days from `first`; the campaign days are drawn
    /// from `seed` (one per [`CAMPAIGN_EVERY_DAYS`], a Tuesday to Thursday).
    pub fn new(calls_per_day: f64, first: NaiveDate, days: i64, seed: u64) -> Profile {
        let mut rng = super::rng::Rng::derive(seed, 0xCA3F);
        let mut campaigns = Vec::new();
        let mut block = 0;
        while block * CAMPAIGN_EVERY_DAYS < days {
            let span = (days - block * CAMPAIGN_EVERY_DAYS).min(CAMPAIGN_EVERY_DAYS);
            let start = first + Duration::days(block * CAMPAIGN_EVERY_DAYS);
            let candidates: Vec<NaiveDate> = (0..span)
                .map(|d| start + Duration::days(d))
                .filter(|d| matches!(d.weekday(), Weekday::Tue | Weekday::Wed | Weekday::Thu))
                .collect();
            if span >= 7 && !candidates.is_empty() {
                campaigns.push(candidates[rng.below(candidates.len() as u64) as usize]);
            }
            block += 1;
        }
        Profile { calls_per_day, first, campaigns }
    }

    /// The expected calls of `date`, all factors applied; `holiday` when
    /// the business hours close that day for a holiday.
    pub fn day_volume(&self, date: NaiveDate, holiday: bool) -> f64 {
        let weekday = WEEKDAY_FACTOR[date.weekday().num_days_from_monday() as usize];
        let years = (date - self.first).num_days() as f64 / 365.0;
        let trend = 1.0 + TREND_PER_YEAR * years;
        let last = date.succ_opt().is_none_or(|next| next.month() != date.month());
        let peak = if date.day() <= 2 {
            MONTH_START_FACTOR
        } else if last {
            MONTH_END_FACTOR
        } else {
            1.0
        };
        let campaign = if self.campaigns.contains(&date) { CAMPAIGN_FACTOR } else { 1.0 };
        let holiday = if holiday { HOLIDAY_FACTOR } else { 1.0 };
        self.calls_per_day * weekday * trend * peak * campaign * holiday
    }
}

/// The share of a day's calls arriving in each 15 minutes of local time
/// (96 slots, summing to 1).
pub fn slot_shares(weekday: Weekday) -> [f64; 96] {
    let hours = if matches!(weekday, Weekday::Sat | Weekday::Sun) { &WEEKEND_HOURS } else { &WEEKDAY_HOURS };
    let total: f64 = hours.iter().sum::<f64>() * 4.0;
    std::array::from_fn(|slot| hours[slot / 4] / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weekday_factors_average_to_one_and_shares_sum_to_one() {
        assert!((WEEKDAY_FACTOR.iter().sum::<f64>() / 7.0 - 1.0).abs() < 1e-9);
        for day in [Weekday::Mon, Weekday::Sat] {
            assert!((slot_shares(day).iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        let shares = slot_shares(Weekday::Wed);
        assert!(shares[40] > 20.0 * shares[12], "10:00 is far busier than 03:00");
    }

    #[test]
    fn volume_carries_weekday_trend_month_peaks_and_campaigns() {
        // Wednesday 2026-03-11, no peak: 1000 × 1.15 × (1 + 0.10 × 69/365).
        let p = Profile { calls_per_day: 1000.0, first: date(2026, 1, 1), campaigns: vec![date(2026, 3, 12)] };
        let expected = 1000.0 * 1.15 * (1.0 + 0.10 * 69.0 / 365.0);
        assert!((p.day_volume(date(2026, 3, 11), false) - expected).abs() < 1e-6);
        // Thursday 12th is the campaign: ×1.6 on Thursday's 1.15.
        let thursday = 1000.0 * 1.15 * (1.0 + 0.10 * 70.0 / 365.0);
        assert!((p.day_volume(date(2026, 3, 12), false) - thursday * 1.6).abs() < 1e-6);
        // Monday 2 March: month start; Tuesday 31 March: month end.
        let monday = 1000.0 * 1.40 * (1.0 + 0.10 * 60.0 / 365.0) * 1.25;
        assert!((p.day_volume(date(2026, 3, 2), false) - monday).abs() < 1e-6);
        let tuesday = 1000.0 * 1.25 * (1.0 + 0.10 * 89.0 / 365.0) * 1.15;
        assert!((p.day_volume(date(2026, 3, 31), false) - tuesday).abs() < 1e-6);
        assert!((p.day_volume(date(2026, 3, 11), true) - expected * 0.3).abs() < 1e-6);
    }

    #[test]
    fn one_campaign_day_per_thirty_days_midweek() {
        let p = Profile::new(100.0, date(2026, 1, 1), 90, 7);
        assert_eq!(p.campaigns.len(), 3);
        assert!(p.campaigns.iter().all(|d| matches!(d.weekday(), Weekday::Tue | Weekday::Wed | Weekday::Thu)));
        assert_eq!(p.campaigns, Profile::new(100.0, date(2026, 1, 1), 90, 7).campaigns);
        assert!(Profile::new(100.0, date(2026, 1, 1), 5, 7).campaigns.is_empty());
    }
}
