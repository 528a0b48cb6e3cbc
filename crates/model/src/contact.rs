//! The built-in CRM: who is calling, and what the agent should know.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::AgentId;
use crate::validation::{FieldErrors, Validate, e164, index, join, text};
use crate::vip::VipTier;

/// A customer contact; matched to incoming calls by phone number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Full name.
    pub name: String,
    /// Phone numbers in E.164.
    pub phone_numbers: Vec<String>,
    /// Company.
    #[serde(default)]
    pub company: String,
    /// VIP tier (0 = regular).
    #[serde(default)]
    pub vip_tier: VipTier,
    /// Sales pipeline stage (e.g. "lead", "negotiation", "customer").
    #[serde(default)]
    pub deal_stage: String,
    /// Free notes shown to the agent on the screen pop.
    #[serde(default)]
    pub notes: String,
    /// The account owner, preferred for sticky routing.
    pub owner_agent_id: Option<AgentId>,
}

impl Validate for Contact {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        text(&join(path, "name"), &self.name, 200, errors);
        let numbers = join(path, "phone_numbers");
        if self.phone_numbers.is_empty() {
            errors.push(&numbers, "must list at least one number");
        }
        for (i, n) in self.phone_numbers.iter().enumerate() {
            e164(&index(&numbers, i), n, errors);
        }
        self.vip_tier.validate_into(&join(path, "vip_tier"), errors);
        if self.company.len() > 200 {
            errors.push(join(path, "company"), "must be at most 200 characters");
        }
        if self.deal_stage.len() > 100 {
            errors.push(join(path, "deal_stage"), "must be at most 100 characters");
        }
        if self.notes.len() > 10_000 {
            errors.push(join(path, "notes"), "must be at most 10000 characters");
        }
    }
}
