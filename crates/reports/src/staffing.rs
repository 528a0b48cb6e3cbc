//! Staffing: the agents each forecast half-hour needs to meet a
//! service-level target, by Erlang C (`acd::erlang::service_level`), then
//! grossed up for shrinkage.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::ReportError;
use crate::forecast::Forecast;

/// The length of a forecast interval in seconds.
pub const INTERVAL_SECS: f64 = 1800.0;

/// The most agents the search tries for one interval.
pub const MAX_AGENTS: u32 = 100_000;

/// What staffing must achieve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffingSpec {
    /// Target share answered within the threshold, in percent (0 < x < 100).
    pub target_pct: f64,
    /// The answer threshold in seconds.
    pub threshold_secs: u32,
    /// Average handle time in seconds (from history), > 0.
    pub aht_secs: f64,
    /// Shrinkage in percent (breaks, training, absence), 0 ≤ x < 100.
    pub shrinkage_pct: f64,
}

/// The staffing of one half-hour.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StaffingInterval {
    /// The local date.
    pub date: NaiveDate,
    /// Its local wall-clock start.
    pub start_local: NaiveDateTime,
    /// The instant it starts; none for a skipped half-hour.
    pub start: Option<DateTime<FixedOffset>>,
    /// Calls forecast.
    pub calls: f64,
    /// Offered load in erlangs: calls × AHT / 1800 s.
    pub traffic_erlangs: f64,
    /// Agents on the phones: the smallest N whose Erlang C service level
    /// meets the target (0 for no calls).
    pub agents: u32,
    /// The service level N agents give, in percent.
    pub service_level_pct: f64,
    /// Agents to schedule: ⌈N / (1 − shrinkage)⌉.
    pub scheduled: u32,
    /// Agents on the roster: the queue's agents with a shift covering the
    /// interval's start ([`Staffing::count_rostered`]; 0 until counted).
    pub rostered: u32,
}

/// Staffing for a forecast.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Staffing {
    /// The objective.
    pub spec: StaffingSpec,
    /// The method, in words.
    pub method: &'static str,
    /// Every half-hour of the forecast.
    pub intervals: Vec<StaffingInterval>,
}

impl StaffingSpec {
    fn validate(&self) -> Result<(), ReportError> {
        if !(self.target_pct > 0.0 && self.target_pct < 100.0) {
            return Err(ReportError::PercentOutOfRange {
                what: "the staffing target",
                value: self.target_pct,
                min: 0.0,
                max: 100.0,
            });
        }
        if !(0.0..100.0).contains(&self.shrinkage_pct) {
            return Err(ReportError::PercentOutOfRange {
                what: "shrinkage",
                value: self.shrinkage_pct,
                min: 0.0,
                max: 100.0,
            });
        }
        if !(self.aht_secs.is_finite() && self.aht_secs > 0.0) {
            return Err(ReportError::InvalidHandleTime(self.aht_secs));
        }
        Ok(())
    }
}

/// The smallest number of agents whose Erlang C service level for `calls`
/// per half-hour meets `spec`, with that service level (a fraction).
pub fn agents_needed(calls: f64, spec: &StaffingSpec) -> Result<(u32, f64), ReportError> {
    spec.validate()?;
    if !(calls.is_finite() && calls >= 0.0) {
        return Err(ReportError::InvalidCount { index: 0, value: calls });
    }
    if calls == 0.0 {
        return Ok((0, 1.0));
    }
    let rate = calls / INTERVAL_SECS;
    let traffic = rate * spec.aht_secs;
    let target = spec.target_pct / 100.0;
    let first = (traffic.floor() as u32).saturating_add(1);
    for n in first..=MAX_AGENTS {
        let sl = acd::erlang::service_level(n, rate, spec.aht_secs, f64::from(spec.threshold_secs));
        if sl >= target {
            return Ok((n, sl));
        }
    }
    Err(ReportError::StaffingUnreachable { calls, limit: MAX_AGENTS })
}

/// ⌈agents / (1 − shrinkage)⌉ (a hair of tolerance for float error).
pub fn with_shrinkage(agents: u32, shrinkage_pct: f64) -> u32 {
    let gross = f64::from(agents) / (1.0 - shrinkage_pct / 100.0);
    (gross - 1e-9).ceil().max(0.0) as u32
}

/// Staffing for every interval of `forecast`.
pub fn staffing(forecast: &Forecast, spec: &StaffingSpec) -> Result<Staffing, ReportError> {
    spec.validate()?;
    let intervals = forecast
        .intervals
        .iter()
        .map(|f| {
            let (agents, sl) = agents_needed(f.calls, spec)?;
            Ok(StaffingInterval {
                date: f.date,
                start_local: f.start_local,
                start: f.start,
                calls: f.calls,
                traffic_erlangs: f.calls * spec.aht_secs / INTERVAL_SECS,
                agents,
                service_level_pct: 100.0 * sl,
                scheduled: with_shrinkage(agents, spec.shrinkage_pct),
                rostered: 0,
            })
        })
        .collect::<Result<Vec<_>, ReportError>>()?;
    Ok(Staffing {
        spec: *spec,
        method: "Erlang C: the smallest N with 1 - C(N, A) * exp(-(N - A) * T / AHT) >= target, \
A = calls * AHT / 1800 s; scheduled = ceil(N / (1 - shrinkage))",
        intervals,
    })
}

impl Staffing {
    /// Counts, for every interval, the rosters (one per agent of the queue)
    /// with a shift covering its start, read in `roster_zone`, the zone the
    /// shifts are written in (a half-hour a clock change skips: its
    /// wall-clock start).
    pub fn count_rostered(&mut self, rosters: &[model::Roster], roster_zone: chrono_tz::Tz) {
        for interval in &mut self.intervals {
            let local = interval.start.map_or(interval.start_local, |t| t.with_timezone(&roster_zone).naive_local());
            let on = rosters.iter().filter(|r| r.on_shift(local)).count();
            interval.rostered = u32::try_from(on).unwrap_or(u32::MAX);
        }
    }
}
