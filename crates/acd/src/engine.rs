//! The engine: owns queues, agents, calls and timers; takes commands and the
//! time, queues actions. The other `impl Engine` blocks live beside it, one
//! role each (agents, routing, lifecycle, queueing, supervisor).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use crate::idhash::IdMap;
use std::time::Duration;

use model::{AgentId, AgentState, CallId, QueueId};

use crate::action::Action;
use crate::agent::AgentSlot;
use crate::call::{CallSlot, CallState, effective_scaled};
use crate::command::Command;
use crate::error::AcdError;
use crate::ewt;
use crate::queue::QueueSlot;
use crate::skills::SkillTable;
use crate::stats::{AgentCounts, QueueStats};
use crate::time::{Instant, secs};
use crate::timer::Timer;

/// One tenant's automatic call distributor. See the crate docs for the run loop.
#[derive(Debug, Default)]
pub struct Engine {
    pub(crate) queues: Vec<QueueSlot>,
    pub(crate) queue_index: IdMap<QueueId, usize>,
    /// Lending queue id → queues whose expansion steps borrow its agents.
    pub(crate) borrowers: IdMap<QueueId, Vec<usize>>,
    pub(crate) agents: Vec<AgentSlot>,
    pub(crate) agent_index: IdMap<AgentId, usize>,
    pub(crate) calls: IdMap<CallId, CallSlot>,
    pub(crate) skills: SkillTable,
    pub(crate) timers: BinaryHeap<Reverse<(Instant, Timer)>>,
    pub(crate) actions: VecDeque<Action>,
    /// Caller key → (agent, when served), for sticky routing.
    pub(crate) last_served: HashMap<String, (usize, Instant)>,
    pub(crate) seq: u64,
    pub(crate) offer_gen: u64,
    pub(crate) now: Instant,
}

impl Engine {
    /// An empty engine: no queues, no agents, time at the epoch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies a command at `now`. A refused command changes nothing. Drain
    /// [`Engine::poll_action`] afterwards. Time never goes backwards: an
    /// earlier `now` is taken as the latest time seen.
    pub fn handle(&mut self, command: Command, now: Instant) -> Result<(), AcdError> {
        self.advance(now);
        match command {
            Command::ConfigureQueue { queue, config } => self.configure_queue(queue, *config),
            Command::LogIn { agent, profile } => self.log_in(agent, profile),
            Command::LogOut { agent } => self.log_out(agent),
            Command::SetAgentState { agent, state } => self.set_agent_state(agent, state),
            Command::Enqueue(call) => self.enqueue(call),
            Command::Answered { call, agent } => self.answered(call, agent),
            Command::Rejected { call, agent } => self.rejected(call, agent),
            Command::Abandoned { call } => self.abandoned(call),
            Command::CallEnded { call } => self.call_ended(call),
            Command::EndWrapUp { agent } => self.end_wrap_up(agent),
            Command::AcceptCallback { call } => self.accept_callback(call),
            Command::MoveCall { call, queue } => self.move_call(call, queue),
            Command::AssignCall { call, agent } => self.assign_call(call, agent),
            Command::SetPriority { call, priority } => self.set_priority(call, priority),
            Command::TransferToAgent { call, agent } => self.transfer_to_agent(call, agent),
            Command::Outbound { call, agent } => self.outbound(call, agent),
            Command::RememberCaller { caller, agent, served_at } => {
                let a = self.agent_idx(agent)?;
                self.last_served.insert(caller, (a, served_at));
                Ok(())
            }
            Command::ResetDay => {
                self.reset_day();
                Ok(())
            }
        }
    }

