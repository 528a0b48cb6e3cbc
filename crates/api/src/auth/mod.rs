//! Authentication and roles: bearer tokens (sessions and API keys), the
//! platform operator, and argon2 password hashing.

mod caller;
mod operator;
pub mod password;
mod roles;
pub mod throttle;
pub mod token;

pub(crate) use caller::authenticate;
pub use caller::{Caller, Principal};
pub use operator::Operator;
pub use roles::{Admin, AnyRole, Supervisor};
