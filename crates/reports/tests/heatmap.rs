//! The weekday × hour heatmap in local time.

use model::report::CallCounters;
use reports::heatmap::heatmap;
use reports::service_level::ServiceLevelSpec;
use reports::time::{ReportRange, parse_zone};

use crate::{close, utc};

fn calls(calls: u64, answered: u64, within_20: u64, abandoned_queue: u64) -> CallCounters {
    let mut c = CallCounters { calls, queued: calls, answered, abandoned_queue, ..Default::default() };
    c.answered_within[3] = within_20;
    c
}

#[test]
fn cells_sum_buckets_by_local_weekday_and_hour() {
    let a = calls(10, 8, 6, 2);
    let b = calls(5, 5, 5, 0);
    let c = calls(3, 2, 1, 1);
    let d = calls(7, 7, 7, 0);
    let rows = vec![
        (utc("2026-11-30T08:15:00Z"), &a), // Monday 09:15 in Paris
        (utc("2026-11-30T08:45:00Z"), &b), // Monday 09:45
        (utc("2026-12-06T22:30:00Z"), &c), // Sunday 23:30
        (utc("2026-12-07T08:15:00Z"), &d), // after the range
    ];
    let range = ReportRange::new(utc("2026-11-29T23:00:00Z"), utc("2026-12-06T23:00:00Z")).unwrap();
    let tz = parse_zone("Europe/Paris").unwrap();
    let h = heatmap(rows, &range, tz, &ServiceLevelSpec::default()).unwrap();
    assert_eq!(h.cells.len(), 168);
    let mon9 = &h.cells[9];
    assert_eq!((mon9.weekday.as_str(), mon9.hour), ("Mon", 9));
    assert_eq!(mon9.offered, 15);
    // (6 + 5) / (8 + 2 + 5)
    assert_eq!((mon9.sl_numerator, mon9.sl_denominator), (11, 15));
    assert!(close(mon9.service_level_pct.unwrap(), 1100.0 / 15.0));
    let sun23 = &h.cells[6 * 24 + 23];
    assert_eq!((sun23.weekday.as_str(), sun23.hour, sun23.offered), ("Sun", 23, 3));
    assert!(close(sun23.service_level_pct.unwrap(), 100.0 / 3.0));
    let offered: u64 = h.cells.iter().map(|c| c.offered).sum();
    assert_eq!(offered, 18, "the row after the range is left out");
    assert_eq!(h.cells[0].service_level_pct, None, "an empty cell has none");
}
