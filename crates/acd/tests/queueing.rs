//! Waiting: callbacks keep their place, overflow, join-empty and leave-empty,
//! announcements, statistics.

use std::time::Duration;

use acd::{Action, Command, Outcome, OverflowReason, TaskKind};
use model::{OverflowTarget, RoutingStrategy};

use crate::support::H;

#[test]
fn an_accepted_callback_keeps_its_place_and_is_offered_as_a_callback_task() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.callback_threshold_secs = Some(100));
    let a = h.agent(q);
    let busy = h.call(q);
    h.serve_keep(busy, a);
    // One staffed agent, no history: 180 s per call, so position 1 waits 180 s > 100 s.
    let first = h.call(q);
    let log = h.take();
    assert!(log.iter().any(|x| matches!(x, Action::OfferCallback { call, .. } if *call == first)));
    h.cmd(Command::AcceptCallback { call: first }).unwrap();
    h.at(5.0);
    let second = h.call(q);
    assert_eq!(h.acd.position(first), Some(1));
    assert_eq!(h.acd.position(second), Some(2));
    h.at(60.0);
    h.end(busy);
    let log = h.take();
    let offer = log.iter().find_map(|x| match x {
        Action::Offer { call, task, .. } => Some((*call, *task)),
        _ => None,
    });
    assert_eq!(offer, Some((first, TaskKind::Callback)));
}

#[test]
fn max_wait_overflows_to_the_configured_destination() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.max_wait_secs = 60;
        q.overflow = Some(OverflowTarget::Voicemail);
    });
    let call = h.call(q);
    h.at(59.0);
    assert!(h.take().is_empty());
    h.at(60.0);
    let log = h.take();
    assert_eq!(
        log,
        [
            Action::Overflow {
                call,
                from: q,
                reason: OverflowReason::MaxWait,
                target: Some(OverflowTarget::Voicemail)
            },
            Action::Finished { call, queue: q, outcome: Outcome::Overflowed { reason: OverflowReason::MaxWait } },
        ]
    );
    assert!(h.cmd(Command::Abandoned { call }).is_err(), "the call has left the engine");
}

#[test]
fn max_wait_overflow_to_another_queue_gets_the_call_served_there() {
    let mut h = H::new();
    let backup = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.max_wait_secs = 30;
        q.overflow = Some(OverflowTarget::Queue { queue_id: backup });
    });
    let b = h.agent(backup);
    h.cmd(Command::SetAgentState { agent: b, state: acd::ReadyState::DoNotDisturb }).unwrap();
    let call = h.call(q);
    h.at(30.0);
    h.cmd(Command::SetAgentState { agent: b, state: acd::ReadyState::Available }).unwrap();
    assert_eq!(h.offered_to(call), Some(b));
}

#[test]
fn max_wait_overflow_to_callback_keeps_the_place_as_a_callback() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.max_wait_secs = 30;
        q.overflow = Some(OverflowTarget::Callback);
    });
    let call = h.call(q);
    h.at(1.0);
    let later = h.call(q);
    h.at(31.0);
    assert_eq!(h.acd.position(call), Some(1));
    assert_eq!(h.acd.position(later), Some(2));
    assert_eq!(h.acd.queue_stats(q, h.now).unwrap().callbacks_waiting, 2);
}

#[test]
fn a_full_queue_overflows_the_next_caller() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.max_length = 2);
    h.call(q);
    h.call(q);
    h.take();
    let third = h.call(q);
    let log = h.take();
    assert!(log.contains(&Action::Finished {
        call: third,
        queue: q,
        outcome: Outcome::Overflowed { reason: OverflowReason::QueueFull }
    }));
}

#[test]
fn join_empty_off_refuses_callers_while_no_agent_is_logged_in() {
    let mut h = H::new();
    let closed = OverflowTarget::MessageAndHangup { prompt: "closed".into() };
    let target = closed.clone();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.routing.join_empty = false;
        q.overflow = Some(target);
    });
    let call = h.call(q);
    let log = h.take();
    assert_eq!(log[0], Action::Overflow { call, from: q, reason: OverflowReason::NoAgents, target: Some(closed) });
    // A logged-in agent, even busy or on a break, opens the queue.
    let a = h.agent(q);
    h.cmd(Command::SetAgentState { agent: a, state: acd::ReadyState::DoNotDisturb }).unwrap();
    let call = h.call(q);
    assert_eq!(h.acd.position(call), Some(1));
}

#[test]
fn join_empty_on_lets_callers_wait_for_the_first_agent() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let call = h.call(q);
    assert_eq!(h.acd.position(call), Some(1));
    let a = h.agent(q);
    assert_eq!(h.offered_to(call), Some(a));
}

