//! Where the registrar finds a user's digest credentials: injected, so the
//! core holds no database. Accounts are keyed by domain (the tenant, and
//! the digest realm) and user.

use std::collections::HashMap;

use crate::auth::{Credentials, web_login_expiry, web_login_key, web_login_password};

/// Looks up the credentials of the user owning an address-of-record.
pub trait CredentialStore {
    /// Credentials of `username` (the user part of the AOR) in `domain`
    /// (its host, lowercased), with HA1s computed for realm `domain`; `None`
    /// for an unknown domain or user (both answered 404).
    fn lookup(&self, domain: &str, username: &str) -> Option<Credentials>;

    /// Credentials for a digest username other than the AOR's user: a
    /// browser's short-lived web login (`<user>~<expiry>`, see
    /// [`crate::auth::mint_web_login`]) still valid at `now_unix`, with
    /// HA1s for that digest username; `None` (the default: no such
    /// logins) is answered 403.
    fn lookup_web_login(
        &self,
        domain: &str,
        username: &str,
        authorization_user: &str,
        now_unix: u64,
    ) -> Option<Credentials> {
        let _ = (domain, username, authorization_user, now_unix);
        None
    }
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

    fn lookup_web_login(
        &self,
        domain: &str,
        username: &str,
        authorization_user: &str,
        now_unix: u64,
    ) -> Option<Credentials> {
        (**self).lookup_web_login(domain, username, authorization_user, now_unix)
    }
}

/// An in-memory [`CredentialStore`]: the SIP accounts of every tenant,
/// keyed by (domain, user), HA1s derived once from clear passwords with
/// the domain as realm, and the key of each account's web logins (so a
/// browser's short-lived login registers the same AOR). Build a new one from the database and swap it in
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
    /// The web-login key of each account ([`web_login_key`]).
    web_keys: HashMap<(String, String), [u8; 32]>,
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
        self.web_keys.insert((domain.clone(), user.to_owned()), web_login_key(password));
        self.by_key.insert((domain, user.to_owned()), credentials);
    }

    /// Removes `user`'s account in `domain`; whether there was one. Its
    /// bindings stay until they expire or are un-registered.
    pub fn remove(&mut self, domain: &str, user: &str) -> bool {
        let key = (domain.to_ascii_lowercase(), user.to_owned());
        self.web_keys.remove(&key);
        self.by_key.remove(&key).is_some()
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

    fn lookup_web_login(
        &self,
        domain: &str,
        username: &str,
        authorization_user: &str,
        now_unix: u64,
    ) -> Option<Credentials> {
        let expires = web_login_expiry(authorization_user, username, now_unix)?;
        let key = self.web_keys.get(&(domain.to_owned(), username.to_owned()))?;
        let password = web_login_password(key, domain, username, expires);
        Some(Credentials::from_password(authorization_user, domain, &password))
    }
}
