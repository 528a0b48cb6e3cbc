//! The IVR interpreter walks a flow the way an operator expects: prompts,
//! barge-in, retries, type-ahead, business hours at the moment they are
//! reached, routing attributes gathered, one entry and one exit event.

use std::sync::Arc;
use std::time::{Duration, Instant};

use calls::ivr::{IvrAction, IvrError, IvrOutcome, IvrRun, MAX_VISITS_WITHOUT_KEY, Routing, demo_flow};
use chrono::{DateTime, TimeZone, Utc};
use model::{EventPayload, IvrExit, IvrFlow, IvrFlowId, QueueId, SkillId, SkillRequirement, Validate, VipTier};

const QUEUE: &str = "0190b6a6-5a3e-7f1e-9a57-1c2d3e4f5a6b";
const SKILL_A: &str = "0190b6a6-5a3e-7f1e-9a57-00000000000a";
const SKILL_B: &str = "0190b6a6-5a3e-7f1e-9a57-00000000000b";

fn flow(json: serde_json::Value) -> Arc<IvrFlow> {
    Arc::new(serde_json::from_value(json).expect("test flow parses"))
}

fn queue() -> QueueId {
    QUEUE.parse().unwrap()
}

fn skill(id: &str, min_level: u8) -> SkillRequirement {
    SkillRequirement { skill_id: id.parse::<SkillId>().unwrap(), min_level }
}

/// A Wednesday, 2026-07-01 12:00 UTC.
fn wednesday_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap()
}

/// A test clock: `at(s)` is the base instant plus `s` seconds.
struct Clock(Instant);

impl Clock {
    fn at(&self, secs: u64) -> Instant {
        self.0 + Duration::from_secs(secs)
    }
}

fn drain(run: &mut IvrRun) -> Vec<IvrAction> {
    std::iter::from_fn(|| run.poll_action()).collect()
}

fn play(prompt: &str) -> IvrAction {
    IvrAction::Play { prompt: prompt.into() }
}

fn choice(flow_id: IvrFlowId, node: &str, digits: &str) -> IvrAction {
    IvrAction::Event(EventPayload::IvrChoice { flow_id, node: node.into(), digits: digits.into() })
}

fn left(flow_id: IvrFlowId, node: &str, exit: IvrExit) -> IvrAction {
    IvrAction::Event(EventPayload::IvrLeft { flow_id, node: node.into(), exit })
}

fn entered(flow_id: IvrFlowId) -> IvrAction {
    IvrAction::Event(EventPayload::IvrEntered { flow_id })
}

fn bye() -> IvrOutcome {
    IvrOutcome::Hangup { prompt: "goodbye".into() }
}

/// welcome (play) → menu: 1 → sales (enqueue), 2 → bye; on failure → failed.
fn menu_flow(retries: u32) -> Arc<IvrFlow> {
    flow(serde_json::json!({
        "name": "menu", "start": "welcome",
        "nodes": {
            "welcome": {"type": "play", "prompt": "welcome", "next": "menu"},
            "menu": {"type": "menu", "prompt": "menu_main", "choices": {"1": "sales", "2": "bye"},
                     "timeout_secs": 5, "retries": retries, "on_failure": "failed"},
            "sales": {"type": "enqueue", "queue_id": QUEUE},
            "bye": {"type": "hangup", "prompt": "goodbye"},
            "failed": {"type": "hangup", "prompt": "invalid_choice"}
        }
    }))
}

/// Starts `flow` at `wall` and plays the welcome prompt to its end at 3 s.
fn at_menu(flow: Arc<IvrFlow>, clock: &Clock) -> (IvrRun, IvrFlowId) {
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, flow, clock.at(0), wednesday_noon());
    assert_eq!(drain(&mut run), [entered(id), play("welcome")]);
    run.prompt_finished(clock.at(3));
    assert_eq!(drain(&mut run), [play("menu_main")]);
    (run, id)
}

