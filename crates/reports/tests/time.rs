//! Report time: range and zone validation, grouping across DST changes and
//! odd offsets, local filters, grouped sums.

use chrono::{Duration, Weekday};
use chrono_tz::Tz;
use model::report::CallCounters;
use reports::ReportError;
use reports::time::{
    Grouping, LocalFilter, MAX_RANGE_DAYS, ReportRange, ReportTime, group_rows, group_start, parse_zone,
};

use crate::utc;

fn zone(name: &str) -> Tz {
    parse_zone(name).expect("zone")
}

fn start(bucket: &str, g: Grouping, tz: &str) -> String {
    group_start(utc(bucket), g, zone(tz)).expect("aligned").to_rfc3339()
}

#[test]
fn an_unknown_zone_is_refused_by_name() {
    let err = parse_zone("Mars/Olympus_Mons").unwrap_err();
    assert_eq!(err, ReportError::UnknownTimeZone("Mars/Olympus_Mons".into()));
    assert!(err.to_string().contains("\"Mars/Olympus_Mons\""));
    assert!(err.to_string().contains("IANA"));
}

#[test]
fn a_range_must_go_forward() {
    let t = utc("2026-12-02T00:00:00Z");
    let err = ReportRange::new(t, t - Duration::hours(1)).unwrap_err();
    assert!(matches!(err, ReportError::RangeNotIncreasing { .. }));
    assert_eq!(err.to_string(), "the range ends (2026-12-01T23:00:00Z) at or before its start (2026-12-02T00:00:00Z)");
    assert!(ReportRange::new(t, t).is_err(), "an empty range is refused");
}

#[test]
fn a_range_is_at_most_400_days() {
    let t = utc("2026-01-01T00:00:00Z");
    assert_eq!(MAX_RANGE_DAYS, 400);
    assert!(ReportRange::new(t, t + Duration::days(400)).is_ok());
    let err = ReportRange::new(t, t + Duration::days(400) + Duration::minutes(15)).unwrap_err();
    assert_eq!(err, ReportError::RangeTooLong { days: 401, max: 400 });
    let r = ReportRange::new(t, t + Duration::days(1)).unwrap();
    assert!(r.contains(t) && !r.contains(t + Duration::days(1)), "start in, end out");
}

#[test]
fn an_unaligned_bucket_is_an_error() {
    let err = group_start(utc("2026-12-02T10:07:00Z"), Grouping::Day, Tz::UTC).unwrap_err();
    assert!(matches!(err, ReportError::UnalignedBucket(_)));
}

#[test]
fn intervals_floor_local_time() {
    let paris = "Europe/Paris";
    assert_eq!(start("2026-12-02T10:45:00Z", Grouping::Minutes15, paris), "2026-12-02T11:45:00+01:00");
    assert_eq!(start("2026-12-02T10:45:00Z", Grouping::Minutes30, paris), "2026-12-02T11:30:00+01:00");
    assert_eq!(start("2026-12-02T10:45:00Z", Grouping::Minutes60, paris), "2026-12-02T11:00:00+01:00");
}

#[test]
fn a_half_hour_offset_zone_has_hours_on_its_local_hour() {
    // Kolkata is +05:30: 03:30Z is 09:00 local, 04:15Z is 09:45.
    let k = "Asia/Kolkata";
    assert_eq!(start("2026-12-02T03:30:00Z", Grouping::Minutes60, k), "2026-12-02T09:00:00+05:30");
    assert_eq!(start("2026-12-02T04:15:00Z", Grouping::Minutes60, k), "2026-12-02T09:00:00+05:30");
    assert_eq!(start("2026-12-02T04:30:00Z", Grouping::Minutes60, k), "2026-12-02T10:00:00+05:30");
    // 18:30Z is local midnight: the next local day.
    assert_eq!(start("2026-12-02T18:15:00Z", Grouping::Day, k), "2026-12-02T00:00:00+05:30");
    assert_eq!(start("2026-12-02T18:30:00Z", Grouping::Day, k), "2026-12-03T00:00:00+05:30");
}

#[test]
fn a_quarter_hour_offset_zone_has_half_hours_on_its_local_half_hour() {
    // Kathmandu is +05:45: 03:15Z is 09:00 local.
    let n = "Asia/Kathmandu";
    assert_eq!(start("2026-12-02T03:15:00Z", Grouping::Minutes60, n), "2026-12-02T09:00:00+05:45");
    assert_eq!(start("2026-12-02T03:45:00Z", Grouping::Minutes30, n), "2026-12-02T09:30:00+05:45");
    assert_eq!(start("2026-12-02T04:00:00Z", Grouping::Minutes30, n), "2026-12-02T09:30:00+05:45");
    assert_eq!(start("2026-12-02T04:15:00Z", Grouping::Minutes30, n), "2026-12-02T10:00:00+05:45");
}

#[test]
fn the_repeated_hour_of_a_fall_back_is_two_groups() {
    // Paris falls back on 2026-10-25 at 03:00 CEST (01:00Z) to 02:00 CET.
    let p = "Europe/Paris";
    assert_eq!(start("2026-10-25T00:15:00Z", Grouping::Minutes60, p), "2026-10-25T02:00:00+02:00");
    assert_eq!(start("2026-10-25T01:15:00Z", Grouping::Minutes60, p), "2026-10-25T02:00:00+01:00");
}

