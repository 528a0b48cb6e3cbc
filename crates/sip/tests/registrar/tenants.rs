//! One registrar for every tenant: the AOR's domain picks the tenant's
//! accounts and is the digest realm.

use std::time::Duration;

use sip::auth::{Algorithm, Credentials};
use sip::registrar::{Accounts, BindingEvent, Config, CredentialStore, Transport};

use super::{ACME, Digest, GLOBEX, Test, contact, nonce_of, parse_request, phone, realm_of};

fn aor(domain: &str) -> String {
    format!("sip:alice@{domain}")
}

#[test]
fn two_tenants_alices_register_with_their_own_passwords_and_get_separate_bindings() {
    let mut t = Test::new();
    let acme = t.authed_in(ACME, Algorithm::Sha256, "acme-pw", &[contact("sip:alice@192.0.2.10", "")], phone());
    assert_eq!(acme.expect("answered").status().as_u16(), 200);
    let globex = t.authed_in(GLOBEX, Algorithm::Md5, "globex-pw", &[contact("sip:alice@192.0.2.20", "")], phone());
    assert_eq!(globex.expect("answered").status().as_u16(), 200);
    let contact_of = |t: &Test, domain: &str| -> Vec<String> {
        t.registrar.bindings(&aor(domain)).iter().map(|b| b.contact.uri().as_str().to_owned()).collect()
    };
    assert_eq!(contact_of(&t, ACME), ["sip:alice@192.0.2.10"]);
    assert_eq!(contact_of(&t, GLOBEX), ["sip:alice@192.0.2.20"]);
    let added: Vec<(String, String, String)> = t
        .events()
        .iter()
        .map(|e| {
            assert!(matches!(e, BindingEvent::Added { .. }), "{e:?}");
            (e.aor().to_owned(), e.domain().to_owned(), e.user().to_owned())
        })
        .collect();
    assert_eq!(
        added,
        [(aor(ACME), ACME.to_owned(), "alice".to_owned()), (aor(GLOBEX), GLOBEX.to_owned(), "alice".to_owned())]
    );
}

#[test]
fn acme_alices_password_is_refused_for_globex_alice() {
    let mut t = Test::new();
    let response = t.authed_in(GLOBEX, Algorithm::Sha256, "acme-pw", &[contact("sip:alice@192.0.2.10", "")], phone());
    assert_eq!(response.expect("answered").status().as_u16(), 403);
    // Nor do credentials computed for acme's realm open globex's AOR.
    let first = t.register_in(ACME, "alice", &[]);
    let nonce = nonce_of(&t.send(&first, phone()).expect("401"), Algorithm::Sha256);
    let acme_answer =
        Digest::new("alice", "acme-pw", Algorithm::Sha256, &nonce).realm(ACME).uri(&format!("sip:{GLOBEX}")).line();
    let request = t.register_in(GLOBEX, "alice", &[acme_answer, contact("sip:alice@192.0.2.10", "")]);
    assert_eq!(t.send(&request, phone()).expect("answered").status().as_u16(), 403);
    assert!(t.registrar.bindings(&aor(GLOBEX)).is_empty());
    assert!(t.registrar.bindings(&aor(ACME)).is_empty());
}

#[test]
fn challenge_realm_is_the_tenant_domain() {
    let mut t = Test::new();
    for domain in [ACME, GLOBEX] {
        let request = t.register_in(domain, "alice", &[]);
        let response = t.send(&request, phone()).expect("answered");
        assert_eq!(response.status().as_u16(), 401);
        let challenges = response.headers().get_all("WWW-Authenticate");
        assert_eq!(challenges.len(), 2);
        for challenge in challenges {
            assert!(challenge.starts_with(&format!("Digest realm=\"{domain}\"")), "{challenge}");
        }
    }
}

#[test]
fn unknown_tenant_domain_is_404_like_an_unknown_user_and_counts_toward_blocking() {
    let mut t = Test::with(Config { max_failures: 3, ..Config::default() });
    let unknown_domain = t.register_in("initech.switchboard.localhost", "alice", &[]);
    let unknown_user = t.register_in(ACME, "mallory", &[]);
    let a = t.send(&unknown_domain, phone()).expect("answered");
    let b = t.send(&unknown_user, phone()).expect("answered");
    assert_eq!((a.status().as_u16(), a.reason()), (404, "Not Found"));
    assert_eq!((b.status().as_u16(), b.reason()), (404, "Not Found"), "a scanner cannot tell the two apart");
    assert!(a.headers().get("WWW-Authenticate").is_none(), "no challenge for a domain we do not serve");
    assert!(t.send(&unknown_domain, phone()).is_some(), "the third failure blocks");
    assert!(t.send(&unknown_domain, phone()).is_none(), "then the source is dropped");
}

