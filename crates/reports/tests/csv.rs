//! CSV: RFC 4180 quoting and line ends, and every report type as a table
//! whose rows are as wide as its header.

use chrono::NaiveDate;
use chrono_tz::Tz;
use model::ids::AgentId;
use model::report::{AgentCounters, CallCounters};
use reports::agents::{agent_kpi, agent_states, rank};
use reports::callbacks::callbacks;
use reports::csv::{CsvTable, to_csv};
use reports::forecast::{Adjustments, History, backtest, fit};
use reports::heatmap::heatmap;
use reports::outcomes::Outcomes;
use reports::service_level::{ServiceLevelSpec, service_level};
use reports::speed::speed;
use reports::staffing::{StaffingSpec, staffing};
use reports::survey::survey;
use reports::time::{Grouping, LocalFilter, ReportRange, ReportTime, group_rows, parse_zone};
use reports::volume::{VolumeInput, volume};

use crate::utc;

/// Parses `text` back (the csv crate's reader) and checks the shape.
fn check<T: CsvTable>(t: &T) -> Vec<Vec<String>> {
    let text = to_csv(t).unwrap();
    assert!(text.ends_with("\r\n"), "CRLF line ends");
    let mut r = ::csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect();
    assert_eq!(rows[0], T::header());
    for row in &rows {
        assert_eq!(row.len(), T::header().len(), "{row:?}");
    }
    assert_eq!(rows.len(), t.rows().len() + 1);
    rows
}

#[test]
fn fields_with_commas_quotes_and_line_breaks_are_quoted() {
    let s = agent_states(vec![("not_ready", Some("say \"hi\", then\nleave"), 1000), ("available", None, 1000)]);
    let text = to_csv(&s).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "state,reason,ms,percent");
    assert_eq!(lines[1], "available,,1000,50");
    assert_eq!(lines[2], "not_ready,\"say \"\"hi\"\", then\nleave\",1000,50");
    assert_eq!(lines[3], "(logged_in),,2000,");
    assert_eq!(lines[4], "(occupancy),,,0");
    let rows = check(&s);
    assert_eq!(rows[2][1], "say \"hi\", then\nleave", "reads back whole");
}

#[test]
fn a_service_level_row_states_its_formula() {
    let mut c = CallCounters { answered: 4, abandoned_queue: 1, ..Default::default() };
    c.answered_within[3] = 3;
    let sl = service_level(&c, &ServiceLevelSpec::default()).unwrap();
    let rows = check(&sl);
    assert_eq!(
        rows[1],
        vec![
            "20",
            "80",
            "counted",
            "answered within 20 s / (answered + abandoned in queue + abandoned ringing)",
            "3",
            "5",
            "60",
            "false"
        ]
    );
}

#[test]
fn grouped_reports_lead_with_the_group_start() {
    let c = CallCounters { calls: 2, ..Default::default() };
    let time = ReportTime {
        range: ReportRange::new(utc("2026-12-01T00:00:00Z"), utc("2026-12-03T00:00:00Z")).unwrap(),
        zone: parse_zone("Asia/Kolkata").unwrap(),
        grouping: Grouping::Day,
        filter: LocalFilter::default(),
    };
    let groups = group_rows(vec![(utc("2026-12-01T20:00:00Z"), &c)], &time).unwrap();
    let sl: Vec<_> = groups
        .into_iter()
        .map(|g| reports::time::Group {
            start: g.start,
            value: service_level(&g.value, &ServiceLevelSpec::default()).unwrap(),
        })
        .collect();
    let rows = check(&sl);
    assert_eq!(rows[0][0], "group_start");
    assert_eq!(rows[1][0], "2026-12-02T00:00:00+05:30");
    assert_eq!(rows[1][7], "", "no denominator: empty percent");
}

#[test]
fn every_report_type_is_a_table() {
    let mut c = CallCounters {
        calls: 10,
        queued: 9,
        answered: 7,
        abandoned_queue: 2,
        talk_ms: 700_000,
        callback_offered: 1,
        ..Default::default()
    };
    c.answered_within = [1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7];
    c.csat = [0, 0, 1, 1, 1];
    c.nps = [0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1];
    let v = volume(&VolumeInput { all: c.clone(), ..Default::default() });
    let vr = check(&v);
    assert!(vr.iter().any(|r| r[0] == "abandon_time" && r[1] == "> 300 s"));
    check(&speed(&c));
    check(&Outcomes::of(&c));
    check(&callbacks(&c));
    check(&reports::paths::ivr_vs_direct(&c, &c, &ServiceLevelSpec::default()).unwrap());
    check(&reports::paths::ivr_paths(vec![("choice", "main=1", 2)]));
    check(&reports::paths::dispositions(vec![("sale", 1)]));
    check(&survey(&c));
    let id: AgentId = "00000000-0000-0000-0000-000000000001".parse().unwrap();
    let k = agent_kpi(id, &AgentCounters::default());
    check(&k);
    check(&vec![k.clone()]);
    check(&rank(vec![k]));
    let range = ReportRange::new(utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")).unwrap();
    let h = heatmap(vec![(utc("2026-12-01T10:00:00Z"), &c)], &range, chrono_tz::Tz::UTC, &ServiceLevelSpec::default())
        .unwrap();
    assert_eq!(check(&h).len(), 169);
    let history = History::new(NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(), vec![1.0; 28 * 48 + 7 * 48]).unwrap();
    let f = fit(&history, &Adjustments::default()).unwrap().forecast(1, Tz::UTC).unwrap();
    assert_eq!(check(&f).len(), 49);
    check(&backtest(&history, &Adjustments::default(), 1, Tz::UTC).unwrap());
    let spec = StaffingSpec { target_pct: 80.0, threshold_secs: 20, aht_secs: 180.0, shrinkage_pct: 30.0 };
    check(&staffing(&f, &spec).unwrap());
}
