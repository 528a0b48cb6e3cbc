//! One day of the contact center as a discrete-event simulation: calls
//! arrive, go through the IVR, wait in their queue by VIP tier then time,
//! are offered to the agent idle longest (who may let it ring out: RONA),
//! talk, hold and wrap up; callers give up when their patience runs out,
//! accept a callback after the threshold, overflow at the longest wait;
//! agents log in for their shift, take breaks when due (after the call in
//! hand), and log out at its end. Pure: the caller pools and the callbacks
//! still waiting carry over to the next day through [`Carry`].
//!
//! An agent's timeline is `available`, then `on_call` from the offer of a
//! call they pick up (the ring included) to its end, `wrap_up`, and
//! `not_ready` for breaks and after a RONA; `reserved` only for offers
//! that ring out or whose caller hangs up while ringing. The real ACD
//! writes `reserved` for every ring: folding the answered rings into
//! `on_call` saves a row per call (10 million calls give some 20 million
//! intervals rather than 30).

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use model::CallOutcome;
use model::event::{AbandonStage, EndCause};

use super::agents::{State, Timeline, Traits};
use super::callers::Callers;
use super::handling::{self, CALLBACK_ACCEPT, CALLBACK_REACH, PATIENCE_MS, SURVEY_SHARE, VIP_PATIENCE_MS};
use super::plan::{Overflow, Plan};
use super::rng::Rng;
use super::rows::{CallRow, IntervalRow};

const NEVER: i64 = i64::MAX;

/// A call known to the simulation.
#[derive(Clone, Debug)]
pub struct Live {
    /// The row as it stands.
    pub row: CallRow,
    /// When the caller gives up or overflows (NEVER for a callback taker).
    pub deadline: i64,
    /// When the caller accepts (accepted) a callback, if they do.
    pub accept_at: Option<i64>,
    /// Whether the deadline is the longest wait (overflow) rather than
    /// patience.
    pub overflows: bool,
}

/// What one day leaves for the next: the callbacks not yet made.
#[derive(Clone, Debug, Default)]
pub struct Carry {
    /// Accepted callbacks still waiting for an agent.
    pub callbacks: Vec<Live>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    ShiftStart(u32),
    Enqueue(u32),
    Requeue(u32),
    Ready(u32),
    Break(u32),
    ShiftEnd(u32),
}

#[derive(Clone, Debug, Default)]
struct AgentRun {
    timeline: Timeline,
    end: i64,
    breaks: Vec<super::agents::Break>,
    next_break: usize,
    idle_since: Option<i64>,
}

/// The day in progress.
pub struct Day<'a> {
    plan: &'a Plan,
    traits: &'a [Traits],
    /// The caller pools (shared across days).
    pub callers: &'a mut Callers,
    /// The day's random draws.
    pub rng: Rng,
    heap: BinaryHeap<Reverse<(i64, u64, Ev)>>,
    seq: u64,
    live: Vec<Option<Live>>,
    waiting: Vec<BTreeSet<(u8, i64, u32)>>,
    idle: Vec<BTreeSet<(i64, u32)>>,
    agents: Vec<AgentRun>,
    /// Finished CDR rows.
    pub calls: Vec<CallRow>,
    /// Closed state intervals.
    pub intervals: Vec<IntervalRow>,
}

