//! The offer lifecycle: offer → ringing → answered, rejected or rung out
//! (RONA); caller hang-up; call end and wrap-up.

use model::{AgentId, CallId, NotReadyReason};

use crate::action::{Action, Outcome, TaskKind};
use crate::agent::Activity;
use crate::call::CallState;
use crate::engine::Engine;
use crate::error::AcdError;
use crate::routing::Decision;
use crate::timer::Timer;

impl Engine {
    /// Rings the decided agents with a waiting call.
    pub(crate) fn offer(&mut self, call: CallId, d: Decision) {
        let c = &self.calls[&call];
        let q = c.queue;
        let task = if c.callback { TaskKind::Callback } else { TaskKind::Call };
        let reasons: Vec<_> = d.agents.iter().map(|&a| self.reason(c, &d, a)).collect();
        let key = c.key;
        self.queues[q].waiting.remove(&key);
        self.offer_gen += 1;
        let generation = self.offer_gen;
        for &a in &d.agents {
            self.queues[q].rr_next += 1;
            let turn = self.queues[q].rr_next;
            let ag = &mut self.agents[a];
            if let Some(m) = ag.memberships.iter_mut().find(|m| m.queue == q) {
                m.rr_turn = turn;
            }
            ag.blended = d.back_office;
            self.set_activity(a, Activity::Reserved { call });
        }
        let ring = self.queues[q].config.ring_timeout_secs;
        let c = self.calls.get_mut(&call).expect("offered call exists");
        c.state = CallState::Offered { agents: d.agents.clone(), generation, ring_all: d.ring_all };
        self.schedule_secs(ring, Timer::RingTimeout { call, generation });
        let queue = self.queues[q].id;
        for (&a, reason) in d.agents.iter().zip(reasons) {
            let agent = self.agents[a].id;
            self.emit(Action::Offer { call, agent, queue, task, reason });
        }
    }

    /// Files an offered call back in its queue at its old place (ahead of
    /// everyone who joined after it at the same priority).
    /// Waiting-only timers were dropped while it rang, so they are set again:
    /// a max wait that passed meanwhile fires at once.
    pub(crate) fn return_to_queue(&mut self, call: CallId) {
        let now = self.now;
        let c = self.calls.get_mut(&call).expect("returned call exists");
        c.state = CallState::Waiting;
        let (key, q, live) = (c.key, c.queue, !c.callback);
        self.queues[q].waiting.insert(key);
        if !live {
            return;
        }
        let cfg = &self.queues[q].config;
        let max_wait = (c.enqueued + crate::time::secs(cfg.max_wait_secs)).since(now);
        let announce = cfg.routing.announce_interval_secs.map(|every| {
            if c.announce_at <= now {
                c.announce_at = now + crate::time::secs(every);
            }
            c.announce_at.since(now)
        });
        self.schedule(max_wait, Timer::MaxWait(call));
        if let Some(after) = announce {
            self.schedule(after, Timer::Announce(call));
        }
    }

    /// Checks that `call` is ringing at `agent`; returns the agent's index.
    fn ringing(&self, call: CallId, agent: AgentId) -> Result<usize, AcdError> {
        let c = self.calls.get(&call).ok_or(AcdError::UnknownCall(call))?;
        let a = self.agent_idx(agent)?;
        match &c.state {
            CallState::Offered { agents, .. } if agents.contains(&a) => Ok(a),
            _ => Err(AcdError::NotOffered { call, agent }),
        }
    }

