//! The registrar on a virtual clock: authentication, bindings, expiry,
//! blocking; `tenants` covers several tenant domains on one registrar.

mod tenants;
mod web_login;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use sip::auth::{Algorithm, Authorization, expected_response};
use sip::message::{Message, Request, Response};
use sip::registrar::{Accounts, Aor, BindingEvent, Config, Flow, Registrar, Transport};

/// The domain (and so the realm) most tests register in.
const DOMAIN: &str = "example.com";
const AOR: &str = "sip:alice@example.com";
/// Two tenants' domains, each with its own `alice`.
const ACME: &str = "acme.switchboard.localhost";
const GLOBEX: &str = "globex.switchboard.localhost";

fn phone() -> SocketAddr {
    "192.0.2.10:5060".parse().expect("addr")
}

fn flow_from(source: SocketAddr) -> Flow {
    Flow { source, transport: Transport::Udp }
}

/// A registrar knowing alice of example.com (password `secret`) and the
/// alices of two tenants (`acme-pw`, `globex-pw`), on a virtual clock.
struct Test {
    registrar: Registrar<Accounts>,
    now: Instant,
    cseq: u32,
}

impl Test {
    fn new() -> Test {
        Test::with(Config::default())
    }

    fn with(config: Config) -> Test {
        let accounts = Accounts::from_passwords([
            (DOMAIN, "alice", "secret"),
            (ACME, "alice", "acme-pw"),
            (GLOBEX, "alice", "globex-pw"),
        ]);
        let now = Instant::now();
        Test { registrar: Registrar::new(config, accounts, b"test secret", now, 1_700_000_000), now, cseq: 0 }
    }

    fn advance(&mut self, secs: u64) {
        self.now += Duration::from_secs(secs);
    }

    /// A REGISTER for `user` of example.com with extra header lines.
    fn register(&mut self, user: &str, extra: &[String]) -> Request {
        self.register_in(DOMAIN, user, extra)
    }

    /// A REGISTER for `user` of `domain` (To and Request-URI) with extra lines.
    fn register_in(&mut self, domain: &str, user: &str, extra: &[String]) -> Request {
        self.cseq += 1;
        parse_request(&register_text(self.cseq, domain, user, extra))
    }

    fn send(&mut self, request: &Request, source: SocketAddr) -> Option<Response> {
        self.registrar.handle_register(request, flow_from(source), self.now)
    }

    /// Challenged, then answers the `algorithm` challenge with `password`.
    fn authed(
        &mut self,
        algorithm: Algorithm,
        password: &str,
        extra: &[String],
        source: SocketAddr,
    ) -> Option<Response> {
        self.authed_in(DOMAIN, algorithm, password, extra, source)
    }

    /// Like [`Test::authed`] for alice of `domain`, answering with the
    /// realm the challenge named.
    fn authed_in(
        &mut self,
        domain: &str,
        algorithm: Algorithm,
        password: &str,
        extra: &[String],
        source: SocketAddr,
    ) -> Option<Response> {
        let first = self.register_in(domain, "alice", extra);
        let challenge = self.send(&first, source).expect("answered");
        assert_eq!(challenge.status().as_u16(), 401);
        let nonce = nonce_of(&challenge, algorithm);
        let realm = realm_of(&challenge, algorithm);
        let mut lines = extra.to_vec();
        lines
            .push(Digest::new("alice", password, algorithm, &nonce).realm(&realm).uri(&format!("sip:{domain}")).line());
        let second = self.register_in(domain, "alice", &lines);
        self.send(&second, source)
    }

    fn register_contacts(&mut self, extra: &[String]) -> Response {
        self.authed(Algorithm::Sha256, "secret", extra, phone()).expect("answered")
    }

    fn events(&mut self) -> Vec<BindingEvent> {
        std::iter::from_fn(|| self.registrar.poll_event()).collect()
    }
}

fn parse_request(text: &str) -> Request {
    match Message::parse(text.as_bytes()).expect("REGISTER parses") {
        Message::Request(r) => r,
        Message::Response(_) => unreachable!("a request"),
    }
}

