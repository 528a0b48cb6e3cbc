//! A caller's way through a compiled IVR flow: prompts take their time,
//! menus get a key (earlier choices more often), no key or a bad one now
//! and then (the menu repeats, then its failure branch), a caller hanging
//! up in the flow now and then (more often once told the line is closed),
//! and business-hours checks judged at the moment the caller reaches them.
//! Pure.

use model::event::IvrExit;

use super::plan::{Flow, Node};
use super::rng::Rng;
use super::rows::IvrTrace;

/// The chance a caller hangs up during a prompt.
const HANGUP_IN_PROMPT: f64 = 0.01;
/// The chance a caller hangs up at a menu.
const HANGUP_IN_MENU: f64 = 0.04;
/// The chance a caller hangs up at a menu after hearing the line is closed.
const HANGUP_WHEN_CLOSED: f64 = 0.35;
/// The chance a menu gets no key or a bad one.
const NO_KEY: f64 = 0.06;
/// Steps after which a flow that has not ended counts as broken.
const MAX_STEPS: usize = 64;

/// How the caller left the flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leave {
    /// Into the queue of this index.
    Enqueue(usize),
    /// A callback in the queue of this index.
    Callback(usize),
    /// To voicemail.
    Voicemail,
    /// Transferred out.
    Transfer,
    /// The flow hung up.
    Hangup,
    /// The caller hung up.
    CallerHangup,
    /// The flow could not go on.
    Failed,
}

/// The result of a walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    /// How it ended.
    pub leave: Leave,
    /// When the caller left the flow (ms).
    pub left_at: i64,
    /// The highest VIP tier a node set (0 if none).
    pub tier: u8,
    /// The CDR's IVR columns.
    pub trace: IvrTrace,
}

/// Walks `flow` (index `index` of the plan) for a caller entering at `at`.
pub fn walk(flow: &Flow, index: usize, at: i64, rng: &mut Rng) -> Walk {
    let mut t = at;
    let mut node = flow.start;
    let mut choices = Vec::new();
    let mut tier = 0;
    let mut failures = 0;
    let mut closed = false;
    let finish = |leave: Leave, exit: IvrExit, node: usize, t: i64, tier: u8, choices: Vec<usize>| Walk {
        leave,
        left_at: t,
        tier,
        trace: IvrTrace { flow: index, choices, exit_node: node, exit },
    };
    for _ in 0..MAX_STEPS {
        match &flow.nodes[node] {
            Node::Play { next } => {
                let length = rng.range(5_000, 9_000);
                if rng.chance(HANGUP_IN_PROMPT) {
                    t += length / 2;
                    return finish(Leave::CallerHangup, IvrExit::CallerHangup, node, t, tier, choices);
                }
                t += length;
                node = *next;
            }
            Node::Menu { choices: options, timeout_secs, retries, on_failure } => {
                t += rng.range(4_000, 8_000);
                if rng.chance(if closed { HANGUP_WHEN_CLOSED } else { HANGUP_IN_MENU }) {
                    t += rng.range(500, 3_000);
                    return finish(Leave::CallerHangup, IvrExit::CallerHangup, node, t, tier, choices);
                }
                if options.is_empty() || rng.chance(NO_KEY) {
                    t += i64::from(*timeout_secs) * 1000;
                    failures += 1;
                    if failures > *retries {
                        failures = 0;
                        node = *on_failure;
                    }
                    continue;
                }
                let weights: Vec<f64> = (0..options.len()).map(|i| 1.0 / (1.0 + i as f64)).collect();
                let (label, target) = options[rng.weighted(&weights)];
                t += rng.range(800, 3_500);
                choices.push(label);
                failures = 0;
                node = target;
            }
            Node::Hours { hours, open, closed: shut } => {
                let wall = chrono::DateTime::from_timestamp_millis(t).unwrap_or_default();
                let is_open = hours.is_open(wall);
                closed |= !is_open;
                node = if is_open { *open } else { *shut };
            }
            Node::Pass { next } => node = *next,
            Node::SetVip { tier: set, next } => {
                tier = tier.max(*set);
                node = *next;
            }
            Node::Enqueue(q) => return finish(Leave::Enqueue(*q), IvrExit::Enqueued, node, t, tier, choices),
            Node::Callback(q) => return finish(Leave::Callback(*q), IvrExit::Callback, node, t, tier, choices),
            Node::Voicemail => return finish(Leave::Voicemail, IvrExit::Voicemail, node, t, tier, choices),
            Node::Transfer => return finish(Leave::Transfer, IvrExit::Transferred, node, t, tier, choices),
            Node::Hangup => {
                t += rng.range(2_000, 5_000);
                return finish(Leave::Hangup, IvrExit::FlowHangup, node, t, tier, choices);
            }
            Node::Broken => return finish(Leave::Failed, IvrExit::Failed, node, t, tier, choices),
        }
    }
    finish(Leave::Failed, IvrExit::Failed, node, t, tier, choices)
}
