//! The forecast: validation, exact recovery of a clean weekly pattern,
//! the fitted trend, adjustments, and accuracy on a noisy generated
//! history (WAPE < 10 % for the next week) and in the backtest.

use chrono::{DateTime, Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use reports::ReportError;
use reports::forecast::{Adjustments, Campaign, History, MonthEdge, backtest, fit};
use reports::time::parse_zone;

const SLOTS: usize = 48;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The known weekday × half-hour pattern: Monday busiest, Sunday quiet,
/// open 07:00-20:00 with a midday peak of `base` calls.
fn pattern(day: NaiveDate, slot: usize, base: f64) -> f64 {
    const WEEKDAY: [f64; 7] = [1.0, 0.9, 0.95, 0.85, 0.8, 0.35, 0.15];
    if !(14..40).contains(&slot) {
        return 0.0;
    }
    let shape = 1.2 - (slot as f64 - 26.0).abs() / 16.0;
    base * WEEKDAY[day.weekday().num_days_from_monday() as usize] * shape
}

/// A small deterministic noise in [-0.06, 0.06] for the `i`-th interval.
fn noise(i: usize) -> f64 {
    let x = (i as u64).wrapping_mul(2_654_435_761) % 1000;
    (x as f64 / 999.0 - 0.5) * 0.12
}

/// `days` days from `first` of the pattern × (1 + 2 % per week) × noise,
/// rounded to whole calls; `offset` days into the series (for actuals).
fn generated(first: NaiveDate, offset: usize, days: usize) -> Vec<f64> {
    let mut v = Vec::with_capacity(days * SLOTS);
    for d in offset..offset + days {
        let day = first + Duration::days(d as i64);
        let trend = 1.0 + 0.02 * d as f64 / 7.0;
        for s in 0..SLOTS {
            let i = d * SLOTS + s;
            v.push((pattern(day, s, 30.0) * trend * (1.0 + noise(i))).round());
        }
    }
    v
}

fn wape(actual: &[f64], forecast: &[f64]) -> f64 {
    let err: f64 = actual.iter().zip(forecast).map(|(a, f)| (a - f).abs()).sum();
    100.0 * err / actual.iter().sum::<f64>()
}

#[test]
fn a_history_needs_four_weeks_of_whole_days() {
    let first = date(2026, 10, 5);
    let err = History::new(first, vec![1.0; 27 * SLOTS]).unwrap_err();
    assert_eq!(err, ReportError::HistoryTooShort { days: 27, min: 28 });
    assert_eq!(err.to_string(), "the history has 27 days; a forecast needs at least 28 (4 weeks)");
    assert_eq!(
        History::new(first, vec![1.0; 28 * SLOTS + 1]).unwrap_err(),
        ReportError::HistoryNotWholeDays(28 * SLOTS + 1)
    );
    let mut bad = vec![1.0; 28 * SLOTS];
    bad[5] = -1.0;
    assert!(matches!(History::new(first, bad), Err(ReportError::InvalidCount { index: 5, .. })));
}

#[test]
fn a_history_from_rollup_buckets_uses_local_half_hours() {
    // 28 Paris days from 2026-10-12, one call in every 15-minute bucket;
    // 2026-10-25 falls back at 03:00 CEST, so 02:00-03:00 happens twice.
    let tz = parse_zone("Europe/Paris").unwrap();
    let first = date(2026, 10, 12);
    let from = DateTime::parse_from_rfc3339("2026-10-11T20:00:00Z").unwrap().to_utc();
    let rows = (0..(30 * 96)).map(|i| (from + Duration::minutes(15 * i), 1));
    let h = History::from_buckets(first, 28, tz, rows).unwrap();
    assert_eq!(h.days(), 28);
    assert!(h.day(0).iter().all(|&c| c == 2.0), "two buckets a half-hour");
    let fall_back = h.day(13);
    assert_eq!(h.date(13), date(2026, 10, 25));
    assert_eq!(&fall_back[3..7], &[2.0, 4.0, 4.0, 2.0], "02:00-03:00 twice");
    assert_eq!(fall_back.iter().sum::<f64>(), 100.0, "25 hours");
    assert!(matches!(
        History::from_buckets(first, 27, tz, Vec::new()),
        Err(ReportError::HistoryTooShort { days: 27, .. })
    ));
}

#[test]
fn the_horizon_is_one_to_fourteen_days() {
    let h = History::new(date(2026, 10, 5), vec![1.0; 28 * SLOTS]).unwrap();
    let m = fit(&h, &Adjustments::default()).unwrap();
    assert_eq!(m.forecast(0, Tz::UTC).unwrap_err(), ReportError::InvalidHorizon(0));
    assert_eq!(m.forecast(15, Tz::UTC).unwrap_err(), ReportError::InvalidHorizon(15));
    assert_eq!(m.forecast(14, Tz::UTC).unwrap().intervals.len(), 14 * SLOTS);
}

#[test]
fn forecast_half_hours_carry_their_instant_and_a_skipped_one_is_zero() {
    let paris = parse_zone("Europe/Paris").unwrap();
    // Four flat weeks ending Saturday 2026-03-28: Sunday springs forward.
    let h = History::new(date(2026, 3, 1), vec![1.0; 28 * SLOTS]).unwrap();
    let f = fit(&h, &Adjustments::default()).unwrap().forecast(1, paris).unwrap();
    let at = |slot: usize| &f.intervals[slot];
    assert_eq!(at(3).start.unwrap().to_rfc3339(), "2026-03-29T01:30:00+01:00");
    assert_eq!((at(4).start, at(4).calls), (None, 0.0), "02:00 does not exist");
    assert_eq!((at(5).start, at(5).calls), (None, 0.0), "02:30 does not exist");
    assert_eq!(at(6).start.unwrap().to_rfc3339(), "2026-03-29T03:00:00+02:00");
    assert!((at(6).calls - 1.0).abs() < 1e-9);
    // Four weeks ending 2026-10-24: the repeated 02:00 starts at its first.
    let h = History::new(date(2026, 9, 27), vec![1.0; 28 * SLOTS]).unwrap();
    let f = fit(&h, &Adjustments::default()).unwrap().forecast(1, paris).unwrap();
    assert_eq!(f.intervals[4].start.unwrap().to_rfc3339(), "2026-10-25T02:00:00+02:00");
}

#[test]
fn a_clean_weekly_pattern_is_forecast_exactly() {
    // Starts on a Thursday: the profile is by weekday, not by position.
    let first = date(2026, 10, 8);
    let mut counts = Vec::new();
    for d in 0..35 {
        for s in 0..SLOTS {
            counts.push(pattern(first + Duration::days(d), s, 30.0));
        }
    }
    let m = fit(&History::new(first, counts).unwrap(), &Adjustments::default()).unwrap();
    let f = m.forecast(14, Tz::UTC).unwrap();
    assert_eq!(f.intervals[0].date, date(2026, 11, 12), "the day after the history");
    assert_eq!(f.intervals[1].start_local.to_string(), "2026-11-12 00:30:00");
    assert!(f.weekly_trend.abs() < 1e-9);
    for i in &f.intervals {
        let want = pattern(i.date, i.slot as usize, 30.0);
        assert!((i.calls - want).abs() < 1e-9, "{} slot {}: {} vs {want}", i.date, i.slot, i.calls);
    }
}

#[test]
fn the_trend_is_the_least_squares_line_over_weekly_totals() {
    // Week w is the pattern × (1 + 0.1 w): totals T0 (1 + 0.1 w), a line.
    let first = date(2026, 10, 5);
    let mut counts = Vec::new();
    let mut t0 = 0.0;
    for d in 0..42 {
        let day = first + Duration::days(d);
        for s in 0..SLOTS {
            let y = pattern(day, s, 30.0);
            if d < 7 {
                t0 += y;
            }
            counts.push(y * (1.0 + 0.1 * (d / 7) as f64));
        }
    }
    let m = fit(&History::new(first, counts).unwrap(), &Adjustments::default()).unwrap();
    let f = m.forecast(7, Tz::UTC).unwrap();
    assert!((f.weekly_trend - 0.1 * t0).abs() < 1e-6 * t0, "{} vs {}", f.weekly_trend, 0.1 * t0);
    // Each forecast day d (days 42..48 since the first) sits at week
    // x = (d - 3) / 7 of the line: pattern × (1 + 0.1 x).
    for i in &f.intervals {
        let d = (i.date - first).num_days() as f64;
        let want = pattern(i.date, i.slot as usize, 30.0) * (1.0 + 0.1 * (d - 3.0) / 7.0);
        assert!((i.calls - want).abs() < 1e-9, "{} slot {}: {} vs {want}", i.date, i.slot, i.calls);
    }
}

#[test]
fn adjustments_shape_history_and_forecast() {
    // 4 weeks from Monday 2026-10-26: the history already has the month
    // end (x1.5 on the last 2 days) and month start (x1.2 on the 1st).
    let adj = Adjustments {
        month_start: Some(MonthEdge { days: 1, multiplier: 1.2 }),
        month_end: Some(MonthEdge { days: 2, multiplier: 1.5 }),
        campaigns: vec![Campaign {
            name: "winter sale".into(),
            first: date(2026, 12, 3),
            last: date(2026, 12, 4),
            multiplier: 2.0,
        }],
    };
    adj.validate().unwrap();
    let first = date(2026, 10, 26);
    let mut counts = Vec::new();
    for d in 0..28 {
        let day = first + Duration::days(d);
        for s in 0..SLOTS {
            counts.push(pattern(day, s, 30.0) * adj.factor(day));
        }
    }
    let f = fit(&History::new(first, counts).unwrap(), &adj).unwrap().forecast(14, Tz::UTC).unwrap();
    let at = |d: NaiveDate| f.intervals.iter().find(|i| i.date == d && i.slot == 26).unwrap().calls;
    let plain = |d: NaiveDate| pattern(d, 26, 30.0);
    assert!((at(date(2026, 11, 27)) - plain(date(2026, 11, 27))).abs() < 1e-9, "no adjustment");
    assert!((at(date(2026, 11, 29)) - 1.5 * plain(date(2026, 11, 29))).abs() < 1e-9, "month end");
    assert!((at(date(2026, 11, 30)) - 1.5 * plain(date(2026, 11, 30))).abs() < 1e-9, "month end");
    assert!((at(date(2026, 12, 1)) - 1.2 * plain(date(2026, 12, 1))).abs() < 1e-9, "month start");
    assert!((at(date(2026, 12, 3)) - 2.0 * plain(date(2026, 12, 3))).abs() < 1e-9, "campaign");
    let bad = Adjustments {
        campaigns: vec![Campaign {
            name: "x".into(),
            first: date(2026, 12, 4),
            last: date(2026, 12, 3),
            multiplier: 2.0,
        }],
        ..Default::default()
    };
    assert!(matches!(bad.validate(), Err(ReportError::CampaignReversed { .. })));
    let zero = Adjustments { month_end: Some(MonthEdge { days: 2, multiplier: 0.0 }), ..Default::default() };
    assert!(matches!(zero.validate(), Err(ReportError::InvalidMultiplier { .. })));
}

#[test]
fn a_noisy_generated_history_forecasts_the_next_week_within_10_percent_wape() {
    let first = date(2026, 9, 7);
    let history = History::new(first, generated(first, 0, 8 * 7)).unwrap();
    let f = fit(&history, &Adjustments::default()).unwrap().forecast(7, Tz::UTC).unwrap();
    let actual = generated(first, 8 * 7, 7);
    let forecast: Vec<f64> = f.intervals.iter().map(|i| i.calls).collect();
    let w = wape(&actual, &forecast);
    assert!(w < 10.0, "WAPE {w:.2} %");
    assert!(f.weekly_trend > 0.0, "the growth is seen");
}

#[test]
fn the_backtest_reports_mape_and_wape_on_held_back_weeks() {
    let first = date(2026, 9, 7);
    let history = History::new(first, generated(first, 0, 8 * 7)).unwrap();
    let b = backtest(&history, &Adjustments::default(), 2, Tz::UTC).unwrap();
    assert_eq!(b.held_back_weeks, 2);
    assert_eq!(b.intervals, 14 * SLOTS);
    assert_eq!(b.intervals_with_calls, 14 * 26, "open 07:00-20:00");
    // Independently: fit on the first 6 weeks, compare with the last 2.
    let head = History::new(first, generated(first, 0, 6 * 7)).unwrap();
    let m = fit(&head, &Adjustments::default()).unwrap();
    let actual = generated(first, 6 * 7, 14);
    let mut f = Vec::new();
    for d in 0..14 {
        for s in 0..SLOTS {
            f.push(m.expected(date(2026, 10, 19) + Duration::days(d), s));
        }
    }
    let w = wape(&actual, &f);
    assert!((b.wape_pct.unwrap() - w).abs() < 1e-9, "{:?} vs {w}", b.wape_pct);
    assert!(w < 10.0, "WAPE {w:.2} %");
    let mape = b.mape_pct.unwrap();
    assert!(mape > 0.0 && mape < 15.0, "MAPE {mape:.2} %");
    let err = backtest(&history, &Adjustments::default(), 5, Tz::UTC).unwrap_err();
    assert_eq!(err, ReportError::BacktestTooLong { held_back: 5, left_days: 21, min: 28 });
    assert!(backtest(&history, &Adjustments::default(), 0, Tz::UTC).is_err());
}
