//! ASA, wait percentiles by interpolation in the histogram, handling.

use model::report::CallCounters;
use reports::speed::{PERCENTILE_METHOD, percentile, speed};

use crate::close;

/// 20 answered: 4 within 5 s, 8 within 10, 12 within 15, 14 within 20,
/// 17 within 30, 18 within 45 and after; 2 waited over 300 s.
fn counters() -> CallCounters {
    let mut c = CallCounters {
        calls: 24,
        queued: 24,
        answered: 20,
        abandoned_queue: 4,
        wait_answered_ms: 600_000,
        wait_abandoned_ms: 160_000,
        ring_ms: 100_000,
        talk_ms: 2_400_000,
        hold_ms: 200_000,
        held_calls: 4,
        wrap_up_ms: 300_000,
        wrap_up_calls: 15,
        ..Default::default()
    };
    c.answered_within = [4, 8, 12, 14, 17, 18, 18, 18, 18, 18, 18];
    c
}

#[test]
fn asa_and_abandon_wait_are_means() {
    let s = speed(&counters());
    assert_eq!(s.asa_secs, Some(30.0), "600 s / 20");
    assert_eq!(s.avg_abandon_wait_secs, Some(40.0), "160 s / 4");
}

#[test]
fn percentiles_interpolate_inside_their_bin() {
    let s = speed(&counters());
    let p: Vec<(u8, Option<f64>, &str)> = s.wait_percentiles.iter().map(|p| (p.p, p.secs, p.text.as_str())).collect();
    // p50: rank 10 in (10, 15] holding calls 9..12: 10 + (10 - 8) / 4 × 5.
    assert_eq!(p[0], (50, Some(12.5), "12.5 s"));
    // p80: rank 16 in (20, 30] holding 15..17: 20 + (16 - 14) / 3 × 10.
    assert_eq!(p[1].0, 80);
    assert!(close(p[1].1.unwrap(), 20.0 + 20.0 / 3.0));
    assert_eq!(p[1].2, "26.7 s");
    // p90: rank 18, the last call of (30, 45].
    assert_eq!(p[2], (90, Some(45.0), "45.0 s"));
    // p95: rank 19 is beyond 300 s.
    assert_eq!(p[3], (95, None, "> 300 s"));
    assert_eq!(s.percentile_method, PERCENTILE_METHOD);
    assert!(PERCENTILE_METHOD.contains("linear interpolation"));
}

#[test]
fn a_percentile_in_the_first_bin_interpolates_from_zero() {
    let c = counters();
    // p10: rank 2 of the 4 in [0, 5]: 2 / 4 × 5.
    assert_eq!(percentile(&c.answered_within, 20, 10).secs, Some(2.5));
    // Empty first bins are skipped: all 3 calls in (10, 15].
    let within = [0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3];
    assert_eq!(percentile(&within, 3, 50).secs, Some(12.5), "10 + 1.5 / 3 × 5");
}

#[test]
fn handling_times_are_per_call() {
    let s = speed(&counters());
    assert_eq!(s.avg_ring_secs, Some(5.0));
    assert_eq!(s.avg_talk_secs, Some(120.0));
    assert_eq!(s.avg_hold_secs, Some(10.0), "200 s over 20 answered");
    assert_eq!(s.avg_hold_per_held_call_secs, Some(50.0), "200 s over 4 held");
    assert_eq!(s.avg_wrap_up_secs, Some(20.0), "300 s over 15 known");
    assert_eq!(s.avg_handle_secs, Some(150.0), "120 + 10 + 20");
}

#[test]
fn no_answered_calls_is_none() {
    let s = speed(&CallCounters::default());
    assert_eq!(s.asa_secs, None);
    assert_eq!(s.avg_handle_secs, None);
    assert!(s.wait_percentiles.iter().all(|p| p.secs.is_none() && p.text == "no answered calls"));
}
