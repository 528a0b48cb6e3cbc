//! Agents: log in and out, state changes, and filing idle agents in their
//! queues' pools in strategy order.

use model::{AgentId, RoutingStrategy};

use crate::action::Action;
use crate::agent::{Activity, AgentKey, AgentSlot, Membership, Pool};
use crate::call::CallState;
use crate::command::{AgentProfile, ReadyState};
use crate::engine::Engine;
use crate::error::AcdError;
use crate::timer::Timer;

impl Engine {
    pub(crate) fn log_in(&mut self, id: AgentId, profile: AgentProfile) -> Result<(), AcdError> {
        let existing = self.agent_index.get(&id).copied();
        if let Some(a) = existing
            && self.agents[a].activity != Activity::LoggedOut
        {
            return Err(AcdError::AlreadyLoggedIn(id));
        }
        let mut memberships = Vec::with_capacity(profile.queues.len());
        for m in &profile.queues {
            if !(1..=100).contains(&m.weight) {
                return Err(AcdError::Invalid { field: "queues.weight", reason: "must be between 1 and 100" });
            }
            let queue = self.queue_idx(m.queue_id)?;
            if memberships.iter().any(|o: &Membership| o.queue == queue) {
                return Err(AcdError::Invalid { field: "queues.queue_id", reason: "is listed twice" });
            }
            memberships.push(Membership { queue, weight: m.weight, rr_turn: 0, key: None });
        }
        let levels = self.skills.levels(&profile.skills)?;
        let a = match existing {
            Some(a) => {
                for m in std::mem::take(&mut self.agents[a].memberships) {
                    self.queues[m.queue].members.retain(|&x| x != a);
                }
                a
            }
            None => {
                self.agents.push(AgentSlot {
                    id,
                    activity: Activity::LoggedOut,
                    tier: profile.vip_tier,
                    levels: Vec::new(),
                    memberships: Vec::new(),
                    idle_since: self.now,
                    calls_today: 0,
                    talk_today: 0,
                    blended: false,
                });
                self.agent_index.insert(id, self.agents.len() - 1);
                self.agents.len() - 1
            }
        };
        for m in &memberships {
            self.queues[m.queue].members.push(a);
        }
        let slot = &mut self.agents[a];
        slot.tier = profile.vip_tier;
        slot.levels = levels;
        slot.memberships = memberships;
        slot.blended = false;
        self.set_activity(a, Activity::Available);
        self.route_agent(a);
        Ok(())
    }

    pub(crate) fn log_out(&mut self, id: AgentId) -> Result<(), AcdError> {
        let a = self.agent_idx(id)?;
        match self.agents[a].activity.clone() {
            Activity::LoggedOut => return Err(AcdError::LoggedOut(id)),
            Activity::OnCall { .. } => return Err(AcdError::AgentBusy(id)),
            Activity::Reserved { call } => {
                // Back in the queue first, so a leave-empty policy triggered
                // by this log-out also sends this call away.
                self.emit(Action::CancelOffer { call, agent: id });
                let returned = self.withdraw_from_offer(call, a);
                self.set_activity(a, Activity::LoggedOut);
                if returned {
                    self.route_call(call);
                }
            }
            _ => self.set_activity(a, Activity::LoggedOut),
        }
        Ok(())
    }

    pub(crate) fn set_agent_state(&mut self, id: AgentId, state: ReadyState) -> Result<(), AcdError> {
        let a = self.agent_idx(id)?;
        match self.agents[a].activity {
            Activity::LoggedOut => return Err(AcdError::LoggedOut(id)),
            Activity::Reserved { .. } | Activity::OnCall { .. } => return Err(AcdError::AgentBusy(id)),
            _ => {}
        }
        let next = match state {
            ReadyState::Available => Activity::Available,
            ReadyState::NotReady(reason) => Activity::NotReady(reason),
            ReadyState::DoNotDisturb => Activity::DoNotDisturb,
        };
        self.agents[a].blended = false;
        self.set_activity(a, next);
        self.route_agent(a);
        Ok(())
    }

    pub(crate) fn end_wrap_up(&mut self, id: AgentId) -> Result<(), AcdError> {
        let a = self.agent_idx(id)?;
        if matches!(self.agents[a].activity, Activity::WrapUp { .. }) {
            self.finish_wrap_up(a);
        }
        Ok(())
    }

    /// The wrap-up timer fired.
    pub(crate) fn wrap_up_ends(&mut self, a: usize) {
        if let Activity::WrapUp { until } = self.agents[a].activity
            && until <= self.now
        {
            self.finish_wrap_up(a);
        }
    }

