//! A virtual-time harness: builds queues and agents, sends commands, jumps
//! time from one engine deadline to the next, and keeps every action.

use acd::{Action, AgentProfile, Command, Engine, Instant, NewCall, ReadyState};
use model::{AgentId, AgentSkill, CallId, Queue, QueueId, QueueMembership, RoutingStrategy, SkillId, VipTier};
use uuid::Uuid;

/// A queue configuration with the given strategy and friendly defaults
/// (no wrap-up, generous limits).
pub fn queue_config(strategy: RoutingStrategy) -> Queue {
    let mut q: Queue = serde_json::from_value(serde_json::json!({
        "name": "Q", "max_wait_secs": 3600, "max_length": 1000, "wrap_up_secs": 0,
        "business_hours": {"time_zone": "UTC", "weekly": []},
        "overflow": null, "callback_threshold_secs": null
    }))
    .unwrap();
    q.strategy = strategy;
    q
}

/// A deterministic skill id.
pub fn skill(n: u128) -> SkillId {
    SkillId(Uuid::from_u128(0x5000 + n))
}

/// The harness.
pub struct H {
    pub acd: Engine,
    pub now: Instant,
    pub log: Vec<Action>,
    next: u128,
}

impl H {
    pub fn new() -> Self {
        H { acd: Engine::new(), now: Instant::ZERO, log: Vec::new(), next: 1 }
    }

    fn id(&mut self) -> Uuid {
        self.next += 1;
        Uuid::from_u128(self.next)
    }

    pub fn queue(&mut self, strategy: RoutingStrategy, edit: impl FnOnce(&mut Queue)) -> QueueId {
        let id = QueueId(self.id());
        let mut config = queue_config(strategy);
        edit(&mut config);
        self.cmd(Command::ConfigureQueue { queue: id, config: Box::new(config) }).unwrap();
        id
    }

    /// Logs in an agent in `queues` (weight 1) with `skills` and VIP `tier`.
    pub fn agent_with(&mut self, queues: &[(QueueId, u8)], skills: &[(SkillId, u8)], tier: u8) -> AgentId {
        let id = AgentId(self.id());
        let profile = AgentProfile {
            vip_tier: VipTier(tier),
            skills: skills.iter().map(|&(skill_id, level)| AgentSkill { skill_id, level }).collect(),
            queues: queues.iter().map(|&(queue_id, weight)| QueueMembership { queue_id, weight }).collect(),
        };
        self.cmd(Command::LogIn { agent: id, profile }).unwrap();
        id
    }

    pub fn agent(&mut self, queue: QueueId) -> AgentId {
        self.agent_with(&[(queue, 1)], &[], 0)
    }

    pub fn call_with(&mut self, queue: QueueId, priority: i32, vip: u8, caller: Option<&str>) -> CallId {
        let call = CallId(self.id());
        let new = NewCall {
            call,
            queue,
            priority,
            vip: VipTier(vip),
            caller: caller.map(str::to_string),
            skills: Vec::new(),
        };
        self.cmd(Command::Enqueue(new)).unwrap();
        call
    }

    pub fn call(&mut self, queue: QueueId) -> CallId {
        self.call_with(queue, 0, 0, None)
    }

    pub fn cmd(&mut self, command: Command) -> Result<(), acd::AcdError> {
        let r = self.acd.handle(command, self.now);
        self.drain();
        r
    }

    fn drain(&mut self) {
        while let Some(a) = self.acd.poll_action() {
            self.log.push(a);
        }
    }

    /// Moves time to `secs`, firing every deadline on the way in order.
    pub fn at(&mut self, secs: f64) {
        let target = Instant::from_micros((secs * 1e6).round() as u64);
        while let Some(wake) = self.acd.poll_timeout() {
            if wake > target {
                break;
            }
            self.now = self.now.max(wake);
            self.acd.handle_timeout(self.now);
            self.drain();
        }
        self.now = self.now.max(target);
    }

    /// Takes the actions logged so far.
    pub fn take(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.log)
    }

    /// The (call, agent) offers among the logged actions, taking them.
    pub fn offers(&mut self) -> Vec<(CallId, AgentId)> {
        self.take()
            .into_iter()
            .filter_map(|a| match a {
                Action::Offer { call, agent, .. } => Some((call, agent)),
                _ => None,
            })
            .collect()
    }

    /// The agent a call was offered to, among the logged actions (taken).
    pub fn offered_to(&mut self, call: CallId) -> Option<AgentId> {
        self.offers().into_iter().find(|o| o.0 == call).map(|o| o.1)
    }

    pub fn answer(&mut self, call: CallId, agent: AgentId) {
        self.cmd(Command::Answered { call, agent }).unwrap();
    }

    pub fn end(&mut self, call: CallId) {
        self.cmd(Command::CallEnded { call }).unwrap();
    }

    /// Answers and ends `call` at `agent` after `talk` seconds.
    pub fn serve(&mut self, call: CallId, agent: AgentId, talk: f64) {
        self.answer(call, agent);
        let t = self.now.as_micros() as f64 / 1e6 + talk;
        self.at(t);
        self.end(call);
    }

    pub fn set_state(&mut self, agent: AgentId, state: ReadyState) {
        self.cmd(Command::SetAgentState { agent, state }).unwrap();
    }
}

impl H {
    /// Answers `call` at `agent` and leaves it connected.
    pub fn serve_keep(&mut self, call: CallId, agent: AgentId) {
        self.answer(call, agent);
        self.take();
    }
}

/// 512 cases from a fixed seed, so every run checks the same sequences;
/// set `PROPTEST_RNG_SEED=<n>` (and `PROPTEST_CASES`) to explore others.
pub fn proptest_config(seed: u64) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let mut config = Config { cases: 512, ..Config::default() };
    if std::env::var_os("PROPTEST_CASES").is_some() {
        config.cases = Config::default().cases;
    }
    if matches!(config.rng_seed, RngSeed::Random) {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config
}
