//! IVR against direct, and what callers did in the IVR: the figures of
//! the calls that went through an IVR beside those that went straight to
//! a queue, the menu choices per node and where callers left the IVR
//! (from `ivr_rollup` rows), and dispositions (from `disposition_rollup`).

use std::collections::BTreeMap;

use model::report::CallCounters;
use serde::Serialize;

use crate::ReportError;
use crate::ratio::{Ratio, mean_secs, percent};
use crate::service_level::{ServiceLevel, ServiceLevelSpec, service_level};

/// The headline figures of one path into the queues.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathFigures {
    /// Calls.
    pub offered: u64,
    /// Answered out of offered.
    pub answered_share: Ratio,
    /// Abandoned at any stage out of offered.
    pub abandoned: Ratio,
    /// Service level.
    pub service_level: ServiceLevel,
    /// Average speed of answer.
    pub asa_secs: Option<f64>,
}

/// Calls through an IVR beside calls straight to a queue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IvrVsDirect {
    /// Rollup rows with `via_ivr`.
    pub via_ivr: PathFigures,
    /// The others.
    pub direct: PathFigures,
}

fn figures(c: &CallCounters, spec: &ServiceLevelSpec) -> Result<PathFigures, ReportError> {
    Ok(PathFigures {
        offered: c.calls,
        answered_share: Ratio::new(c.answered, c.calls, "offered calls"),
        abandoned: Ratio::new(c.abandoned_ivr + c.abandoned_queue + c.abandoned_ringing, c.calls, "offered calls"),
        service_level: service_level(c, spec)?,
        asa_secs: mean_secs(c.wait_answered_ms, c.answered),
    })
}

/// The comparison of the sums `via_ivr` and `direct`.
pub fn ivr_vs_direct(
    via_ivr: &CallCounters,
    direct: &CallCounters,
    spec: &ServiceLevelSpec,
) -> Result<IvrVsDirect, ReportError> {
    Ok(IvrVsDirect { via_ivr: figures(via_ivr, spec)?, direct: figures(direct, spec)? })
}

/// A count with its share.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    /// What was counted (digits, an exit, a disposition).
    pub value: String,
    /// Calls.
    pub calls: u64,
    /// Share of the group's calls.
    pub percent: Option<f64>,
}

/// One IVR node's choices or exits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeShares {
    /// The node.
    pub node: String,
    /// Calls counted at it.
    pub calls: u64,
    /// By value, most calls first.
    pub values: Vec<Share>,
}

/// Choices and exits per IVR node.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IvrPaths {
    /// Menu choices ("node=digits") per node.
    pub choices: Vec<NodeShares>,
    /// Where callers left ("node=exit") per node.
    pub exits: Vec<NodeShares>,
}

fn shares(counts: BTreeMap<String, u64>) -> Vec<Share> {
    let total: u64 = counts.values().sum();
    let mut v: Vec<Share> =
        counts.into_iter().map(|(value, calls)| Share { value, calls, percent: percent(calls, total) }).collect();
    v.sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.value.cmp(&b.value)));
    v
}

fn nodes(map: BTreeMap<String, BTreeMap<String, u64>>) -> Vec<NodeShares> {
    map.into_iter()
        .map(|(node, values)| NodeShares { node, calls: values.values().sum(), values: shares(values) })
        .collect()
}

/// The IVR report of `ivr_rollup` rows `(kind, value, calls)`: kind
/// `choice` or `exit`, value `node=…` (a value without `=` is a node with
/// an empty value); other kinds are ignored.
pub fn ivr_paths<'a, I>(rows: I) -> IvrPaths
where
    I: IntoIterator<Item = (&'a str, &'a str, u64)>,
{
    let mut choices: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut exits: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (kind, value, calls) in rows {
        let map = match kind {
            "choice" => &mut choices,
            "exit" => &mut exits,
            _ => continue,
        };
        let (node, what) = value.split_once('=').unwrap_or((value, ""));
        *map.entry(node.to_string()).or_default().entry(what.to_string()).or_default() += calls;
    }
    IvrPaths { choices: nodes(choices), exits: nodes(exits) }
}

/// Dispositions `(disposition, calls)` added up, most calls first.
pub fn dispositions<'a, I>(rows: I) -> Vec<Share>
where
    I: IntoIterator<Item = (&'a str, u64)>,
{
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for (d, calls) in rows {
        *counts.entry(d.to_string()).or_default() += calls;
    }
    shares(counts)
}
