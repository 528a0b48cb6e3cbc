//! Any sequence of keys, prompt ends, timeouts and a hangup, on the demo flow
//! or on a random (unvalidated) flow, ends the run cleanly: no panic, one
//! `IvrEntered` first, one `IvrLeft` just before the one `Exit`, which is
//! last; `StopPlaying` only while a prompt plays.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use calls::ivr::{IvrAction, IvrRun, demo_flow};
use chrono::{DateTime, Utc};
use model::{BusinessHours, EventPayload, IvrFlow, IvrFlowId, IvrNode, QueueId, SkillId, SkillRequirement, VipTier};
use proptest::prelude::*;

/// The proptest config with a fixed seed, so failures reproduce.
fn fixed_seed() -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::default();
    if matches!(config.rng_seed, proptest::test_runner::RngSeed::Random) {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x5eed_0006);
    }
    config.cases = 512;
    config
}

/// What the simulated shell does next.
#[derive(Clone, Debug)]
enum Input {
    /// A key (DTMF or not).
    Key(char),
    /// The prompt playing ends (ignored by the shell when none plays).
    PromptEnd,
    /// A prompt end with none playing: a late report.
    StrayPromptEnd,
    /// The timer fires when due.
    Timeout,
    /// The shell wakes early.
    EarlyWake,
    /// Time passes.
    Wait(u16),
    /// The caller hangs up.
    Hangup,
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        4 => prop::sample::select(vec!['0', '1', '2', '3', '9', '*', '#', 'A', 'x']).prop_map(Input::Key),
        4 => Just(Input::PromptEnd),
        1 => Just(Input::StrayPromptEnd),
        3 => Just(Input::Timeout),
        1 => Just(Input::EarlyWake),
        2 => (0u16..120).prop_map(Input::Wait),
        1 => Just(Input::Hangup),
    ]
}

const NAMES: [&str; 7] = ["n0", "n1", "n2", "n3", "n4", "n5", "gone"];

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(NAMES.to_vec()).prop_map(str::to_owned)
}

fn prompt() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "welcome", "menu_main"]).prop_map(str::to_owned)
}

fn node() -> impl Strategy<Value = IvrNode> {
    let skill = SkillId::new();
    prop_oneof![
        (prompt(), name()).prop_map(|(prompt, next)| IvrNode::Play { prompt, next }),
        (prompt(), prop::collection::btree_map(prop::sample::select(vec!["1", "2", "#"]), name(), 0..3), 0u32..4)
            .prop_flat_map(|(prompt, choices, timeout_secs)| {
                (Just(prompt), Just(choices), Just(timeout_secs), 0u32..3, name())
            })
            .prop_map(|(prompt, choices, timeout_secs, retries, on_failure)| IvrNode::Menu {
                prompt,
                choices: choices.into_iter().map(|(d, n)| (d.to_owned(), n)).collect(),
                timeout_secs,
                retries,
                on_failure,
            }),
        (name(), name()).prop_map(|(open, closed)| IvrNode::BusinessHours {
            hours: BusinessHours::always_open(),
            open,
            closed
        }),
        (any::<i32>(), name()).prop_map(|(priority, next)| IvrNode::SetPriority { priority, next }),
        (1u8..10, name()).prop_map(move |(min_level, next)| IvrNode::SetSkills {
            skills: vec![SkillRequirement { skill_id: skill, min_level }],
            next
        }),
        (any::<u8>(), name()).prop_map(|(tier, next)| IvrNode::SetVip { vip_tier: VipTier(tier), next }),
        Just(IvrNode::Enqueue { queue_id: QueueId::new() }),
        Just(IvrNode::Voicemail { prompt: "voicemail".into(), max_secs: 60 }),
        Just(IvrNode::Callback { queue_id: QueueId::new() }),
        Just(IvrNode::Transfer { number: "+442079460001".into() }),
        prompt().prop_map(|prompt| IvrNode::Hangup { prompt }),
    ]
}

