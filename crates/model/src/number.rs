//! Phone numbers (DIDs) and where their calls enter.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{IvrFlowId, QueueId};
use crate::validation::{FieldErrors, Validate, e164, join};

/// Where a call to a number starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", deny_unknown_fields)]
pub enum EntryPoint {
    /// Straight into a queue.
    Queue {
        /// The queue.
        queue_id: QueueId,
    },
    /// Into an IVR flow.
    Ivr {
        /// The flow.
        flow_id: IvrFlowId,
    },
}

/// A DID owned by a tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneNumber {
    /// The number in E.164, unique across all tenants.
    pub e164: String,
    /// What callers reach.
    pub entry: EntryPoint,
    /// A label for reports (e.g. "UK sales line").
    #[serde(default)]
    pub label: String,
}

impl Validate for PhoneNumber {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        e164(&join(path, "e164"), &self.e164, errors);
        if self.label.len() > 100 {
            errors.push(join(path, "label"), "must be at most 100 characters");
        }
    }
}
