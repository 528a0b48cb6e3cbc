//! Queues and waiting: configuration, joining (join-empty, max length,
//! sticky hold), overflow, announcements and callbacks.

use std::collections::BTreeSet;

use model::{CallId, OverflowTarget, Queue, QueueId, RoutingStrategy, Validate};

use crate::action::{Action, Outcome, OverflowReason};
use crate::call::{CallSlot, CallState, rank};
use crate::command::NewCall;
use crate::engine::Engine;
use crate::error::AcdError;
use crate::queue::QueueSlot;
use crate::skills;
use crate::time::secs;
use crate::timer::Timer;

/// Most queue-to-queue overflow hops for one call (guards configuration loops).
const MAX_HOPS: u8 = 8;

impl Engine {
    pub(crate) fn configure_queue(&mut self, id: QueueId, config: Queue) -> Result<(), AcdError> {
        // Among others this keeps ring timeouts at 5 s or more, so a ring-all
        // offer can never ring out and re-ring at the same instant forever.
        config.validate().map_err(AcdError::InvalidQueue)?;
        let steps = skills::compile_steps(&mut self.skills, &config)?;
        let q = match self.queue_index.get(&id) {
            Some(&q) => {
                self.queues[q].config = config;
                self.queues[q].steps = steps;
                q
            }
            None => {
                self.queues.push(QueueSlot {
                    id,
                    config,
                    steps,
                    waiting: BTreeSet::new(),
                    available: BTreeSet::new(),
                    back_office: BTreeSet::new(),
                    members: Vec::new(),
                    logged_in: 0,
                    rr_next: 0,
                    stats: Default::default(),
                    rate: Default::default(),
                });
                self.queue_index.insert(id, self.queues.len() - 1);
                self.queues.len() - 1
            }
        };
        self.rebuild_borrowers();
        self.refile_members(q);
        let aging = self.queues[q].config.priority_aging_per_min;
        let keys: Vec<_> = std::mem::take(&mut self.queues[q].waiting).into_iter().collect();
        for (_, seq, call) in keys {
            let c = self.calls.get_mut(&call).expect("waiting call exists");
            c.key = (rank(c.priority, aging, c.enqueued), seq, call);
            self.queues[q].waiting.insert(c.key);
        }
        Ok(())
    }

    fn rebuild_borrowers(&mut self) {
        self.borrowers.clear();
        for (q, slot) in self.queues.iter().enumerate() {
            for id in slot.steps.iter().flat_map(|s| &s.extra) {
                let list = self.borrowers.entry(*id).or_default();
                if !list.contains(&q) {
                    list.push(q);
                }
            }
        }
    }

    pub(crate) fn enqueue(&mut self, nc: NewCall) -> Result<(), AcdError> {
        let q = self.queue_idx(nc.queue)?;
        if self.calls.contains_key(&nc.call) {
            return Err(AcdError::DuplicateCall(nc.call));
        }
        let call = nc.call;
        self.insert_call(nc, q)?;
        self.place(call, q);
        Ok(())
    }

    /// Records a new call of queue `q`, waiting but not yet filed in the
    /// queue's set.
    pub(crate) fn insert_call(&mut self, nc: NewCall, q: usize) -> Result<(), AcdError> {
        for s in &nc.skills {
            if !(1..=10).contains(&s.min_level) {
                return Err(AcdError::Invalid { field: "skills.min_level", reason: "must be between 1 and 10" });
            }
        }
        let skills = self.skills.requirement(&nc.skills)?;
        self.seq += 1;
        let now = self.now;
        self.calls.insert(
            nc.call,
            CallSlot {
                id: nc.call,
                queue: q,
                priority: nc.priority,
                vip: nc.vip,
                caller: nc.caller,
                arrived: now,
                enqueued: now,
                key: (0, self.seq, nc.call),
                state: CallState::Waiting,
                callback: false,
                callback_offered: false,
                hold: None,
                declined: Vec::new(),
                hops: 0,
                announce_at: now,
                skills,
                outbound: false,
            },
        );
        Ok(())
    }

    /// Files a call (not in any queue's set) into queue `q`, or overflows it.
    pub(crate) fn place(&mut self, call: CallId, q: usize) {
        let now = self.now;
        self.queues[q].stats.offered += 1;
        let slot = &self.queues[q];
        let cfg = &slot.config;
        let rules = cfg.routing.clone();
        let (max_wait, aging, strategy) = (cfg.max_wait_secs, cfg.priority_aging_per_min, cfg.strategy);
        let full = slot.waiting.len() >= cfg.max_length as usize;
        let empty = !rules.join_empty && slot.logged_in == 0;
        let c = self.calls.get_mut(&call).expect("placed call exists");
        c.queue = q;
        c.enqueued = now;
        c.state = CallState::Waiting;
        c.hold = None;
        if empty || full {
            let reason = if empty { OverflowReason::NoAgents } else { OverflowReason::QueueFull };
            self.overflow(call, reason);
            return;
        }
        c.key = (rank(c.priority, aging, now), c.key.1, call);
        let live = !c.callback;
        if let Some(every) = rules.announce_interval_secs {
            c.announce_at = now + secs(every);
        }
        let caller = c.caller.clone();
        let key = c.key;
        self.queues[q].waiting.insert(key);
        if strategy == RoutingStrategy::Sticky {
            let within = secs(rules.sticky.within_days.saturating_mul(86_400));
            let last = caller.as_ref().and_then(|k| self.last_served.get(k)).copied();
            if let Some((a, at)) = last
                && now.since(at) <= within
                && self.agents[a].membership(q).is_some()
                && self.agents[a].activity != crate::agent::Activity::LoggedOut
            {
                self.calls.get_mut(&call).expect("exists").hold = Some((a, now + secs(rules.sticky.wait_secs)));
                self.schedule_secs(rules.sticky.wait_secs, Timer::StickyExpires(call));
            }
        }
        if live {
            self.schedule_secs(max_wait, Timer::MaxWait(call));
            if let Some(every) = rules.announce_interval_secs {
                self.schedule_secs(every, Timer::Announce(call));
            }
        }
        for s in &rules.skill_steps {
            self.schedule_secs(s.after_secs, Timer::SkillStep(call));
        }
        if let Some(after) = rules.vip_relax_after_secs {
            self.schedule_secs(after, Timer::VipRelax(call));
        }
        self.route_call(call);
        if self.calls.get(&call).is_some_and(|c| c.state == CallState::Waiting) {
            if self.blending(q) {
                self.route_back_office(q);
            }
            self.maybe_offer_callback(call);
        }
    }