    pub(crate) fn answered(&mut self, call: CallId, agent: AgentId) -> Result<(), AcdError> {
        let a = self.ringing(call, agent)?;
        let now = self.now;
        let c = self.calls.get_mut(&call).expect("checked");
        let CallState::Offered { agents, .. } =
            std::mem::replace(&mut c.state, CallState::Connected { agent: a, since: now })
        else {
            unreachable!("checked")
        };
        let (q, wait, caller) = (c.queue, now.since(c.arrived), c.caller.clone());
        let others: Vec<usize> = agents.into_iter().filter(|&x| x != a).collect();
        for &o in &others {
            let id = self.agents[o].id;
            self.emit(Action::CancelOffer { call, agent: id });
            let idle = self.agents[o].idle_activity();
            self.set_activity(o, idle);
        }
        self.set_activity(a, Activity::OnCall { call });
        self.agents[a].calls_today += 1;
        if let Some(caller) = caller {
            self.last_served.insert(caller, (a, now));
        }
        let slot = &mut self.queues[q];
        slot.rate.record_answer(now);
        slot.stats.answered += 1;
        slot.stats.answer_wait_micros += wait.as_micros();
        if wait <= crate::time::secs(slot.config.service_level.seconds) {
            slot.stats.answered_in_target += 1;
        }
        let queue = slot.id;
        self.emit(Action::Finished { call, queue, outcome: Outcome::Answered { agent, wait } });
        for o in others {
            self.route_agent(o);
        }
        Ok(())
    }

    pub(crate) fn rejected(&mut self, call: CallId, agent: AgentId) -> Result<(), AcdError> {
        let a = self.ringing(call, agent)?;
        self.calls.get_mut(&call).expect("checked").declined.push(a);
        let idle = self.agents[a].idle_activity();
        self.set_activity(a, idle);
        if self.withdraw_from_offer(call, a) {
            self.route_call(call);
        }
        self.route_agent(a);
        Ok(())
    }

    /// The ring timer fired: RONA. A single agent goes to not-ready
    /// ("missed"); ring-all agents stay idle. The call goes back to its place.
    pub(crate) fn ring_timeout(&mut self, call: CallId) {
        let c = &self.calls[&call];
        let CallState::Offered { agents, ring_all, .. } = c.state.clone() else { return };
        self.return_to_queue(call);
        for &a in &agents {
            let id = self.agents[a].id;
            self.emit(Action::CancelOffer { call, agent: id });
            let next =
                if ring_all { self.agents[a].idle_activity() } else { Activity::NotReady(NotReadyReason::Missed) };
            self.agents[a].blended = false;
            self.set_activity(a, next);
        }
        if ring_all {
            // The agents are idle again: serve the queue in order, so a
            // higher-priority call that arrived meanwhile goes first.
            let q = self.calls[&call].queue;
            self.route_queue(q);
        } else {
            self.route_call(call);
        }
        for a in agents {
            self.route_agent(a);
        }
    }

    pub(crate) fn abandoned(&mut self, call: CallId) -> Result<(), AcdError> {
        let c = self.calls.get(&call).ok_or(AcdError::UnknownCall(call))?;
        let (q, key, wait) = (c.queue, c.key, self.now.since(c.arrived));
        let freed = match &c.state {
            CallState::Waiting => {
                self.queues[q].waiting.remove(&key);
                Vec::new()
            }
            CallState::Offered { agents, .. } => agents.clone(),
            CallState::Connected { .. } => return Err(AcdError::NotWaiting(call)),
        };
        self.calls.remove(&call);
        for &a in &freed {
            let id = self.agents[a].id;
            self.emit(Action::CancelOffer { call, agent: id });
            let idle = self.agents[a].idle_activity();
            self.set_activity(a, idle);
        }
        self.queues[q].stats.abandoned += 1;
        let queue = self.queues[q].id;
        let outcome = Outcome::Abandoned { wait, while_ringing: !freed.is_empty() };
        self.emit(Action::Finished { call, queue, outcome });
        for a in freed {
            self.route_agent(a);
        }
        Ok(())
    }

    pub(crate) fn call_ended(&mut self, call: CallId) -> Result<(), AcdError> {
        let c = self.calls.get(&call).ok_or(AcdError::UnknownCall(call))?;
        let CallState::Connected { agent: a, since } = c.state else { return Err(AcdError::NotConnected(call)) };
        let (q, outbound) = (c.queue, c.outbound);
        self.calls.remove(&call);
        let talk = self.now.since(since);
        self.agents[a].talk_today += talk.as_micros() as u64;
        let wrap = self.queues[q].config.wrap_up_secs;
        if !outbound {
            self.queues[q].rate.record_handle(talk + crate::time::secs(wrap));
        }
        self.start_wrap_up(a, wrap);
        Ok(())
    }
}
