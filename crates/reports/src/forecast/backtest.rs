//! The backtest: fit on all but the last K weeks, forecast them, and
//! compare.

use chrono_tz::Tz;
use serde::Serialize;

use super::{Adjustments, History, MIN_HISTORY_DAYS, SLOTS_PER_DAY, fit};
use crate::ReportError;

/// How well the model forecast held-back weeks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Backtest {
    /// Weeks held back and forecast.
    pub held_back_weeks: u32,
    /// Half-hours compared.
    pub intervals: usize,
    /// Half-hours with calls (the ones MAPE averages over).
    pub intervals_with_calls: usize,
    /// Mean absolute percentage error over the half-hours with calls.
    pub mape_pct: Option<f64>,
    /// Weighted absolute percentage error: Σ|actual − forecast| / Σ actual.
    pub wape_pct: Option<f64>,
    /// The definitions, in words.
    pub method: &'static str,
}

/// Backtests the model on `history`, holding back its last `weeks` weeks
/// (half-hours that `tz` skips are forecast 0, as the history has them).
pub fn backtest(history: &History, adjustments: &Adjustments, weeks: u32, tz: Tz) -> Result<Backtest, ReportError> {
    let held = weeks as usize * 7;
    let left = history.days().saturating_sub(held);
    if weeks == 0 || left < MIN_HISTORY_DAYS {
        return Err(ReportError::BacktestTooLong { held_back: weeks, left_days: left, min: MIN_HISTORY_DAYS });
    }
    let model = fit(&history.truncated(left)?, adjustments)?;
    let forecast = model.intervals(model.next_day(), weeks * 7, tz);
    let (mut abs_sum, mut actual_sum, mut ape_sum, mut with_calls) = (0.0, 0.0, 0.0, 0);
    for (k, f) in forecast.iter().enumerate() {
        let actual = history.day(left + k / SLOTS_PER_DAY)[k % SLOTS_PER_DAY];
        let err = (actual - f.calls).abs();
        abs_sum += err;
        actual_sum += actual;
        if actual > 0.0 {
            ape_sum += err / actual;
            with_calls += 1;
        }
    }
    Ok(Backtest {
        held_back_weeks: weeks,
        intervals: forecast.len(),
        intervals_with_calls: with_calls,
        mape_pct: (with_calls > 0).then(|| 100.0 * ape_sum / with_calls as f64),
        wape_pct: (actual_sum > 0.0).then(|| 100.0 * abs_sum / actual_sum),
        method: "MAPE = mean over half-hours with calls of |actual - forecast| / actual; \
WAPE = sum |actual - forecast| / sum actual; both in percent",
    })
}
