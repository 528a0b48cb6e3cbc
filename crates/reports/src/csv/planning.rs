//! CSV tables of the forecast, backtest and staffing.

use chrono::{DateTime, FixedOffset};

use super::{CsvTable, opt, s};
use crate::forecast::{Backtest, Forecast};
use crate::staffing::Staffing;

impl CsvTable for Forecast {
    fn header() -> Vec<&'static str> {
        vec!["date", "slot", "start_local", "start", "calls"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.intervals
            .iter()
            .map(|i| vec![s(i.date), s(i.slot), s(i.start_local), start(i.start), s(i.calls)])
            .collect()
    }
}

impl CsvTable for Backtest {
    fn header() -> Vec<&'static str> {
        vec!["held_back_weeks", "intervals", "intervals_with_calls", "mape_pct", "wape_pct"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        vec![vec![
            s(self.held_back_weeks),
            s(self.intervals),
            s(self.intervals_with_calls),
            opt(self.mape_pct),
            opt(self.wape_pct),
        ]]
    }
}

impl CsvTable for Staffing {
    fn header() -> Vec<&'static str> {
        vec![
            "date",
            "start_local",
            "start",
            "calls",
            "traffic_erlangs",
            "agents",
            "service_level_pct",
            "scheduled",
            "rostered",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.intervals
            .iter()
            .map(|i| {
                vec![
                    s(i.date),
                    s(i.start_local),
                    start(i.start),
                    s(i.calls),
                    s(i.traffic_erlangs),
                    s(i.agents),
                    s(i.service_level_pct),
                    s(i.scheduled),
                    s(i.rostered),
                ]
            })
            .collect()
    }
}

/// An instant as RFC 3339; none is empty.
fn start(t: Option<DateTime<FixedOffset>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}
