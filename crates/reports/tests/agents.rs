//! Agent KPIs, time in states with occupancy, and the team ranking.

use model::agent_state::{AgentState, NotReadyReason};
use model::ids::AgentId;
use model::report::AgentCounters;
use reports::agents::{agent_kpi, agent_states, rank};

use crate::close;

fn id(n: u8) -> AgentId {
    format!("00000000-0000-0000-0000-0000000000{n:02x}").parse().unwrap()
}

#[test]
fn an_agents_calls_and_handling() {
    let c = AgentCounters {
        offered: 12,
        answered: 9,
        rona: 2,
        rejected: 1,
        ring_ms: 45_000,
        talk_ms: 1_620_000,
        hold_ms: 90_000,
        wrap_up_ms: 240_000,
        wrap_up_calls: 8,
        surveyed: 4,
        survey_sum: 18,
    };
    let k = agent_kpi(id(1), &c);
    assert_eq!((k.offered, k.answered, k.missed, k.rejected), (12, 9, 2, 1));
    assert_eq!(k.answer_rate.percent, Some(75.0));
    assert_eq!(k.avg_ring_secs, Some(5.0));
    assert_eq!(k.avg_talk_secs, Some(180.0));
    assert_eq!(k.avg_hold_secs, Some(10.0));
    assert_eq!(k.avg_wrap_up_secs, Some(30.0));
    assert_eq!(k.avg_handle_secs, Some(220.0), "180 + 10 + 30");
    assert_eq!(k.survey_avg, Some(4.5));
    let none = agent_kpi(id(2), &AgentCounters::default());
    assert_eq!((none.avg_handle_secs, none.survey_avg, none.answer_rate.percent), (None, None, None));
}

#[test]
fn state_time_and_occupancy_use_the_model_state_names() {
    let (avail, res, call, wrap) = (
        AgentState::Available.name(),
        AgentState::Reserved.name(),
        AgentState::OnCall.name(),
        AgentState::WrapUp.name(),
    );
    let nr = AgentState::NotReady { reason: NotReadyReason::Break };
    assert_eq!((avail, res, call, wrap), ("available", "reserved", "on_call", "wrap_up"));
    let rows = vec![
        (avail, None, 3_600_000),
        (res, None, 600_000),
        (call, None, 7_200_000),
        (wrap, None, 1_800_000),
        (nr.name(), nr.reason_code(), 900_000),
        ("not_ready", Some("lunch"), 1_800_000),
        (call, None, 1_800_000),
    ];
    let s = agent_states(rows);
    assert_eq!(s.logged_in_ms, 17_700_000);
    // (9 000 000 + 1 800 000) / (3 600 000 + 600 000 + 9 000 000 + 1 800 000)
    assert!(close(s.occupancy_pct.unwrap(), 72.0));
    let on_call = s.states.iter().find(|t| t.state == "on_call").unwrap();
    assert_eq!(on_call.ms, 9_000_000, "rows of one state add");
    let brk = s.states.iter().find(|t| t.reason.as_deref() == Some("break")).unwrap();
    assert_eq!(brk.state, "not_ready");
    assert!(close(brk.percent.unwrap(), 100.0 * 900_000.0 / 17_700_000.0));
    assert_eq!(s.states.len(), 6);
    assert_eq!(agent_states(Vec::new()).occupancy_pct, None);
}

fn agent(n: u8, answered: u64, talk_secs: u64) -> reports::agents::AgentKpi {
    agent_kpi(
        id(n),
        &AgentCounters { offered: answered, answered, talk_ms: answered * talk_secs * 1000, ..Default::default() },
    )
}

#[test]
fn the_ranking_puts_more_answered_first_then_lower_handle_time() {
    let agents = vec![agent(1, 10, 200), agent(4, 10, 180), agent(3, 12, 300), agent(2, 10, 180), agent(5, 0, 0)];
    let r = rank(agents);
    let got: Vec<(u32, AgentId)> = r.agents.iter().map(|a| (a.rank, a.agent.agent_id)).collect();
    assert_eq!(
        got,
        vec![(1, id(3)), (2, id(2)), (2, id(4)), (4, id(1)), (5, id(5))],
        "ties share a rank, listed by id; no handle time ranks last"
    );
    assert!(r.rule.contains("lower average handle time"));
}
