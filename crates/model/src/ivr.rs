//! IVR flows as data: a graph of named nodes, validated before it is saved.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::hours::BusinessHours;
use crate::ids::{QueueId, SkillId};
use crate::queue::SkillRequirement;
use crate::validation::{FieldErrors, Validate, e164, join, text};
use crate::vip::VipTier;

/// An IVR flow: the caller starts at `start` and moves from node to node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IvrFlow {
    /// Name, unique within the tenant.
    pub name: String,
    /// The first node.
    pub start: String,
    /// The nodes by name.
    pub nodes: BTreeMap<String, IvrNode>,
}

/// One step of an IVR flow. `next`-style fields name other nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", deny_unknown_fields)]
pub enum IvrNode {
    /// Play a prompt, then go on.
    Play {
        /// Prompt name or text to speak.
        prompt: String,
        /// The next node.
        next: String,
    },
    /// Play a prompt and wait for a DTMF choice.
    Menu {
        /// The prompt.
        prompt: String,
        /// Digit (`0`–`9`, `*`, `#`) → node.
        choices: BTreeMap<String, String>,
        /// Seconds to wait for a digit.
        timeout_secs: u32,
        /// How many times to repeat on timeout or a bad digit.
        retries: u32,
        /// Where to go when retries run out.
        on_failure: String,
    },
    /// Branch on business hours.
    BusinessHours {
        /// The schedule to test.
        hours: BusinessHours,
        /// Node when open.
        open: String,
        /// Node when closed.
        closed: String,
    },
    /// Set the call's priority, then go on.
    SetPriority {
        /// Priority (higher is served first).
        priority: i32,
        /// The next node.
        next: String,
    },
    /// Add skill requirements, then go on.
    SetSkills {
        /// Skills the call needs.
        skills: Vec<SkillRequirement>,
        /// The next node.
        next: String,
    },
    /// Raise the call's VIP tier, then go on.
    SetVip {
        /// The tier.
        vip_tier: VipTier,
        /// The next node.
        next: String,
    },
    /// Put the call into a queue (leaves the flow).
    Enqueue {
        /// The queue.
        queue_id: QueueId,
    },
    /// Record a voicemail (leaves the flow).
    Voicemail {
        /// Greeting prompt.
        prompt: String,
        /// Longest message in seconds.
        max_secs: u32,
    },
    /// Offer a callback in working hours (leaves the flow).
    Callback {
        /// The queue the callback waits in.
        queue_id: QueueId,
    },
    /// Transfer to a number (leaves the flow).
    Transfer {
        /// E.164 number.
        number: String,
    },
    /// Play an optional prompt and hang up.
    Hangup {
        /// Prompt, if any.
        #[serde(default)]
        prompt: String,
    },
}

impl IvrNode {
    /// The nodes this node can lead to, with the field naming each.
    pub fn targets(&self) -> Vec<(String, &str)> {
        match self {
            IvrNode::Play { next, .. }
            | IvrNode::SetPriority { next, .. }
            | IvrNode::SetSkills { next, .. }
            | IvrNode::SetVip { next, .. } => vec![("next".into(), next.as_str())],
            IvrNode::Menu { choices, on_failure, .. } => choices
                .iter()
                .map(|(d, n)| (format!("choices.{d}"), n.as_str()))
                .chain([("on_failure".into(), on_failure.as_str())])
                .collect(),
            IvrNode::BusinessHours { open, closed, .. } => {
                vec![("open".into(), open.as_str()), ("closed".into(), closed.as_str())]
            }
            IvrNode::Enqueue { .. }
            | IvrNode::Voicemail { .. }
            | IvrNode::Callback { .. }
            | IvrNode::Transfer { .. }
            | IvrNode::Hangup { .. } => Vec::new(),
        }
    }

    /// The skill ids this node refers to.
    pub fn skill_ids(&self) -> Vec<SkillId> {
        match self {
            IvrNode::SetSkills { skills, .. } => skills.iter().map(|s| s.skill_id).collect(),
            _ => Vec::new(),
        }
    }