#[test]
fn play_then_enqueue_carries_the_priority_skills_and_vip_set_on_the_way() {
    let f = flow(serde_json::json!({
        "name": "routing", "start": "welcome",
        "nodes": {
            "welcome": {"type": "play", "prompt": "welcome", "next": "prio"},
            "prio": {"type": "set_priority", "priority": 5, "next": "skills1"},
            "skills1": {"type": "set_skills", "skills": [{"skill_id": SKILL_A, "min_level": 3}], "next": "vip2"},
            "vip2": {"type": "set_vip", "vip_tier": 2, "next": "skills2"},
            "skills2": {"type": "set_skills", "next": "vip1",
                        "skills": [{"skill_id": SKILL_A, "min_level": 7}, {"skill_id": SKILL_B, "min_level": 2}]},
            "vip1": {"type": "set_vip", "vip_tier": 1, "next": "queue"},
            "queue": {"type": "enqueue", "queue_id": QUEUE}
        }
    }));
    let clock = Clock(Instant::now());
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, f, clock.at(0), wednesday_noon());
    assert_eq!(drain(&mut run), [entered(id), play("welcome")]);
    run.prompt_finished(clock.at(2));
    let expected = IvrOutcome::Enqueue {
        queue_id: queue(),
        priority: 5,
        skills: vec![skill(SKILL_A, 7), skill(SKILL_B, 2)],
        vip_tier: VipTier(2),
    };
    assert_eq!(drain(&mut run), [left(id, "queue", IvrExit::Enqueued), IvrAction::Exit(expected)]);
    assert!(run.is_ended());
    assert_eq!(run.poll_timeout(), None);
}

#[test]
fn a_vip_tier_from_the_contact_is_never_lowered_by_the_flow() {
    let f = flow(serde_json::json!({
        "name": "vip", "start": "vip",
        "nodes": {
            "vip": {"type": "set_vip", "vip_tier": 1, "next": "queue"},
            "queue": {"type": "enqueue", "queue_id": QUEUE}
        }
    }));
    let routing = Routing { priority: 3, skills: Vec::new(), vip_tier: VipTier(3) };
    let mut run = IvrRun::start_with(IvrFlowId::new(), f, routing, Instant::now(), wednesday_noon());
    let exit = drain(&mut run).pop();
    let expected = IvrOutcome::Enqueue { queue_id: queue(), priority: 3, skills: Vec::new(), vip_tier: VipTier(3) };
    assert_eq!(exit, Some(IvrAction::Exit(expected)));
}

#[test]
fn a_key_during_the_menu_prompt_stops_it_and_takes_the_branch_at_once() {
    let clock = Clock(Instant::now());
    let (mut run, id) = at_menu(menu_flow(2), &clock);
    run.digit('2', clock.at(4));
    assert_eq!(
        drain(&mut run),
        [IvrAction::StopPlaying, choice(id, "menu", "2"), left(id, "bye", IvrExit::FlowHangup), IvrAction::Exit(bye())]
    );
    // The stopped prompt's end, reported late, changes nothing.
    run.prompt_finished(clock.at(5));
    assert_eq!(drain(&mut run), []);
}

#[test]
fn a_key_after_the_menu_prompt_is_taken_without_stopping_anything() {
    let clock = Clock(Instant::now());
    let (mut run, id) = at_menu(menu_flow(2), &clock);
    run.prompt_finished(clock.at(6));
    assert_eq!(run.poll_timeout(), Some(clock.at(11)));
    run.digit('1', clock.at(8));
    let actions = drain(&mut run);
    assert_eq!(actions.first(), Some(&choice(id, "menu", "1")));
    assert!(!actions.contains(&IvrAction::StopPlaying), "{actions:?}");
    assert!(matches!(actions.last(), Some(IvrAction::Exit(IvrOutcome::Enqueue { .. }))));
}

#[test]
fn menu_timeouts_replay_the_prompt_until_retries_run_out_then_go_to_on_failure() {
    let clock = Clock(Instant::now());
    let (mut run, id) = at_menu(menu_flow(2), &clock);
    let mut t = 3;
    for replay in 0..3 {
        t += 4; // the prompt lasts 4 s
        run.prompt_finished(clock.at(t));
        assert_eq!(run.poll_timeout(), Some(clock.at(t + 5)), "wait {replay}");
        // An early wake changes nothing.
        run.handle_timeout(clock.at(t + 4), wednesday_noon());
        assert_eq!(drain(&mut run), []);
        t += 5;
        run.handle_timeout(clock.at(t), wednesday_noon());
        let actions = drain(&mut run);
        if replay < 2 {
            assert_eq!(actions, [play("menu_main")], "replay {replay}");
        } else {
            let failed = IvrOutcome::Hangup { prompt: "invalid_choice".into() };
            assert_eq!(actions, [left(id, "failed", IvrExit::FlowHangup), IvrAction::Exit(failed)]);
        }
    }
}

