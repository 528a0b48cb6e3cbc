//! First-attempt reach, repeat callers and first-contact resolution on a
//! hand-made set of calls.

use reports::ReportError;
use reports::callers::{CallerCall, ReachPeriod, first_contact_resolution, reach};
use reports::time::{ReportRange, parse_zone};

use crate::{close, utc};

fn call(caller: &str, at: &str, reached: bool) -> CallerCall {
    CallerCall { caller: caller.into(), arrived_at: utc(at), reached_agent: reached }
}

/// Two days, 2026-12-01 and 02 (UTC):
/// A misses, reaches 10 min later, calls again (reached) in the afternoon;
/// B reaches at once; C tries three times and never gets through;
/// D reaches at 23:30 on day 1 and again on day 2, then calls (unanswered)
/// on day 5, after the range; one anonymous call.
fn calls() -> Vec<CallerCall> {
    vec![
        call("+331", "2026-12-01T09:00:00Z", false),
        call("+331", "2026-12-01T09:10:00Z", true),
        call("+331", "2026-12-01T15:00:00Z", true),
        call("+332", "2026-12-01T10:00:00Z", true),
        call("+333", "2026-12-01T11:00:00Z", false),
        call("+333", "2026-12-01T11:05:00Z", false),
        call("+333", "2026-12-01T11:20:00Z", false),
        call("+334", "2026-12-02T08:00:00Z", true),
        call("+334", "2026-12-01T23:30:00Z", true),
        call("+334", "2026-12-05T08:00:00Z", false),
        call("", "2026-12-01T12:00:00Z", false),
    ]
}

fn range() -> ReportRange {
    ReportRange::new(utc("2026-12-01T00:00:00Z"), utc("2026-12-03T00:00:00Z")).unwrap()
}

#[test]
fn first_attempt_reach_over_the_range() {
    let r = reach(&calls(), &range(), chrono_tz::Tz::UTC, ReachPeriod::Range);
    assert_eq!((r.callers, r.anonymous_calls), (4, 1));
    // B and D got through on their first call.
    assert_eq!(r.reached_first_attempt.numerator, 2);
    assert_eq!(r.reached_first_attempt.percent, Some(50.0));
    let attempts: Vec<(u32, u64)> = r.attempts_to_reach.iter().map(|a| (a.attempts, a.callers)).collect();
    assert_eq!(attempts, vec![(1, 2), (2, 1)], "A needed two");
    assert_eq!(r.never_reached.numerator, 1, "C");
    // A, C and D called more than once (D's day-5 call is outside).
    assert_eq!(r.repeat_callers.numerator, 3);
}

#[test]
fn first_attempt_reach_per_local_day() {
    let r = reach(&calls(), &range(), chrono_tz::Tz::UTC, ReachPeriod::Day);
    // A, B, C, D on day 1 and D on day 2.
    assert_eq!(r.callers, 5);
    assert_eq!(r.reached_first_attempt.numerator, 3, "B, D twice");
    assert_eq!(r.repeat_callers.numerator, 2, "A and C");
    // In Paris D's 23:30Z call is 00:30 on day 2: one caller-day for D.
    let paris = parse_zone("Europe/Paris").unwrap();
    let r = reach(&calls(), &range(), paris, ReachPeriod::Day);
    assert_eq!(r.callers, 4);
    assert_eq!(r.repeat_callers.numerator, 3, "A, C and D");
    assert!(close(r.reached_first_attempt.percent.unwrap(), 50.0));
}

#[test]
fn first_contact_resolution_looks_at_the_window_after_each_answered_call() {
    let f = first_contact_resolution(&calls(), &range(), 7).unwrap();
    // Answered in range: A 09:10 (A calls again at 15:00), A 15:00, B,
    // D day 1 (calls on day 2), D day 2 (calls on day 5): A 15:00 and B.
    assert_eq!((f.resolved.numerator, f.resolved.denominator), (2, 5));
    assert_eq!(f.resolved.percent, Some(40.0));
    // With 1 day, D's day-5 call is too late to be a repeat.
    let f = first_contact_resolution(&calls(), &range(), 1).unwrap();
    assert_eq!(f.resolved.numerator, 3);
    assert_eq!(first_contact_resolution(&calls(), &range(), 0).unwrap_err(), ReportError::InvalidWindow(0));
}
