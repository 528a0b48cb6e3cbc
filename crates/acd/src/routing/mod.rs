//! Routing decisions. Two entry points keep one invariant — *no waiting call
//! has an eligible idle agent*:
//!
//! - [`Engine::route_call`] when a call starts waiting or its eligible set
//!   grows (skill step, VIP relaxation, sticky hold ending): the first
//!   eligible agent in the queue's pool order, or all of them for ring-all.
//! - [`Engine::route_agent`] when an agent becomes idle: among the agent's
//!   queues (and queues borrowing them in an expansion step), the first
//!   eligible call of each, then the best of those by effective priority,
//!   then wait times the queue's weight, then arrival order.
//!
//! Because of the invariant, an agent found for a call is never eligible
//! for a higher-ranked call of the same queue, so priority is never overtaken.

pub(crate) mod strategy;

use model::{CallId, OfferReason, RoutingStrategy};

use crate::agent::{Activity, Pool};
use crate::call::{CallSlot, CallState, effective_scaled};
use crate::engine::Engine;
use crate::skills::{self, Step};

/// Most agents a ring-all offer rings at once.
const RING_ALL_MAX: usize = 64;

/// Cross-queue order of calls for an agent: effective priority, weighted wait, earlier arrival.
type Fairness = (i128, u128, std::cmp::Reverse<u64>);

/// Why an offer was made, before it becomes an [`OfferReason`].
pub(crate) struct Decision {
    /// The agents to ring.
    pub agents: Vec<usize>,
    /// The step in force.
    pub step: usize,
    /// The one-line explanation.
    pub detail: String,
    /// Whether the agents come from back-office mode.
    pub back_office: bool,
    /// Whether this is a ring-all offer.
    pub ring_all: bool,
}

impl Engine {
    /// Whether agent `a` may take call `c` under `step` (pool membership is the caller's check).
    pub(crate) fn eligible(&self, c: &CallSlot, a: usize, step: &Step) -> bool {
        let ag = &self.agents[a];
        if c.declined.contains(&a) {
            return false;
        }
        if let Some((holder, until)) = c.hold
            && self.now < until
            && holder != a
        {
            return false;
        }
        if !ag.tier.covers(c.vip) && !self.vip_relaxed(c) {
            return false;
        }
        skills::meets(&ag.levels, &step.reqs) && skills::meets(&ag.levels, &c.skills)
    }

    /// Whether the call's VIP floor has relaxed by now.
    pub(crate) fn vip_relaxed(&self, c: &CallSlot) -> bool {
        let after = self.queues[c.queue].config.routing.vip_relax_after_secs;
        after.is_some_and(|s| self.now.since(c.enqueued) >= crate::time::secs(s))
    }

    /// The step in force for a call now.
    pub(crate) fn step_of(&self, c: &CallSlot) -> usize {
        skills::step_at(&self.queues[c.queue].steps, self.now.since(c.enqueued))
    }