/// Buckets per local day in a UTC span, grouped by day.
fn buckets_per_day(from: &str, to: &str, tz: &str) -> Vec<(String, u64)> {
    let one = CallCounters { calls: 1, ..Default::default() };
    let (from, to) = (utc(from), utc(to));
    let mut rows = Vec::new();
    let mut t = from;
    while t < to {
        rows.push((t, &one));
        t += Duration::minutes(15);
    }
    let time = ReportTime {
        range: ReportRange::new(from, to).unwrap(),
        zone: zone(tz),
        grouping: Grouping::Day,
        filter: LocalFilter::default(),
    };
    group_rows(rows, &time).unwrap().into_iter().map(|g| (g.start.to_rfc3339(), g.value.calls)).collect()
}

#[test]
fn a_spring_forward_day_has_23_hours() {
    // Paris springs forward on 2026-03-29 at 02:00 CET (01:00Z).
    let days = buckets_per_day("2026-03-27T23:00:00Z", "2026-03-30T22:00:00Z", "Europe/Paris");
    assert_eq!(
        days,
        vec![
            ("2026-03-28T00:00:00+01:00".to_string(), 96),
            ("2026-03-29T00:00:00+01:00".to_string(), 92),
            ("2026-03-30T00:00:00+02:00".to_string(), 96),
        ]
    );
}

#[test]
fn a_fall_back_day_has_25_hours() {
    let days = buckets_per_day("2026-10-24T22:00:00Z", "2026-10-26T23:00:00Z", "Europe/Paris");
    assert_eq!(
        days,
        vec![("2026-10-25T00:00:00+02:00".to_string(), 100), ("2026-10-26T00:00:00+01:00".to_string(), 96),]
    );
}

#[test]
fn a_day_whose_midnight_is_skipped_starts_at_its_first_instant() {
    // Santiago springs forward at local midnight, 2026-09-06 00:00 -04 -> 01:00 -03.
    assert_eq!(start("2026-09-06T15:00:00Z", Grouping::Day, "America/Santiago"), "2026-09-06T01:00:00-03:00");
}

#[test]
fn weeks_start_on_monday_and_months_on_the_first_locally() {
    let p = "Europe/Paris";
    // Wednesday 2026-12-02.
    assert_eq!(start("2026-12-02T10:00:00Z", Grouping::Week, p), "2026-11-30T00:00:00+01:00");
    assert_eq!(start("2026-12-02T10:00:00Z", Grouping::Month, p), "2026-12-01T00:00:00+01:00");
    // Sunday 2026-11-29 23:30 local is still the week of Monday 23rd.
    assert_eq!(start("2026-11-29T22:30:00Z", Grouping::Week, p), "2026-11-23T00:00:00+01:00");
    // 2026-11-30T23:00Z is already December 1st in Paris.
    assert_eq!(start("2026-11-30T23:00:00Z", Grouping::Month, p), "2026-12-01T00:00:00+01:00");
    // A week across the spring change starts at its Monday's own offset.
    assert_eq!(start("2026-04-01T10:00:00Z", Grouping::Week, p), "2026-03-30T00:00:00+02:00");
    assert_eq!(start("2026-03-29T10:00:00Z", Grouping::Week, p), "2026-03-23T00:00:00+01:00");
}

#[test]
fn filters_use_the_local_weekday_and_hour() {
    let k = zone("Asia/Kolkata");
    // 2026-12-01T18:30Z is Wednesday 00:00 in Kolkata (Tuesday in UTC).
    let b = utc("2026-12-01T18:30:00Z");
    assert!(LocalFilter::new(vec![Weekday::Wed], vec![]).unwrap().keeps(b, k));
    assert!(!LocalFilter::new(vec![Weekday::Tue], vec![]).unwrap().keeps(b, k));
    assert!(LocalFilter::new(vec![], vec![0]).unwrap().keeps(b, k));
    assert!(!LocalFilter::new(vec![], vec![18]).unwrap().keeps(b, k));
    assert!(LocalFilter::default().keeps(b, k), "no filter keeps all");
    assert_eq!(LocalFilter::new(vec![], vec![24]).unwrap_err(), ReportError::InvalidHour(24));
}

#[test]
fn grouped_rows_keep_the_range_and_filter_and_sum() {
    let c = |calls| CallCounters { calls, ..Default::default() };
    let (a, b, x, y) = (c(1), c(2), c(4), c(8));
    let rows = vec![
        (utc("2026-12-02T09:00:00Z"), &a), // Paris 10:00
        (utc("2026-12-02T09:45:00Z"), &b), // 10:45
        (utc("2026-12-02T10:00:00Z"), &x), // 11:00: filtered out by hour
        (utc("2026-12-03T09:00:00Z"), &y), // out of range
    ];
    let time = ReportTime {
        range: ReportRange::new(utc("2026-12-02T00:00:00Z"), utc("2026-12-03T00:00:00Z")).unwrap(),
        zone: zone("Europe/Paris"),
        grouping: Grouping::Minutes60,
        filter: LocalFilter::new(vec![], vec![10]).unwrap(),
    };
    let groups = group_rows(rows, &time).unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].start.to_rfc3339(), "2026-12-02T10:00:00+01:00");
    assert_eq!(groups[0].value.calls, 3);
    let json = serde_json::to_value(groups[0].start).unwrap();
    assert_eq!(json, "2026-12-02T10:00:00+01:00", "JSON carries the offset");
}