fn random_flow() -> impl Strategy<Value = IvrFlow> {
    (name(), prop::collection::vec(node(), 6)).prop_map(|(start, nodes)| IvrFlow {
        name: "random".into(),
        start,
        nodes: NAMES.iter().zip(nodes).map(|(n, node)| ((*n).to_owned(), node)).collect::<BTreeMap<_, _>>(),
    })
}

/// Runs `inputs` then a hangup as a shell would, and checks the actions.
fn check_run(flow: IvrFlow, wall: DateTime<Utc>, inputs: &[Input]) -> Result<(), TestCaseError> {
    let t0 = Instant::now();
    let mut now = t0;
    let wall_at = |now: Instant| wall + (now - t0);
    let mut run = IvrRun::start(IvrFlowId::new(), Arc::new(flow), now, wall);
    let mut all = Vec::new();
    let mut playing = false;
    let drain = |run: &mut IvrRun, all: &mut Vec<IvrAction>, playing: &mut bool| -> Result<(), TestCaseError> {
        while let Some(action) = run.poll_action() {
            match &action {
                IvrAction::Play { .. } => *playing = true,
                IvrAction::StopPlaying => {
                    prop_assert!(*playing, "StopPlaying with nothing playing: {all:?}");
                    *playing = false;
                }
                _ => {}
            }
            all.push(action);
        }
        Ok(())
    };
    drain(&mut run, &mut all, &mut playing)?;
    for input in inputs.iter().chain([&Input::Hangup]) {
        match input {
            Input::Key(key) => run.digit(*key, now),
            Input::PromptEnd if playing => {
                playing = false;
                run.prompt_finished(now);
            }
            Input::PromptEnd => {}
            Input::StrayPromptEnd if !playing => run.prompt_finished(now),
            Input::StrayPromptEnd => {}
            Input::Timeout => {
                if let Some(at) = run.poll_timeout() {
                    now = now.max(at);
                    run.handle_timeout(now, wall_at(now));
                }
            }
            Input::EarlyWake => run.handle_timeout(now, wall_at(now)),
            Input::Wait(secs) => now += Duration::from_secs(u64::from(*secs)),
            Input::Hangup => run.hangup(now),
        }
        drain(&mut run, &mut all, &mut playing)?;
    }
    let count = |f: fn(&IvrAction) -> bool| all.iter().filter(|a| f(a)).count();
    prop_assert!(matches!(all.first(), Some(IvrAction::Event(EventPayload::IvrEntered { .. }))), "{all:?}");
    prop_assert_eq!(count(|a| matches!(a, IvrAction::Event(EventPayload::IvrEntered { .. }))), 1);
    prop_assert_eq!(count(|a| matches!(a, IvrAction::Event(EventPayload::IvrLeft { .. }))), 1);
    prop_assert_eq!(count(|a| matches!(a, IvrAction::Exit(_))), 1);
    prop_assert!(matches!(all.last(), Some(IvrAction::Exit(_))), "{all:?}");
    prop_assert!(matches!(all.iter().rev().nth(1), Some(IvrAction::Event(EventPayload::IvrLeft { .. }))), "{all:?}");
    prop_assert!(run.is_ended());
    Ok(())
}

/// 2026 and 2027, so weekdays, weekends and the demo's holidays all occur.
fn wall() -> impl Strategy<Value = DateTime<Utc>> {
    (1_767_225_600i64..1_830_297_600).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default())
}

proptest! {
    #![proptest_config(fixed_seed())]

    #[test]
    fn any_inputs_on_the_demo_flow_end_in_one_exit_with_one_entry_and_one_left(
        wall in wall(),
        inputs in prop::collection::vec(input(), 0..40),
    ) {
        check_run(demo_flow(QueueId::new()), wall, &inputs)?;
    }

    #[test]
    fn any_inputs_on_a_random_flow_end_in_one_exit_with_one_entry_and_one_left(
        flow in random_flow(),
        wall in wall(),
        inputs in prop::collection::vec(input(), 0..60),
    ) {
        check_run(flow, wall, &inputs)?;
    }
}