    /// Queues whose pools may serve a call of queue `q` at step `step`.
    fn pools_for(&self, q: usize, step: usize) -> impl Iterator<Item = usize> + '_ {
        let extra = self.queues[q].steps[step].extra.iter().filter_map(|id| self.queue_index.get(id).copied());
        std::iter::once(q).chain(extra.filter(move |&p| p != q))
    }

    /// Whether queue `q` currently draws on back-office agents.
    pub(crate) fn blending(&self, q: usize) -> bool {
        let slot = &self.queues[q];
        let Some(threshold) = slot.config.routing.blending_threshold_secs else { return false };
        let waiting = u32::try_from(slot.waiting.len()).unwrap_or(u32::MAX);
        waiting > 0 && self.ewt_at(q, waiting, self.now).is_none_or(|e| e > crate::time::secs(threshold))
    }

    /// Finds agents for a waiting call and offers it; see the module docs.
    pub(crate) fn route_call(&mut self, call: CallId) {
        let Some(c) = self.calls.get(&call) else { return };
        if c.state != CallState::Waiting {
            return;
        }
        let q = c.queue;
        if let Some(d) = self.decide_for_call(c, Pool::Available) {
            self.offer(call, d);
        } else if self.blending(q) {
            self.route_back_office(q);
        }
    }

    /// A call's eligible set grew with time (step, VIP relaxation, sticky
    /// hold ending). Calls ahead of it may have grown at the same instant, so
    /// route them first, best first, down to this call.
    pub(crate) fn route_up_to(&mut self, call: CallId) {
        let Some(c) = self.calls.get(&call) else { return };
        let q = c.queue;
        let slot = &self.queues[q];
        let lenders = slot.steps.iter().flat_map(|s| &s.extra).filter_map(|id| self.queue_index.get(id));
        let idle = |p: usize| !self.queues[p].available.is_empty() || !self.queues[p].back_office.is_empty();
        if !idle(q) && !lenders.into_iter().any(|&p| idle(p)) {
            return;
        }
        let order: Vec<CallId> = slot.waiting.range(..=c.key).map(|k| k.2).collect();
        for other in order {
            self.route_call(other);
        }
    }

    /// Routes every waiting call of `q`, best first (after several agents became idle at once).
    pub(crate) fn route_queue(&mut self, q: usize) {
        let order: Vec<CallId> = self.queues[q].waiting.iter().map(|k| k.2).collect();
        for call in order {
            if self.queues[q].available.is_empty() {
                break;
            }
            self.route_call(call);
        }
    }

    /// Offers waiting calls of `q`, best first, to its back-office agents while it blends.
    pub(crate) fn route_back_office(&mut self, q: usize) {
        let order: Vec<CallId> = self.queues[q].waiting.iter().map(|k| k.2).collect();
        for call in order {
            if !self.blending(q) {
                break;
            }
            let c = &self.calls[&call];
            if let Some(d) = self.decide_for_call(c, Pool::BackOffice) {
                self.offer(call, d);
            }
        }
    }

    fn decide_for_call(&self, c: &CallSlot, pool: Pool) -> Option<Decision> {
        let q = c.queue;
        let strategy = self.queues[q].config.strategy;
        let step_i = self.step_of(c);
        let step = &self.queues[q].steps[step_i];
        let back_office = pool == Pool::BackOffice;
        if let Some((holder, until)) = c.hold
            && self.now < until
        {
            let idle = self.agents[holder].activity.pool() == Some(pool);
            if !idle || !self.eligible(c, holder, step) {
                return None;
            }
            let detail = format!("sticky agent: served this caller before ({})", strategy::name(strategy));
            return Some(Decision { agents: vec![holder], step: step_i, detail, back_office, ring_all: false });
        }
        let mut found: Vec<(crate::agent::AgentKey, u32)> = Vec::new();
        for p in self.pools_for(q, step_i) {
            let set = match pool {
                Pool::Available => &self.queues[p].available,
                Pool::BackOffice => &self.queues[p].back_office,
            };
            for &key in set {
                if found.iter().any(|f| f.0.2 == key.2) || !self.eligible(c, key.2, step) {
                    continue;
                }
                found.push((key, skills::score(&self.agents[key.2].levels, &step.reqs)));
                if !strategy::scans_all(strategy) || found.len() >= RING_ALL_MAX {
                    break;
                }
            }
        }
        if found.is_empty() {
            return None;
        }
        let agents: Vec<usize> = match strategy {
            RoutingStrategy::RingAll => found.iter().map(|f| f.0.2).collect(),
            RoutingStrategy::BestSkill => {
                let best = found.iter().min_by_key(|f| (std::cmp::Reverse(f.1), f.0)).map(|f| f.0.2);
                best.into_iter().collect()
            }
            _ => found.iter().min_by_key(|f| f.0).map(|f| f.0.2).into_iter().collect(),
        };
        let mut detail = strategy::detail(strategy, &self.agents[agents[0]], &step.reqs, self.now);
        if back_office {
            detail.push_str("; blending: back-office agent while the estimated wait is over the threshold");
        }
        let ring_all = strategy == RoutingStrategy::RingAll;
        Some(Decision { agents, step: step_i, detail, back_office, ring_all })
    }

    /// Finds the best call for an idle agent and offers it; see the module docs.
    pub(crate) fn route_agent(&mut self, a: usize) {
        let pool = match self.agents[a].activity.pool() {
            Some(p) => p,
            None => return,
        };
        let mut best: Option<(Fairness, CallId, usize)> = None;
        let mut consider = |engine: &Engine, q: usize, weight: u8, lender: Option<model::QueueId>| {
            if pool == Pool::BackOffice && !engine.blending(q) {
                return;
            }
            let levels = &engine.agents[a].levels;
            if !engine.queues[q].steps.iter().any(|s| skills::meets(levels, &s.reqs)) {
                return;
            }
            for key in &engine.queues[q].waiting {
                let c = &engine.calls[&key.2];
                let step_i = engine.step_of(c);
                let step = &engine.queues[q].steps[step_i];
                if lender.is_some_and(|l| !step.extra.contains(&l)) {
                    continue;
                }
                if engine.eligible(c, a, step) {
                    let score = engine.fairness(c, weight);
                    if best.as_ref().is_none_or(|b| score > b.0) {
                        best = Some((score, c.id, step_i));
                    }
                    return;
                }
            }
        };
        for i in 0..self.agents[a].memberships.len() {
            let m = &self.agents[a].memberships[i];
            consider(self, m.queue, m.weight, None);
            if self.borrowers.is_empty() {
                continue;
            }
            let lender = self.queues[m.queue].id;
            if let Some(borrowers) = self.borrowers.get(&lender) {
                for &b in borrowers {
                    if self.agents[a].membership(b).is_none() {
                        consider(self, b, 1, Some(lender));
                    }
                }
            }
        }
        let Some((_, call, step)) = best else { return };
        let strategy = self.queues[self.calls[&call].queue].config.strategy;
        let mut detail = format!(
            "{}: agent became idle; call ranked first by priority, weighted wait and arrival",
            strategy::name(strategy)
        );
        if pool == Pool::BackOffice {
            detail.push_str("; blending: back-office agent while the estimated wait is over the threshold");
        }
        let back_office = pool == Pool::BackOffice;
        self.offer(call, Decision { agents: vec![a], step, detail, back_office, ring_all: false });
    }

    /// Cross-queue fairness score of a call for an agent: effective
    /// priority, then wait times the queue's weight, then earlier arrival.
    fn fairness(&self, c: &CallSlot, weight: u8) -> Fairness {
        let aging = self.queues[c.queue].config.priority_aging_per_min;
        let eff = effective_scaled(c.priority, aging, c.enqueued, self.now);
        let wait = u128::from(self.now.since(c.enqueued).as_micros() as u64) * u128::from(weight);
        (eff, wait, std::cmp::Reverse(c.key.1))
    }

    /// The offer's reason as the model records it.
    pub(crate) fn reason(&self, c: &CallSlot, d: &Decision, agent: usize) -> OfferReason {
        let slot = &self.queues[c.queue];
        let reqs = &slot.steps[d.step].reqs;
        let mut matched = skills::matched(&self.skills, &self.agents[agent].levels, reqs);
        matched.extend(skills::matched(&self.skills, &self.agents[agent].levels, &c.skills));
        OfferReason {
            strategy: slot.config.strategy,
            step: u32::try_from(d.step).unwrap_or(u32::MAX),
            skills: matched,
            detail: d.detail.clone(),
        }
    }

    /// Whether agent `a` is idle in the available pool.
    pub(crate) fn is_available(&self, a: usize) -> bool {
        self.agents[a].activity == Activity::Available
    }
}
