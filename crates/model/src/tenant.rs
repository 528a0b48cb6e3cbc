//! Tenants: the customer companies, each with its own isolated configuration.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validation::{FieldErrors, Validate, join, text};

/// A tenant's identity as an operator creates it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// Short name used at login, unique across the platform (`acme-uk`).
    pub slug: String,
    /// The company's name.
    pub name: String,
}

/// Checks a tenant slug: 2–63 lowercase letters, digits and inner hyphens.
pub fn validate_slug(path: &str, slug: &str, errors: &mut FieldErrors) {
    let ok_chars = slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !(2..=63).contains(&slug.len()) || !ok_chars || slug.starts_with('-') || slug.ends_with('-') {
        errors.push(path, "must be 2-63 lowercase letters, digits or inner hyphens");
    }
}

impl Validate for Tenant {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        validate_slug(&join(path, "slug"), &self.slug, errors);
        text(&join(path, "name"), &self.name, 200, errors);
    }
}
