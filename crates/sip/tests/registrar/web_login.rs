//! Browsers' short-lived web logins: the digest username `<user>~<expiry>`
//! with a password derived from the account's, registering the account's
//! AOR until the expiry and no longer once the SIP password changes.

use sip::auth::{Algorithm, MAX_LIFETIME_SECS, WebLogin, mint_web_login, web_login_expiry};
use sip::registrar::Accounts;

use super::{AOR, DOMAIN, Digest, Test, contact, nonce_of, phone};

/// The registrar's Unix clock at the start of every [`Test`].
const START_UNIX: u64 = 1_700_000_000;

/// A REGISTER for alice of example.com answered with `login`'s digest.
fn register_with(t: &mut Test, login: &WebLogin) -> u16 {
    let first = t.register("alice", &[contact("sip:b7x2k9@df7jal23ls0d.invalid;transport=ws", "")]);
    let nonce = nonce_of(&t.send(&first, phone()).expect("401"), Algorithm::Sha256);
    let digest = Digest::new(&login.authorization_user, &login.password, Algorithm::Sha256, &nonce);
    let second = t.register("alice", &[contact("sip:b7x2k9@df7jal23ls0d.invalid;transport=ws", ""), digest.line()]);
    t.send(&second, phone()).expect("answered").status().as_u16()
}

#[test]
fn a_web_login_registers_the_accounts_aor() {
    let mut t = Test::new();
    let login = mint_web_login("secret", DOMAIN, "alice", START_UNIX + 3600);
    assert_eq!(login.authorization_user, format!("alice~{}", START_UNIX + 3600));
    assert_ne!(login.password, "secret");
    assert_eq!(register_with(&mut t, &login), 200);
    let bound: Vec<String> = t.registrar.bindings(AOR).iter().map(|b| b.contact.uri().as_str().to_owned()).collect();
    assert_eq!(bound, ["sip:b7x2k9@df7jal23ls0d.invalid;transport=ws"]);
}

#[test]
fn a_web_login_is_refused_once_it_has_expired() {
    let mut t = Test::new();
    let login = mint_web_login("secret", DOMAIN, "alice", START_UNIX + 60);
    t.advance(61);
    assert_eq!(register_with(&mut t, &login), 403);
}

#[test]
fn a_web_login_is_refused_once_the_sip_password_changes() {
    let mut t = Test::new();
    let login = mint_web_login("secret", DOMAIN, "alice", START_UNIX + 3600);
    *t.registrar.credentials_mut() = Accounts::from_passwords([(DOMAIN, "alice", "new-secret")]);
    assert_eq!(register_with(&mut t, &login), 403);
    let fresh = mint_web_login("new-secret", DOMAIN, "alice", START_UNIX + 3600);
    assert_eq!(register_with(&mut t, &fresh), 200);
}

#[test]
fn a_web_login_with_its_expiry_moved_or_of_another_account_is_refused() {
    let mut t = Test::new();
    let login = mint_web_login("secret", DOMAIN, "alice", START_UNIX + 3600);
    let later = WebLogin { authorization_user: format!("alice~{}", START_UNIX + 7200), ..login.clone() };
    assert_eq!(register_with(&mut t, &later), 403);
    let wrong_password = mint_web_login("not-the-secret", DOMAIN, "alice", START_UNIX + 3600);
    assert_eq!(register_with(&mut t, &wrong_password), 403);
    let other_domain = mint_web_login("secret", "other.example", "alice", START_UNIX + 3600);
    assert_eq!(register_with(&mut t, &other_domain), 403);
}

#[test]
fn a_web_login_longer_than_the_maximum_lifetime_is_refused() {
    let mut t = Test::new();
    let login = mint_web_login("secret", DOMAIN, "alice", START_UNIX + MAX_LIFETIME_SECS + 1);
    assert_eq!(register_with(&mut t, &login), 403);
    let longest = mint_web_login("secret", DOMAIN, "alice", START_UNIX + MAX_LIFETIME_SECS);
    assert_eq!(register_with(&mut t, &longest), 200);
}

#[test]
fn only_the_users_own_name_a_tilde_and_digits_name_a_web_login() {
    let now = START_UNIX;
    let at = START_UNIX + 10;
    assert_eq!(web_login_expiry(&format!("alice~{at}"), "alice", now), Some(at));
    for refused in [
        format!("alice2~{at}"),
        format!("bob~{at}"),
        "alice~".to_owned(),
        "alice~12a".to_owned(),
        format!("alice~+{at}"),
        format!("alice{at}"),
        "alice~99999999999999999999999".to_owned(),
        format!("alice~{now}"),
    ] {
        assert_eq!(web_login_expiry(&refused, "alice", now), None, "{refused}");
    }
}
