//! CSV tables of the agent, callback and survey reports.

use super::{CsvTable, opt, s};
use crate::agents::{AgentKpi, AgentStates, Ranking};
use crate::callbacks::CallbackReport;
use crate::survey::SurveyReport;

const KPI_HEADER: [&str; 13] = [
    "agent_id",
    "offered",
    "answered",
    "missed",
    "rejected",
    "answer_rate_pct",
    "avg_ring_secs",
    "avg_talk_secs",
    "avg_hold_secs",
    "avg_wrap_up_secs",
    "avg_handle_secs",
    "surveyed",
    "survey_avg",
];

fn kpi_row(a: &AgentKpi) -> Vec<String> {
    vec![
        s(a.agent_id),
        s(a.offered),
        s(a.answered),
        s(a.missed),
        s(a.rejected),
        opt(a.answer_rate.percent),
        opt(a.avg_ring_secs),
        opt(a.avg_talk_secs),
        opt(a.avg_hold_secs),
        opt(a.avg_wrap_up_secs),
        opt(a.avg_handle_secs),
        s(a.surveyed),
        opt(a.survey_avg),
    ]
}

impl CsvTable for AgentKpi {
    fn header() -> Vec<&'static str> {
        KPI_HEADER.to_vec()
    }

    fn rows(&self) -> Vec<Vec<String>> {
        vec![kpi_row(self)]
    }
}

impl CsvTable for Vec<AgentKpi> {
    fn header() -> Vec<&'static str> {
        KPI_HEADER.to_vec()
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.iter().map(kpi_row).collect()
    }
}

impl CsvTable for Ranking {
    fn header() -> Vec<&'static str> {
        let mut h = vec!["rank"];
        h.extend(KPI_HEADER);
        h
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.agents
            .iter()
            .map(|r| {
                let mut row = vec![s(r.rank)];
                row.extend(kpi_row(&r.agent));
                row
            })
            .collect()
    }
}

/// Rows per state and reason, then `(logged_in)` with the total and
/// `(occupancy)` with the occupancy percentage.
impl CsvTable for AgentStates {
    fn header() -> Vec<&'static str> {
        vec!["state", "reason", "ms", "percent"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows: Vec<Vec<String>> = self
            .states
            .iter()
            .map(|t| vec![t.state.clone(), t.reason.clone().unwrap_or_default(), s(t.ms), opt(t.percent)])
            .collect();
        rows.push(vec![s("(logged_in)"), String::new(), s(self.logged_in_ms), String::new()]);
        rows.push(vec![s("(occupancy)"), String::new(), String::new(), opt(self.occupancy_pct)]);
        rows
    }
}

impl CsvTable for CallbackReport {
    fn header() -> Vec<&'static str> {
        vec!["offered", "accepted", "completed", "acceptance_rate_pct", "success_rate_pct", "avg_time_to_callback_secs"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        vec![vec![
            s(self.offered),
            s(self.accepted),
            s(self.completed),
            opt(self.acceptance_rate.percent),
            opt(self.success_rate.percent),
            opt(self.avg_time_to_callback_secs),
        ]]
    }
}

/// Long: `csat_avg`, `csat_satisfied`, one `csat` row per score, `nps`,
/// one `nps_score` row per score.
impl CsvTable for SurveyReport {
    fn header() -> Vec<&'static str> {
        vec!["figure", "score", "answers", "value"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![
            vec![s("csat_avg"), String::new(), s(self.csat_answers), opt(self.csat_avg)],
            vec![
                s("csat_satisfied_pct"),
                String::new(),
                s(self.csat_satisfied.numerator),
                opt(self.csat_satisfied.percent),
            ],
        ];
        for c in &self.csat_distribution {
            rows.push(vec![s("csat"), s(c.score), s(c.answers), opt(c.percent)]);
        }
        rows.push(vec![s("nps"), String::new(), s(self.nps_answers), opt(self.nps)]);
        for c in &self.nps_distribution {
            rows.push(vec![s("nps_score"), s(c.score), s(c.answers), opt(c.percent)]);
        }
        rows
    }
}
