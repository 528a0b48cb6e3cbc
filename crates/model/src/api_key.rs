//! Per-tenant API keys for machine clients.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::user::Role;
use crate::validation::{FieldErrors, Validate, join, text};

/// An API key's settings; the secret itself is shown once, at creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// What the key is for (e.g. "CRM sync").
    pub name: String,
    /// What the key may do, as if it were a user of this role.
    pub role: Role,
}

impl Validate for ApiKey {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        text(&join(path, "name"), &self.name, 100, errors);
    }
}
