//! Which rollup rows a query reads (`store::reports::layers`): the whole
//! hours or days of a range from the coarse table, its edges from the
//! fine one; and which zones keep a UTC hour inside one local hour.

use chrono::{DateTime, Utc};
use store::reports::layers::{Source, Step, whole_hour_offsets};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

const HOURS: Source = Source { fine: "f", coarse: Some(("c", Step::Hour)) };

#[test]
fn the_middle_is_the_whole_hours_inside_the_range() {
    let r = at("2026-03-02T09:15:00Z")..at("2026-03-02T12:30:00Z");
    assert_eq!(HOURS.middle(&r), Some(("c", at("2026-03-02T10:00:00Z")..at("2026-03-02T12:00:00Z"))));
    let exact = at("2026-03-02T09:00:00Z")..at("2026-03-02T12:00:00Z");
    assert_eq!(HOURS.middle(&exact), Some(("c", exact.clone())));
}

#[test]
fn a_range_holding_no_whole_hour_has_no_middle() {
    let r = at("2026-03-02T09:15:00Z")..at("2026-03-02T10:45:00Z");
    assert_eq!(HOURS.middle(&r), None);
    assert_eq!(Source::fine("f").middle(&(at("2026-03-01T00:00:00Z")..at("2026-03-09T00:00:00Z"))), None);
    let off = Source::layered("f", "c", Step::Day, false);
    assert_eq!(off.middle(&(at("2026-03-01T00:00:00Z")..at("2026-03-09T00:00:00Z"))), None);
}

#[test]
fn an_end_inside_a_quarter_counts_that_quarter_as_the_fine_table_does() {
    // The bucket 11:45 starts before 11:50, so the hour 11:00 is whole.
    let r = at("2026-03-02T10:00:00Z")..at("2026-03-02T11:50:00Z");
    assert_eq!(HOURS.middle(&r), Some(("c", at("2026-03-02T10:00:00Z")..at("2026-03-02T12:00:00Z"))));
    // A start inside a quarter does not count that quarter.
    let r = at("2026-03-02T10:05:00Z")..at("2026-03-02T12:00:00Z");
    assert_eq!(HOURS.middle(&r), Some(("c", at("2026-03-02T11:00:00Z")..at("2026-03-02T12:00:00Z"))));
}

#[test]
fn days_are_utc_days() {
    let days = Source::layered("f", "c", Step::Day, true);
    let r = at("2026-03-01T23:00:00Z")..at("2026-03-04T23:00:00Z");
    assert_eq!(days.middle(&r), Some(("c", at("2026-03-02T00:00:00Z")..at("2026-03-04T00:00:00Z"))));
}

#[test]
fn whole_hour_zones_are_told_from_the_others() {
    let march = at("2026-03-01T00:00:00Z")..at("2026-04-01T00:00:00Z");
    assert!(whole_hour_offsets("Europe/London", &march), "GMT and BST");
    assert!(whole_hour_offsets("UTC", &march));
    assert!(!whole_hour_offsets("Asia/Kolkata", &march), "+05:30");
    assert!(!whole_hour_offsets("Asia/Kathmandu", &march), "+05:45");
    assert!(!whole_hour_offsets("Not/AZone", &march));
    // Lord Howe Island moves by 30 minutes: +11 in its summer, +10:30 after 5 April 2026.
    assert!(whole_hour_offsets("Australia/Lord_Howe", &(at("2026-03-01T00:00:00Z")..at("2026-04-01T00:00:00Z"))));
    assert!(!whole_hour_offsets("Australia/Lord_Howe", &(at("2026-03-01T00:00:00Z")..at("2026-05-01T00:00:00Z"))));
}
