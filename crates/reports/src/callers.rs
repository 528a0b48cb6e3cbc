//! Caller-level figures, from CDR rows rather than rollups: first-attempt
//! reach (the share of distinct callers who reached an agent on their
//! first call of the day or of the range, and how many attempts the
//! others needed), repeat callers, and first-contact resolution (an
//! answered call with no further call from the same number within a
//! window).
//!
//! Calls without a caller number (anonymous) are left out and counted.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::ReportError;
use crate::ratio::Ratio;
use crate::time::ReportRange;

/// One call as the caller-level figures see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerCall {
    /// The caller's number; empty when withheld.
    pub caller: String,
    /// When the call arrived.
    pub arrived_at: DateTime<Utc>,
    /// Whether an agent answered it.
    pub reached_agent: bool,
}

/// Over which period a caller's "first attempt" is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReachPeriod {
    /// Each local day on its own: a caller on two days counts twice.
    Day,
    /// The whole range.
    Range,
}

/// Callers who reached an agent after a number of attempts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attempts {
    /// The call (1 = first) on which the caller first reached an agent.
    pub attempts: u32,
    /// How many callers (per period).
    pub callers: u64,
}

/// First-attempt reach and repeat callers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReachReport {
    /// The period a caller is counted in.
    pub period: ReachPeriod,
    /// Distinct callers (per period, for [`ReachPeriod::Day`]).
    pub callers: u64,
    /// Calls without a number, left out.
    pub anonymous_calls: u64,
    /// Callers whose first call reached an agent.
    pub reached_first_attempt: Ratio,
    /// Callers by the attempt that first reached an agent.
    pub attempts_to_reach: Vec<Attempts>,
    /// Callers who never reached an agent.
    pub never_reached: Ratio,
    /// Callers with more than one call.
    pub repeat_callers: Ratio,
}

/// First-contact resolution.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FcrReport {
    /// The window in days.
    pub window_days: u32,
    /// Answered calls in the range with no call from the same number in
    /// the window after them.
    pub resolved: Ratio,
}

/// The calls of each caller, in time order, and the anonymous count.
fn by_caller(calls: &[CallerCall]) -> (HashMap<&str, Vec<&CallerCall>>, u64) {
    let mut map: HashMap<&str, Vec<&CallerCall>> = HashMap::new();
    let mut anonymous = 0;
    for c in calls {
        if c.caller.is_empty() {
            anonymous += 1;
        } else {
            map.entry(c.caller.as_str()).or_default().push(c);
        }
    }
    for v in map.values_mut() {
        v.sort_by_key(|c| c.arrived_at);
    }
    (map, anonymous)
}

/// First-attempt reach of the calls in `range` (others are ignored), per
/// `period` in `tz`.
pub fn reach(calls: &[CallerCall], range: &ReportRange, tz: Tz, period: ReachPeriod) -> ReachReport {
    let in_range: Vec<CallerCall> = calls.iter().filter(|c| range.contains(c.arrived_at)).cloned().collect();
    let (map, anonymous_calls) = by_caller(&in_range);
    let mut groups: HashMap<(&str, Option<NaiveDate>), Vec<bool>> = HashMap::new();
    for (caller, list) in &map {
        for c in list {
            let day = match period {
                ReachPeriod::Day => Some(c.arrived_at.with_timezone(&tz).date_naive()),
                ReachPeriod::Range => None,
            };
            groups.entry((caller, day)).or_default().push(c.reached_agent);
        }
    }
    let callers = groups.len() as u64;
    let mut attempts: BTreeMap<u32, u64> = BTreeMap::new();
    let (mut never, mut repeat) = (0, 0);
    for reached in groups.values() {
        match reached.iter().position(|&r| r) {
            Some(i) => *attempts.entry(u32::try_from(i + 1).unwrap_or(u32::MAX)).or_default() += 1,
            None => never += 1,
        }
        if reached.len() > 1 {
            repeat += 1;
        }
    }
    let first = attempts.get(&1).copied().unwrap_or(0);
    ReachReport {
        period,
        callers,
        anonymous_calls,
        reached_first_attempt: Ratio::new(first, callers, "distinct callers"),
        attempts_to_reach: attempts.into_iter().map(|(attempts, callers)| Attempts { attempts, callers }).collect(),
        never_reached: Ratio::new(never, callers, "distinct callers"),
        repeat_callers: Ratio::new(repeat, callers, "distinct callers"),
    }
}

/// First-contact resolution of the answered calls in `range`, with a
/// window of `window_days` (1–90; 7 is usual). `calls` should run to
/// `range.end() + window` so that the last calls' repeats are seen.
pub fn first_contact_resolution(
    calls: &[CallerCall],
    range: &ReportRange,
    window_days: u32,
) -> Result<FcrReport, ReportError> {
    if !(1..=90).contains(&window_days) {
        return Err(ReportError::InvalidWindow(window_days));
    }
    let window = Duration::days(i64::from(window_days));
    let (map, _) = by_caller(calls);
    let (mut answered, mut resolved) = (0, 0);
    for list in map.values() {
        for (i, c) in list.iter().enumerate() {
            if !c.reached_agent || !range.contains(c.arrived_at) {
                continue;
            }
            answered += 1;
            // The list is in time order: the next call is the first repeat.
            let repeated = list.get(i + 1).is_some_and(|n| n.arrived_at <= c.arrived_at + window);
            if !repeated {
                resolved += 1;
            }
        }
    }
    Ok(FcrReport { window_days, resolved: Ratio::new(resolved, answered, "answered calls in the range") })
}