#[test]
fn an_invalid_key_counts_as_a_try_like_a_timeout() {
    let clock = Clock(Instant::now());
    let (mut run, id) = at_menu(menu_flow(1), &clock);
    // During the prompt: it is stopped and the menu played again.
    run.digit('9', clock.at(4));
    assert_eq!(drain(&mut run), [IvrAction::StopPlaying, play("menu_main")]);
    run.prompt_finished(clock.at(8));
    // After the prompt: the second bad key uses up the one retry.
    run.digit('#', clock.at(9));
    let failed = IvrOutcome::Hangup { prompt: "invalid_choice".into() };
    assert_eq!(drain(&mut run), [left(id, "failed", IvrExit::FlowHangup), IvrAction::Exit(failed)]);
}

#[test]
fn characters_that_are_no_dtmf_key_are_ignored() {
    let clock = Clock(Instant::now());
    let (mut run, _) = at_menu(menu_flow(0), &clock);
    run.digit('x', clock.at(4));
    run.digit('\u{0}', clock.at(4));
    assert_eq!(drain(&mut run), []);
    assert_eq!(run.node(), Some("menu"));
}

#[test]
fn keys_typed_during_a_play_are_taken_by_the_next_menu_without_its_prompt() {
    let clock = Clock(Instant::now());
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, menu_flow(2), clock.at(0), wednesday_noon());
    assert_eq!(drain(&mut run), [entered(id), play("welcome")]);
    run.digit('1', clock.at(1));
    // The welcome goes on playing: no barge-in on a plain prompt.
    assert_eq!(drain(&mut run), []);
    run.prompt_finished(clock.at(3));
    let actions = drain(&mut run);
    assert_eq!(actions.first(), Some(&choice(id, "menu", "1")));
    assert!(!actions.contains(&play("menu_main")), "{actions:?}");
    assert!(matches!(actions.last(), Some(IvrAction::Exit(IvrOutcome::Enqueue { .. }))));
}

#[test]
fn type_ahead_keeps_at_most_four_keys_and_bad_ones_count_as_tries() {
    let clock = Clock(Instant::now());
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, menu_flow(10), clock.at(0), wednesday_noon());
    drain(&mut run);
    // Four bad keys are kept, the fifth and the good one after it dropped.
    for key in ['9', '8', '7', '6', '5', '1'] {
        run.digit(key, clock.at(1));
    }
    run.prompt_finished(clock.at(3));
    // Four tries used, the menu is played for the fifth.
    assert_eq!(drain(&mut run), [play("menu_main")]);
    assert_eq!(calls::ivr::TYPE_AHEAD_MAX, 4);
    run.digit('2', clock.at(4));
    assert_eq!(drain(&mut run)[..2], [IvrAction::StopPlaying, choice(id, "menu", "2")]);
}

#[test]
fn type_ahead_walks_through_two_menus() {
    let f = flow(serde_json::json!({
        "name": "two menus", "start": "welcome",
        "nodes": {
            "welcome": {"type": "play", "prompt": "welcome", "next": "first"},
            "first": {"type": "menu", "prompt": "first", "choices": {"1": "second"},
                      "timeout_secs": 5, "retries": 0, "on_failure": "bye"},
            "second": {"type": "menu", "prompt": "second", "choices": {"2": "sales"},
                       "timeout_secs": 5, "retries": 0, "on_failure": "bye"},
            "sales": {"type": "enqueue", "queue_id": QUEUE},
            "bye": {"type": "hangup"}
        }
    }));
    let clock = Clock(Instant::now());
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, f, clock.at(0), wednesday_noon());
    drain(&mut run);
    run.digit('1', clock.at(1));
    run.digit('2', clock.at(1));
    run.prompt_finished(clock.at(2));
    let actions = drain(&mut run);
    assert_eq!(
        actions[..3],
        [choice(id, "first", "1"), choice(id, "second", "2"), left(id, "sales", IvrExit::Enqueued)]
    );
}

