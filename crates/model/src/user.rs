//! Users and roles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validation::{FieldErrors, Validate, join, text};

/// What a tenant user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes calls; sees their own figures and the team ranking.
    Agent,
    /// Runs the floor: live views, supervision, all reports of the tenant.
    Supervisor,
    /// Configures the tenant: users, queues, numbers, trunks, flows.
    Admin,
}

impl Role {
    /// Whether this role includes everything `needed` may do.
    pub fn at_least(self, needed: Role) -> bool {
        self >= needed
    }

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored role name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A user as shown by the API (no password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Login name, unique within the tenant (an e-mail address is typical).
    pub username: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
}

impl Validate for User {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        let username = join(path, "username");
        text(&username, &self.username, 100, errors);
        if self.username.chars().any(char::is_whitespace) {
            errors.push(username, "must not contain spaces");
        }
        text(&join(path, "display_name"), &self.display_name, 100, errors);
    }
}

/// A request to create a user or set a password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The user's profile.
    #[serde(flatten)]
    pub user: User,
    /// The password (at least 8 characters); stored only as an argon2 hash.
    pub password: String,
}

/// Checks a new password's strength.
pub fn validate_password(path: &str, password: &str, errors: &mut FieldErrors) {
    if password.chars().count() < 8 {
        errors.push(path, "must be at least 8 characters");
    } else if password.len() > 1024 {
        errors.push(path, "must be at most 1024 bytes");
    }
}