#[test]
fn to_domain_is_matched_case_insensitively_and_bound_lowercased() {
    let mut t = Test::new();
    let shouting = "ACME.Switchboard.LOCALHOST";
    let response = t.authed_in(shouting, Algorithm::Sha256, "acme-pw", &[contact("sip:alice@192.0.2.10", "")], phone());
    assert_eq!(response.expect("answered").status().as_u16(), 200);
    assert_eq!(t.registrar.bindings(&aor(ACME)).len(), 1);
    assert!(matches!(&t.events()[..], [e @ BindingEvent::Added { .. }] if e.domain() == ACME));
}

#[test]
fn request_uri_naming_the_edge_by_address_still_registers_in_the_to_domain() {
    let mut t = Test::new();
    let text = |cseq: u32, auth: Option<String>| {
        let mut text = format!(
            "REGISTER sip:192.0.2.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKip{cseq}\r\n\
             From: <sip:alice@{ACME}>;tag=f1\r\nTo: <sip:alice@{ACME}>\r\nCall-ID: reg-ip\r\n\
             CSeq: {cseq} REGISTER\r\nMax-Forwards: 70\r\nContact: <sip:alice@192.0.2.10>\r\n"
        );
        if let Some(line) = auth {
            text.push_str(&line);
            text.push_str("\r\n");
        }
        text.push_str("Content-Length: 0\r\n\r\n");
        text
    };
    let challenge = t.send(&parse_request(&text(1, None)), phone()).expect("answered");
    assert_eq!(challenge.status().as_u16(), 401);
    assert_eq!(realm_of(&challenge, Algorithm::Md5), ACME, "the realm comes from To, not the Request-URI");
    let nonce = nonce_of(&challenge, Algorithm::Md5);
    let line = Digest::new("alice", "acme-pw", Algorithm::Md5, &nonce).realm(ACME).uri("sip:192.0.2.1:5060").line();
    let response = t.send(&parse_request(&text(2, Some(line))), phone()).expect("answered");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(t.registrar.bindings(&aor(ACME)).len(), 1);
}

#[test]
fn expiry_and_removal_events_name_the_tenant_domain_and_user() {
    let mut t = Test::new();
    t.authed_in(ACME, Algorithm::Sha256, "acme-pw", &[contact("sip:alice@192.0.2.10", ";expires=120")], phone());
    t.authed_in(GLOBEX, Algorithm::Sha256, "globex-pw", &[contact("sip:alice@192.0.2.20", ";expires=600")], phone());
    t.events();
    t.registrar.handle_timeout(t.now + Duration::from_secs(120));
    let expired = t.events();
    assert!(matches!(&expired[..], [e @ BindingEvent::Expired { .. }] if e.domain() == ACME && e.user() == "alice"));
    assert_eq!(expired[0].binding().flow.transport.as_str(), "udp");
    t.authed_in(GLOBEX, Algorithm::Sha256, "globex-pw", &["Contact: *".to_owned(), "Expires: 0".to_owned()], phone());
    let removed = t.events();
    assert!(matches!(&removed[..], [e @ BindingEvent::Removed { .. }] if e.domain() == GLOBEX), "{removed:?}");
    assert!(t.registrar.bindings(&aor(GLOBEX)).is_empty());
}

#[test]
fn refreshed_accounts_take_effect_on_the_next_register() {
    let mut t = Test::new();
    *t.registrar.credentials_mut() = Accounts::from_passwords([(ACME, "alice", "rotated-pw")]);
    let old = t.authed_in(ACME, Algorithm::Sha256, "acme-pw", &[], phone()).expect("answered");
    assert_eq!(old.status().as_u16(), 403);
    let new = t.authed_in(ACME, Algorithm::Sha256, "rotated-pw", &[], phone()).expect("answered");
    assert_eq!(new.status().as_u16(), 200);
    let gone = t.register_in(GLOBEX, "alice", &[]);
    assert_eq!(t.send(&gone, phone()).expect("answered").status().as_u16(), 404, "globex was not reloaded");
}

#[test]
fn accounts_are_keyed_by_lowercased_domain_and_user_with_the_domain_as_realm() {
    let mut accounts =
        Accounts::from_passwords([("Acme.Example", "1001", "pw-one"), ("acme.example", "1002", "pw-two")]);
    assert_eq!(accounts.len(), 2);
    assert_eq!(
        accounts.lookup("acme.example", "1001"),
        Some(Credentials::from_password("1001", "acme.example", "pw-one"))
    );
    assert_eq!(accounts.lookup("globex.example", "1001"), None);
    assert_eq!(accounts.lookup("acme.example", "1003"), None);
    assert!(accounts.remove("ACME.example", "1001"));
    assert!(!accounts.remove("acme.example", "1001"));
    assert_eq!(accounts.len(), 1);
    let boxed: Box<dyn CredentialStore + Send> = Box::new(accounts);
    assert!(boxed.lookup("acme.example", "1002").is_some());
    assert_eq!(Transport::Wss.as_str(), "wss");
}
