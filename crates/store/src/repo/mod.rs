//! Tenant-scoped repositories for the configuration tables, one module per
//! entity. Every function takes the caller's [`TenantId`](model::TenantId)
//! and filters by it: a row of another tenant reads as absent.

pub mod agents;
pub mod api_keys;
pub mod contacts;
pub mod events;
pub mod ivr_flows;
pub mod numbers;
pub mod operators;
pub mod queues;
pub mod sessions;
pub mod shifts;
pub mod sip_accounts;
pub mod skills;
pub mod tenants;
pub mod trunks;
pub mod users;

use sqlx::error::ErrorKind;

/// What can go wrong in a repository call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepoError {
    /// A unique constraint refused the write (e.g. a duplicate name).
    #[error("already exists (constraint {constraint})")]
    Conflict {
        /// The violated constraint.
        constraint: String,
    },
    /// A reference names no row of this tenant.
    #[error("reference names no such object (constraint {constraint})")]
    MissingReference {
        /// The violated foreign key.
        constraint: String,
    },
    /// The row cannot be deleted while other rows refer to it.
    #[error("still in use (constraint {constraint})")]
    InUse {
        /// The foreign key that still points at the row.
        constraint: String,
    },
    /// A check constraint refused a value that validation let through.
    #[error("value refused by constraint {constraint}")]
    Invalid {
        /// The violated check constraint.
        constraint: String,
    },
    /// The change would leave the tenant without an admin.
    #[error("the tenant's last admin cannot be removed or demoted")]
    LastAdmin,
    /// A stored row no longer reads back as the model.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for RepoError {
    fn from(e: sqlx::Error) -> Self {
        let Some(db) = e.as_database_error() else { return RepoError::Database(e) };
        let constraint = db.constraint().unwrap_or_default().to_owned();
        match db.kind() {
            ErrorKind::UniqueViolation => RepoError::Conflict { constraint },
            ErrorKind::ForeignKeyViolation => RepoError::MissingReference { constraint },
            ErrorKind::CheckViolation | ErrorKind::NotNullViolation => RepoError::Invalid { constraint },
            _ => RepoError::Database(e),
        }
    }
}

/// Classifies an error of a DELETE: a foreign-key violation means the row is
/// still referenced.
pub(crate) fn delete_error(e: sqlx::Error) -> RepoError {
    match RepoError::from(e) {
        RepoError::MissingReference { constraint } => RepoError::InUse { constraint },
        other => other,
    }
}

/// Reads a stored non-negative integer back into a `u32`.
pub(crate) fn to_u32(v: i64, column: &str) -> Result<u32, RepoError> {
    u32::try_from(v).map_err(|_| RepoError::Corrupt(format!("{column} = {v} is out of range")))
}

/// Reads a stored small integer back into a `u8`.
pub(crate) fn to_u8(v: i16, column: &str) -> Result<u8, RepoError> {
    u8::try_from(v).map_err(|_| RepoError::Corrupt(format!("{column} = {v} is out of range")))
}

/// Reads stored JSON back into a model type.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value, column: &str) -> Result<T, RepoError> {
    serde_json::from_value(v).map_err(|e| RepoError::Corrupt(format!("{column}: {e}")))
}

/// Writes a model type as JSON for a jsonb column.
pub(crate) fn to_json<T: serde::Serialize>(v: &T, column: &str) -> Result<serde_json::Value, RepoError> {
    serde_json::to_value(v).map_err(|e| RepoError::Corrupt(format!("{column}: {e}")))
}
