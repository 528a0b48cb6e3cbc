//! The history model on the demo tenant's configuration: deterministic,
//! every row one the CDR projection could produce, agent intervals that
//! hold the agents' calls, and the shapes the reports should find
//! (weekday × hour, VIP share, repeat callers, abandonment under load).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Weekday};
use model::event::{AbandonStage, IvrExit};
use model::{AgentId, CallOutcome, ContactId, IvrFlowId, NumberId, QueueId, QueueMembership, Record, SkillId};
use store::repo::queues::StoredQueue;
use uuid::Uuid;

use super::generator::Generator;
use super::plan::Plan;
use super::plan_of::{Stored, plan};
use super::rng::Rng;
use super::rows::{CallRow, IntervalRow};
use super::{ivr, rows, writer};
use crate::demo_data;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// The demo tenant as `switchboard demo` stores it, with fixed ids; only
/// the first `agents` demo agents.
fn demo_plan(agents: usize) -> Plan {
    let skill = |name: &str| SkillId::from(id(0x5000 + name.len() as u128 * 31 + name.as_bytes()[0] as u128));
    let queues: Vec<StoredQueue> = demo_data::queues(skill)
        .into_iter()
        .enumerate()
        .map(|(i, queue)| StoredQueue { id: QueueId::from(id(0x100 + i as u128)), queue, members: Vec::new() })
        .collect();
    let queue_id = |name: &str| queues.iter().find(|q| q.queue.name == name).map(|q| q.id);
    let agent_records: Vec<Record<AgentId, model::Agent>> = demo_data::AGENTS
        .iter()
        .take(agents)
        .enumerate()
        .map(|(i, a)| Record {
            id: AgentId::from(id(0x200 + i as u128)),
            data: model::Agent {
                user_id: None,
                name: a.name.into(),
                extension: a.username.into(),
                sip_password: None,
                vip_tier: model::VipTier(a.vip_tier),
                skills: demo_data::agent_skills(a, skill),
                queues: a
                    .queues
                    .iter()
                    .filter_map(|(n, w)| queue_id(n).map(|queue_id| QueueMembership { queue_id, weight: *w }))
                    .collect(),
                device: model::AgentDevice::Registered,
                mobile_number: None,
            },
        })
        .collect();
    let flow_id = IvrFlowId::from(id(0x300));
    let flows = vec![Record {
        id: flow_id,
        data: demo_data::ivr_flow(queue_id("sales").unwrap(), queue_id("support").unwrap(), skill),
    }];
    let numbers = vec![Record { id: NumberId::from(id(0x400)), data: demo_data::number(flow_id) }];
    let contacts: Vec<_> = demo_data::contacts(|_| None)
        .into_iter()
        .enumerate()
        .map(|(i, data)| Record { id: ContactId::from(id(0x500 + i as u128)), data })
        .collect();
    let stored = Stored {
        tenant: id(0x1),
        queues: &queues,
        agents: &agent_records,
        numbers: &numbers,
        flows: &flows,
        contacts: &contacts,
    };
    plan(&stored).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `days` days from Monday 2026-10-05 (no holiday, no clock change).
fn generate(plan: Plan, seed: u64, calls_per_day: f64, days: i64) -> (Vec<CallRow>, Vec<IntervalRow>, Generator) {
    let first = date(2026, 10, 5);
    let mut g = Generator::new(plan, seed, calls_per_day, first, days);
    let (mut calls, mut intervals) = (Vec::new(), Vec::new());
    for d in 0..days {
        let day = g.day(first + chrono::Duration::days(d));
        calls.extend(day.calls);
        intervals.extend(day.intervals);
    }
    calls.extend(g.finish());
    (calls, intervals, g)
}

fn local(plan: &Plan, ms: i64) -> chrono::DateTime<chrono_tz::Tz> {
    DateTime::from_timestamp_millis(ms).unwrap().with_timezone(&plan.tz)
}

#[test]
fn the_same_seed_gives_the_same_history_and_another_seed_another() {
    let (a, ai, _) = generate(demo_plan(6), 7, 200.0, 3);
    let (b, bi, _) = generate(demo_plan(6), 7, 200.0, 3);
    let (c, _, _) = generate(demo_plan(6), 8, 200.0, 3);
    assert_eq!(a, b);
    assert_eq!(ai, bi);
    assert_ne!(a, c);
    let mut ids: Vec<Uuid> = a.iter().map(|r| r.call_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), a.len(), "call ids are unique");
}

