//! Business hours follow the local time zone, the weekly schedule and holidays.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use model::{BusinessHours, Holiday, OpeningWindow, Validate};

fn london_weekdays() -> BusinessHours {
    let window = |day| OpeningWindow {
        day,
        open: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        close: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
    };
    BusinessHours {
        time_zone: "Europe/London".into(),
        weekly: [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri].map(window).to_vec(),
        holidays: vec![Holiday { date: NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(), name: "Christmas".into() }],
    }
}

#[test]
fn open_inside_a_window_in_local_summer_time() {
    // 2026-07-01 is a Wednesday; 08:30 UTC is 09:30 BST.
    assert!(london_weekdays().is_open(Utc.with_ymd_and_hms(2026, 7, 1, 8, 30, 0).unwrap()));
    // 16:30 UTC is 17:30 BST: closed.
    assert!(!london_weekdays().is_open(Utc.with_ymd_and_hms(2026, 7, 1, 16, 30, 0).unwrap()));
}

#[test]
fn closed_at_weekends_and_on_holidays() {
    // 2026-11-21 is a Saturday.
    assert!(!london_weekdays().is_open(Utc.with_ymd_and_hms(2026, 11, 21, 11, 0, 0).unwrap()));
    // Christmas 2026 is a Friday.
    assert!(!london_weekdays().is_open(Utc.with_ymd_and_hms(2026, 12, 25, 11, 0, 0).unwrap()));
    assert!(london_weekdays().is_open(Utc.with_ymd_and_hms(2026, 12, 24, 11, 0, 0).unwrap()));
}

#[test]
fn close_is_exclusive() {
    // 2026-11-23 is a Monday, GMT.
    assert!(!london_weekdays().is_open(Utc.with_ymd_and_hms(2026, 11, 23, 17, 0, 0).unwrap()));
    assert!(london_weekdays().is_open(Utc.with_ymd_and_hms(2026, 11, 23, 16, 59, 59).unwrap()));
}

#[test]
fn unknown_time_zone_and_inverted_window_are_named() {
    let mut hours = london_weekdays();
    hours.time_zone = "Mars/Olympus".into();
    hours.weekly[1].close = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
    let fields: Vec<_> = hours.validate().unwrap_err().errors.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["time_zone", "weekly[1].close"]);
}

#[test]
fn weekly_windows_parse_from_short_day_names_and_hh_mm() {
    let hours: BusinessHours = serde_json::from_str(
        r#"{"time_zone":"America/New_York","weekly":[{"day":"Sat","open":"10:00","close":"14:00"}]}"#,
    )
    .unwrap();
    assert_eq!(hours.weekly[0].day, Weekday::Sat);
    assert!(hours.validate().is_ok());
}