/// The text of a REGISTER for `user` of `domain` with CSeq `cseq` and
/// extra lines.
fn register_text(cseq: u32, domain: &str, user: &str, extra: &[String]) -> String {
    let mut text = format!(
        "REGISTER sip:{domain} SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKr{cseq}\r\n\
         From: <sip:{user}@{domain}>;tag=f1\r\nTo: <sip:{user}@{domain}>\r\nCall-ID: reg-1\r\n\
         CSeq: {cseq} REGISTER\r\nMax-Forwards: 70\r\n"
    );
    for line in extra {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.push_str("Content-Length: 0\r\n\r\n");
    text
}

/// The nonce of the challenge for `algorithm`.
fn nonce_of(response: &Response, algorithm: Algorithm) -> String {
    param_of(&challenge_for(response, algorithm), "nonce")
}

/// The realm of the challenge for `algorithm`.
fn realm_of(response: &Response, algorithm: Algorithm) -> String {
    param_of(&challenge_for(response, algorithm), "realm")
}

/// A quoted parameter of a challenge.
fn param_of(challenge: &str, name: &str) -> String {
    let start = format!("{name}=\"");
    challenge.split(&start).nth(1).and_then(|v| v.split('"').next()).expect("parameter").to_owned()
}

fn challenge_for(response: &Response, algorithm: Algorithm) -> String {
    response
        .headers()
        .get_all("WWW-Authenticate")
        .into_iter()
        .find(|v| v.contains(&format!("algorithm={},", algorithm.as_str())))
        .expect("a challenge for the algorithm")
        .to_owned()
}

/// An Authorization line as a phone would compute it: for `user` with
/// `password`, by default in realm example.com for `sip:example.com`.
struct Digest {
    user: String,
    password: String,
    algorithm: Algorithm,
    nonce: String,
    nc: u32,
    realm: String,
    uri: String,
}

impl Digest {
    fn new(user: &str, password: &str, algorithm: Algorithm, nonce: &str) -> Digest {
        Digest {
            user: user.into(),
            password: password.into(),
            algorithm,
            nonce: nonce.into(),
            nc: 1,
            realm: DOMAIN.into(),
            uri: format!("sip:{DOMAIN}"),
        }
    }

    fn realm(self, realm: &str) -> Digest {
        Digest { realm: realm.into(), ..self }
    }

    fn uri(self, uri: &str) -> Digest {
        Digest { uri: uri.into(), ..self }
    }

    fn line(&self) -> String {
        let Digest { user, password, algorithm, nonce, nc, realm, uri } = self;
        let params = |response: &str| {
            format!(
                "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", \
                 response=\"{response}\", algorithm={}, qop=auth, nc={nc:08x}, cnonce=\"c0ffee\"",
                algorithm.as_str()
            )
        };
        let auth = Authorization::parse(&params("")).expect("parses");
        let response = expected_response(&auth, "REGISTER", &algorithm.ha1(user, realm, password));
        format!("Authorization: {}", params(&response))
    }
}

/// An Authorization line for `user` in realm example.com.
fn authorization(user: &str, password: &str, algorithm: Algorithm, nonce: &str, nc: u32) -> String {
    Digest { nc, ..Digest::new(user, password, algorithm, nonce) }.line()
}

fn contact(uri: &str, params: &str) -> String {
    format!("Contact: <{uri}>{params}")
}

fn contacts_of(response: &Response) -> Vec<String> {
    response.headers().get_all("Contact").into_iter().map(str::to_owned).collect()
}

#[test]
fn register_without_credentials_is_challenged_with_sha256_and_md5() {
    let mut t = Test::new();
    let request = t.register("alice", &[contact("sip:alice@192.0.2.10", "")]);
    let response = t.send(&request, phone()).expect("answered");
    assert_eq!(response.status().as_u16(), 401);
    let challenges = response.headers().get_all("WWW-Authenticate");
    assert_eq!(challenges.len(), 2);
    assert!(challenges[0].contains("algorithm=SHA-256"), "SHA-256 is preferred, so first: {challenges:?}");
    assert!(challenges[1].contains("algorithm=MD5"));
    for c in &challenges {
        assert!(c.starts_with("Digest realm=\"example.com\""), "the realm is the AOR's domain: {c}");
        assert!(c.contains("qop=\"auth\"") && c.contains("opaque=\"") && !c.contains("stale"));
    }
    assert!(t.registrar.bindings(AOR).is_empty());
}

#[test]
fn correct_md5_digest_registers_the_contact() {
    let mut t = Test::new();
    let response =
        t.authed(Algorithm::Md5, "secret", &[contact("sip:alice@192.0.2.10", "")], phone()).expect("answered");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(contacts_of(&response), vec!["<sip:alice@192.0.2.10>;expires=3600".to_owned()]);
    assert_eq!(t.registrar.bindings(AOR).len(), 1);
    assert!(matches!(&t.events()[..], [BindingEvent::Added { aor, .. }] if aor == AOR));
}

#[test]
fn correct_sha256_digest_registers_the_contact() {
    let mut t = Test::new();
    let response = t.register_contacts(&[contact("sip:alice@192.0.2.10", "")]);
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(t.registrar.bindings(AOR)[0].flow, flow_from(phone()));
}

#[test]
fn ok_carries_a_date_header() {
    let mut t = Test::new();
    let response = t.register_contacts(&[contact("sip:alice@192.0.2.10", "")]);
    assert_eq!(response.headers().get("Date"), Some("Tue, 14 Nov 2023 22:13:20 GMT"));
}

#[test]
fn expired_nonce_gets_stale_true() {
    let mut t = Test::new();
    let first = t.register("alice", &[]);
    let nonce = nonce_of(&t.send(&first, phone()).expect("401"), Algorithm::Sha256);
    t.advance(301);
    let late = t.register("alice", &[authorization("alice", "secret", Algorithm::Sha256, &nonce, 1)]);
    let response = t.send(&late, phone()).expect("answered");
    assert_eq!(response.status().as_u16(), 401);
    assert!(challenge_for(&response, Algorithm::Sha256).contains("stale=true"));
    assert!(challenge_for(&response, Algorithm::Md5).contains("stale=true"));
}

#[test]
fn expired_nonce_with_wrong_password_is_403_not_stale() {
    let mut t = Test::new();
    let first = t.register("alice", &[]);
    let nonce = nonce_of(&t.send(&first, phone()).expect("401"), Algorithm::Md5);
    t.advance(301);
    let late = t.register("alice", &[authorization("alice", "guess", Algorithm::Md5, &nonce, 1)]);
    assert_eq!(t.send(&late, phone()).expect("answered").status().as_u16(), 403);
}

#[test]
fn wrong_password_is_403_and_counts_toward_blocking() {
    let mut t = Test::with(Config { max_failures: 3, ..Config::default() });
    for _ in 0..3 {
        let response = t.authed(Algorithm::Md5, "guess", &[], phone()).expect("answered before the block");
        assert_eq!(response.status().as_u16(), 403);
    }
    let request = t.register("alice", &[]);
    assert!(t.send(&request, phone()).is_none(), "a blocked source is dropped unanswered");
    assert_eq!(t.registrar.blocked_drops(), 1);
    let other: SocketAddr = "192.0.2.99:5060".parse().expect("addr");
    assert!(t.send(&request, other).is_some(), "other sources are not blocked");
}

#[test]
fn blocked_source_is_answered_again_after_the_block() {
    let mut t = Test::with(Config { max_failures: 1, block_for: Duration::from_secs(120), ..Config::default() });
    assert_eq!(t.authed(Algorithm::Md5, "guess", &[], phone()).expect("403").status().as_u16(), 403);
    let request = t.register("alice", &[]);
    t.advance(119);
    assert!(t.send(&request, phone()).is_none());
    t.advance(1);
    assert_eq!(t.send(&request, phone()).expect("answered").status().as_u16(), 401);
}

#[test]
fn unknown_user_is_404_and_counts_toward_blocking() {
    let mut t = Test::with(Config { max_failures: 2, ..Config::default() });
    let request = t.register("mallory", &[]);
    assert_eq!(t.send(&request, phone()).expect("answered").status().as_u16(), 404);
    assert_eq!(t.send(&request, phone()).expect("answered").status().as_u16(), 404);
    assert!(t.send(&request, phone()).is_none());
}

#[test]
fn credentials_of_another_user_are_403() {
    let mut t = Test::new();
    let first = t.register("alice", &[]);
    let nonce = nonce_of(&t.send(&first, phone()).expect("401"), Algorithm::Md5);
    let request = t.register("alice", &[authorization("bob", "secret", Algorithm::Md5, &nonce, 1)]);
    assert_eq!(t.send(&request, phone()).expect("answered").status().as_u16(), 403);
}

#[test]
fn forged_nonce_is_challenged_again() {
    let mut t = Test::new();
    let forged = "0".repeat(48);
    let request = t.register("alice", &[authorization("alice", "secret", Algorithm::Md5, &forged, 1)]);
    assert_eq!(t.send(&request, phone()).expect("answered").status().as_u16(), 401);
}

#[test]
fn malformed_authorization_is_400() {
    let mut t = Test::new();
    let request = t.register("alice", &["Authorization: Digest username=\"unterminated".to_owned()]);
    assert_eq!(t.send(&request, phone()).expect("answered").status().as_u16(), 400);
}

#[test]
fn digest_uri_other_than_the_request_uri_is_400() {
    let mut t = Test::new();
    let first = t.register("alice", &[]);
    let nonce = nonce_of(&t.send(&first, phone()).expect("401"), Algorithm::Md5);
    let line = Digest::new("alice", "secret", Algorithm::Md5, &nonce).uri("sip:other.example").line();
    let request = t.register("alice", &[line]);
    assert_eq!(t.send(&request, phone()).expect("answered").status().as_u16(), 400);
}

#[test]
fn two_contacts_for_one_agent_are_both_kept() {
    let mut t = Test::new();
    t.register_contacts(&[contact("sip:alice@192.0.2.10", "")]);
    let response = t.register_contacts(&[contact("sip:alice@192.0.2.20", ";expires=600")]);
    assert_eq!(
        contacts_of(&response),
        vec!["<sip:alice@192.0.2.10>;expires=3600".to_owned(), "<sip:alice@192.0.2.20>;expires=600".to_owned()]
    );
    assert_eq!(t.registrar.bindings(AOR).len(), 2);
}

#[test]
fn one_register_may_carry_two_contacts() {
    let mut t = Test::new();
    let response = t.register_contacts(&[
        "Contact: <sip:alice@192.0.2.10>, <sip:alice@192.0.2.20>;expires=120".to_owned(),
        "Expires: 900".to_owned(),
    ]);
    assert_eq!(
        contacts_of(&response),
        vec!["<sip:alice@192.0.2.10>;expires=900".to_owned(), "<sip:alice@192.0.2.20>;expires=120".to_owned()]
    );
}

#[test]
fn contacts_past_the_per_aor_limit_are_403_and_change_nothing() {
    let mut t = Test::with(Config { max_bindings_per_aor: 2, ..Config::default() });
    t.register_contacts(&[contact("sip:alice@192.0.2.10", "")]);
    let response = t.register_contacts(&["Contact: <sip:alice@192.0.2.20>, <sip:alice@192.0.2.30>".to_owned()]);
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(t.registrar.bindings(AOR).len(), 1);
    let refresh = t.register_contacts(&["Contact: <sip:alice@192.0.2.10>, <sip:alice@192.0.2.20>".to_owned()]);
    assert_eq!(refresh.status().as_u16(), 200, "a refresh plus one new contact fits");
}

#[test]
fn expires_zero_removes_one_binding() {
    let mut t = Test::new();
    t.register_contacts(&[contact("sip:alice@192.0.2.10", "")]);
    t.register_contacts(&[contact("sip:alice@192.0.2.20", "")]);
    t.events();
    let response = t.register_contacts(&[contact("sip:alice@192.0.2.10", ";expires=0")]);
    assert_eq!(response.status().as_u16(), 200, "{:?}", response.reason());
    assert_eq!(contacts_of(&response), vec!["<sip:alice@192.0.2.20>;expires=3600".to_owned()]);
    assert!(matches!(&t.events()[..], [BindingEvent::Removed { binding, .. }]
        if binding.contact.uri().as_str() == "sip:alice@192.0.2.10"));
}

#[test]
fn star_contact_removes_all_bindings() {
    let mut t = Test::new();
    t.register_contacts(&[contact("sip:alice@192.0.2.10", "")]);
    t.register_contacts(&[contact("sip:alice@192.0.2.20", "")]);
    t.events();
    let response = t.register_contacts(&["Contact: *".to_owned(), "Expires: 0".to_owned()]);
    assert_eq!(response.status().as_u16(), 200);
    assert!(contacts_of(&response).is_empty());
    assert!(t.registrar.bindings(AOR).is_empty());
    assert_eq!(t.events().iter().filter(|e| matches!(e, BindingEvent::Removed { .. })).count(), 2);
    let moot = t.registrar.poll_timeout().expect("the old deadlines are left to fire");
    t.registrar.handle_timeout(moot + Duration::from_secs(1));
    assert!(t.events().is_empty(), "a removed binding does not also expire");
}

#[test]
fn star_contact_without_expires_zero_is_400() {
    let mut t = Test::new();
    let response = t.register_contacts(&["Contact: *".to_owned()]);
    assert_eq!(response.status().as_u16(), 400);
}

#[test]
fn register_without_contact_lists_the_bindings() {
    let mut t = Test::new();
    t.register_contacts(&[contact("sip:alice@192.0.2.10", "")]);
    t.advance(100);
    let response = t.register_contacts(&[]);
    assert_eq!(contacts_of(&response), vec!["<sip:alice@192.0.2.10>;expires=3500".to_owned()]);
}

#[test]
fn binding_expires_at_its_time() {
    let mut t = Test::new();
    let start = t.now;
    t.register_contacts(&[contact("sip:alice@192.0.2.10", ";expires=120")]);
    t.events();
    let due = t.registrar.poll_timeout().expect("an expiry");
    assert_eq!(due - start, Duration::from_secs(120));
    t.registrar.handle_timeout(due - Duration::from_millis(1));
    assert!(t.events().is_empty(), "not before its time");
    t.registrar.handle_timeout(due);
    assert!(matches!(&t.events()[..], [BindingEvent::Expired { aor, .. }] if aor == AOR));
    assert!(t.registrar.bindings(AOR).is_empty());
    assert_eq!(t.registrar.poll_timeout(), None);
}

#[test]
fn refresh_moves_the_expiry_and_is_reported() {
    let mut t = Test::new();
    t.register_contacts(&[contact("sip:alice@192.0.2.10", ";expires=120")]);
    t.advance(100);
    t.events();
    t.register_contacts(&[contact("sip:alice@192.0.2.10", ";expires=120")]);
    assert!(matches!(&t.events()[..], [BindingEvent::Refreshed { .. }]));
    assert_eq!(t.registrar.bindings(AOR)[0].expires_at, t.now + Duration::from_secs(120));
    assert_eq!(t.registrar.bindings(AOR).len(), 1);
}

#[test]
fn refreshed_binding_does_not_expire_at_its_old_time() {
    let mut t = Test::new();
    t.register_contacts(&[contact("sip:alice@192.0.2.10", ";expires=120")]);
    t.advance(100);
    t.register_contacts(&[contact("sip:alice@192.0.2.10", ";expires=120")]);
    t.events();
    let old = t.registrar.poll_timeout().expect("the old deadline");
    t.registrar.handle_timeout(old);
    assert!(t.events().is_empty());
    assert_eq!(t.registrar.bindings(AOR).len(), 1);
    let new = t.registrar.poll_timeout().expect("the new deadline");
    assert_eq!(new, t.now + Duration::from_secs(120));
    t.registrar.handle_timeout(new);
    assert!(matches!(&t.events()[..], [BindingEvent::Expired { .. }]));
}

#[test]
fn aor_is_scheme_user_and_lowercased_host_without_port_or_params() {
    let aor = |uri: &str| Aor::parse(uri).map(|a| (a.uri, a.user, a.domain));
    assert_eq!(
        aor("SIP:alice@Example.COM:5060;transport=tcp"),
        Some(("sip:alice@example.com".into(), "alice".into(), "example.com".into()))
    );
    assert_eq!(
        aor("sip:bob@[2001:DB8::1]:5060"),
        Some(("sip:bob@[2001:db8::1]".into(), "bob".into(), "[2001:db8::1]".into()))
    );
    assert_eq!(aor("sip:example.com"), None);
    assert_eq!(aor("sip:@example.com"), None);
    assert_eq!(aor("sip:alice@"), None);
}

proptest! {
    #![proptest_config(crate::harness::fixed_seed())]

    #[test]
    fn registrar_never_panics_on_odd_contact_expires_and_authorization(
        contact_value in "\\PC{0,80}",
        expires in "\\PC{0,12}",
        auth in "\\PC{0,120}",
    ) {
        let mut t = Test::new();
        let mut lines = vec![format!("Contact: {contact_value}"), format!("Expires: {expires}")];
        for (cseq, auth_line) in [(1, None), (2, Some(format!("Authorization: Digest {auth}")))] {
            lines.extend(auth_line);
            lines.retain(|l| !l.contains(['\r', '\n']));
            if let Ok(Message::Request(request)) = Message::parse(register_text(cseq, DOMAIN, "alice", &lines).as_bytes()) {
                let _ = t.send(&request, phone());
            }
        }
    }
}

#[test]
fn interval_too_brief_is_423_with_min_expires() {
    let mut t = Test::new();
    let response = t.register_contacts(&[contact("sip:alice@192.0.2.10", ";expires=30")]);
    assert_eq!(response.status().as_u16(), 423);
    assert_eq!(response.headers().get("Min-Expires"), Some("60"));
    assert!(t.registrar.bindings(AOR).is_empty());
}

#[test]
fn expires_above_the_maximum_is_clamped() {
    let mut t = Test::new();
    let response = t.register_contacts(&[contact("sip:alice@192.0.2.10", ""), "Expires: 999999".to_owned()]);
    assert_eq!(contacts_of(&response), vec!["<sip:alice@192.0.2.10>;expires=3600".to_owned()]);
}

#[test]
fn outbound_contact_keeps_instance_reg_id_and_its_flow() {
    let mut t = Test::new();
    let instance = "\"<urn:uuid:00000000-0000-1000-8000-000a95a0e128>\"";
    let nat: SocketAddr = "198.51.100.7:40000".parse().expect("addr");
    let params = format!(";ob;+sip.instance={instance};reg-id=1");
    let response = t
        .authed(
            Algorithm::Sha256,
            "secret",
            &[contact("sip:alice@abcd.invalid;transport=ws", &params), "Supported: outbound, path".to_owned()],
            nat,
        )
        .expect("answered");
    assert_eq!(response.headers().get("Require"), Some("outbound"));
    let binding = &t.registrar.bindings(AOR)[0];
    assert!(binding.outbound);
    assert_eq!(binding.instance.as_deref(), Some(instance));
    assert_eq!(binding.reg_id, Some(1));
    assert_eq!(binding.flow.source, nat);
    // Same instance and reg-id from a new address: the flow is replaced.
    let moved: SocketAddr = "198.51.100.7:40002".parse().expect("addr");
    t.authed(Algorithm::Sha256, "secret", &[contact("sip:alice@efgh.invalid;transport=ws", &params)], moved);
    let bindings = t.registrar.bindings(AOR);
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0].flow.source, moved);
}

#[test]
fn out_of_order_cseq_on_the_same_call_id_is_500() {
    let mut t = Test::new();
    t.register_contacts(&[contact("sip:alice@192.0.2.10", "")]);
    t.cseq = 0; // the next authenticated REGISTER reuses CSeq 2
    let response = t.register_contacts(&[contact("sip:alice@192.0.2.10", "")]);
    assert_eq!(response.status().as_u16(), 500);
}