    /// Starts wrap-up for `wrap_secs`, or ends it at once when zero.
    pub(crate) fn start_wrap_up(&mut self, a: usize, wrap_secs: u32) {
        if wrap_secs == 0 {
            self.finish_wrap_up(a);
            return;
        }
        let until = self.now + crate::time::secs(wrap_secs);
        self.set_activity(a, Activity::WrapUp { until });
        self.schedule_secs(wrap_secs, Timer::WrapUpEnds { agent: a });
    }

    fn finish_wrap_up(&mut self, a: usize) {
        let next = self.agents[a].idle_activity();
        self.agents[a].blended = false;
        self.set_activity(a, next);
        self.route_agent(a);
    }

    /// Changes an agent's activity: refiles them in their queues' pools,
    /// keeps logged-in counts, reports the public state if it changed, and
    /// applies the leave-empty policy.
    pub(crate) fn set_activity(&mut self, a: usize, next: Activity) {
        let old = std::mem::replace(&mut self.agents[a].activity, next.clone());
        let was_pooled = old.pool();
        if let Some(pool) = was_pooled {
            self.unfile(a, pool);
        }
        if let Some(pool) = next.pool() {
            if was_pooled.is_none() {
                self.agents[a].idle_since = self.now;
            }
            self.file(a, pool);
        }
        let logged = |x: &Activity| *x != Activity::LoggedOut;
        if logged(&old) != logged(&next) {
            let mut emptied = Vec::new();
            for m in &self.agents[a].memberships {
                let q = &mut self.queues[m.queue];
                if logged(&next) {
                    q.logged_in += 1;
                } else {
                    q.logged_in -= 1;
                    if q.logged_in == 0 && q.config.routing.leave_empty {
                        emptied.push(m.queue);
                    }
                }
            }
            for q in emptied {
                self.empty_queue(q);
            }
        }
        if old.public() != next.public() {
            let agent = self.agents[a].id;
            self.emit(Action::AgentStateChanged { agent, state: next.public() });
        }
    }

    /// The key agent `a` is filed under in membership `m`'s queue.
    fn pool_key(&self, a: usize, m: &Membership) -> AgentKey {
        let ag = &self.agents[a];
        let idle = ag.idle_since.as_micros();
        match self.queues[m.queue].config.strategy {
            RoutingStrategy::FewestCalls => (u64::from(ag.calls_today), idle, a),
            RoutingStrategy::LeastTalkTime => (ag.talk_today, idle, a),
            RoutingStrategy::RoundRobin => (m.rr_turn, a as u64, a),
            _ => (idle, 0, a),
        }
    }

    fn file(&mut self, a: usize, pool: Pool) {
        for i in 0..self.agents[a].memberships.len() {
            let m = &self.agents[a].memberships[i];
            let key = self.pool_key(a, m);
            let q = &mut self.queues[m.queue];
            match pool {
                Pool::Available => q.available.insert(key),
                Pool::BackOffice => q.back_office.insert(key),
            };
            self.agents[a].memberships[i].key = Some(key);
        }
    }

    fn unfile(&mut self, a: usize, pool: Pool) {
        for m in &mut self.agents[a].memberships {
            if let Some(key) = m.key.take() {
                let q = &mut self.queues[m.queue];
                match pool {
                    Pool::Available => q.available.remove(&key),
                    Pool::BackOffice => q.back_office.remove(&key),
                };
            }
        }
    }

    /// Refiles every pooled member of queue `q` (its strategy or counters changed).
    pub(crate) fn refile_members(&mut self, q: usize) {
        let members = self.queues[q].members.clone();
        for a in members {
            if let Some(pool) = self.agents[a].activity.pool() {
                self.unfile(a, pool);
                self.file(a, pool);
            }
        }
    }

    /// Zeroes today's counters everywhere.
    pub(crate) fn reset_day(&mut self) {
        for q in &mut self.queues {
            q.stats = Default::default();
        }
        for ag in &mut self.agents {
            ag.calls_today = 0;
            ag.talk_today = 0;
        }
        for q in 0..self.queues.len() {
            self.refile_members(q);
        }
    }

    /// Takes agent `a` off the offer of `call` (log-out or rejection); the
    /// call goes back to its queue when nobody else is ringing. Returns
    /// whether it did; the caller routes it.
    pub(crate) fn withdraw_from_offer(&mut self, call: model::CallId, a: usize) -> bool {
        let Some(c) = self.calls.get_mut(&call) else { return false };
        if let CallState::Offered { agents, .. } = &mut c.state {
            agents.retain(|&x| x != a);
            if agents.is_empty() {
                self.return_to_queue(call);
                return true;
            }
        }
        false
    }
}