/// hours (New York, Mon–Fri 09:00–17:00, closed 2026-11-26) → open / closed.
fn hours_flow() -> Arc<IvrFlow> {
    let weekdays: Vec<_> = ["Mon", "Tue", "Wed", "Thu", "Fri"]
        .iter()
        .map(|d| serde_json::json!({"day": d, "open": "09:00:00", "close": "17:00:00"}))
        .collect();
    flow(serde_json::json!({
        "name": "hours", "start": "welcome",
        "nodes": {
            "welcome": {"type": "play", "prompt": "welcome", "next": "hours"},
            "hours": {"type": "business_hours", "open": "open", "closed": "closed",
                      "hours": {"time_zone": "America/New_York", "weekly": weekdays,
                                "holidays": [{"date": "2026-11-26", "name": "Thanksgiving"}]}},
            "open": {"type": "enqueue", "queue_id": QUEUE},
            "closed": {"type": "hangup", "prompt": "after_hours"}
        }
    }))
}

/// The outcome of [`hours_flow`] for a call starting at `wall`, the welcome
/// lasting `welcome_secs`.
fn hours_outcome(wall: DateTime<Utc>, welcome_secs: u64) -> Option<IvrAction> {
    let clock = Clock(Instant::now());
    let mut run = IvrRun::start(IvrFlowId::new(), hours_flow(), clock.at(0), wall);
    drain(&mut run);
    run.prompt_finished(clock.at(welcome_secs));
    drain(&mut run).pop()
}

fn is_open(outcome: Option<IvrAction>) -> bool {
    match outcome {
        Some(IvrAction::Exit(IvrOutcome::Enqueue { .. })) => true,
        Some(IvrAction::Exit(IvrOutcome::Hangup { .. })) => false,
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn business_hours_follow_the_local_time_zone_weekends_and_holidays() {
    // Tuesday 2026-11-24 10:00 EST is 15:00 UTC: open.
    assert!(is_open(hours_outcome(Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap(), 2)));
    // 08:00 EST (13:00 UTC, past 09:00 in London or UTC): closed.
    assert!(!is_open(hours_outcome(Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0).unwrap(), 2)));
    // Sunday 2026-11-22 10:00 EST: closed.
    assert!(!is_open(hours_outcome(Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0).unwrap(), 2)));
    // Thanksgiving, Thursday 2026-11-26 10:00 EST: closed.
    assert!(!is_open(hours_outcome(Utc.with_ymd_and_hms(2026, 11, 26, 15, 0, 0).unwrap(), 2)));
}

#[test]
fn business_hours_are_judged_when_the_node_is_reached_not_when_the_call_starts() {
    // Tuesday 16:59:50 EST; the welcome lasts 20 s, so the check is at 17:00:10.
    let late = Utc.with_ymd_and_hms(2026, 11, 24, 21, 59, 50).unwrap();
    assert!(is_open(hours_outcome(late, 5)));
    assert!(!is_open(hours_outcome(late, 20)));
}

#[test]
fn the_wall_time_given_with_a_timeout_is_the_one_business_hours_use() {
    // menu (timeout 5 s, no retry) → on failure → hours.
    let f = flow(serde_json::json!({
        "name": "menu then hours", "start": "menu",
        "nodes": {
            "menu": {"type": "menu", "prompt": "menu_main", "choices": {"1": "hours"},
                     "timeout_secs": 5, "retries": 0, "on_failure": "hours"},
            "hours": {"type": "business_hours", "open": "open", "closed": "closed",
                      "hours": {"time_zone": "America/New_York",
                                "weekly": [{"day": "Tue", "open": "09:00:00", "close": "17:00:00"}]}},
            "open": {"type": "enqueue", "queue_id": QUEUE},
            "closed": {"type": "hangup"}
        }
    }));
    let clock = Clock(Instant::now());
    let tuesday_10 = Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap();
    let mut run = IvrRun::start(IvrFlowId::new(), f, clock.at(0), tuesday_10);
    drain(&mut run);
    run.prompt_finished(clock.at(3));
    // The shell's wall clock was set forward by a day meanwhile: it wins.
    run.handle_timeout(clock.at(8), tuesday_10 + chrono::Duration::days(1));
    assert_eq!(drain(&mut run).pop(), Some(IvrAction::Exit(IvrOutcome::Hangup { prompt: String::new() })));
}

fn start_demo(wall: DateTime<Utc>, clock: &Clock) -> (IvrRun, IvrFlowId) {
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, Arc::new(demo_flow(queue())), clock.at(0), wall);
    assert_eq!(drain(&mut run), [entered(id), play("welcome")]);
    run.prompt_finished(clock.at(2));
    (run, id)
}

