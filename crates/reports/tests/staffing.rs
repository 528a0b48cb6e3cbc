//! Staffing: the smallest N meeting the target, checked against an Erlang
//! C written here from the textbook sum (not the acd crate's), then
//! grossed up for shrinkage.

use chrono::NaiveDate;
use chrono_tz::Tz;
use reports::ReportError;
use reports::forecast::{Adjustments, History, fit};
use reports::staffing::{StaffingSpec, agents_needed, staffing, with_shrinkage};

/// Erlang C by its definition: `A^N/N! · N/(N−A)` over
/// `Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)`.
fn erlang_c(n: u32, a: f64) -> f64 {
    let mut term = 1.0; // A^k / k!
    let mut sum = 0.0;
    for k in 0..n {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let top = term * f64::from(n) / (f64::from(n) - a);
    top / (sum + top)
}

/// The smallest N with `1 − C·e^{−(N−A)T/AHT} ≥ target`.
fn textbook_agents(calls: f64, aht: f64, t: f64, target: f64) -> u32 {
    let a = calls * aht / 1800.0;
    let mut n = 1;
    loop {
        if f64::from(n) > a {
            let sl = 1.0 - erlang_c(n, a) * (-(f64::from(n) - a) * t / aht).exp();
            if sl >= target {
                return n;
            }
        }
        n += 1;
    }
}

fn spec(aht: f64, shrinkage: f64) -> StaffingSpec {
    StaffingSpec { target_pct: 80.0, threshold_secs: 20, aht_secs: aht, shrinkage_pct: shrinkage }
}

#[test]
fn agents_needed_equal_an_independent_erlang_c() {
    for aht in [120.0, 180.0, 300.0] {
        for calls in [1.0, 5.0, 17.0, 42.0, 100.0, 150.0, 333.0] {
            let (n, sl) = agents_needed(calls, &spec(aht, 0.0)).unwrap();
            assert_eq!(n, textbook_agents(calls, aht, 20.0, 0.8), "{calls} calls, AHT {aht}");
            assert!(sl >= 0.8);
        }
    }
    // The textbook case: 10 erlangs at 80/20 and AHT 180 s needs 14.
    assert_eq!(agents_needed(100.0, &spec(180.0, 0.0)).unwrap().0, 14);
}

#[test]
fn shrinkage_grosses_up_and_rounds_up() {
    assert_eq!(with_shrinkage(14, 30.0), 20, "14 / 0.7 = 20 exactly, not 21");
    assert_eq!(with_shrinkage(14, 25.0), 19, "18.67 rounds up");
    assert_eq!(with_shrinkage(0, 30.0), 0);
    assert_eq!(with_shrinkage(7, 0.0), 7);
}

#[test]
fn no_calls_need_no_agents() {
    assert_eq!(agents_needed(0.0, &spec(180.0, 0.0)).unwrap().0, 0);
}

#[test]
fn invalid_objectives_are_refused() {
    let mut s = spec(180.0, 0.0);
    s.target_pct = 100.0;
    assert!(matches!(agents_needed(10.0, &s), Err(ReportError::PercentOutOfRange { .. })));
    assert!(matches!(
        agents_needed(10.0, &spec(180.0, 100.0)),
        Err(ReportError::PercentOutOfRange { what: "shrinkage", .. })
    ));
    assert_eq!(agents_needed(10.0, &spec(0.0, 0.0)).unwrap_err(), ReportError::InvalidHandleTime(0.0));
}

#[test]
fn staffing_a_forecast_uses_each_intervals_calls() {
    let counts: Vec<f64> = (0..28 * 48).map(|i| ((i % 48) * 3) as f64).collect();
    let h = History::new(NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(), counts).unwrap();
    let f = fit(&h, &Adjustments::default()).unwrap().forecast(1, Tz::UTC).unwrap();
    let s = staffing(&f, &spec(240.0, 35.0)).unwrap();
    assert_eq!(s.intervals.len(), 48);
    for (i, st) in s.intervals.iter().enumerate() {
        let calls = f.intervals[i].calls;
        assert!((calls - (i * 3) as f64).abs() < 1e-9);
        let n = if calls == 0.0 { 0 } else { textbook_agents(calls, 240.0, 20.0, 0.8) };
        assert_eq!(st.agents, n, "slot {i}");
        assert_eq!(st.scheduled, (f64::from(n) / 0.65 - 1e-9).ceil() as u32);
        assert!((st.traffic_erlangs - calls * 240.0 / 1800.0).abs() < 1e-9);
    }
}

#[test]
fn the_roster_counts_the_agents_on_shift_at_each_intervals_local_start() {
    use chrono::{Datelike, NaiveTime, Timelike};
    let h = History::new(NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(), vec![2.0; 28 * 48]).unwrap();
    let f = fit(&h, &Adjustments::default()).unwrap().forecast(2, Tz::UTC).unwrap();
    let mut s = staffing(&f, &spec(240.0, 35.0)).unwrap();
    let day = f.intervals[0].date.weekday();
    let at = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let early = model::Roster { shifts: vec![model::Shift { day, start: at(8), end: at(16) }] };
    let late = model::Roster { shifts: vec![model::Shift { day, start: at(12), end: at(2) }] };
    s.count_rostered(&[early, late], Tz::UTC);
    let rostered = |date_offset: usize, hour: u32| {
        let i = date_offset * 48 + hour as usize * 2;
        assert_eq!(s.intervals[i].start_local.time().hour(), hour);
        s.intervals[i].rostered
    };
    assert_eq!(rostered(0, 7), 0);
    assert_eq!(rostered(0, 8), 1);
    assert_eq!(rostered(0, 12), 2, "both on shift");
    assert_eq!(rostered(0, 16), 1, "the early shift's end is exclusive");
    assert_eq!(rostered(1, 1), 1, "the late shift runs past midnight");
    assert_eq!(rostered(1, 2), 0);
    assert_eq!(rostered(1, 12), 0, "the next weekday has no shift");
}
