//! VIP tiers: a caller's tier and an agent's eligibility share one scale.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validation::{FieldErrors, Validate};

/// A VIP tier: 0 is a regular caller, higher is more important. An agent
/// eligible for tier N may take calls of any tier up to N.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct VipTier(pub u8);

impl VipTier {
    /// Regular callers and agents who take no VIP calls.
    pub const REGULAR: VipTier = VipTier(0);
    /// The highest tier Switchboard accepts.
    pub const MAX: VipTier = VipTier(3);

    /// Whether an agent eligible up to `self` may take a call of `call` tier.
    pub fn covers(self, call: VipTier) -> bool {
        self >= call
    }
}

impl Validate for VipTier {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        if *self > VipTier::MAX {
            errors.push(path, format!("must be between 0 and {}", VipTier::MAX.0));
        }
    }
}
