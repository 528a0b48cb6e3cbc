//! A stored configuration object: its id beside its fields.

use serde::Serialize;

/// A configuration object as the API returns it: `{"id": ..., ...fields}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Record<Id, T> {
    /// The object's id.
    pub id: Id,
    /// The object's fields.
    #[serde(flatten)]
    pub data: T,
}
