//! Queues: where calls wait for agents, and the rules they wait under.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::hours::BusinessHours;
use crate::ids::{IvrFlowId, QueueId, SkillId};
use crate::routing::RoutingRules;
use crate::validation::{FieldErrors, Validate, e164, index, join, text};

/// How a queue picks among the agents who could take a call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoutingStrategy {
    /// The agent idle the longest (the default).
    #[default]
    LongestIdle,
    /// The agent with the fewest calls today.
    FewestCalls,
    /// The agent with the least talk time today.
    LeastTalkTime,
    /// Each agent in turn.
    RoundRobin,
    /// Every eligible agent at once; the first to answer takes it.
    RingAll,
    /// The agent with the highest level in the required skills.
    BestSkill,
    /// The agent who last served this caller, if free soon enough.
    Sticky,
}

/// A service-level target such as "80 % of calls answered within 20 s".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceLevelTarget {
    /// The share of calls, in percent (1–100).
    pub percent: u8,
    /// Within this many seconds of joining the queue.
    pub seconds: u32,
}

impl Default for ServiceLevelTarget {
    fn default() -> Self {
        ServiceLevelTarget { percent: 80, seconds: 20 }
    }
}

/// Where a call goes when it waits too long, the queue is full, or it is closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", deny_unknown_fields)]
pub enum OverflowTarget {
    /// Another queue.
    Queue {
        /// The queue.
        queue_id: QueueId,
    },
    /// An IVR flow.
    Ivr {
        /// The flow.
        flow_id: IvrFlowId,
    },
    /// Record a voicemail.
    Voicemail,
    /// Offer a callback.
    Callback,
    /// Play a message, then hang up.
    MessageAndHangup {
        /// The prompt to play.
        prompt: String,
    },
    /// An outside number.
    Number {
        /// E.164 number.
        number: String,
    },
}

impl Validate for OverflowTarget {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        match self {
            OverflowTarget::MessageAndHangup { prompt } => text(&join(path, "prompt"), prompt, 200, errors),
            OverflowTarget::Number { number } => e164(&join(path, "number"), number, errors),
            _ => {}
        }
    }
}

/// A skill a queue's calls need, at a minimum level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillRequirement {
    /// The skill.
    pub skill_id: SkillId,
    /// Minimum level (1–10).
    pub min_level: u8,
}

/// A queue's configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    /// Display name, unique within the tenant.
    pub name: String,
    /// How an agent is chosen.
    #[serde(default)]
    pub strategy: RoutingStrategy,
    /// The service-level target reports measure against.
    #[serde(default)]
    pub service_level: ServiceLevelTarget,
    /// Longest a caller waits before overflow, in seconds.
    pub max_wait_secs: u32,
    /// Most callers waiting at once; further callers overflow.
    pub max_length: u32,
    /// After-call work time before the agent is offered again, in seconds.
    pub wrap_up_secs: u32,
    /// How long an offer rings before it counts as no answer (RONA), in seconds.
    #[serde(default = "default_ring_timeout")]
    pub ring_timeout_secs: u32,
    /// When the queue takes calls.
    pub business_hours: BusinessHours,
    /// Where calls go on overflow or when closed.
    pub overflow: Option<OverflowTarget>,
    /// Offer a callback when the estimated wait exceeds this many seconds.
    pub callback_threshold_secs: Option<u32>,
    /// Skills every call in this queue needs.
    #[serde(default)]
    pub required_skills: Vec<SkillRequirement>,
    /// Priority a call gains per minute of waiting (priority aging).
    #[serde(default)]
    pub priority_aging_per_min: u32,
    /// Record calls answered from this queue.
    #[serde(default)]
    pub record_calls: bool,
    /// Ask callers for a 1–5 rating after the agent hangs up.
    #[serde(default)]
    pub post_call_survey: bool,
    /// Skill expansion, VIP relaxation, sticky agent, blending, empty-queue rules.
    #[serde(default)]
    pub routing: RoutingRules,
}

fn default_ring_timeout() -> u32 {
    20
}

impl Validate for Queue {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        text(&join(path, "name"), &self.name, 100, errors);
        let sl = join(path, "service_level");
        if !(1..=100).contains(&self.service_level.percent) {
            errors.push(join(&sl, "percent"), "must be between 1 and 100");
        }
        if self.service_level.seconds == 0 {
            errors.push(join(&sl, "seconds"), "must be at least 1");
        }
        if self.max_wait_secs == 0 {
            errors.push(join(path, "max_wait_secs"), "must be at least 1");
        }
        if self.max_length == 0 {
            errors.push(join(path, "max_length"), "must be at least 1");
        }
        if self.wrap_up_secs > 3600 {
            errors.push(join(path, "wrap_up_secs"), "must be at most 3600");
        }
        if !(5..=300).contains(&self.ring_timeout_secs) {
            errors.push(join(path, "ring_timeout_secs"), "must be between 5 and 300");
        }
        self.business_hours.validate_into(&join(path, "business_hours"), errors);
        if let Some(o) = &self.overflow {
            o.validate_into(&join(path, "overflow"), errors);
        }
        let skills = join(path, "required_skills");
        for (i, s) in self.required_skills.iter().enumerate() {
            if !(1..=10).contains(&s.min_level) {
                errors.push(join(&index(&skills, i), "min_level"), "must be between 1 and 10");
            }
            if self.required_skills[..i].iter().any(|o| o.skill_id == s.skill_id) {
                errors.push(join(&index(&skills, i), "skill_id"), "is listed twice");
            }
        }
        self.routing.validate_into(&join(path, "routing"), errors);
    }
}

/// An agent's membership in a queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueMembership {
    /// The queue.
    pub queue_id: QueueId,
    /// Relative weight of this queue for the agent (1–100); higher is served first.
    pub weight: u8,
}

/// An agent's level in one skill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentSkill {
    /// The skill.
    pub skill_id: SkillId,
    /// Level 1 (novice) to 10 (expert).
    pub level: u8,
}
