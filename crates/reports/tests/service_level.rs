//! Service level under each abandon treatment, on hand-made counters.

use model::report::CallCounters;
use reports::ReportError;
use reports::service_level::{AbandonTreatment, ServiceLevelSpec, service_level};

use crate::close;

/// 40 answered (30 within 20 s), 6 abandoned in queue, 4 while ringing
/// (3 of the 10 within 5 s), 5 in the IVR (never in any denominator).
fn counters() -> CallCounters {
    let mut c = CallCounters {
        calls: 55,
        queued: 50,
        answered: 40,
        abandoned_ivr: 5,
        abandoned_queue: 6,
        abandoned_ringing: 4,
        ..Default::default()
    };
    c.answered_within = [10, 18, 25, 30, 34, 37, 38, 39, 40, 40, 40];
    c.abandoned_within = [3, 5, 6, 6, 7, 8, 9, 10, 10, 10, 10];
    c
}

fn spec(treatment: AbandonTreatment) -> ServiceLevelSpec {
    ServiceLevelSpec { treatment, ..ServiceLevelSpec::default() }
}

#[test]
fn counted_abandons_join_the_denominator() {
    let sl = service_level(&counters(), &spec(AbandonTreatment::Counted)).unwrap();
    // 30 / (40 + 6 + 4)
    assert_eq!((sl.numerator, sl.denominator), (30, 50));
    assert_eq!(sl.percent, Some(60.0));
    assert_eq!(sl.target_met, Some(false));
    assert_eq!(sl.formula, "answered within 20 s / (answered + abandoned in queue + abandoned ringing)");
}

#[test]
fn excluded_abandons_leave_the_calculation() {
    let sl = service_level(&counters(), &spec(AbandonTreatment::Excluded)).unwrap();
    assert_eq!((sl.numerator, sl.denominator), (30, 40));
    assert_eq!(sl.percent, Some(75.0));
    assert_eq!(sl.formula, "answered within 20 s / answered");
}

#[test]
fn short_abandons_leave_the_denominator() {
    let t = AbandonTreatment::ShortExcluded { within_secs: 5 };
    let sl = service_level(&counters(), &spec(t)).unwrap();
    // 30 / (40 + 10 - 3)
    assert_eq!((sl.numerator, sl.denominator), (30, 47));
    assert!(close(sl.percent.unwrap(), 3000.0 / 47.0));
    assert!(sl.formula.ends_with("- abandoned within 5 s)"), "{}", sl.formula);
    let t = AbandonTreatment::ShortExcluded { within_secs: 10 };
    let sl = service_level(&counters(), &spec(t)).unwrap();
    assert_eq!(sl.denominator, 45, "40 + 10 - 5");
}

#[test]
fn another_threshold_and_target() {
    let s = ServiceLevelSpec { threshold_secs: 10, target_pct: 30.0, treatment: AbandonTreatment::Counted };
    let sl = service_level(&counters(), &s).unwrap();
    assert_eq!((sl.numerator, sl.denominator), (18, 50));
    assert_eq!(sl.target_met, Some(true), "36 % >= 30 %");
}

#[test]
fn the_threshold_must_be_a_wait_edge() {
    let s = ServiceLevelSpec { threshold_secs: 25, ..ServiceLevelSpec::default() };
    let err = service_level(&counters(), &s).unwrap_err();
    assert!(matches!(err, ReportError::NotAWaitEdge { secs: 25, .. }));
    assert_eq!(
        err.to_string(),
        "the service-level threshold of 25 s is not one of the rollup wait edges \
[5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300]"
    );
    let t = AbandonTreatment::ShortExcluded { within_secs: 7 };
    let err = service_level(&counters(), &spec(t)).unwrap_err();
    assert!(err.to_string().starts_with("the short-abandon limit of 7 s"));
    let s = ServiceLevelSpec { target_pct: 120.0, ..ServiceLevelSpec::default() };
    assert!(matches!(service_level(&counters(), &s), Err(ReportError::PercentOutOfRange { .. })));
}

#[test]
fn no_calls_is_none_not_nan() {
    let sl = service_level(&CallCounters::default(), &ServiceLevelSpec::default()).unwrap();
    assert_eq!((sl.numerator, sl.denominator), (0, 0));
    assert_eq!(sl.percent, None);
    assert_eq!(sl.target_met, None);
    let json = serde_json::to_value(&sl).unwrap();
    assert!(json["percent"].is_null());
    assert_eq!(json["treatment"]["kind"], "counted");
}