    /// Fires every timer due at or before `now`. Call it when the instant
    /// from [`Engine::poll_timeout`] is reached, then drain the actions.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
        while let Some(Reverse((at, timer))) = self.timers.peek().copied() {
            if at > self.now {
                break;
            }
            self.timers.pop();
            self.fire(timer);
        }
    }

    /// The next action to carry out, if any. Drain until `None` after every
    /// `handle` or `handle_timeout`.
    #[must_use]
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When [`Engine::handle_timeout`] must next be called; `None` while
    /// nothing is timed. Re-ask after every command.
    #[must_use]
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        while let Some(&Reverse((at, timer))) = self.timers.peek() {
            if !self.timer_stale(timer) {
                return Some(at);
            }
            self.timers.pop();
        }
        None
    }

    /// A call's place in its queue (1 = next), while it waits.
    pub fn position(&self, call: CallId) -> Option<u32> {
        let c = self.calls.get(&call).filter(|c| c.state == CallState::Waiting)?;
        let ahead = self.queues[c.queue].waiting.range(..c.key).count();
        Some(u32::try_from(ahead + 1).unwrap_or(u32::MAX))
    }

    /// A waiting call's estimated wait at `now` from its position and the live service rate.
    pub fn estimated_wait(&self, call: CallId, now: Instant) -> Option<Duration> {
        let position = self.position(call)?;
        self.ewt_at(self.calls[&call].queue, position, now.max(self.now))
    }

    /// A call's effective priority at `now`: base priority plus aging (per whole minute waited).
    pub fn effective_priority(&self, call: CallId, now: Instant) -> Option<i64> {
        let c = self.calls.get(&call)?;
        let aging = self.queues[c.queue].config.priority_aging_per_min;
        let scaled = effective_scaled(c.priority, aging, c.enqueued, now.max(self.now));
        i64::try_from(scaled.div_euclid(60_000_000)).ok()
    }

    /// An agent's routing state; `None` for an agent never seen.
    pub fn agent_state(&self, agent: AgentId) -> Option<AgentState> {
        self.agent_index.get(&agent).map(|&a| self.agents[a].activity.public())
    }

    /// The latest time the engine has seen.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Live statistics of a queue at `now`.
    pub fn queue_stats(&self, queue: QueueId, now: Instant) -> Result<QueueStats, AcdError> {
        let now = now.max(self.now);
        let q = self.queue_idx(queue)?;
        let slot = &self.queues[q];
        let mut s = QueueStats::default();
        for key in &slot.waiting {
            let c = &self.calls[&key.2];
            if c.callback {
                s.callbacks_waiting += 1;
            } else {
                s.waiting += 1;
                s.longest_wait = s.longest_wait.max(now.since(c.enqueued));
            }
        }
        s.agents = self.agent_counts(slot);
        let d = &slot.stats;
        (s.offered, s.answered, s.abandoned, s.overflowed) = (d.offered, d.answered, d.abandoned, d.overflowed);
        let finished = d.answered + d.abandoned;
        if finished > 0 {
            s.service_level = Some(100.0 * d.answered_in_target as f64 / finished as f64);
        }
        if d.answered > 0 {
            let avg = d.answer_wait_micros / u128::from(d.answered);
            s.average_speed_of_answer = Some(Duration::from_micros(u64::try_from(avg).unwrap_or(u64::MAX)));
        }
        s.estimated_wait = self.ewt_at(q, u32::try_from(slot.waiting.len() + 1).unwrap_or(u32::MAX), now);
        Ok(s)
    }

    fn agent_counts(&self, slot: &QueueSlot) -> AgentCounts {
        let mut n = AgentCounts::default();
        for &a in &slot.members {
            let counter = match self.agents[a].activity.public() {
                AgentState::LoggedOut => &mut n.logged_out,
                AgentState::Available => &mut n.available,
                AgentState::Reserved => &mut n.reserved,
                AgentState::OnCall => &mut n.on_call,
                AgentState::WrapUp => &mut n.wrap_up,
                AgentState::NotReady { .. } => &mut n.not_ready,
                AgentState::DoNotDisturb => &mut n.do_not_disturb,
            };
            *counter += 1;
        }
        n
    }

    /// Estimated wait of position `position` in queue `q` at `now`.
    pub(crate) fn ewt_at(&self, q: usize, position: u32, now: Instant) -> Option<Duration> {
        let slot = &self.queues[q];
        ewt::estimate(position, slot.rate.per_second(now, slot.logged_in))
    }

    pub(crate) fn advance(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    pub(crate) fn queue_idx(&self, id: QueueId) -> Result<usize, AcdError> {
        self.queue_index.get(&id).copied().ok_or(AcdError::UnknownQueue(id))
    }

    pub(crate) fn agent_idx(&self, id: AgentId) -> Result<usize, AcdError> {
        self.agent_index.get(&id).copied().ok_or(AcdError::UnknownAgent(id))
    }

    pub(crate) fn schedule(&mut self, after: Duration, timer: Timer) {
        self.timers.push(Reverse((self.now + after, timer)));
        // Timers are never cancelled in place; drop the stale ones when they
        // outnumber the live entities, so the heap stays proportional to them.
        let live = self.calls.len() + self.agents.len();
        if self.timers.len() > 4096 && self.timers.len() > 8 * live {
            let mut timers = std::mem::take(&mut self.timers);
            timers.retain(|Reverse((_, t))| !self.timer_stale(*t));
            self.timers = timers;
        }
    }

    pub(crate) fn schedule_secs(&mut self, after: u32, timer: Timer) {
        self.schedule(secs(after), timer);
    }

    pub(crate) fn emit(&mut self, action: Action) {
        self.actions.push_back(action);
    }

    /// Whether a timer can never apply again (its call left, its offer or
    /// wrap-up is over), so it may be dropped before it is due. A call timer
    /// of a ringing call is kept: the call may come back to its queue.
    fn timer_stale(&self, timer: Timer) -> bool {
        match timer {
            Timer::RingTimeout { .. } | Timer::WrapUpEnds { .. } => !self.timer_applies(timer),
            Timer::MaxWait(call)
            | Timer::SkillStep(call)
            | Timer::VipRelax(call)
            | Timer::StickyExpires(call)
            | Timer::Announce(call) => {
                self.calls.get(&call).is_none_or(|c| matches!(c.state, CallState::Connected { .. }))
            }
        }
    }

    /// Whether a timer has work to do now that it fired.
    fn timer_applies(&self, timer: Timer) -> bool {
        match timer {
            Timer::RingTimeout { call, generation } => self
                .calls
                .get(&call)
                .is_some_and(|c| matches!(c.state, CallState::Offered { generation: g, .. } if g == generation)),
            Timer::WrapUpEnds { agent } => {
                matches!(self.agents[agent].activity, crate::agent::Activity::WrapUp { .. })
            }
            Timer::MaxWait(call)
            | Timer::SkillStep(call)
            | Timer::VipRelax(call)
            | Timer::StickyExpires(call)
            | Timer::Announce(call) => self.calls.get(&call).is_some_and(|c| c.state == CallState::Waiting),
        }
    }

    fn fire(&mut self, timer: Timer) {
        if !self.timer_applies(timer) {
            return;
        }
        match timer {
            Timer::RingTimeout { call, .. } => self.ring_timeout(call),
            Timer::WrapUpEnds { agent } => self.wrap_up_ends(agent),
            Timer::MaxWait(call) => self.max_wait(call),
            Timer::SkillStep(call) | Timer::VipRelax(call) | Timer::StickyExpires(call) => self.route_up_to(call),
            Timer::Announce(call) => self.announce(call),
        }
    }
}