#[test]
fn leave_empty_sends_waiting_callers_away_when_the_last_agent_logs_out() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.routing.leave_empty = true;
        q.overflow = Some(OverflowTarget::Voicemail);
    });
    let a = h.agent(q);
    h.cmd(Command::SetAgentState { agent: a, state: acd::ReadyState::DoNotDisturb }).unwrap();
    let call = h.call(q);
    h.take();
    h.cmd(Command::LogOut { agent: a }).unwrap();
    let log = h.take();
    assert!(log.iter().any(|x| matches!(x,
        Action::Overflow { call: c, reason: OverflowReason::NoAgents, .. } if *c == call)));
}

#[test]
fn announcements_come_at_the_interval_with_position_and_estimated_wait() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| q.routing.announce_interval_secs = Some(30));
    let a = h.agent(q);
    let busy = h.call(q);
    h.serve_keep(busy, a);
    let first = h.call(q);
    let second = h.call(q);
    h.take();
    h.at(30.0);
    let log = h.take();
    let expect_first = Action::Announce { call: first, position: 1, ewt: Some(Duration::from_secs(180)) };
    let expect_second = Action::Announce { call: second, position: 2, ewt: Some(Duration::from_secs(360)) };
    assert!(log.contains(&expect_first), "{log:?}");
    assert!(log.contains(&expect_second));
    h.at(59.0);
    assert!(h.take().is_empty());
    h.at(60.0);
    assert_eq!(h.take().len(), 2);
}

#[test]
fn estimated_wait_follows_the_live_service_rate() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let a = h.agent(q);
    // 20 calls of 30 s each: the live rate is one answer per 30 s.
    for _ in 0..20 {
        let c = h.call(q);
        h.offers();
        h.serve(c, a, 30.0);
    }
    let last = h.call(q);
    h.serve_keep(last, a);
    let waiting = h.call(q);
    let ewt = h.acd.estimated_wait(waiting, h.now).unwrap().as_secs_f64();
    assert!((ewt - 30.0).abs() < 2.0, "ewt {ewt}");
}

#[test]
fn queue_statistics_count_today_and_reset_at_day_start() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |_| {});
    let a = h.agent(q);
    let answered = h.call(q);
    h.at(5.0);
    h.serve(answered, a, 10.0);
    h.cmd(Command::SetAgentState { agent: a, state: acd::ReadyState::DoNotDisturb }).unwrap();
    let gone = h.call(q);
    h.at(40.0);
    h.cmd(Command::Abandoned { call: gone }).unwrap();
    h.call(q);
    h.at(50.0);
    let s = h.acd.queue_stats(q, h.now).unwrap();
    assert_eq!((s.offered, s.answered, s.abandoned, s.waiting), (3, 1, 1, 1));
    assert_eq!(s.longest_wait, Duration::from_secs(10));
    assert_eq!(s.agents.do_not_disturb, 1);
    assert_eq!(s.service_level, Some(50.0));
    assert_eq!(s.average_speed_of_answer, Some(Duration::from_secs(5)));
    h.cmd(Command::ResetDay).unwrap();
    let s = h.acd.queue_stats(q, h.now).unwrap();
    assert_eq!((s.offered, s.answered, s.waiting), (0, 0, 1));
}

#[test]
fn a_call_whose_max_wait_passed_while_ringing_overflows_when_it_rings_out() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.max_wait_secs = 30;
        q.ring_timeout_secs = 20;
        q.overflow = Some(OverflowTarget::Voicemail);
    });
    let call = h.call(q);
    h.at(15.0);
    let a = h.agent(q);
    assert_eq!(h.offered_to(call), Some(a));
    h.at(35.0);
    let log = h.take();
    assert!(
        log.iter().any(|x| matches!(x,
        Action::Overflow { call: c, reason: OverflowReason::MaxWait, .. } if *c == call)),
        "{log:?}"
    );
}

#[test]
fn logging_out_the_last_agent_while_ringing_sends_the_call_away_under_leave_empty() {
    let mut h = H::new();
    let q = h.queue(RoutingStrategy::LongestIdle, |q| {
        q.routing.leave_empty = true;
        q.overflow = Some(OverflowTarget::Voicemail);
    });
    let a = h.agent(q);
    let call = h.call(q);
    assert_eq!(h.offered_to(call), Some(a));
    h.cmd(Command::LogOut { agent: a }).unwrap();
    let log = h.take();
    assert!(log.contains(&Action::CancelOffer { call, agent: a }));
    assert!(log.iter().any(|x| matches!(x,
        Action::Finished { call: c, outcome: Outcome::Overflowed { reason: OverflowReason::NoAgents }, .. } if *c == call)));
}