#[test]
fn every_row_is_one_the_cdr_projection_could_produce() {
    let plan = demo_plan(6);
    let (calls, _, _) = generate(plan.clone(), 1, 250.0, 28);
    assert!(calls.len() > 28 * 220, "{}", calls.len());
    let support = plan.queues.iter().position(|q| q.name == "support").unwrap();
    for r in &calls {
        let answered = r.answered_at.is_some();
        let ctx = format!("{r:?}");
        assert_eq!(answered, r.agent.is_some(), "agent only when answered: {ctx}");
        assert_eq!(answered, r.talk_ms.is_some() && r.hold_ms.is_some() && r.ring_ms.is_some(), "{ctx}");
        assert!(answered == (r.outcome == CallOutcome::Answered) || r.outcome == CallOutcome::Callback, "{ctx}");
        assert_eq!(r.abandon_stage.is_some(), r.outcome == CallOutcome::Abandoned, "{ctx}");
        assert_eq!(r.wait_ms.is_some(), r.queued_at.is_some(), "wait only when queued: {ctx}");
        assert!(r.survey_score.is_none() || (answered && r.queue == Some(support)), "{ctx}");
        assert!(r.wrap_up_ms.is_none() || answered, "{ctx}");
        assert!(r.disposition.is_none() || answered, "{ctx}");
        let ivr_left = r.ivr_left_at.unwrap();
        assert!(r.ivr_entered_at == Some(r.arrived_at) && ivr_left >= r.arrived_at, "{ctx}");
        if let Some(q) = r.queued_at {
            assert!(q >= ivr_left && r.ended_at >= q, "{ctx}");
        }
        if let Some(a) = r.answered_at {
            let queued = r.queued_at.unwrap();
            assert!(a >= queued && r.ended_at == a + r.talk_ms.unwrap() + r.hold_ms.unwrap(), "{ctx}");
            if r.outcome == CallOutcome::Answered {
                assert_eq!(r.wait_ms, Some(a - queued), "the wait ends at the answer: {ctx}");
            }
        }
        if r.abandon_stage == Some(AbandonStage::Ivr) {
            assert_eq!(r.ivr.as_ref().unwrap().exit, IvrExit::CallerHangup, "{ctx}");
            assert_eq!(r.ended_at, ivr_left);
        }
        if r.outside_business_hours {
            assert!(r.outcome != CallOutcome::Answered, "after hours, nobody answers at once: {ctx}");
        }
    }
    let count = |o: CallOutcome| calls.iter().filter(|r| r.outcome == o).count();
    for o in [CallOutcome::Answered, CallOutcome::Abandoned, CallOutcome::Voicemail, CallOutcome::Callback] {
        assert!(count(o) > 0, "{o:?}");
    }
    let open: Vec<_> = calls.iter().filter(|r| r.queued_at.is_some() && !r.outside_business_hours).collect();
    let answered = open.iter().filter(|r| r.outcome == CallOutcome::Answered).count();
    assert!(answered * 10 > open.len() * 7, "most calls queued in hours are answered: {answered} of {}", open.len());
    let completed = calls.iter().filter(|r| r.outcome == CallOutcome::Callback && r.answered_at.is_some()).count();
    assert!(completed > 0 && calls.iter().any(|r| r.callback_offered), "callbacks offered and completed");
    assert!(calls.iter().any(|r| !r.rona.is_empty()), "some offers ring out");
    assert!(calls.iter().any(|r| r.hold_ms.is_some_and(|h| h > 0)));
    assert!(calls.iter().any(|r| r.survey_score.is_some()));
    let stages: Vec<_> = [AbandonStage::Ivr, AbandonStage::Queue, AbandonStage::Ringing]
        .into_iter()
        .map(|s| calls.iter().filter(|r| r.abandon_stage == Some(s)).count())
        .collect();
    assert!(stages.iter().all(|n| *n > 0), "abandoned at every stage: {stages:?}");
}