impl<'a> Day<'a> {
    /// A day with `carry`'s callbacks waiting from the start.
    pub fn new(plan: &'a Plan, traits: &'a [Traits], callers: &'a mut Callers, rng: Rng, carry: Carry) -> Day<'a> {
        let mut day = Day {
            plan,
            traits,
            callers,
            rng,
            heap: BinaryHeap::new(),
            seq: 0,
            live: Vec::new(),
            waiting: vec![BTreeSet::new(); plan.queues.len()],
            idle: vec![BTreeSet::new(); plan.queues.len()],
            agents: vec![AgentRun::default(); plan.agents.len()],
            calls: Vec::new(),
            intervals: Vec::new(),
        };
        for live in carry.callbacks {
            let q = live.row.queue.unwrap_or(0);
            let key = (u8::MAX - live.row.vip_tier, live.row.queued_at.unwrap_or(0), day.live.len() as u32);
            day.live.push(Some(live));
            day.waiting[q].insert(key);
        }
        day
    }

    fn push(&mut self, at: i64, ev: Ev) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, ev)));
    }

    /// Agent `agent` works `shift` today.
    pub fn add_shift(&mut self, agent: usize, shift: super::agents::Shift) {
        let a = agent as u32;
        self.push(shift.start, Ev::ShiftStart(a));
        self.push(shift.end, Ev::ShiftEnd(a));
        for b in &shift.breaks {
            self.push(b.start, Ev::Break(a));
        }
        let run = &mut self.agents[agent];
        run.end = shift.end;
        run.breaks = shift.breaks;
    }

    /// A finished row: kept, and its caller may call again.
    pub fn finish(&mut self, row: CallRow, resolved: bool) {
        if let Some(at) = handling::calls_again(&mut self.rng, &row, resolved) {
            self.callers.call_again(row.caller, at);
        }
        self.calls.push(row);
    }

    /// `row` joins its queue at `at`; `callback` when it comes as an
    /// accepted callback (the IVR's after-hours exit).
    pub fn enqueue(&mut self, mut row: CallRow, queue: usize, at: i64, callback: bool) {
        row.queue = Some(queue);
        row.queued_at = Some(at);
        let spec = &self.plan.queues[queue];
        let mut live = Live { row, deadline: NEVER, accept_at: None, overflows: false };
        if callback {
            live.accept_at = Some(at);
        } else {
            let mean = if live.row.vip_tier > 0 { VIP_PATIENCE_MS } else { PATIENCE_MS };
            let patience = 3_000 + self.rng.exp(mean) as i64;
            let offer = spec.callback_threshold_secs.map(|s| i64::from(s) * 1000);
            let max_wait = i64::from(spec.max_wait_secs) * 1000;
            if let Some(offer) = offer.filter(|o| patience > o + 6_000 && *o < max_wait)
                && self.rng.chance(CALLBACK_ACCEPT)
            {
                live.accept_at = Some(at + offer + 6_000);
            }
            if live.accept_at.is_none() {
                if patience >= max_wait && spec.overflow == Overflow::Callback {
                    live.accept_at = Some(at + max_wait);
                } else if patience >= max_wait && spec.overflow != Overflow::None {
                    (live.deadline, live.overflows) = (at + max_wait, true);
                } else {
                    live.deadline = at + patience;
                }
            }
        }
        let id = self.live.len() as u32;
        self.live.push(Some(live));
        self.push(at, Ev::Enqueue(id));
    }

    /// Runs every event (arrivals are handed in by [`Day::enqueue`] before
    /// each [`Day::run_until`]).
    pub fn run_until(&mut self, until: i64) {
        while let Some(Reverse((at, _, ev))) = self.heap.peek().copied() {
            if at > until {
                break;
            }
            self.heap.pop();
            match ev {
                Ev::ShiftStart(a) => self.ready(a as usize, at),
                Ev::Enqueue(c) | Ev::Requeue(c) => self.queue_up(c, at),
                Ev::Ready(a) => self.ready(a as usize, at),
                Ev::Break(a) | Ev::ShiftEnd(a) => {
                    if self.agents[a as usize].idle_since.is_some() {
                        self.leave_idle(a as usize);
                        self.ready(a as usize, at);
                    }
                }
            }
        }
    }

    /// Ends the day: calls still waiting give up (or overflow) at their
    /// deadline; accepted callbacks wait for the next day.
    pub fn close(mut self) -> (Vec<CallRow>, Vec<IntervalRow>, Carry) {
        self.run_until(NEVER);
        let mut carry = Carry::default();
        for q in 0..self.waiting.len() {
            for (_, _, id) in std::mem::take(&mut self.waiting[q]) {
                let Some(live) = self.live[id as usize].take() else { continue };
                if let Some(accept) = live.accept_at {
                    carry.callbacks.push(accepted(live, accept, self.plan));
                } else {
                    self.give_up(live);
                }
            }
        }
        (self.calls, self.intervals, carry)
    }

    fn queue_up(&mut self, id: u32, at: i64) {
        let Some(live) = self.live[id as usize].as_ref() else { return };
        let q = live.row.queue.unwrap_or(0);
        if let Some(&(_, agent)) = self.idle[q].first() {
            self.leave_idle(agent as usize);
            self.offer(id, agent as usize, at);
        } else {
            let key = (u8::MAX - live.row.vip_tier, live.row.queued_at.unwrap_or(at), id);
            self.waiting[q].insert(key);
        }
    }

    fn leave_idle(&mut self, agent: usize) {
        if let Some(since) = self.agents[agent].idle_since.take() {
            for &q in &self.plan.agents[agent].queues {
                self.idle[q].remove(&(since, agent as u32));
            }
        }
    }

    fn ready(&mut self, agent: usize, at: i64) {
        let run = &mut self.agents[agent];
        if at >= run.end {
            run.timeline.close(agent, at, &mut self.intervals);
            return;
        }
        if let Some(b) = run.breaks.get(run.next_break).copied().filter(|b| b.start <= at) {
            run.next_break += 1;
            run.timeline.enter(agent, State::not_ready(b.reason), at, &mut self.intervals);
            self.push(at + b.duration, Ev::Ready(agent as u32));
            return;
        }
        if let Some(id) = self.next_waiting(agent, at) {
            self.offer(id, agent, at);
            return;
        }
        let run = &mut self.agents[agent];
        run.timeline.enter(agent, State::AVAILABLE, at, &mut self.intervals);
        run.idle_since = Some(at);
        for &q in &self.plan.agents[agent].queues {
            self.idle[q].insert((at, agent as u32));
        }
    }

    /// The best waiting call of the agent's queues at `at`; callers whose
    /// patience ran out before are finished on the way.
    fn next_waiting(&mut self, agent: usize, at: i64) -> Option<u32> {
        let mut best: Option<((u8, i64, u32), usize)> = None;
        for &q in &self.plan.agents[agent].queues {
            while let Some(&key) = self.waiting[q].first() {
                let Some(live) = self.live[key.2 as usize].as_ref() else {
                    self.waiting[q].pop_first();
                    continue;
                };
                if live.accept_at.is_none() && live.deadline <= at {
                    self.waiting[q].pop_first();
                    if let Some(live) = self.live[key.2 as usize].take() {
                        self.give_up(live);
                    }
                    continue;
                }
                if best.is_none_or(|(b, _)| key < b) {
                    best = Some((key, q));
                }
                break;
            }
        }
        let (key, q) = best?;
        self.waiting[q].remove(&key);
        Some(key.2)
    }

    /// The caller leaves the queue unanswered at the deadline.
    fn give_up(&mut self, live: Live) {
        let Live { mut row, deadline, overflows, .. } = live;
        let queued = row.queued_at.unwrap_or(row.arrived_at);
        let spec = &self.plan.queues[row.queue.unwrap_or(0)];
        row.wait_ms = Some(deadline - queued);
        row.callback_offered = spec.callback_threshold_secs.is_some_and(|s| deadline - queued >= i64::from(s) * 1000);
        row.ended_at = deadline;
        if overflows {
            match spec.overflow {
                Overflow::Voicemail => {
                    row.outcome = CallOutcome::Voicemail;
                    row.end_cause = EndCause::Voicemail;
                    row.ended_at = deadline + self.rng.range(15_000, 90_000);
                }
                Overflow::Number => {
                    row.outcome = CallOutcome::Overflow;
                    row.end_cause = EndCause::TransferredOut;
                }
                _ => {
                    row.outcome = CallOutcome::Overflow;
                    row.end_cause = EndCause::FlowHangup;
                    row.ended_at = deadline + 4_000;
                }
            }
        } else {
            row.outcome = CallOutcome::Abandoned;
            row.abandon_stage = Some(AbandonStage::Queue);
            row.end_cause = EndCause::Abandoned;
        }
        self.finish(row, false);
    }

    fn offer(&mut self, id: u32, agent: usize, at: i64) {
        let Some(mut live) = self.live[id as usize].take() else { return };
        let traits = &self.traits[agent];
        let queue = &self.plan.queues[live.row.queue.unwrap_or(0)];
        let ring_timeout = i64::from(queue.ring_timeout_secs) * 1000;
        let callback = live.accept_at.is_some_and(|a| a <= at);
        if callback {
            let accept = live.accept_at.unwrap_or(at);
            live = accepted(live, accept, self.plan);
        }
        let a = agent as u32;
        let rona = self.rng.chance(traits.rona);
        let ring = if rona {
            ring_timeout
        } else {
            (self.rng.lognormal(traits.ring_ms, 0.4) as i64).clamp(800, ring_timeout - 500)
        };
        if !callback && live.deadline < at + ring {
            // The caller hangs up while the agent's phone rings.
            self.agents[agent].timeline.enter(agent, State::RESERVED, at, &mut self.intervals);
            let mut row = live.row;
            row.wait_ms = Some(live.deadline - row.queued_at.unwrap_or(at));
            row.outcome = CallOutcome::Abandoned;
            row.abandon_stage = Some(AbandonStage::Ringing);
            row.end_cause = EndCause::Abandoned;
            row.ended_at = live.deadline;
            self.push(live.deadline, Ev::Ready(a));
            self.finish(row, false);
            return;
        }
        if rona {
            self.agents[agent].timeline.enter(agent, State::RESERVED, at, &mut self.intervals);
            live.row.rona.push(agent);
            let back = at + ring_timeout;
            self.agents[agent].timeline.enter(agent, State::MISSED, back, &mut self.intervals);
            let missed = 10_000 + self.rng.exp(45_000.0) as i64;
            self.push(back + missed, Ev::Ready(a));
            self.live[id as usize] = Some(live);
            self.push(back, Ev::Requeue(id));
            return;
        }
        // An offer the agent picks up is on_call from the offer: one
        // interval fewer per call than `reserved` then `on_call`.
        let answered = at + ring;
        self.agents[agent].timeline.enter(agent, State::ON_CALL, at, &mut self.intervals);
        self.connect(live.row, agent, ring, answered, callback);
    }

    /// The agent picked up at `answered`: talk (after dialling the customer,
    /// for a callback), hold, wrap-up, survey, disposition.
    fn connect(&mut self, mut row: CallRow, agent: usize, ring: i64, answered: i64, callback: bool) {
        let traits = &self.traits[agent];
        let queue = &self.plan.queues[row.queue.unwrap_or(0)];
        let mut start = answered;
        if callback {
            let mut reached = None;
            for attempt in 0..3 {
                let rings = self.rng.range(4_000, 25_000);
                if self.rng.chance(CALLBACK_REACH) {
                    reached = Some(start + rings);
                    break;
                }
                start += rings + if attempt < 2 { 10_000 } else { 0 };
            }
            let Some(at) = reached else {
                // Given up after three attempts: the agent is free again.
                row.ended_at = start;
                row.end_cause = EndCause::Failed;
                self.push(start, Ev::Ready(agent as u32));
                self.finish(row, false);
                return;
            };
            start = at;
        } else {
            row.outcome = CallOutcome::Answered;
            row.wait_ms = Some(answered - row.queued_at.unwrap_or(answered));
            let offered = queue.callback_threshold_secs.map(|s| i64::from(s) * 1000);
            row.callback_offered = offered.is_some_and(|o| row.wait_ms.unwrap_or(0) >= o);
        }
        let (talk, hold) = handling::talk_and_hold(&mut self.rng, &queue.name, traits);
        let ended = start + talk + hold;
        row.answered_at = Some(start);
        row.agent = Some(agent);
        row.ring_ms = Some(ring);
        row.talk_ms = Some(talk);
        row.hold_ms = Some(hold);
        row.ended_at = ended;
        row.end_cause = if self.rng.chance(0.65) { EndCause::CallerHangup } else { EndCause::AgentHangup };
        let wrap = i64::from(queue.wrap_up_secs) * 1000;
        if wrap > 0 {
            row.wrap_up_ms = Some(wrap);
            self.agents[agent].timeline.enter(agent, State::WRAP_UP, ended, &mut self.intervals);
        }
        self.push(ended + wrap, Ev::Ready(agent as u32));
        let (disposition, resolved) = handling::disposition(&mut self.rng, &queue.name);
        row.disposition = disposition;
        if queue.survey && self.rng.chance(SURVEY_SHARE) {
            let waited = row.wait_ms.unwrap_or(0);
            row.survey_score = Some(handling::survey_score(&mut self.rng, waited, resolved, traits));
        }
        self.finish(row, resolved);
    }
}

/// The row of a caller who accepted a callback at `accept`: outcome
/// `callback`, the wait up to the acceptance, the first end just after it.
fn accepted(mut live: Live, accept: i64, plan: &Plan) -> Live {
    let row = &mut live.row;
    if row.outcome != CallOutcome::Callback {
        let queued = row.queued_at.unwrap_or(accept);
        row.outcome = CallOutcome::Callback;
        row.end_cause = EndCause::CallbackRequested;
        row.wait_ms = Some(accept - queued);
        let spec = &plan.queues[row.queue.unwrap_or(0)];
        // An IVR callback was never offered in the queue.
        row.callback_offered = row.ivr.as_ref().is_none_or(|ivr| ivr.exit != model::event::IvrExit::Callback)
            && spec.callback_threshold_secs.is_some();
        row.ended_at = accept + 4_000;
    }
    live.deadline = NEVER;
    live
}
