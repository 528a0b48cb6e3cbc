//! The demo tenant's IVR flow: business hours, a main menu, and an
//! after-hours menu offering voicemail or a callback.

use chrono::{NaiveDate, NaiveTime, Weekday};
use model::{BusinessHours, Holiday, IvrFlow, IvrNode, OpeningWindow, QueueId};

/// The demo flow's opening hours: Monday to Friday 08:00–18:00, Saturday
/// 09:00–13:00, London time, closed on the 2026/27 bank holidays.
pub fn demo_hours() -> BusinessHours {
    let time = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
    let mut weekly: Vec<OpeningWindow> = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
        .into_iter()
        .map(|day| OpeningWindow { day, open: time(8), close: time(18) })
        .collect();
    weekly.push(OpeningWindow { day: Weekday::Sat, open: time(9), close: time(13) });
    let holiday = |y, m, d, name: &str| Holiday {
        date: NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN),
        name: name.into(),
    };
    BusinessHours {
        time_zone: "Europe/London".into(),
        weekly,
        holidays: vec![
            holiday(2026, 12, 25, "Christmas Day"),
            holiday(2026, 12, 28, "Boxing Day (substitute)"),
            holiday(2027, 1, 1, "New Year's Day"),
        ],
    }
}

/// The demo flow into `queue_id`: welcome, then in [`demo_hours`] the main
/// menu (1 sales at priority 10, 2 support at priority 0; no choice goes to
/// support), and out of hours a menu of 1 voicemail or 2 callback (no
/// choice: the after-hours message and a hangup). Prompts are
/// `media::prompts` names where the demo set has one, text otherwise.
pub fn demo_flow(queue_id: QueueId) -> IvrFlow {
    let menu = |prompt: &str, choices: [(&str, &str); 2], retries, on_failure: &str| IvrNode::Menu {
        prompt: prompt.into(),
        choices: choices.into_iter().map(|(d, n)| (d.to_owned(), n.to_owned())).collect(),
        timeout_secs: 5,
        retries,
        on_failure: on_failure.into(),
    };
    let nodes = [
        ("welcome", IvrNode::Play { prompt: "welcome".into(), next: "hours".into() }),
        (
            "hours",
            IvrNode::BusinessHours { hours: demo_hours(), open: "main_menu".into(), closed: "after_hours".into() },
        ),
        ("main_menu", menu("menu_main", [("1", "sales"), ("2", "support")], 2, "support")),
        ("sales", IvrNode::SetPriority { priority: 10, next: "enqueue".into() }),
        ("support", IvrNode::SetPriority { priority: 0, next: "enqueue".into() }),
        ("enqueue", IvrNode::Enqueue { queue_id }),
        (
            "after_hours",
            menu(
                "We are closed now. To leave a message, press 1. To be called back when we open, press 2.",
                [("1", "voicemail"), ("2", "callback")],
                1,
                "closed",
            ),
        ),
        ("voicemail", IvrNode::Voicemail { prompt: "voicemail".into(), max_secs: 120 }),
        ("callback", IvrNode::Callback { queue_id }),
        ("closed", IvrNode::Hangup { prompt: "after_hours".into() }),
    ];
    IvrFlow {
        name: "Demo main line".into(),
        start: "welcome".into(),
        nodes: nodes.into_iter().map(|(name, node)| (name.to_owned(), node)).collect(),
    }
}
