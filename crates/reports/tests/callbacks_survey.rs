//! Callbacks and surveys (CSAT, NPS).

use model::report::CallCounters;
use reports::callbacks::callbacks;
use reports::survey::survey;

use crate::close;

#[test]
fn callback_rates_and_time_to_callback() {
    let c = CallCounters {
        callback_offered: 10,
        callback: 6,
        callback_completed: 4,
        callback_delay_ms: 720_000,
        ..Default::default()
    };
    let r = callbacks(&c);
    assert_eq!((r.offered, r.accepted, r.completed), (10, 6, 4));
    assert_eq!(r.acceptance_rate.percent, Some(60.0));
    assert!(close(r.success_rate.percent.unwrap(), 400.0 / 6.0));
    assert_eq!(r.success_rate.denominator_is, "callbacks accepted");
    assert_eq!(r.avg_time_to_callback_secs, Some(180.0), "720 s / 4");
    assert_eq!(callbacks(&CallCounters::default()).avg_time_to_callback_secs, None);
}

#[test]
fn csat_average_and_distribution() {
    let c = CallCounters { csat: [1, 0, 2, 3, 4], ..Default::default() };
    let s = survey(&c);
    assert_eq!(s.csat_answers, 10);
    // (1 + 0 + 6 + 12 + 20) / 10
    assert!(close(s.csat_avg.unwrap(), 3.9));
    assert_eq!(s.csat_satisfied.percent, Some(70.0));
    let d: Vec<(u8, u64)> = s.csat_distribution.iter().map(|x| (x.score, x.answers)).collect();
    assert_eq!(d, vec![(1, 1), (2, 0), (3, 2), (4, 3), (5, 4)]);
    assert_eq!(s.csat_distribution[4].percent, Some(40.0));
    assert_eq!(s.nps, None, "no 0-10 answers");
}

#[test]
fn nps_is_promoters_minus_detractors() {
    let c = CallCounters {
        // 0:1, 3:1, 6:2 detract; 7:1, 8:2 pass; 9:3 promote.
        nps: [1, 0, 0, 1, 0, 0, 2, 1, 2, 3, 0],
        ..Default::default()
    };
    let s = survey(&c);
    assert_eq!((s.promoters, s.passives, s.detractors, s.nps_answers), (3, 3, 4, 10));
    assert!(close(s.nps.unwrap(), -10.0), "30 % - 40 %");
    assert_eq!(s.nps_distribution.len(), 11);
    assert_eq!(s.nps_distribution[0].score, 0);
}
