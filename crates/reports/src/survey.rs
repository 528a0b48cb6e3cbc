//! Post-call surveys: CSAT on the 1–5 scale (average and distribution)
//! and NPS on the 0–10 scale.

use model::report::CallCounters;
use serde::Serialize;

use crate::ratio::{Ratio, percent};

/// How many answers gave one score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreCount {
    /// The score.
    pub score: u8,
    /// Answers with it.
    pub answers: u64,
    /// Their share of the scale's answers.
    pub percent: Option<f64>,
}

/// The survey report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SurveyReport {
    /// Answers on the 1–5 scale.
    pub csat_answers: u64,
    /// Their average score.
    pub csat_avg: Option<f64>,
    /// Satisfied (4 or 5) out of the 1–5 answers.
    pub csat_satisfied: Ratio,
    /// The 1–5 answers by score.
    pub csat_distribution: Vec<ScoreCount>,
    /// Answers on the 0–10 scale.
    pub nps_answers: u64,
    /// Promoters (9–10).
    pub promoters: u64,
    /// Passives (7–8).
    pub passives: u64,
    /// Detractors (0–6).
    pub detractors: u64,
    /// Net promoter score: % promoters − % detractors (−100 to 100).
    pub nps: Option<f64>,
    /// The 0–10 answers by score.
    pub nps_distribution: Vec<ScoreCount>,
}

fn distribution(counts: &[u64], first: u8) -> Vec<ScoreCount> {
    let total: u64 = counts.iter().sum();
    counts
        .iter()
        .zip(first..)
        .map(|(&answers, score)| ScoreCount { score, answers, percent: percent(answers, total) })
        .collect()
}

/// The survey report of `c`.
pub fn survey(c: &CallCounters) -> SurveyReport {
    let csat_answers: u64 = c.csat.iter().sum();
    let csat_sum: u64 = c.csat.iter().zip(1u64..).map(|(n, s)| n * s).sum();
    let nps_answers: u64 = c.nps.iter().sum();
    let promoters = c.nps[9] + c.nps[10];
    let passives = c.nps[7] + c.nps[8];
    let detractors: u64 = c.nps[..=6].iter().sum();
    let nps = match (percent(promoters, nps_answers), percent(detractors, nps_answers)) {
        (Some(p), Some(d)) => Some(p - d),
        _ => None,
    };
    SurveyReport {
        csat_answers,
        csat_avg: (csat_answers > 0).then(|| csat_sum as f64 / csat_answers as f64),
        csat_satisfied: Ratio::new(c.csat[3] + c.csat[4], csat_answers, "1-5 survey answers"),
        csat_distribution: distribution(&c.csat, 1),
        nps_answers,
        promoters,
        passives,
        detractors,
        nps,
        nps_distribution: distribution(&c.nps, 0),
    }
}
