//! CSV tables of the call reports.

use super::{CsvTable, opt, s};
use crate::heatmap::Heatmap;
use crate::outcomes::Outcomes;
use crate::ratio::Ratio;
use crate::service_level::{AbandonTreatment, ServiceLevel};
use crate::speed::SpeedReport;
use crate::volume::VolumeReport;

impl CsvTable for ServiceLevel {
    fn header() -> Vec<&'static str> {
        vec![
            "threshold_secs",
            "target_pct",
            "treatment",
            "formula",
            "numerator",
            "denominator",
            "percent",
            "target_met",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let treatment = match self.treatment {
            AbandonTreatment::Counted => "counted".to_string(),
            AbandonTreatment::Excluded => "excluded".to_string(),
            AbandonTreatment::ShortExcluded { within_secs } => {
                format!("short_excluded_{within_secs}")
            }
        };
        vec![vec![
            s(self.threshold_secs),
            s(self.target_pct),
            treatment,
            self.formula.clone(),
            s(self.numerator),
            s(self.denominator),
            opt(self.percent),
            self.target_met.map(|m| m.to_string()).unwrap_or_default(),
        ]]
    }
}

impl CsvTable for Outcomes {
    fn header() -> Vec<&'static str> {
        vec!["outcome", "calls"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![vec![s("calls"), s(self.calls)]];
        rows.extend(self.named().iter().map(|(n, c)| vec![s(n), s(c)]));
        rows
    }
}

fn ratio_row(section: &str, item: &str, r: &Ratio) -> Vec<String> {
    vec![s(section), s(item), s(r.numerator), s(r.denominator), opt(r.percent)]
}

fn count_row(section: &str, item: &str, n: u64) -> Vec<String> {
    vec![s(section), s(item), s(n), String::new(), String::new()]
}

impl CsvTable for VolumeReport {
    fn header() -> Vec<&'static str> {
        vec!["section", "item", "count", "denominator", "percent"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![
            count_row("calls", "offered", self.offered),
            count_row("calls", "answered", self.answered),
            count_row("calls", "unanswered", self.unanswered),
            ratio_row("rate", "answered_share", &self.answered_share),
            ratio_row("rate", "abandoned_total", &self.abandoned_total),
            ratio_row("rate", "abandoned_ivr", &self.abandoned_ivr),
            ratio_row("rate", "abandoned_queue", &self.abandoned_queue),
            ratio_row("rate", "abandoned_ringing", &self.abandoned_ringing),
        ];
        let waited: u64 = self.abandon_times.iter().map(|b| b.calls).sum();
        for b in &self.abandon_times {
            rows.push(vec![s("abandon_time"), b.label.clone(), s(b.calls), s(waited), opt(b.percent)]);
        }
        for (n, c) in self.outcomes.named() {
            rows.push(count_row("outcome", n, c));
        }
        let oh = &self.outside_business_hours;
        rows.push(ratio_row("outside_hours", "calls", &oh.share));
        for (n, c) in oh.outcomes.named() {
            rows.push(count_row("outside_hours_outcome", n, c));
        }
        rows
    }
}

impl CsvTable for SpeedReport {
    fn header() -> Vec<&'static str> {
        vec!["figure", "secs", "text"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let fig = |name: &str, v: Option<f64>| vec![s(name), opt(v), String::new()];
        let mut rows = vec![
            vec![s("answered"), String::new(), s(self.answered)],
            fig("asa", self.asa_secs),
            fig("avg_abandon_wait", self.avg_abandon_wait_secs),
        ];
        for p in &self.wait_percentiles {
            rows.push(vec![format!("wait_p{}", p.p), opt(p.secs), p.text.clone()]);
        }
        rows.push(vec![s("percentile_method"), String::new(), s(self.percentile_method)]);
        rows.extend([
            fig("avg_ring", self.avg_ring_secs),
            fig("avg_talk", self.avg_talk_secs),
            fig("avg_hold", self.avg_hold_secs),
            fig("avg_hold_per_held_call", self.avg_hold_per_held_call_secs),
            fig("avg_wrap_up", self.avg_wrap_up_secs),
            vec![s("avg_handle"), opt(self.avg_handle_secs), s(self.handle_formula)],
        ]);
        rows
    }
}

impl CsvTable for Heatmap {
    fn header() -> Vec<&'static str> {
        vec!["weekday", "hour", "offered", "sl_numerator", "sl_denominator", "service_level_pct"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.cells
            .iter()
            .map(|c| {
                vec![
                    c.weekday.clone(),
                    s(c.hour),
                    s(c.offered),
                    s(c.sl_numerator),
                    s(c.sl_denominator),
                    opt(c.service_level_pct),
                ]
            })
            .collect()
    }
}

/// One row per path.
impl CsvTable for crate::paths::IvrVsDirect {
    fn header() -> Vec<&'static str> {
        vec!["path", "offered", "answered_pct", "abandoned_pct", "service_level_pct", "asa_secs"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        [("via_ivr", &self.via_ivr), ("direct", &self.direct)]
            .iter()
            .map(|(name, p)| {
                vec![
                    s(name),
                    s(p.offered),
                    opt(p.answered_share.percent),
                    opt(p.abandoned.percent),
                    opt(p.service_level.percent),
                    opt(p.asa_secs),
                ]
            })
            .collect()
    }
}

/// One row per node and value, choices first.
impl CsvTable for crate::paths::IvrPaths {
    fn header() -> Vec<&'static str> {
        vec!["kind", "node", "value", "calls", "percent"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for (kind, list) in [("choice", &self.choices), ("exit", &self.exits)] {
            for n in list {
                for v in &n.values {
                    rows.push(vec![s(kind), n.node.clone(), v.value.clone(), s(v.calls), opt(v.percent)]);
                }
            }
        }
        rows
    }
}

/// Dispositions (or any list of shares).
impl CsvTable for Vec<crate::paths::Share> {
    fn header() -> Vec<&'static str> {
        vec!["value", "calls", "percent"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.iter().map(|v| vec![v.value.clone(), s(v.calls), opt(v.percent)]).collect()
    }
}