#[test]
fn weekday_mornings_are_busy_nights_and_sundays_quiet_and_five_percent_are_vips() {
    let plan = demo_plan(6);
    let (calls, _, _) = generate(plan.clone(), 2, 300.0, 28);
    let at = |weekday: Weekday, hour: u32| {
        calls
            .iter()
            .filter(|r| {
                let t = local(&plan, r.arrived_at);
                t.weekday() == weekday && t.hour() == hour
            })
            .count()
    };
    assert!(
        at(Weekday::Wed, 10) > 10 * at(Weekday::Wed, 3).max(1),
        "{} vs {}",
        at(Weekday::Wed, 10),
        at(Weekday::Wed, 3)
    );
    let on = |weekday: Weekday| calls.iter().filter(|r| local(&plan, r.arrived_at).weekday() == weekday).count();
    assert!(on(Weekday::Mon) > 2 * on(Weekday::Sun), "{} vs {}", on(Weekday::Mon), on(Weekday::Sun));
    let vip = calls.iter().filter(|r| r.vip_tier > 0).count() as f64 / calls.len() as f64;
    assert!((0.035..0.065).contains(&vip), "VIP share {vip}");
    let sundays: Vec<_> = calls.iter().filter(|r| local(&plan, r.arrived_at).weekday() == Weekday::Sun).collect();
    assert!(sundays.iter().all(|r| r.outside_business_hours), "the demo is closed on Sundays");
}

#[test]
fn callers_call_again_after_a_miss_or_an_unresolved_matter() {
    let (calls, _, g) = generate(demo_plan(6), 3, 300.0, 21);
    let mut by_caller: HashMap<String, Vec<&CallRow>> = HashMap::new();
    for r in &calls {
        let mut n = String::new();
        g.callers().write_number(r.caller, &mut n);
        by_caller.entry(n).or_default().push(r);
    }
    assert!(by_caller.len() < calls.len() * 9 / 10, "repeat callers exist: {} of {}", by_caller.len(), calls.len());
    // The call after an unanswered one comes sooner than after an answered one.
    let mut after_miss = Vec::new();
    let mut after_answer = Vec::new();
    for rows in by_caller.values_mut() {
        rows.sort_by_key(|r| r.arrived_at);
        for pair in rows.windows(2) {
            let gap = pair[1].arrived_at - pair[0].ended_at;
            if pair[0].answered_at.is_some() { after_answer.push(gap) } else { after_miss.push(gap) }
        }
    }
    let median = |v: &mut Vec<i64>| {
        v.sort();
        v[v.len() / 2]
    };
    assert!(median(&mut after_miss) < median(&mut after_answer));
}

#[test]
fn agent_intervals_hold_every_call_and_never_overlap() {
    let plan = demo_plan(6);
    let (calls, intervals, _) = generate(plan.clone(), 4, 300.0, 7);
    let mut by_agent: HashMap<usize, Vec<&IntervalRow>> = HashMap::new();
    for i in &intervals {
        assert!(i.ended_at > i.started_at);
        by_agent.entry(i.agent).or_default().push(i);
    }
    for list in by_agent.values_mut() {
        list.sort_by_key(|i| i.started_at);
        assert!(list.windows(2).all(|w| w[0].ended_at <= w[1].started_at), "no overlap");
    }
    let states: std::collections::BTreeSet<_> = intervals.iter().map(|i| (i.state, i.reason)).collect();
    for s in [
        ("available", None),
        ("on_call", None),
        ("wrap_up", None),
        ("reserved", None),
        ("not_ready", Some("lunch")),
        ("not_ready", Some("missed")),
    ] {
        assert!(states.contains(&s), "{s:?} in {states:?}");
    }
    for r in calls.iter().filter(|r| r.answered_at.is_some()) {
        let (answered, agent) = (r.answered_at.unwrap(), r.agent.unwrap());
        let on_call = by_agent[&agent]
            .iter()
            .find(|i| i.state == "on_call" && i.started_at <= answered && i.ended_at >= r.ended_at);
        assert!(on_call.is_some(), "the agent was on the call: {r:?}");
        if r.outcome == CallOutcome::Answered {
            assert_eq!(on_call.unwrap().started_at, answered - r.ring_ms.unwrap(), "on_call from the offer");
            let wrap = r.wrap_up_ms.unwrap();
            let wrapping = by_agent[&agent].iter().any(|i| i.state == "wrap_up" && i.started_at == r.ended_at);
            assert!(wrap > 0 && wrapping, "wrap-up follows the call: {r:?}");
        }
    }
    let sunday = date(2026, 10, 11);
    assert!(
        intervals.iter().all(|i| local(&plan, i.started_at).date_naive() != sunday),
        "nobody works on Sunday: logged out"
    );
}

