//! `call_arrived`'s after-hours flag: a flow's first business-hours check
//! before any key decides it, judged at the arrival's wall time.

use calls::ivr::closed_on_arrival;
use chrono::{DateTime, TimeZone, Utc};
use model::IvrFlow;

/// Monday 09:00-17:00 in London, a holiday on 2026-07-06 (a Monday).
fn hours() -> serde_json::Value {
    serde_json::json!({
        "time_zone": "Europe/London",
        "weekly": [{"day": "Mon", "open": "09:00:00", "close": "17:00:00"}],
        "holidays": [{"date": "2026-07-06", "name": "Test day"}]
    })
}

fn flow(nodes: serde_json::Value) -> IvrFlow {
    serde_json::from_value(serde_json::json!({"name": "t", "start": "a", "nodes": nodes})).expect("test flow parses")
}

/// Monday 2026-06-29 at `hour`:00 UTC (London is UTC+1 then).
fn monday(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 29, hour, 0, 0).unwrap()
}

fn prompt_then_hours() -> IvrFlow {
    flow(serde_json::json!({
        "a": {"type": "play", "prompt": "welcome", "next": "b"},
        "b": {"type": "set_priority", "priority": 3, "next": "c"},
        "c": {"type": "business_hours", "hours": hours(), "open": "q", "closed": "bye"},
        "q": {"type": "hangup", "prompt": ""},
        "bye": {"type": "hangup", "prompt": ""}
    }))
}

#[test]
fn a_flow_whose_first_check_is_closed_flags_the_arrival_after_hours() {
    let flow = prompt_then_hours();
    // 12:00 London on a Monday: open; 18:00 London: closed.
    assert!(!closed_on_arrival(&flow, monday(11)));
    assert!(closed_on_arrival(&flow, monday(17)));
    // Sunday, and the holiday (Monday 12:00 London): closed.
    assert!(closed_on_arrival(&flow, Utc.with_ymd_and_hms(2026, 6, 28, 11, 0, 0).unwrap()));
    assert!(closed_on_arrival(&flow, Utc.with_ymd_and_hms(2026, 7, 6, 11, 0, 0).unwrap()));
}

#[test]
fn a_check_behind_a_menu_or_a_loop_does_not_flag_the_arrival() {
    let menu_first = flow(serde_json::json!({
        "a": {"type": "menu", "prompt": "m", "choices": {"1": "c"}, "timeout_secs": 5, "retries": 0, "on_failure": "c"},
        "c": {"type": "business_hours", "hours": hours(), "open": "bye", "closed": "bye"},
        "bye": {"type": "hangup", "prompt": ""}
    }));
    assert!(!closed_on_arrival(&menu_first, monday(17)));
    let looping = flow(serde_json::json!({
        "a": {"type": "play", "prompt": "x", "next": "b"},
        "b": {"type": "play", "prompt": "y", "next": "a"}
    }));
    assert!(!closed_on_arrival(&looping, monday(17)));
    let missing = flow(serde_json::json!({"a": {"type": "play", "prompt": "x", "next": "nowhere"}}));
    assert!(!closed_on_arrival(&missing, monday(17)));
}
