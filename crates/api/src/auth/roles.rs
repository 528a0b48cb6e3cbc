//! Extractors that authenticate and then require a minimum role, so that a
//! caller without the role gets 403 before the body is even read.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use model::Role;

use super::Caller;
use crate::error::ApiError;
use crate::state::AppState;

macro_rules! role_extractor {
    ($(#[$doc:meta] $name:ident => $role:expr),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Debug)]
        pub struct $name(pub Caller);

        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
                let caller = Caller::from_request_parts(parts, state).await?;
                caller.require($role)?;
                Ok($name(caller))
            }
        }
    )*};
}

role_extractor! {
    /// A caller with the admin role.
    Admin => Role::Admin,
    /// A caller with at least the supervisor role.
    Supervisor => Role::Supervisor,
    /// Any authenticated caller (agent, supervisor or admin).
    AnyRole => Role::Agent,
}
