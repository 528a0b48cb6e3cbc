//! A queue's routing rules beyond the basics: skill expansion steps, VIP
//! relaxation, sticky agent, blending and empty-queue policies. Every field
//! has a default, so a queue without a `routing` object keeps working.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::QueueId;
use crate::queue::SkillRequirement;
use crate::validation::{FieldErrors, Validate, index, join};

/// One skill-expansion step: after a call has waited `after_secs`, its skill
/// requirement becomes `required_skills` and agents of `extra_queues` join.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillStep {
    /// Wait in seconds after which this step applies.
    pub after_secs: u32,
    /// The skill requirement from this step on (replaces the previous one).
    #[serde(default)]
    pub required_skills: Vec<SkillRequirement>,
    /// Queues whose agents may also take the call from this step on.
    #[serde(default)]
    pub extra_queues: Vec<QueueId>,
}

/// Sticky-agent settings, used when the queue's strategy is `sticky`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StickyRule {
    /// The last agent counts if they served the caller within this many days.
    pub within_days: u32,
    /// How long the call waits for that agent before any agent may take it.
    pub wait_secs: u32,
}

impl Default for StickyRule {
    fn default() -> Self {
        StickyRule { within_days: 30, wait_secs: 15 }
    }
}

/// Routing rules of a queue that the ACD applies beyond strategy and skills.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RoutingRules {
    /// Skill-expansion steps, in increasing `after_secs`.
    pub skill_steps: Vec<SkillStep>,
    /// After this wait in seconds a VIP call may go to any agent; `None` never relaxes.
    pub vip_relax_after_secs: Option<u32>,
    /// Sticky-agent settings.
    pub sticky: StickyRule,
    /// Agents in back-office mode take calls while the estimated wait exceeds this.
    pub blending_threshold_secs: Option<u32>,
    /// Callers may join while no agent of the queue is logged in.
    pub join_empty: bool,
    /// Waiting callers leave (to the overflow target) when the last agent logs out.
    pub leave_empty: bool,
    /// Tell waiting callers their position and wait every this many seconds.
    pub announce_interval_secs: Option<u32>,
}

impl Default for RoutingRules {
    fn default() -> Self {
        RoutingRules {
            skill_steps: Vec::new(),
            vip_relax_after_secs: None,
            sticky: StickyRule::default(),
            blending_threshold_secs: None,
            join_empty: true,
            leave_empty: false,
            announce_interval_secs: None,
        }
    }
}

impl Validate for RoutingRules {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        let steps = join(path, "skill_steps");
        for (i, step) in self.skill_steps.iter().enumerate() {
            let at = index(&steps, i);
            if i > 0 && step.after_secs <= self.skill_steps[i - 1].after_secs {
                errors.push(join(&at, "after_secs"), "must be greater than the previous step's");
            }
            for (j, s) in step.required_skills.iter().enumerate() {
                if !(1..=10).contains(&s.min_level) {
                    let skills = join(&at, "required_skills");
                    errors.push(join(&index(&skills, j), "min_level"), "must be between 1 and 10");
                }
            }
        }
        if self.announce_interval_secs == Some(0) {
            errors.push(join(path, "announce_interval_secs"), "must be at least 1");
        }
    }
}
