//! IVR against direct, IVR choices and exits, dispositions.

use model::report::CallCounters;
use reports::paths::{dispositions, ivr_paths, ivr_vs_direct};
use reports::service_level::ServiceLevelSpec;

use crate::close;

#[test]
fn ivr_and_direct_calls_side_by_side() {
    let mut ivr = CallCounters {
        calls: 20,
        answered: 14,
        abandoned_ivr: 3,
        abandoned_queue: 2,
        wait_answered_ms: 280_000,
        ..Default::default()
    };
    ivr.answered_within[3] = 8;
    let mut direct =
        CallCounters { calls: 10, answered: 9, abandoned_queue: 1, wait_answered_ms: 90_000, ..Default::default() };
    direct.answered_within[3] = 9;
    let r = ivr_vs_direct(&ivr, &direct, &ServiceLevelSpec::default()).unwrap();
    assert_eq!(r.via_ivr.answered_share.percent, Some(70.0));
    assert_eq!(r.via_ivr.abandoned.numerator, 5);
    // 8 / (14 + 2): IVR abandons are not in the service level.
    assert_eq!((r.via_ivr.service_level.numerator, r.via_ivr.service_level.denominator), (8, 16));
    assert_eq!(r.via_ivr.asa_secs, Some(20.0));
    assert_eq!(r.direct.service_level.percent, Some(90.0));
    assert_eq!(r.direct.asa_secs, Some(10.0));
}

#[test]
fn choices_and_exits_per_node() {
    let rows = vec![
        ("choice", "main=1", 30),
        ("choice", "main=2", 10),
        ("choice", "main=1", 10),
        ("choice", "billing=9", 5),
        ("exit", "main=hangup", 4),
        ("exit", "main=enqueue", 36),
        ("other", "x=y", 99),
    ];
    let p = ivr_paths(rows);
    assert_eq!(p.choices.len(), 2);
    let main = p.choices.iter().find(|n| n.node == "main").unwrap();
    assert_eq!(main.calls, 50);
    assert_eq!((main.values[0].value.as_str(), main.values[0].calls), ("1", 40));
    assert_eq!(main.values[0].percent, Some(80.0));
    let exits = &p.exits[0];
    assert_eq!((exits.node.as_str(), exits.calls), ("main", 40));
    assert_eq!(exits.values[1].value, "hangup");
    assert!(close(exits.values[1].percent.unwrap(), 10.0));
}

#[test]
fn dispositions_add_up_most_first() {
    let d = dispositions(vec![("sale", 3), ("no_sale", 5), ("sale", 4)]);
    let got: Vec<(&str, u64)> = d.iter().map(|s| (s.value.as_str(), s.calls)).collect();
    assert_eq!(got, vec![("sale", 7), ("no_sale", 5)]);
    assert!(close(d[0].percent.unwrap(), 700.0 / 12.0));
}
