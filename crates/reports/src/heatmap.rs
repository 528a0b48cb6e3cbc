//! The heatmap: offered calls and service level by local weekday × hour.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use model::report::CallCounters;
use serde::Serialize;

use crate::ReportError;
use crate::ratio::percent;
use crate::service_level::{ServiceLevelSpec, counts};
use crate::time::ReportRange;

/// One cell: a local weekday and hour over the whole range.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeatmapCell {
    /// The weekday ("Mon"…"Sun").
    pub weekday: String,
    /// The local hour (0–23).
    pub hour: u32,
    /// Calls offered.
    pub offered: u64,
    /// Service-level numerator.
    pub sl_numerator: u64,
    /// Service-level denominator.
    pub sl_denominator: u64,
    /// Service level in percent; none when the denominator is 0.
    pub service_level_pct: Option<f64>,
}

/// The heatmap: 7 × 24 cells, Monday 00 first, Sunday 23 last.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Heatmap {
    /// The service-level formula every cell uses.
    pub formula: String,
    /// The cells.
    pub cells: Vec<HeatmapCell>,
}

/// The heatmap of the rows (bucket start, counters) in `range`, by the
/// local weekday and hour of each bucket in `tz`.
pub fn heatmap<'a, I>(rows: I, range: &ReportRange, tz: Tz, spec: &ServiceLevelSpec) -> Result<Heatmap, ReportError>
where
    I: IntoIterator<Item = (DateTime<Utc>, &'a CallCounters)>,
{
    let edges = spec.edges()?;
    let mut cells: Vec<CallCounters> = vec![CallCounters::default(); 7 * 24];
    for (bucket, c) in rows {
        if !range.contains(bucket) {
            continue;
        }
        let local = bucket.with_timezone(&tz);
        let i = local.weekday().num_days_from_monday() as usize * 24 + local.hour() as usize;
        cells[i] += c;
    }
    let cells = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (n, d) = counts(c, spec, edges);
            let day = Weekday::try_from((i / 24) as u8).unwrap_or(Weekday::Mon);
            HeatmapCell {
                weekday: day.to_string(),
                hour: (i % 24) as u32,
                offered: c.calls,
                sl_numerator: n,
                sl_denominator: d,
                service_level_pct: percent(n, d),
            }
        })
        .collect();
    Ok(Heatmap { formula: spec.formula(), cells })
}