/// Sunday 2026-11-22 11:00 in London: the demo is closed.
fn sunday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 11, 0, 0).unwrap()
}

#[test]
fn after_hours_the_demo_offers_voicemail_with_one() {
    let clock = Clock(Instant::now());
    let (mut run, id) = start_demo(sunday(), &clock);
    let menu = drain(&mut run);
    assert!(matches!(&menu[..], [IvrAction::Play { prompt }] if prompt.contains("press 1")), "{menu:?}");
    run.digit('1', clock.at(3));
    let voicemail = IvrOutcome::Voicemail { prompt: "voicemail".into(), max_secs: 120 };
    assert_eq!(
        drain(&mut run),
        [
            IvrAction::StopPlaying,
            choice(id, "after_hours", "1"),
            left(id, "voicemail", IvrExit::Voicemail),
            IvrAction::Exit(voicemail)
        ]
    );
}

#[test]
fn after_hours_the_demo_offers_a_callback_with_two() {
    let clock = Clock(Instant::now());
    let (mut run, id) = start_demo(sunday(), &clock);
    drain(&mut run);
    run.prompt_finished(clock.at(9));
    run.digit('2', clock.at(10));
    assert_eq!(
        drain(&mut run),
        [
            choice(id, "after_hours", "2"),
            left(id, "callback", IvrExit::Callback),
            IvrAction::Exit(IvrOutcome::Callback { queue_id: queue() })
        ]
    );
}

#[test]
fn in_hours_the_demo_sends_sales_to_the_queue_at_priority_ten() {
    let clock = Clock(Instant::now());
    // Monday 2026-11-23 10:00 GMT.
    let (mut run, _) = start_demo(Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap(), &clock);
    assert_eq!(drain(&mut run), [play("menu_main")]);
    run.digit('1', clock.at(3));
    let expected = IvrOutcome::Enqueue { queue_id: queue(), priority: 10, skills: Vec::new(), vip_tier: VipTier(0) };
    assert_eq!(drain(&mut run).pop(), Some(IvrAction::Exit(expected)));
}

#[test]
fn the_demo_flow_passes_model_validation_and_uses_demo_prompt_names() {
    let f = demo_flow(queue());
    assert_eq!(f.validate().map_err(|e| e.errors.into_iter().map(|e| e.field).collect::<Vec<_>>()), Ok(()));
    let names: Vec<String> = media::prompts::Prompt::FIXED.iter().map(|p| p.name()).collect();
    for node in f.nodes.values() {
        let prompt = match node {
            model::IvrNode::Play { prompt, .. }
            | model::IvrNode::Menu { prompt, .. }
            | model::IvrNode::Voicemail { prompt, .. }
            | model::IvrNode::Hangup { prompt } => prompt,
            _ => continue,
        };
        // A prompt is a demo file's name, or a sentence to speak.
        assert!(names.contains(prompt) || prompt.contains(' '), "{prompt:?} is neither");
    }
}

#[test]
fn a_caller_hanging_up_mid_menu_leaves_the_ivr_with_caller_hangup() {
    let clock = Clock(Instant::now());
    let (mut run, id) = at_menu(menu_flow(2), &clock);
    run.hangup(clock.at(4));
    assert_eq!(drain(&mut run), [left(id, "menu", IvrExit::CallerHangup), IvrAction::Exit(IvrOutcome::CallerHungUp)]);
    // Nothing after the exit.
    run.digit('1', clock.at(5));
    run.prompt_finished(clock.at(5));
    run.hangup(clock.at(6));
    assert_eq!(drain(&mut run), []);
    assert_eq!(run.node(), None);
}

#[test]
fn a_flow_playing_in_a_circle_without_keys_fails_as_a_loop() {
    let f = flow(serde_json::json!({
        "name": "circle", "start": "a",
        "nodes": {
            "a": {"type": "play", "prompt": "welcome", "next": "b"},
            "b": {"type": "play", "prompt": "hold", "next": "a"}
        }
    }));
    let clock = Clock(Instant::now());
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, f, clock.at(0), wednesday_noon());
    let mut plays = 0;
    let mut t = 0;
    let last = loop {
        let actions = drain(&mut run);
        plays += actions.iter().filter(|a| matches!(a, IvrAction::Play { .. })).count();
        if run.is_ended() {
            break actions;
        }
        t += 3;
        run.prompt_finished(clock.at(t));
    };
    assert_eq!(plays as u32, MAX_VISITS_WITHOUT_KEY);
    let reason = IvrError::Loop { node: "a".into(), visits: MAX_VISITS_WITHOUT_KEY };
    assert_eq!(last, [left(id, "a", IvrExit::Failed), IvrAction::Exit(IvrOutcome::Failed { reason })]);
}

