//! Where the registrar finds a user's digest credentials: injected, so the
//! core holds no database. Accounts are keyed by domain (the tenant, and
//! the digest realm) and user.

use std::collections::HashMap;

use crate::auth::Credentials;

/// Looks up the credentials of the user owning an address-of-record.
pub trait CredentialStore {
    /// Credentials of `username` (the user part of the AOR) in `domain`
    /// (its host, lowercased), with HA1s computed for realm `domain`; `None`
    /// for an unknown domain or user (both answered 404).
    fn lookup(&self, domain: &str, username: &str) -> Option<Credentials>;
}

impl CredentialStore for HashMap<(String, String), Credentials> {
    fn lookup(&self, domain: &str, username: &str) -> Option<Credentials> {
        self.get(&(domain.to_owned(), username.to_owned())).cloned()
    }
}

impl<T: CredentialStore + ?Sized> CredentialStore for Box<T> {
    fn lookup(&self, domain: &str, username: &str) -> Option<Credentials> {
        (**self).lookup(domain, username)
    }
}

/// An in-memory [`CredentialStore`]: the SIP accounts of every tenant,
/// keyed by (domain, user), HA1s derived once from clear passwords with
/// the domain as realm. Build a new one from the database and swap it in
/// with [`Registrar::credentials_mut`](super::Registrar::credentials_mut)
/// to refresh.
///
/// ```
/// use sip::registrar::{Accounts, CredentialStore};
/// let accounts = Accounts::from_passwords([
///     ("acme.switchboard.localhost", "1001", "acme-secret"),
///     ("globex.switchboard.localhost", "1001", "globex-secret"),
/// ]);
/// assert_eq!(accounts.len(), 2);
/// assert!(accounts.lookup("acme.switchboard.localhost", "1001").is_some());
/// assert!(accounts.lookup("initech.switchboard.localhost", "1001").is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    by_key: HashMap<(String, String), Credentials>,
}

impl Accounts {
    /// No accounts.
    pub fn new() -> Accounts {
        Accounts::default()
    }

    /// Accounts from `(domain, user, password)` triples; a later triple for
    /// the same domain and user replaces an earlier one.
    pub fn from_passwords<D, U, P>(accounts: impl IntoIterator<Item = (D, U, P)>) -> Accounts
    where
        D: AsRef<str>,
        U: AsRef<str>,
        P: AsRef<str>,
    {
        let mut out = Accounts::new();
        for (domain, user, password) in accounts {
            out.insert_password(domain.as_ref(), user.as_ref(), password.as_ref());
        }
        out
    }

    /// Adds or replaces `user`'s account in `domain` (lowercased), deriving
    /// its HA1s for realm `domain`.
    pub fn insert_password(&mut self, domain: &str, user: &str, password: &str) {
        let domain = domain.to_ascii_lowercase();
        let credentials = Credentials::from_password(user, &domain, password);
        self.by_key.insert((domain, user.to_owned()), credentials);
    }

    /// Removes `user`'s account in `domain`; whether there was one. Its
    /// bindings stay until they expire or are un-registered.
    pub fn remove(&mut self, domain: &str, user: &str) -> bool {
        self.by_key.remove(&(domain.to_ascii_lowercase(), user.to_owned())).is_some()
    }

    /// How many accounts there are.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

impl CredentialStore for Accounts {
    fn lookup(&self, domain: &str, username: &str) -> Option<Credentials> {
        self.by_key.lookup(domain, username)
    }
}
