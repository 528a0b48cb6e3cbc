//! The call forecast: a weekly-seasonal model fitted to at least four
//! weeks of calls per local half-hour, with month-start, month-end and
//! campaign adjustments, forecasting 1–14 days ahead, and a backtest on
//! held-back weeks.
//!
//! The model: `calls(day, slot) = level(day) × profile(weekday, slot) ×
//! adjustment(day)`. The history's complete weeks (the most recent ones;
//! older left-over days are dropped) are first divided by their days'
//! adjustments; a straight line `a + b·w` is fitted by least squares to
//! the weekly totals (week `w` = 0, 1, …); `profile(weekday, slot)` is the
//! share of a week's calls that fall in that weekday and slot, summed over
//! the weeks (`Σ calls / Σ fitted totals`); `level(day)` is the line at the
//! day's position, `w = (days since the first week − 3) / 7` (a week's
//! total sits at its middle day).

mod adjust;
mod backtest;
mod history;
mod model;

pub use adjust::{Adjustments, Campaign, MonthEdge};
pub use backtest::{Backtest, backtest};
pub use history::{History, MIN_HISTORY_DAYS, SLOTS_PER_DAY};
pub use model::{Forecast, ForecastInterval, ForecastModel, MAX_HORIZON_DAYS, fit};