#[test]
fn a_key_resets_the_loop_count() {
    let f = flow(serde_json::json!({
        "name": "circle", "start": "a",
        "nodes": {
            "a": {"type": "play", "prompt": "welcome", "next": "b"},
            "b": {"type": "play", "prompt": "hold", "next": "a"}
        }
    }));
    let clock = Clock(Instant::now());
    let mut run = IvrRun::start(IvrFlowId::new(), f, clock.at(0), wednesday_noon());
    for t in 1..=3 * u64::from(MAX_VISITS_WITHOUT_KEY) {
        run.digit('5', clock.at(t));
        run.prompt_finished(clock.at(t));
    }
    assert!(!run.is_ended());
}

#[test]
fn a_circle_of_set_nodes_fails_at_once() {
    let f = flow(serde_json::json!({
        "name": "spin", "start": "a",
        "nodes": {
            "a": {"type": "set_priority", "priority": 1, "next": "b"},
            "b": {"type": "set_vip", "vip_tier": 1, "next": "a"}
        }
    }));
    let mut run = IvrRun::start(IvrFlowId::new(), f, Instant::now(), wednesday_noon());
    let actions = drain(&mut run);
    assert!(
        matches!(actions.last(), Some(IvrAction::Exit(IvrOutcome::Failed { reason: IvrError::Loop { .. } }))),
        "{actions:?}"
    );
}

#[test]
fn a_node_missing_at_run_time_fails_naming_it() {
    let f = flow(serde_json::json!({
        "name": "broken", "start": "welcome",
        "nodes": {"welcome": {"type": "play", "prompt": "welcome", "next": "gone"}}
    }));
    let clock = Clock(Instant::now());
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, f, clock.at(0), wednesday_noon());
    drain(&mut run);
    run.prompt_finished(clock.at(1));
    let reason = IvrError::MissingNode { missing: "gone".into(), from: Some("welcome".into()) };
    assert_eq!(drain(&mut run), [left(id, "welcome", IvrExit::Failed), IvrAction::Exit(IvrOutcome::Failed { reason })]);
}

#[test]
fn a_missing_start_node_fails_at_start() {
    let f = flow(serde_json::json!({"name": "x", "start": "nope", "nodes": {}}));
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, f, Instant::now(), wednesday_noon());
    let reason = IvrError::MissingNode { missing: "nope".into(), from: None };
    assert_eq!(
        drain(&mut run),
        [entered(id), left(id, "nope", IvrExit::Failed), IvrAction::Exit(IvrOutcome::Failed { reason })]
    );
}

#[test]
fn a_caller_hanging_up_during_a_plain_prompt_leaves_from_that_node() {
    let clock = Clock(Instant::now());
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, menu_flow(2), clock.at(0), wednesday_noon());
    drain(&mut run);
    run.hangup(clock.at(1));
    assert_eq!(
        drain(&mut run),
        [left(id, "welcome", IvrExit::CallerHangup), IvrAction::Exit(IvrOutcome::CallerHungUp)]
    );
}

#[test]
fn a_transfer_node_leaves_as_transferred_with_its_number() {
    let f = flow(serde_json::json!({
        "name": "out", "start": "menu",
        "nodes": {
            "menu": {"type": "menu", "prompt": "menu_main", "choices": {"0": "operator"},
                     "timeout_secs": 5, "retries": 0, "on_failure": "operator"},
            "operator": {"type": "transfer", "number": "+442079460001"}
        }
    }));
    let clock = Clock(Instant::now());
    let id = IvrFlowId::new();
    let mut run = IvrRun::start(id, f, clock.at(0), wednesday_noon());
    drain(&mut run);
    run.digit('0', clock.at(1));
    assert_eq!(
        drain(&mut run)[2..],
        [
            left(id, "operator", IvrExit::Transferred),
            IvrAction::Exit(IvrOutcome::Transfer { number: "+442079460001".into() })
        ]
    );
}
