//! What an IVR run gives the call actor: actions, the outcome, the routing
//! attributes gathered on the way, and why a flow failed.

use model::{EventPayload, IvrNode, QueueId, SkillRequirement, VipTier};

/// Something the call actor must do for the IVR, drained with
/// [`IvrRun::poll_action`](super::IvrRun::poll_action) in order.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum IvrAction {
    /// Play a prompt to the caller (a `media::prompts` name or text, passed
    /// through as the flow has it); report its end with `prompt_finished`.
    Play {
        /// The prompt.
        prompt: String,
    },
    /// Stop the prompt being played: a digit barged in. Its end is not
    /// reported.
    StopPlaying,
    /// A domain event to write: `IvrEntered`, `IvrChoice` or `IvrLeft`.
    Event(EventPayload),
    /// The run is over: what the call does next. Always the last action.
    Exit(IvrOutcome),
}

/// How a call leaves its IVR flow.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IvrOutcome {
    /// Put the call into a queue with the routing attributes gathered.
    Enqueue {
        /// The queue.
        queue_id: QueueId,
        /// Priority (higher is served first).
        priority: i32,
        /// Skills the call needs, one entry per skill.
        skills: Vec<SkillRequirement>,
        /// VIP tier.
        vip_tier: VipTier,
    },
    /// Play the greeting and record a message.
    Voicemail {
        /// The greeting prompt.
        prompt: String,
        /// Longest message in seconds.
        max_secs: u32,
    },
    /// The caller asked to be called back; the callback waits in this queue.
    Callback {
        /// The queue.
        queue_id: QueueId,
    },
    /// Transfer the call to a number.
    Transfer {
        /// E.164 number.
        number: String,
    },
    /// Play the prompt (none when empty) and hang up.
    Hangup {
        /// The prompt.
        prompt: String,
    },
    /// The caller hung up during the flow; nothing more to do.
    CallerHungUp,
    /// The flow cannot go on; the actor decides (an apology and a hangup).
    Failed {
        /// Why.
        reason: IvrError,
    },
}

/// Why a flow could not go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IvrError {
    /// A node names another that the flow does not have.
    #[error("IVR node {missing:?} does not exist (named by {from:?})")]
    MissingNode {
        /// The name that was not found.
        missing: String,
        /// The node naming it; `None` for the flow's start.
        from: Option<String>,
    },
    /// Too many nodes were visited without the caller pressing a key.
    #[error("IVR loop: {visits} nodes visited without a key pressed, at node {node:?}")]
    Loop {
        /// The node at which the limit was reached.
        node: String,
        /// Nodes visited since the last key.
        visits: u32,
    },
}

/// The call's routing attributes, as the flow's `SetPriority`, `SetSkills`
/// and `SetVip` nodes leave them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Routing {
    /// Priority (higher is served first); `SetPriority` replaces it.
    pub priority: i32,
    /// Skills the call needs, one entry per skill; `SetSkills` adds its
    /// skills and replaces the level of a skill already required.
    pub skills: Vec<SkillRequirement>,
    /// VIP tier; `SetVip` only ever raises it.
    pub vip_tier: VipTier,
}

impl Routing {
    /// Applies a `SetPriority`, `SetSkills` or `SetVip` node; other nodes
    /// change nothing.
    pub fn apply(&mut self, node: &IvrNode) {
        match node {
            IvrNode::SetPriority { priority, .. } => self.priority = *priority,
            IvrNode::SetSkills { skills, .. } => self.add_skills(skills),
            IvrNode::SetVip { vip_tier, .. } => self.raise_vip(*vip_tier),
            _ => {}
        }
    }

    /// Adds `skills`, a skill already present taking the new level.
    pub fn add_skills(&mut self, skills: &[SkillRequirement]) {
        for new in skills {
            match self.skills.iter_mut().find(|s| s.skill_id == new.skill_id) {
                Some(old) => old.min_level = new.min_level,
                None => self.skills.push(new.clone()),
            }
        }
    }

    /// Raises the VIP tier to `tier` unless it is already higher.
    pub fn raise_vip(&mut self, tier: VipTier) {
        self.vip_tier = self.vip_tier.max(tier);
    }
}

/// The most keys kept while a plain prompt plays, for the next menu.
pub const TYPE_AHEAD_MAX: usize = 4;

/// The most nodes visited without a key pressed before the flow is
/// declared a loop ([`IvrError::Loop`]).
pub const MAX_VISITS_WITHOUT_KEY: u32 = 32;

/// Keys pressed during a plain prompt, oldest first; no allocation.
#[derive(Clone, Debug, Default)]
pub(crate) struct TypeAhead {
    keys: [char; TYPE_AHEAD_MAX],
    len: usize,
}

impl TypeAhead {
    /// Keeps `key` unless the buffer is full (later keys are dropped).
    pub(crate) fn push(&mut self, key: char) {
        if let Some(slot) = self.keys.get_mut(self.len) {
            *slot = key;
            self.len += 1;
        }
    }

    /// The oldest key kept.
    pub(crate) fn pop(&mut self) -> Option<char> {
        if self.len == 0 {
            return None;
        }
        let first = self.keys[0];
        self.keys.copy_within(1.., 0);
        self.len -= 1;
        Some(first)
    }
}

/// The DTMF key `c` stands for (`0`–`9`, `*`, `#`, `A`–`D`, lower case
/// accepted), or `None` for any other character.
pub(crate) fn dtmf_key(c: char) -> Option<char> {
    match c {
        '0'..='9' | '*' | '#' | 'A'..='D' => Some(c),
        'a'..='d' => Some(c.to_ascii_uppercase()),
        _ => None,
    }
}
