//! The IVR interpreter: one call's walk through one [`IvrFlow`], sans-IO.
//!
//! The call actor starts an [`IvrRun`] when the call is answered, feeds it
//! the caller's keys, the ends of the prompts it played and the timer at
//! [`IvrRun::poll_timeout`], and does what [`IvrRun::poll_action`] says
//! until [`IvrAction::Exit`]. Time comes in as an argument: `Instant`s for
//! timers, and the wall-clock time (for business hours) at the start and
//! with each timeout; between those the run counts wall time on from the
//! last one given by the `Instant`s, so it never reads a clock.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::{Duration, Instant};
//! use calls::ivr::{IvrAction, IvrOutcome, IvrRun, demo_flow};
//! use model::{IvrFlowId, QueueId};
//!
//! let queue = QueueId::new();
//! let (t0, wall) = (Instant::now(), chrono::Utc::now());
//! let mut run = IvrRun::start(IvrFlowId::new(), Arc::new(demo_flow(queue)), t0, wall);
//! let mut now = t0;
//! let outcome = loop {
//!     match run.poll_action() {
//!         // The shell plays the prompt; here it ends a second later.
//!         Some(IvrAction::Play { .. }) => {
//!             now += Duration::from_secs(1);
//!             run.prompt_finished(now);
//!         }
//!         Some(IvrAction::StopPlaying) => {}
//!         Some(IvrAction::Event(_event)) => {} // to the event writer
//!         Some(IvrAction::Exit(outcome)) => break outcome,
//!         Some(_) => {}
//!         // Nothing to do: wait for a key, a prompt end or the timer.
//!         None => match run.poll_timeout() {
//!             Some(at) => run.handle_timeout(at, wall + (at - t0)),
//!             None => break IvrOutcome::CallerHungUp,
//!         },
//!     }
//! };
//! assert!(matches!(
//!     outcome,
//!     IvrOutcome::Enqueue { .. } | IvrOutcome::Voicemail { .. } | IvrOutcome::Hangup { .. }
//! ));
//! ```

mod arrival;
mod demo;
mod types;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use model::{EventPayload, IvrExit, IvrFlow, IvrFlowId, IvrNode};

pub use arrival::closed_on_arrival;
pub use demo::{demo_flow, demo_hours};
pub use types::{IvrAction, IvrError, IvrOutcome, MAX_VISITS_WITHOUT_KEY, Routing, TYPE_AHEAD_MAX};
use types::{TypeAhead, dtmf_key};

/// Where the run is.
#[derive(Clone, Debug)]
enum State {
    /// A `Play` node's prompt is playing.
    Playing {
        /// The node.
        node: String,
    },
    /// At a `Menu` node.
    Menu {
        /// The node.
        node: String,
        /// Timeouts and bad keys so far.
        failures: u32,
        /// Prompt or wait.
        phase: MenuPhase,
    },
    /// The run has exited.
    Ended,
}

/// The two halves of a menu.
#[derive(Clone, Copy, Debug)]
enum MenuPhase {
    /// The prompt plays; a key barges in.
    Prompt,
    /// The prompt has ended; waiting for a key until `deadline`.
    Waiting {
        /// When the wait counts as a failure.
        deadline: Instant,
    },
}

/// What to do after a node or an input.
enum Step {
    /// Go to the node named, coming from the node given.
    Goto {
        /// The target.
        target: String,
        /// The node naming it.
        from: String,
    },
    /// Wait for an input.
    Wait,
}

/// One call's run through one IVR flow.
#[derive(Debug)]
pub struct IvrRun {
    flow_id: IvrFlowId,
    flow: Arc<IvrFlow>,
    routing: Routing,
    state: State,
    type_ahead: TypeAhead,
    visits: u32,
    wall: (Instant, DateTime<Utc>),
    actions: VecDeque<IvrAction>,
}

impl IvrRun {
    /// Starts a run at the flow's start node with default routing.
    pub fn start(flow_id: IvrFlowId, flow: Arc<IvrFlow>, now: Instant, wall: DateTime<Utc>) -> IvrRun {
        IvrRun::start_with(flow_id, flow, Routing::default(), now, wall)
    }

    /// Starts a run with the routing attributes the call already has (from
    /// the caller's contact: priority, VIP tier).
    pub fn start_with(
        flow_id: IvrFlowId,
        flow: Arc<IvrFlow>,
        routing: Routing,
        now: Instant,
        wall: DateTime<Utc>,
    ) -> IvrRun {
        let start = flow.start.clone();
        let mut run = IvrRun {
            flow_id,
            flow,
            routing,
            state: State::Ended,
            type_ahead: TypeAhead::default(),
            visits: 0,
            wall: (now, wall),
            actions: VecDeque::new(),
        };
        run.actions.push_back(IvrAction::Event(EventPayload::IvrEntered { flow_id }));
        run.enter(start, None, now);
        run
    }