#[test]
fn fewer_agents_for_the_same_calls_mean_more_abandoned_calls_and_longer_waits() {
    let rate = |agents: usize| {
        let (calls, _, _) = generate(demo_plan(agents), 5, 250.0, 7);
        let queued: Vec<_> = calls.iter().filter(|r| r.queued_at.is_some() && !r.outside_business_hours).collect();
        let abandoned = queued.iter().filter(|r| r.outcome == CallOutcome::Abandoned).count() as f64;
        let waits: i64 = queued.iter().filter_map(|r| r.wait_ms).sum();
        (abandoned / queued.len() as f64, waits / queued.len() as i64)
    };
    let (six, wait_six) = rate(6);
    let (three, wait_three) = rate(3);
    assert!(three > six + 0.05, "abandonment {three} with 3 agents vs {six} with 6");
    assert!(wait_three > wait_six * 2, "mean wait {wait_three} ms vs {wait_six} ms");
}

#[test]
fn the_demo_ivr_sends_callers_to_sales_or_support_when_open_and_offers_a_callback_when_closed() {
    let plan = demo_plan(6);
    let flow = &plan.flows[0];
    let sales = plan.queues.iter().position(|q| q.name == "sales").unwrap();
    let support = plan.queues.iter().position(|q| q.name == "support").unwrap();
    let open = DateTime::parse_from_rfc3339("2026-10-07T10:00:00+01:00").unwrap().timestamp_millis();
    let closed = DateTime::parse_from_rfc3339("2026-10-07T21:00:00+01:00").unwrap().timestamp_millis();
    let mut rng = Rng::new(11);
    let mut seen = HashMap::new();
    for _ in 0..2_000 {
        let w = ivr::walk(flow, 0, open, &mut rng);
        let choices: Vec<&str> = w.trace.choices.iter().map(|c| flow.labels[*c].as_str()).collect();
        *seen.entry((format!("{:?}", w.leave), choices.join(","))).or_insert(0) += 1;
        assert!(w.left_at > open);
    }
    let got = |leave: ivr::Leave, choices: &str| seen.get(&(format!("{leave:?}"), choices.to_owned())).copied();
    assert!(got(ivr::Leave::Enqueue(sales), "menu=1") > Some(500));
    assert!(got(ivr::Leave::Enqueue(support), "menu=2") > Some(200));
    assert!(got(ivr::Leave::Enqueue(support), "menu=3") > Some(100), "Spanish speakers go to support");
    assert!(got(ivr::Leave::Enqueue(support), "") > Some(0), "no key: the menu's failure branch");
    assert!(got(ivr::Leave::CallerHangup, "") > Some(0));
    let w = (0..50).map(|_| ivr::walk(flow, 0, closed, &mut rng)).find(|w| w.leave == ivr::Leave::Callback(support));
    let w = w.expect("after hours a callback is asked for");
    assert_eq!(flow.labels[w.trace.choices[0]], "closed=1");
    assert_eq!(flow.names[w.trace.exit_node], "callback");
}

#[test]
fn rows_encode_as_copy_lines_of_every_column() {
    let plan = demo_plan(6);
    let (calls, intervals, g) = generate(plan.clone(), 6, 100.0, 2);
    let encoded = writer::encode(&plan, g.callers(), "x".into(), &calls, &intervals);
    let columns = rows::CALL_COLUMNS.split(',').count();
    let text = encoded.call_chunks.concat();
    assert_eq!(text.lines().count(), calls.len());
    assert!(text.lines().all(|l| l.split('\t').count() == columns));
    let answered = text.lines().find(|l| l.contains("\tanswered\t")).unwrap();
    assert!(answered.contains("\tinbound\t") && answered.contains("{\"menu="), "{answered}");
    let columns = rows::INTERVAL_COLUMNS.split(',').count();
    assert!(encoded.interval_chunks.concat().lines().all(|l| l.split('\t').count() == columns));
}