    /// Emits an offer-callback action once, when the call's estimated wait exceeds the threshold.
    fn maybe_offer_callback(&mut self, call: CallId) {
        let Some(c) = self.calls.get(&call) else { return };
        if c.callback || c.callback_offered || c.state != CallState::Waiting {
            return;
        }
        let Some(threshold) = self.queues[c.queue].config.callback_threshold_secs else { return };
        let Some(ewt) = self.estimated_wait(call, self.now) else { return };
        if ewt > secs(threshold) {
            self.calls.get_mut(&call).expect("exists").callback_offered = true;
            self.emit(Action::OfferCallback { call, ewt });
        }
    }

    /// Sends a call (waiting or not yet filed) to its queue's overflow destination.
    pub(crate) fn overflow(&mut self, call: CallId, reason: OverflowReason) {
        let c = self.calls.get(&call).expect("overflowed call exists");
        let q = c.queue;
        let from = self.queues[q].id;
        let in_queue = self.queues[q].waiting.contains(&c.key);
        let hops = c.hops;
        let target = self.queues[q].config.overflow.clone();
        self.queues[q].stats.overflowed += 1;
        match &target {
            Some(OverflowTarget::Callback) if in_queue => {
                self.calls.get_mut(&call).expect("exists").callback = true;
                self.emit(Action::Overflow { call, from, reason, target });
                return;
            }
            Some(OverflowTarget::Queue { queue_id }) if hops < MAX_HOPS => {
                if let Some(&next) = self.queue_index.get(queue_id) {
                    let key = c.key;
                    self.queues[q].waiting.remove(&key);
                    self.calls.get_mut(&call).expect("exists").hops += 1;
                    self.emit(Action::Overflow { call, from, reason, target });
                    self.place(call, next);
                    return;
                }
            }
            _ => {}
        }
        let (reason, target) = match target {
            Some(OverflowTarget::Queue { .. }) if hops >= MAX_HOPS => (OverflowReason::TooManyHops, None),
            t => (reason, t),
        };
        let key = c.key;
        self.queues[q].waiting.remove(&key);
        self.calls.remove(&call);
        self.emit(Action::Overflow { call, from, reason, target });
        self.emit(Action::Finished { call, queue: from, outcome: Outcome::Overflowed { reason } });
    }

    /// The max-wait timer fired.
    pub(crate) fn max_wait(&mut self, call: CallId) {
        let c = &self.calls[&call];
        let limit = secs(self.queues[c.queue].config.max_wait_secs);
        if !c.callback && self.now.since(c.enqueued) >= limit {
            self.overflow(call, OverflowReason::MaxWait);
        }
    }

    /// Leave-empty: every live caller of `q` overflows.
    pub(crate) fn empty_queue(&mut self, q: usize) {
        let calls: Vec<CallId> = self.queues[q].waiting.iter().map(|k| k.2).collect();
        for call in calls {
            if !self.calls[&call].callback {
                self.overflow(call, OverflowReason::NoAgents);
            }
        }
    }

    /// The announcement timer fired: position and wait, then the next announcement.
    pub(crate) fn announce(&mut self, call: CallId) {
        let c = &self.calls[&call];
        let every = self.queues[c.queue].config.routing.announce_interval_secs;
        let (Some(every), false) = (every, c.callback) else { return };
        if self.now < c.announce_at {
            return;
        }
        self.calls.get_mut(&call).expect("exists").announce_at = self.now + secs(every);
        let position = self.position(call).unwrap_or(1);
        let ewt = self.estimated_wait(call, self.now);
        self.emit(Action::Announce { call, position, ewt });
        self.schedule_secs(every, Timer::Announce(call));
        self.maybe_offer_callback(call);
    }

    pub(crate) fn accept_callback(&mut self, call: CallId) -> Result<(), AcdError> {
        let c = self.calls.get_mut(&call).ok_or(AcdError::UnknownCall(call))?;
        if c.state != CallState::Waiting {
            return Err(AcdError::NotWaiting(call));
        }
        c.callback = true;
        Ok(())
    }
}
