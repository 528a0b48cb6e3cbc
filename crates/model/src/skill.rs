//! Skills: what agents can do and calls need.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validation::{FieldErrors, Validate, join, text};

/// A skill, e.g. "French" or "Billing".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Skill {
    /// Name, unique within the tenant.
    pub name: String,
    /// What it means.
    #[serde(default)]
    pub description: String,
}

impl Validate for Skill {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        text(&join(path, "name"), &self.name, 100, errors);
        if self.description.len() > 1000 {
            errors.push(join(path, "description"), "must be at most 1000 characters");
        }
    }
}
