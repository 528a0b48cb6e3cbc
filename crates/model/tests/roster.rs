//! An agent's weekly shifts: which local instants they cover (overnight
//! shifts run into the next day, Sunday's into Monday), and what
//! validation refuses, naming the field.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use model::{Roster, Shift, Validate};

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn shift(day: Weekday, start: (u32, u32), end: (u32, u32)) -> Shift {
    Shift { day, start: time(start.0, start.1), end: time(end.0, end.1) }
}

/// 2026-11-23 is a Monday.
fn at(day_of_month: u32, h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, day_of_month).unwrap().and_time(time(h, m))
}

#[test]
fn a_day_shift_covers_its_start_and_not_its_end() {
    let s = shift(Weekday::Mon, (8, 0), (16, 0));
    assert!(s.covers(at(23, 8, 0)));
    assert!(s.covers(at(23, 15, 59)));
    assert!(!s.covers(at(23, 16, 0)));
    assert!(!s.covers(at(23, 7, 59)));
    assert!(!s.covers(at(24, 9, 0)), "Tuesday is not Monday");
}

#[test]
fn an_overnight_shift_runs_into_the_next_day_and_sundays_into_monday() {
    let tuesday_night = shift(Weekday::Tue, (22, 0), (6, 0));
    assert!(tuesday_night.covers(at(24, 23, 30)));
    assert!(tuesday_night.covers(at(25, 5, 59)), "Wednesday morning");
    assert!(!tuesday_night.covers(at(25, 6, 0)));
    assert!(!tuesday_night.covers(at(24, 5, 0)), "not Tuesday morning");
    let sunday_night = shift(Weekday::Sun, (20, 0), (2, 0));
    assert!(sunday_night.covers(at(29, 21, 0)));
    assert!(sunday_night.covers(at(30, 1, 0)), "Monday after");
    assert!(sunday_night.covers(at(23, 1, 0)), "a Monday of any week");
    assert!(!sunday_night.covers(at(23, 2, 0)));
}

#[test]
fn a_roster_is_on_shift_when_any_shift_covers_and_sorts_monday_first() {
    let roster = Roster {
        shifts: vec![
            shift(Weekday::Wed, (9, 0), (13, 0)),
            shift(Weekday::Mon, (14, 0), (18, 0)),
            shift(Weekday::Mon, (8, 0), (12, 0)),
        ],
    };
    assert!(roster.on_shift(at(23, 15, 0)));
    assert!(roster.on_shift(at(25, 12, 59)));
    assert!(!roster.on_shift(at(23, 13, 0)), "the gap between Monday's shifts");
    let sorted = roster.sorted();
    let starts: Vec<_> = sorted.shifts.iter().map(|s| (s.day, s.start)).collect();
    assert_eq!(starts, [(Weekday::Mon, time(8, 0)), (Weekday::Mon, time(14, 0)), (Weekday::Wed, time(9, 0))]);
}

#[test]
fn validation_refuses_an_empty_shift_overlaps_and_too_many_naming_each() {
    let roster = Roster {
        shifts: vec![
            shift(Weekday::Mon, (8, 0), (16, 0)),
            shift(Weekday::Mon, (9, 0), (9, 0)),
            shift(Weekday::Mon, (15, 0), (18, 0)),
            shift(Weekday::Sun, (22, 0), (8, 30)),
            shift(Weekday::Tue, (8, 0), (16, 0)),
        ],
    };
    let errors = roster.validate().unwrap_err();
    let fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
    // [1] is empty; [2] overlaps [0] (15:00–16:00); [3] runs into Monday past 08:00.
    assert!(fields.contains(&"shifts[1].end"), "{fields:?}");
    assert!(fields.contains(&"shifts[2]"), "{fields:?}");
    assert!(fields.contains(&"shifts[3]"), "{fields:?}");
    assert!(!fields.contains(&"shifts[4]"), "Tuesday overlaps nothing: {fields:?}");
    assert!(!fields.contains(&"shifts[1]"), "an empty shift is named once: {fields:?}");
    let overlap = errors.errors.iter().find(|e| e.field == "shifts[2]").unwrap();
    assert!(overlap.reason.contains("Mon 08:00–16:00"), "the message names the other shift: {}", overlap.reason);

    let back_to_back =
        Roster { shifts: vec![shift(Weekday::Mon, (8, 0), (12, 0)), shift(Weekday::Mon, (12, 0), (16, 0))] };
    assert!(back_to_back.validate().is_ok(), "one shift may end where the next starts");

    let many = Roster { shifts: (0..29).map(|i| shift(Weekday::Mon, (0, i), (0, i + 1))).collect() };
    let errors = many.validate().unwrap_err();
    assert_eq!(errors.errors[0].field, "shifts");
}

#[test]
fn shifts_read_hh_mm_and_three_letter_days() {
    let roster: Roster = serde_json::from_str(r#"{"shifts":[{"day":"Tue","start":"22:00","end":"06:00"}]}"#).unwrap();
    assert_eq!(roster.shifts, [shift(Weekday::Tue, (22, 0), (6, 0))]);
    let written = serde_json::to_value(&roster).unwrap();
    assert_eq!(written["shifts"][0]["day"], "Tue");
    assert_eq!(written["shifts"][0]["start"], "22:00:00");
    let unknown = serde_json::from_str::<Roster>(r#"{"shifts":[{"day":"Tue","start":"22:00","end":"06:00","x":1}]}"#);
    assert!(unknown.is_err());
}
