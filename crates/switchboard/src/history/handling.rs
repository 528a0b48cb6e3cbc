//! What happens on a call once an agent has it, and what a caller does
//! next: talk and hold times, dispositions, survey scores, patience, and
//! when a caller calls again. Pure functions of the seeded generator.

use model::CallOutcome;

use super::agents::Traits;
use super::rng::Rng;
use super::rows::CallRow;

/// Mean patience in a queue of a regular caller, in ms.
pub const PATIENCE_MS: f64 = 75_000.0;
/// Mean patience of a VIP caller, in ms.
pub const VIP_PATIENCE_MS: f64 = 150_000.0;
/// The chance a caller still waiting at the callback threshold accepts one.
pub const CALLBACK_ACCEPT: f64 = 0.35;
/// The chance one callback attempt reaches the customer (three attempts).
pub const CALLBACK_REACH: f64 = 0.7;
/// The share of answered calls whose agent files a disposition.
pub const DISPOSITION_SHARE: f64 = 0.9;
/// The share of surveyed queues' answered calls that answer the survey.
pub const SURVEY_SHARE: f64 = 0.4;

/// A disposition code and whether it closes the caller's matter.
type Disposition = (&'static str, f64, bool);

const SALES: [Disposition; 4] =
    [("sale", 0.3, true), ("quote_sent", 0.25, true), ("not_interested", 0.2, true), ("follow_up", 0.25, false)];
const SUPPORT: [Disposition; 4] =
    [("resolved", 0.6, true), ("follow_up", 0.2, false), ("escalated", 0.1, false), ("billing_adjusted", 0.1, true)];
const OTHER: [Disposition; 2] = [("resolved", 0.7, true), ("follow_up", 0.3, false)];

fn dispositions(queue: &str) -> &'static [Disposition] {
    let name = queue.to_ascii_lowercase();
    if name.contains("sales") {
        &SALES
    } else if name.contains("support") || name.contains("service") {
        &SUPPORT
    } else {
        &OTHER
    }
}

/// The mean talk time of a queue, in ms, by what its name says it does.
pub fn mean_talk_ms(queue: &str) -> f64 {
    let name = queue.to_ascii_lowercase();
    if name.contains("sales") {
        240_000.0
    } else if name.contains("support") {
        330_000.0
    } else {
        280_000.0
    }
}

/// Talk and hold of one call (ms) by an agent with `traits`.
pub fn talk_and_hold(rng: &mut Rng, queue: &str, traits: &Traits) -> (i64, i64) {
    let talk = rng.lognormal(mean_talk_ms(queue) * traits.speed, 0.55).max(10_000.0) as i64;
    let hold = if rng.chance(traits.hold) { rng.lognormal(50_000.0, 0.7).max(5_000.0) as i64 } else { 0 };
    (talk, hold)
}

/// The disposition filed (if any) and whether the matter is resolved
/// (a call without one counts as resolved).
pub fn disposition(rng: &mut Rng, queue: &str) -> (Option<&'static str>, bool) {
    if !rng.chance(DISPOSITION_SHARE) {
        return (None, true);
    }
    let list = dispositions(queue);
    let weights: Vec<f64> = list.iter().map(|d| d.1).collect();
    let (code, _, resolved) = list[rng.weighted(&weights)];
    (Some(code), resolved)
}

/// A 1–5 survey score: lower after a long wait or an unresolved matter,
/// higher with a better agent.
pub fn survey_score(rng: &mut Rng, wait_ms: i64, resolved: bool, traits: &Traits) -> u8 {
    let wait_penalty = if wait_ms > 60_000 {
        0.8
    } else if wait_ms > 20_000 {
        0.3
    } else {
        0.0
    };
    let mean = 4.3 - wait_penalty - if resolved { 0.0 } else { 0.7 } + traits.quality;
    (mean + 0.9 * rng.normal()).round().clamp(1.0, 5.0) as u8
}

/// When (if at all) the caller of a finished call calls again: soon after
/// an unanswered call, within days after an unresolved one.
pub fn calls_again(rng: &mut Rng, row: &CallRow, resolved: bool) -> Option<i64> {
    const MIN: f64 = 60_000.0;
    let end = row.ended_at;
    let reached = row.answered_at.is_some();
    let (chance, delay) = match row.outcome {
        CallOutcome::Answered if !resolved => (0.6, 10.0 * MIN + rng.exp(36.0 * 60.0 * MIN)),
        CallOutcome::Answered => (0.03, rng.exp(5.0 * 24.0 * 60.0 * MIN)),
        CallOutcome::Callback if reached && !resolved => (0.6, 10.0 * MIN + rng.exp(36.0 * 60.0 * MIN)),
        CallOutcome::Callback if reached => (0.03, rng.exp(5.0 * 24.0 * 60.0 * MIN)),
        CallOutcome::Voicemail => (0.25, rng.exp(20.0 * 60.0 * MIN)),
        _ => (0.55, MIN + rng.exp(40.0 * MIN)),
    };
    rng.chance(chance).then(|| end + delay as i64)
}
