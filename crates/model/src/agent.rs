//! Agent profiles: the routable side of a user.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::UserId;
use crate::queue::{AgentSkill, QueueMembership};
use crate::validation::{FieldErrors, Validate, e164, index, join, text};
use crate::vip::VipTier;

/// Where an agent takes calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentDevice {
    /// Registered SIP contacts: browser softphone or desk phone.
    #[default]
    Registered,
    /// The agent's mobile, called through a trunk.
    Mobile,
}

/// An agent's routing profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    /// The user who logs in as this agent.
    pub user_id: Option<UserId>,
    /// Name shown to supervisors and in reports.
    pub name: String,
    /// SIP user part the agent registers with (e.g. `alice` or `1001`).
    pub extension: String,
    /// Digest password of the agent's SIP account (write-only: accepted on
    /// create and update, never returned). The AOR is
    /// `sip:<extension>@<tenant SIP domain>` ([`crate::agent_aor`]). On
    /// update, leaving it out keeps the stored one; no password, no SIP
    /// registration.
    // `skip_serializing_if` rather than `skip_serializing`: utoipa drops a
    // `skip_serializing` field from the schema, and this one must be
    // documented (as write-only).
    #[serde(default, skip_serializing_if = "never_shown")]
    #[schema(write_only)]
    pub sip_password: Option<String>,
    /// Highest VIP tier this agent may take (0 = regular callers only).
    #[serde(default)]
    pub vip_tier: VipTier,
    /// Skills with levels 1–10.
    #[serde(default)]
    pub skills: Vec<AgentSkill>,
    /// Queues the agent serves, with a weight each.
    #[serde(default)]
    pub queues: Vec<QueueMembership>,
    /// Where calls are delivered.
    #[serde(default)]
    pub device: AgentDevice,
    /// Mobile number in E.164, required when `device` is `mobile`.
    pub mobile_number: Option<String>,
}

impl Validate for Agent {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        text(&join(path, "name"), &self.name, 100, errors);
        let ext = join(path, "extension");
        text(&ext, &self.extension, 64, errors);
        if !self.extension.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
            errors.push(ext, "may contain only letters, digits, '-', '_' and '.'");
        }
        if let Some(password) = &self.sip_password {
            validate_sip_password(&join(path, "sip_password"), password, errors);
        }
        self.vip_tier.validate_into(&join(path, "vip_tier"), errors);
        let skills = join(path, "skills");
        for (i, s) in self.skills.iter().enumerate() {
            if !(1..=10).contains(&s.level) {
                errors.push(join(&index(&skills, i), "level"), "must be between 1 and 10");
            }
            if self.skills[..i].iter().any(|o| o.skill_id == s.skill_id) {
                errors.push(join(&index(&skills, i), "skill_id"), "is listed twice");
            }
        }
        let queues = join(path, "queues");
        for (i, q) in self.queues.iter().enumerate() {
            if !(1..=100).contains(&q.weight) {
                errors.push(join(&index(&queues, i), "weight"), "must be between 1 and 100");
            }
            if self.queues[..i].iter().any(|o| o.queue_id == q.queue_id) {
                errors.push(join(&index(&queues, i), "queue_id"), "is listed twice");
            }
        }
        let mobile = join(path, "mobile_number");
        match (&self.mobile_number, self.device) {
            (Some(n), _) => e164(&mobile, n, errors),
            (None, AgentDevice::Mobile) => errors.push(mobile, "is required when device is mobile"),
            (None, AgentDevice::Registered) => {}
        }
    }
}

/// Checks a SIP digest password: 8–128 printable ASCII characters (space to
/// `~`), so any phone's keypad or settings page can enter it.
fn validate_sip_password(path: &str, password: &str, errors: &mut FieldErrors) {
    if !(8..=128).contains(&password.len()) || !password.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        errors.push(path, "must be 8-128 printable ASCII characters");
    }
}

/// Always true: a write-only field is never serialised.
fn never_shown<T>(_: &T) -> bool {
    true
}
