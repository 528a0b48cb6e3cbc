//! Where the registrar finds a user's digest credentials: injected, so the
//! core holds no database.

use std::collections::HashMap;

use crate::auth::Credentials;

/// Looks up the credentials of the user owning an address-of-record.
pub trait CredentialStore {
    /// Credentials of `username` (the user part of the AOR), or `None` for
    /// an unknown user (answered 404).
    fn lookup(&self, username: &str) -> Option<Credentials>;
}

impl CredentialStore for HashMap<String, Credentials> {
    fn lookup(&self, username: &str) -> Option<Credentials> {
        self.get(username).cloned()
    }
}

impl<T: CredentialStore + ?Sized> CredentialStore for Box<T> {
    fn lookup(&self, username: &str) -> Option<Credentials> {
        (**self).lookup(username)
    }
}