    fn validate_fields(&self, path: &str, errors: &mut FieldErrors) {
        match self {
            IvrNode::Play { prompt, .. } => text(&join(path, "prompt"), prompt, 500, errors),
            IvrNode::Menu { prompt, choices, timeout_secs, retries, .. } => {
                text(&join(path, "prompt"), prompt, 500, errors);
                if choices.is_empty() {
                    errors.push(join(path, "choices"), "must offer at least one choice");
                }
                for digit in choices.keys() {
                    if !matches!(digit.as_bytes(), [b'0'..=b'9' | b'*' | b'#']) {
                        errors.push(join(path, &format!("choices.{digit}")), "key must be one of 0-9, * or #");
                    }
                }
                if !(1..=60).contains(timeout_secs) {
                    errors.push(join(path, "timeout_secs"), "must be between 1 and 60");
                }
                if *retries > 10 {
                    errors.push(join(path, "retries"), "must be at most 10");
                }
            }
            IvrNode::BusinessHours { hours, .. } => hours.validate_into(&join(path, "hours"), errors),
            IvrNode::SetSkills { skills, .. } => {
                for (i, s) in skills.iter().enumerate() {
                    if !(1..=10).contains(&s.min_level) {
                        errors.push(format!("{}[{i}].min_level", join(path, "skills")), "must be between 1 and 10");
                    }
                }
            }
            IvrNode::SetVip { vip_tier, .. } => vip_tier.validate_into(&join(path, "vip_tier"), errors),
            IvrNode::Voicemail { prompt, max_secs } => {
                text(&join(path, "prompt"), prompt, 500, errors);
                if !(5..=600).contains(max_secs) {
                    errors.push(join(path, "max_secs"), "must be between 5 and 600");
                }
            }
            IvrNode::Transfer { number } => e164(&join(path, "number"), number, errors),
            IvrNode::SetPriority { .. }
            | IvrNode::Enqueue { .. }
            | IvrNode::Callback { .. }
            | IvrNode::Hangup { .. } => {}
        }
    }
}

impl IvrFlow {
    /// Every queue the flow can put a call into.
    pub fn queue_ids(&self) -> Vec<QueueId> {
        self.nodes
            .values()
            .filter_map(|n| match n {
                IvrNode::Enqueue { queue_id } | IvrNode::Callback { queue_id } => Some(*queue_id),
                _ => None,
            })
            .collect()
    }
}

impl Validate for IvrFlow {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        text(&join(path, "name"), &self.name, 100, errors);
        if self.nodes.is_empty() {
            errors.push(join(path, "nodes"), "must contain at least one node");
        } else if !self.nodes.contains_key(&self.start) {
            errors.push(join(path, "start"), format!("names no node: {:?}", self.start));
        }
        let nodes = join(path, "nodes");
        for (name, node) in &self.nodes {
            let node_path = join(&nodes, name);
            if name.is_empty()
                || name.len() > 64
                || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
            {
                errors.push(&node_path, "node names use letters, digits, '-' and '_' (at most 64)");
            }
            node.validate_fields(&node_path, errors);
            for (field, target) in node.targets() {
                if !self.nodes.contains_key(target) {
                    errors.push(join(&node_path, &field), format!("names no node: {target:?}"));
                }
            }
        }
        self.check_reachable(&nodes, errors);
    }
}

impl IvrFlow {
    /// Every node must be reachable from `start`, so no configuration is dead.
    fn check_reachable(&self, nodes_path: &str, errors: &mut FieldErrors) {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![self.start.as_str()];
        while let Some(name) = stack.pop() {
            if !seen.insert(name) {
                continue;
            }
            if let Some(node) = self.nodes.get(name) {
                stack.extend(node.targets().into_iter().map(|(_, t)| t));
            }
        }
        for name in self.nodes.keys() {
            if !seen.contains(name.as_str()) && self.nodes.contains_key(&self.start) {
                errors.push(join(nodes_path, name), "is not reachable from start");
            }
        }
    }
}