    /// The next action for the call actor, in order; `Exit` is the last.
    #[must_use]
    pub fn poll_action(&mut self) -> Option<IvrAction> {
        self.actions.pop_front()
    }

    /// When to call [`IvrRun::handle_timeout`]: the end of a menu's wait.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Menu { phase: MenuPhase::Waiting { deadline }, .. } => Some(deadline),
            _ => None,
        }
    }

    /// The routing attributes gathered so far.
    pub fn routing(&self) -> &Routing {
        &self.routing
    }

    /// The node the run is at, `None` once it has exited.
    pub fn node(&self) -> Option<&str> {
        match &self.state {
            State::Playing { node } | State::Menu { node, .. } => Some(node),
            State::Ended => None,
        }
    }

    /// Whether the run has exited (its `Exit` may still be queued).
    pub fn is_ended(&self) -> bool {
        matches!(self.state, State::Ended)
    }

    /// The prompt last asked for has ended. Ignored when none is playing.
    pub fn prompt_finished(&mut self, now: Instant) {
        let step = match &mut self.state {
            State::Playing { node } => match self.flow.nodes.get(node.as_str()) {
                Some(IvrNode::Play { next, .. }) => Step::Goto { target: next.clone(), from: node.clone() },
                _ => Step::Wait,
            },
            State::Menu { node, phase: phase @ MenuPhase::Prompt, .. } => {
                let timeout = match self.flow.nodes.get(node.as_str()) {
                    Some(IvrNode::Menu { timeout_secs, .. }) => *timeout_secs,
                    _ => 0,
                };
                *phase = MenuPhase::Waiting { deadline: deadline(now, timeout) };
                Step::Wait
            }
            State::Menu { .. } | State::Ended => Step::Wait,
        };
        self.follow(step, now);
    }

    /// The caller pressed `key` (`0`–`9`, `*`, `#`, `A`–`D`; other
    /// characters are ignored). During a plain prompt the key is kept for
    /// the next menu (at most [`TYPE_AHEAD_MAX`]); during a menu's prompt
    /// it stops the prompt and is taken at once.
    pub fn digit(&mut self, key: char, now: Instant) {
        let Some(key) = dtmf_key(key) else { return };
        let (node, failures, barge) = match &self.state {
            State::Playing { .. } => {
                self.visits = 0;
                self.type_ahead.push(key);
                return;
            }
            State::Menu { node, failures, phase } => (node.clone(), *failures, matches!(phase, MenuPhase::Prompt)),
            State::Ended => return,
        };
        self.visits = 0;
        if barge {
            self.actions.push_back(IvrAction::StopPlaying);
        }
        let step = self.menu_key(node, failures, Some(key), now);
        self.follow(step, now);
    }

    /// The timer of [`IvrRun::poll_timeout`] is due; `wall` is the
    /// wall-clock time now. Early calls only update the wall time.
    pub fn handle_timeout(&mut self, now: Instant, wall: DateTime<Utc>) {
        self.wall = (now, wall);
        let (node, failures) = match &self.state {
            State::Menu { node, failures, phase: MenuPhase::Waiting { deadline } } if now >= *deadline => {
                (node.clone(), *failures)
            }
            _ => return,
        };
        let step = self.menu_key(node, failures, None, now);
        self.follow(step, now);
    }

    /// The caller hung up: the run ends with `IvrLeft` (`CallerHangup`) and
    /// [`IvrOutcome::CallerHungUp`]. Ignored once the run has exited.
    pub fn hangup(&mut self, _now: Instant) {
        let Some(node) = self.node().map(str::to_owned) else { return };
        self.finish(node, IvrExit::CallerHangup, IvrOutcome::CallerHungUp);
    }

    /// The wall-clock time at `now`, counted on from the last one given.
    fn wall_at(&self, now: Instant) -> DateTime<Utc> {
        let (at, wall) = self.wall;
        chrono::Duration::from_std(now.saturating_duration_since(at))
            .ok()
            .and_then(|d| wall.checked_add_signed(d))
            .unwrap_or(wall)
    }

    /// Goes on from a step until the run waits for input or exits.
    fn follow(&mut self, step: Step, now: Instant) {
        if let Step::Goto { target, from } = step {
            self.enter(target, Some(from), now);
        }
    }

    /// Visits `target` and the nodes after it that need no input.
    fn enter(&mut self, mut target: String, mut from: Option<String>, now: Instant) {
        let flow = Arc::clone(&self.flow);
        loop {
            self.visits += 1;
            let Some(node) = flow.nodes.get(&target) else {
                let left = from.clone().unwrap_or_else(|| target.clone());
                return self.fail(left, IvrError::MissingNode { missing: target, from });
            };
            if self.visits > MAX_VISITS_WITHOUT_KEY {
                let visits = self.visits - 1;
                return self.fail(target.clone(), IvrError::Loop { node: target, visits });
            }
            let next = match node {
                IvrNode::Play { prompt, next } if prompt.is_empty() => next,
                IvrNode::Play { prompt, .. } => {
                    self.actions.push_back(IvrAction::Play { prompt: prompt.clone() });
                    self.state = State::Playing { node: target };
                    return;
                }
                IvrNode::Menu { .. } => match self.open_menu(target, 0, now) {
                    Step::Goto { target: t, from: f } => {
                        (target, from) = (t, Some(f));
                        continue;
                    }
                    Step::Wait => return,
                },
                IvrNode::BusinessHours { hours, open, closed } => {
                    if hours.is_open(self.wall_at(now)) {
                        open
                    } else {
                        closed
                    }
                }
                IvrNode::SetPriority { next, .. } | IvrNode::SetSkills { next, .. } | IvrNode::SetVip { next, .. } => {
                    self.routing.apply(node);
                    next
                }
                IvrNode::Enqueue { queue_id } => {
                    let Routing { priority, skills, vip_tier } = self.routing.clone();
                    let outcome = IvrOutcome::Enqueue { queue_id: *queue_id, priority, skills, vip_tier };
                    return self.finish(target, IvrExit::Enqueued, outcome);
                }
                IvrNode::Voicemail { prompt, max_secs } => {
                    let outcome = IvrOutcome::Voicemail { prompt: prompt.clone(), max_secs: *max_secs };
                    return self.finish(target, IvrExit::Voicemail, outcome);
                }
                IvrNode::Callback { queue_id } => {
                    return self.finish(target, IvrExit::Callback, IvrOutcome::Callback { queue_id: *queue_id });
                }
                IvrNode::Transfer { number } => {
                    let outcome = IvrOutcome::Transfer { number: number.clone() };
                    return self.finish(target, IvrExit::Transferred, outcome);
                }
                IvrNode::Hangup { prompt } => {
                    return self.finish(target, IvrExit::FlowHangup, IvrOutcome::Hangup { prompt: prompt.clone() });
                }
            };
            from = Some(std::mem::replace(&mut target, next.clone()));
        }
    }

    /// Plays a menu (or takes a key typed ahead), or gives up on it once
    /// `failures` exceed its retries.
    fn open_menu(&mut self, node: String, mut failures: u32, now: Instant) -> Step {
        let flow = Arc::clone(&self.flow);
        let Some(IvrNode::Menu { prompt, choices, timeout_secs, retries, on_failure }) = flow.nodes.get(&node) else {
            return Step::Wait;
        };
        loop {
            if failures > *retries {
                return Step::Goto { target: on_failure.clone(), from: node };
            }
            match self.type_ahead.pop() {
                Some(key) => match choices.get(key.encode_utf8(&mut [0; 4]) as &str) {
                    Some(target) => return self.choose(node, key, target.clone()),
                    None => failures += 1,
                },
                None if prompt.is_empty() => {
                    let phase = MenuPhase::Waiting { deadline: deadline(now, *timeout_secs) };
                    self.state = State::Menu { node, failures, phase };
                    return Step::Wait;
                }
                None => {
                    self.actions.push_back(IvrAction::Play { prompt: prompt.clone() });
                    self.state = State::Menu { node, failures, phase: MenuPhase::Prompt };
                    return Step::Wait;
                }
            }
        }
    }

    /// A key (or, with `None`, the timeout) at a menu.
    fn menu_key(&mut self, node: String, failures: u32, key: Option<char>, now: Instant) -> Step {
        let target = match (key, self.flow.nodes.get(&node)) {
            (Some(key), Some(IvrNode::Menu { choices, .. })) => {
                choices.get(key.encode_utf8(&mut [0; 4]) as &str).cloned().map(|t| (key, t))
            }
            _ => None,
        };
        match target {
            Some((key, target)) => self.choose(node, key, target),
            None => self.open_menu(node, failures + 1, now),
        }
    }

    /// Records an accepted menu choice and goes to its node.
    fn choose(&mut self, node: String, key: char, target: String) -> Step {
        self.actions.push_back(IvrAction::Event(EventPayload::IvrChoice {
            flow_id: self.flow_id,
            node: node.clone(),
            digits: key.to_string(),
        }));
        Step::Goto { target, from: node }
    }

    /// Ends the run with `IvrLeft` and the outcome.
    fn finish(&mut self, node: String, exit: IvrExit, outcome: IvrOutcome) {
        self.state = State::Ended;
        self.actions.push_back(IvrAction::Event(EventPayload::IvrLeft { flow_id: self.flow_id, node, exit }));
        self.actions.push_back(IvrAction::Exit(outcome));
    }

    /// Ends the run as failed.
    fn fail(&mut self, node: String, reason: IvrError) {
        self.finish(node, IvrExit::Failed, IvrOutcome::Failed { reason });
    }
}

/// `now` plus `secs`, or `now` when that is beyond the range of `Instant`.
fn deadline(now: Instant, secs: u32) -> Instant {
    now.checked_add(Duration::from_secs(u64::from(secs))).unwrap_or(now)
}
