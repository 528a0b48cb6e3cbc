//! Supervisor commands on waiting calls: move, assign, change priority;
//! and a call transferred to a named agent.
//! (Setting an agent's state is the same command agents use.)

use model::{AgentId, CallId, QueueId};

use crate::command::NewCall;

use crate::agent::Activity;
use crate::call::{CallState, rank};
use crate::engine::Engine;
use crate::error::AcdError;
use crate::routing::Decision;

impl Engine {
    fn waiting(&self, call: CallId) -> Result<(), AcdError> {
        let c = self.calls.get(&call).ok_or(AcdError::UnknownCall(call))?;
        if c.state == CallState::Waiting { Ok(()) } else { Err(AcdError::NotWaiting(call)) }
    }

    pub(crate) fn move_call(&mut self, call: CallId, queue: QueueId) -> Result<(), AcdError> {
        let to = self.queue_idx(queue)?;
        self.waiting(call)?;
        let c = &self.calls[&call];
        let key = c.key;
        self.queues[c.queue].waiting.remove(&key);
        self.place(call, to);
        Ok(())
    }

    pub(crate) fn assign_call(&mut self, call: CallId, agent: AgentId) -> Result<(), AcdError> {
        self.waiting(call)?;
        let a = self.agent_idx(agent)?;
        if !self.is_available(a) {
            return Err(AcdError::AgentNotAvailable(agent));
        }
        let c = &self.calls[&call];
        if !self.agents[a].tier.covers(c.vip) && !self.vip_relaxed(c) {
            return Err(AcdError::NotEligible { call, agent });
        }
        let step = self.step_of(c);
        let detail = "assigned by a supervisor".to_string();
        self.offer(call, Decision { agents: vec![a], step, detail, back_office: false, ring_all: false });
        Ok(())
    }

    pub(crate) fn set_priority(&mut self, call: CallId, priority: i32) -> Result<(), AcdError> {
        let c = self.calls.get_mut(&call).ok_or(AcdError::UnknownCall(call))?;
        if matches!(c.state, CallState::Connected { .. }) {
            return Err(AcdError::NotWaiting(call));
        }
        let slot = &mut self.queues[c.queue];
        let waiting = slot.waiting.remove(&c.key);
        c.priority = priority;
        c.key = (rank(priority, slot.config.priority_aging_per_min, c.enqueued), c.key.1, call);
        if waiting {
            slot.waiting.insert(c.key);
        }
        Ok(())
    }

    pub(crate) fn transfer_to_agent(&mut self, nc: NewCall, agent: AgentId) -> Result<(), AcdError> {
        let a = self.agent_idx(agent)?;
        let q = self.queue_idx(nc.queue)?;
        let connected = match self.calls.get(&nc.call).map(|c| &c.state) {
            None => false,
            Some(CallState::Connected { .. }) => true,
            Some(_) => return Err(AcdError::DuplicateCall(nc.call)),
        };
        if !self.is_available(a) {
            return Err(AcdError::AgentNotAvailable(agent));
        }
        if !self.agents[a].tier.covers(nc.vip) {
            return Err(AcdError::NotEligible { call: nc.call, agent });
        }
        let call = nc.call;
        if connected {
            // The agent transferring goes to wrap-up.
            self.call_ended(call)?;
        }
        self.insert_call(nc, q)?;
        let c = self.calls.get_mut(&call).expect("inserted");
        c.key = (rank(c.priority, self.queues[q].config.priority_aging_per_min, self.now), c.key.1, call);
        let key = c.key;
        self.queues[q].stats.offered += 1;
        self.queues[q].waiting.insert(key);
        let detail = "transferred to this agent".to_string();
        self.offer(call, Decision { agents: vec![a], step: 0, detail, back_office: false, ring_all: false });
        Ok(())
    }

    pub(crate) fn outbound(&mut self, call: CallId, agent: AgentId) -> Result<(), AcdError> {
        let a = self.agent_idx(agent)?;
        if self.calls.contains_key(&call) {
            return Err(AcdError::DuplicateCall(call));
        }
        match self.agents[a].activity {
            Activity::LoggedOut => return Err(AcdError::LoggedOut(agent)),
            Activity::Reserved { .. } | Activity::OnCall { .. } => return Err(AcdError::AgentBusy(agent)),
            _ => {}
        }
        let q = self.agents[a].memberships.first().map(|m| m.queue).ok_or(AcdError::AgentNotAvailable(agent))?;
        let queue = self.queues[q].id;
        let vip = self.agents[a].tier;
        self.insert_call(NewCall { call, queue, priority: 0, vip, caller: None, skills: Vec::new() }, q)?;
        let now = self.now;
        let c = self.calls.get_mut(&call).expect("inserted");
        c.state = CallState::Connected { agent: a, since: now };
        c.outbound = true;
        self.set_activity(a, Activity::OnCall { call });
        Ok(())
    }
}
