//! Service level: the share of calls answered within a threshold, under
//! one of the usual treatments of abandoned calls, stated as a formula.
//!
//! Only calls abandoned in a queue or while ringing an agent can count
//! against the service level; a caller who left the IVR never waited for
//! an agent.

use model::report::{CallCounters, WAIT_EDGES_SECS, wait_edge_index};
use serde::{Deserialize, Serialize};

use crate::ReportError;
use crate::ratio::percent;

/// What abandoned calls do to the service level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AbandonTreatment {
    /// Abandons count as calls not answered in time:
    /// `answered within T / (answered + abandoned in queue + abandoned ringing)`.
    Counted,
    /// Abandons leave the calculation: `answered within T / answered`.
    Excluded,
    /// Abandons after at most `within_secs` (one of the wait edges) leave
    /// the denominator; the others count as in [`AbandonTreatment::Counted`].
    ShortExcluded {
        /// The short-abandon limit in seconds.
        within_secs: u32,
    },
}

/// A service-level objective: answer `target_pct` % within `threshold_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceLevelSpec {
    /// The answer threshold in seconds; one of [`WAIT_EDGES_SECS`].
    pub threshold_secs: u32,
    /// The target share in percent.
    pub target_pct: f64,
    /// How abandoned calls are treated.
    pub treatment: AbandonTreatment,
}

impl Default for ServiceLevelSpec {
    /// 80/20 with abandons counted.
    fn default() -> Self {
        ServiceLevelSpec { threshold_secs: 20, target_pct: 80.0, treatment: AbandonTreatment::Counted }
    }
}

/// A service-level figure with the formula and the counts it used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceLevel {
    /// The threshold in seconds.
    pub threshold_secs: u32,
    /// The target in percent.
    pub target_pct: f64,
    /// The treatment of abandons.
    pub treatment: AbandonTreatment,
    /// The formula, in words.
    pub formula: String,
    /// Calls answered within the threshold.
    pub numerator: u64,
    /// The calls they are counted out of.
    pub denominator: u64,
    /// `100 × numerator / denominator`; `None` when nothing was counted.
    pub percent: Option<f64>,
    /// Whether the target was met; `None` when nothing was counted.
    pub target_met: Option<bool>,
}

/// The indices of the threshold and short-abandon limit in the edges.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Edges {
    threshold: usize,
    short: Option<usize>,
}

impl ServiceLevelSpec {
    /// Checks the threshold and limit are wait edges and the target is
    /// within 0–100 %.
    pub(crate) fn edges(&self) -> Result<Edges, ReportError> {
        let threshold = wait_edge_index(self.threshold_secs).ok_or(ReportError::NotAWaitEdge {
            what: "the service-level threshold",
            secs: self.threshold_secs,
            edges: WAIT_EDGES_SECS,
        })?;
        let short = match self.treatment {
            AbandonTreatment::ShortExcluded { within_secs } => {
                Some(wait_edge_index(within_secs).ok_or(ReportError::NotAWaitEdge {
                    what: "the short-abandon limit",
                    secs: within_secs,
                    edges: WAIT_EDGES_SECS,
                })?)
            }
            _ => None,
        };
        if !(0.0..=100.0).contains(&self.target_pct) {
            return Err(ReportError::PercentOutOfRange {
                what: "the service-level target",
                value: self.target_pct,
                min: 0.0,
                max: 100.0,
            });
        }
        Ok(Edges { threshold, short })
    }

    /// The formula in words.
    pub fn formula(&self) -> String {
        let t = self.threshold_secs;
        match self.treatment {
            AbandonTreatment::Counted => {
                format!("answered within {t} s / (answered + abandoned in queue + abandoned ringing)")
            }
            AbandonTreatment::Excluded => format!("answered within {t} s / answered"),
            AbandonTreatment::ShortExcluded { within_secs: n } => format!(
                "answered within {t} s / (answered + abandoned in queue + abandoned ringing - abandoned within {n} s)"
            ),
        }
    }
}

/// The numerator and denominator of the service level of `c`.
pub(crate) fn counts(c: &CallCounters, spec: &ServiceLevelSpec, e: Edges) -> (u64, u64) {
    let numerator = c.answered_within[e.threshold];
    let abandoned = c.abandoned_queue + c.abandoned_ringing;
    let denominator = match spec.treatment {
        AbandonTreatment::Counted => c.answered + abandoned,
        AbandonTreatment::Excluded => c.answered,
        AbandonTreatment::ShortExcluded { .. } => {
            let short = e.short.map_or(0, |i| c.abandoned_within[i]);
            c.answered + abandoned.saturating_sub(short)
        }
    };
    (numerator, denominator)
}

/// The service level of the calls summed in `c` under `spec`.
pub fn service_level(c: &CallCounters, spec: &ServiceLevelSpec) -> Result<ServiceLevel, ReportError> {
    let edges = spec.edges()?;
    let (numerator, denominator) = counts(c, spec, edges);
    let pct = percent(numerator, denominator);
    Ok(ServiceLevel {
        threshold_secs: spec.threshold_secs,
        target_pct: spec.target_pct,
        treatment: spec.treatment,
        formula: spec.formula(),
        numerator,
        denominator,
        percent: pct,
        target_met: pct.map(|p| p >= spec.target_pct),
    })
}
