//! Client-side digest authentication: answers checked by our own
//! `DigestServer`, the RFC 7616 example, stale nonces, nonce counts, and a
//! challenge parser that never panics.

use proptest::prelude::*;
use sip::auth::{
    Algorithm, Authorization, Challenge, ChallengeError, ChallengeKind, ClientSecret, Credentials, DigestClient,
    DigestServer, QopAuth, Verdict, format_authorization,
};

const USER: &str = "trunk-a";
const PASSWORD: &str = "s3cret pass";
const URI: &str = "sip:switchboard.example";

fn server(realm: &str, algorithms: &[Algorithm]) -> DigestServer {
    DigestServer::new(realm, algorithms, b"server secret", 30)
}

fn client() -> DigestClient {
    DigestClient::new(USER, ClientSecret::Password(PASSWORD.to_owned()), b"seed")
}

/// Parses `answer` and has `server` verify it as a REGISTER at `now`.
fn verify(server: &mut DigestServer, answer: &str, realm: &str, now: u64) -> (Verdict, Authorization) {
    let auth = Authorization::parse(answer).expect("our answer parses");
    let credentials = Credentials::from_password(USER, realm, PASSWORD);
    (server.verify(&auth, "REGISTER", &credentials, now), auth)
}

#[test]
fn answer_to_sha256_and_md5_challenges_uses_sha256_and_is_authenticated() {
    let mut server = server("switchboard", &[Algorithm::Sha256, Algorithm::Md5]);
    let challenges = server.challenges(100, false);
    assert_eq!(challenges.len(), 2);
    let answer = client().answer(&challenges, "REGISTER", URI).expect("answerable");
    let (verdict, auth) = verify(&mut server, &answer, "switchboard", 101);
    assert_eq!(verdict, Verdict::Authenticated);
    assert_eq!(auth.algorithm, Algorithm::Sha256);
    assert_eq!(auth.username, USER);
    assert_eq!(auth.uri, URI);
    assert!(auth.opaque.is_some(), "opaque is echoed");
}

#[test]
fn answer_to_an_md5_only_server_is_authenticated() {
    let mut server = server("switchboard", &[Algorithm::Md5]);
    let challenges = server.challenges(100, false);
    let answer = client().answer(&challenges, "REGISTER", URI).expect("answerable");
    let (verdict, auth) = verify(&mut server, &answer, "switchboard", 101);
    assert_eq!(verdict, Verdict::Authenticated);
    assert_eq!(auth.algorithm, Algorithm::Md5);
}

#[test]
fn sha256_is_chosen_even_when_md5_is_offered_first() {
    let mut server = server("switchboard", &[Algorithm::Md5, Algorithm::Sha256]);
    let challenges = server.challenges(100, false);
    let chosen = client().choose(&challenges).expect("answerable");
    assert_eq!(chosen.algorithm, Algorithm::Sha256);
}

#[test]
fn stored_ha1_is_authenticated_for_its_realm_and_refused_for_another() {
    let mut server = server("switchboard", &[Algorithm::Sha256, Algorithm::Md5]);
    let stored = Credentials { ha1_md5: None, ..Credentials::from_password(USER, "switchboard", PASSWORD) };
    let secret = ClientSecret::Ha1 { realm: "switchboard".to_owned(), credentials: stored };
    let mut client = DigestClient::new(USER, secret, b"seed");
    let answer = client.answer(&server.challenges(100, false), "REGISTER", URI).expect("answerable");
    assert_eq!(verify(&mut server, &answer, "switchboard", 101).0, Verdict::Authenticated);

    let mut md5_only = DigestServer::new("switchboard", &[Algorithm::Md5], b"k", 30);
    let err = client.answer(&md5_only.challenges(100, false), "REGISTER", URI).expect_err("no MD5 HA1 stored");
    assert_eq!(err, ChallengeError::NoCredentials { realm: "switchboard".to_owned(), algorithm: "MD5" });
    let mut elsewhere = server_with_realm("other");
    let err = client.answer(&elsewhere.challenges(100, false), "REGISTER", URI).expect_err("other realm");
    assert!(matches!(err, ChallengeError::NoCredentials { realm, .. } if realm == "other"));
}

fn server_with_realm(realm: &str) -> DigestServer {
    server(realm, &[Algorithm::Sha256])
}

const RFC_7616_CHALLENGE_TAIL: &str = "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
     opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
const RFC_7616_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

fn rfc_7616_challenge(algorithm: &str) -> String {
    format!(
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm={algorithm}, {RFC_7616_CHALLENGE_TAIL}"
    )
}

#[test]
fn rfc_7616_example_challenges_are_answered_with_the_rfc_responses() {
    let both = [rfc_7616_challenge("SHA-256"), rfc_7616_challenge("MD5")];
    for (offered, expected_algorithm, expected) in [
        (&both[..], Algorithm::Sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
        (&both[1..], Algorithm::Md5, "8ca523f5e9506fed4657c9700eebdbec"),
    ] {
        let mut client = DigestClient::new("Mufasa", ClientSecret::Password("Circle of Life".to_owned()), b"seed");
        let challenge = client.choose(offered).expect("answerable");
        assert!(challenge.qop_auth, "qop list offers auth");
        let answer = client.respond_with_cnonce(&challenge, "GET", "/dir/index.html", RFC_7616_CNONCE).expect("answer");
        let auth = Authorization::parse(&answer).expect("parses");
        assert_eq!(auth.algorithm, expected_algorithm);
        assert_eq!(auth.response, expected);
        assert_eq!(auth.qop.as_ref().map(|q| q.nc_text.as_str()), Some("00000001"));
        assert_eq!(auth.qop.map(|q| q.cnonce).as_deref(), Some(RFC_7616_CNONCE));
        assert_eq!(auth.opaque.as_deref(), Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"));
    }
}

#[test]
fn stale_challenge_is_answered_again_and_authenticated() {
    let mut server = server("switchboard", &[Algorithm::Sha256]);
    let mut client = client();
    let first = client.answer(&server.challenges(100, false), "REGISTER", URI).expect("answer");
    assert_eq!(verify(&mut server, &first, "switchboard", 131).0, Verdict::Stale, "30 s lifetime");

    let again = server.challenges(131, true);
    let challenge = client.choose(&again).expect("answerable");
    assert!(challenge.stale);
    assert!(challenge.allows_retry(true), "a stale nonce is retried without asking the user");
    let second = client.respond(&challenge, "REGISTER", URI).expect("answer");
    let (verdict, auth) = verify(&mut server, &second, "switchboard", 132);
    assert_eq!(verdict, Verdict::Authenticated);
    assert_eq!(auth.qop.map(|q| q.nc), Some(1), "a new nonce counts from 1");
}

#[test]
fn refused_credentials_get_a_fresh_challenge_that_allows_no_retry() {
    let mut server = server("switchboard", &[Algorithm::Sha256]);
    let mut wrong = DigestClient::new(USER, ClientSecret::Password("guess".to_owned()), b"seed");
    let answer = wrong.answer(&server.challenges(100, false), "REGISTER", URI).expect("answer");
    assert_eq!(verify(&mut server, &answer, "switchboard", 101).0, Verdict::Wrong);
    let fresh = wrong.choose(&server.challenges(101, false)).expect("answerable");
    assert!(!fresh.allows_retry(true));
    assert!(fresh.allows_retry(false), "a request that carried no answer is answered");
}

#[test]
fn nonce_count_increments_on_reuse_and_restarts_for_a_new_nonce() {
    let mut server = server("switchboard", &[Algorithm::Sha256]);
    let mut client = client();
    let challenge = client.choose(&server.challenges(100, false)).expect("answerable");
    let mut cnonces = Vec::new();
    for (now, expected_nc) in [(101, "00000001"), (102, "00000002"), (103, "00000003")] {
        let answer = client.respond(&challenge, "REGISTER", URI).expect("answer");
        let (verdict, auth) = verify(&mut server, &answer, "switchboard", now);
        assert_eq!(verdict, Verdict::Authenticated, "nc {expected_nc}");
        let qop = auth.qop.expect("qop=auth");
        assert_eq!(qop.nc_text, expected_nc);
        cnonces.push(qop.cnonce);
    }
    cnonces.dedup();
    assert_eq!(cnonces.len(), 3, "each answer has its own cnonce");
    let other = client.choose(&server.challenges(104, false)).expect("answerable");
    let answer = client.respond(&other, "REGISTER", URI).expect("answer");
    assert_eq!(verify(&mut server, &answer, "switchboard", 105).1.qop.map(|q| q.nc), Some(1));
    let back = client.respond(&challenge, "REGISTER", URI).expect("answer");
    let (verdict, auth) = verify(&mut server, &back, "switchboard", 106);
    assert_eq!((verdict, auth.qop.map(|q| q.nc)), (Verdict::Authenticated, Some(4)), "counts are per nonce");
}

#[test]
fn same_seed_gives_same_cnonces_and_another_seed_other_ones() {
    let challenge = Challenge::parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"").expect("parses");
    let cnonce = |seed: &[u8]| {
        let mut c = DigestClient::new(USER, ClientSecret::Password(PASSWORD.to_owned()), seed);
        let answer = c.respond(&challenge, "INVITE", URI).expect("answer");
        Authorization::parse(&answer).expect("parses").qop.expect("qop").cnonce
    };
    assert_eq!(cnonce(b"one"), cnonce(b"one"));
    assert_ne!(cnonce(b"one"), cnonce(b"two"));
    assert_eq!(cnonce(b"one").len(), 32, "128 bits in hex");
}

#[test]
fn only_unsupported_algorithms_give_an_error_naming_them() {
    let offered = [
        "Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=SHA-512-256",
        "Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=MD5-sess",
    ];
    let err = client().choose(&offered).expect_err("nothing supported");
    assert_eq!(err, ChallengeError::UnsupportedAlgorithm("SHA-512-256, MD5-sess".to_owned()));
    assert_eq!(err.to_string(), "no supported digest algorithm: offered SHA-512-256, MD5-sess; supported SHA-256, MD5");
    let with_md5 = [offered[0], "Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=MD5"];
    assert_eq!(client().choose(&with_md5).expect("MD5 is offered too").algorithm, Algorithm::Md5);
}

#[test]
fn unanswerable_challenges_say_why() {
    let cases: [(&[&str], ChallengeError); 6] = [
        (&[], ChallengeError::NoChallenge),
        (&["Basic realm=\"r\""], ChallengeError::NotDigest("Basic".to_owned())),
        (&["Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""], ChallengeError::UnsupportedQop("auth-int".to_owned())),
        (&["Digest realm=\"r\", qop=\"auth\""], ChallengeError::Missing("nonce")),
        (&["Digest realm=\"r\", nonce=\"unterminated"], ChallengeError::Malformed),
        (&["Basic realm=\"x\"", "Digest realm=\"r\r\nX-Injected: 1\", nonce=\"n\""], ChallengeError::Malformed),
    ];
    for (offered, expected) in cases {
        assert_eq!(client().choose(offered), Err(expected), "{offered:?}");
    }
}

#[test]
fn rfc_2069_challenge_without_qop_is_answered_without_cnonce_and_authenticated() {
    let mut server = server("switchboard", &[Algorithm::Md5]);
    let offered = server.challenges(100, false)[0].replace(", qop=\"auth\"", "");
    let challenge = client().choose(&[offered]).expect("answerable");
    assert!(!challenge.qop_auth);
    let answer = client().respond(&challenge, "REGISTER", URI).expect("answer");
    assert!(!answer.contains("cnonce") && !answer.contains("nc=") && !answer.contains("qop"), "{answer}");
    let (verdict, auth) = verify(&mut server, &answer, "switchboard", 101);
    assert_eq!(verdict, Verdict::Authenticated);
    let ha1 = Algorithm::Md5.ha1(USER, "switchboard", PASSWORD);
    let ha2 = Algorithm::Md5.hex(&format!("REGISTER:{URI}"));
    assert_eq!(auth.response, Algorithm::Md5.hex(&format!("{ha1}:{}:{ha2}", auth.nonce)), "H(HA1:nonce:HA2)");
}

#[test]
fn quoted_string_escapes_are_read_and_written_back() {
    let realm = "Switch \"board\" \\ east";
    let mut server = server_with_realm(realm);
    let challenges = server.challenges(100, false);
    assert!(challenges[0].contains(r#"realm="Switch \"board\" \\ east""#), "{}", challenges[0]);
    let mut client = client();
    let challenge = client.choose(&challenges).expect("answerable");
    assert_eq!(challenge.realm, realm);
    let answer = client.respond(&challenge, "REGISTER", URI).expect("answer");
    assert_eq!(verify(&mut server, &answer, realm, 101).0, Verdict::Authenticated);
}

#[test]
fn several_challenges_in_one_header_value_are_split() {
    let value =
        "Basic realm=\"a, b\", Digest realm=\"d\", nonce = \"n,1\", qop=\"auth,auth-int\", stale=TRUE, Negotiate";
    let parsed = Challenge::parse_all(value);
    assert_eq!(parsed.len(), 3, "{parsed:?}");
    assert_eq!(parsed[0], Err(ChallengeError::NotDigest("Basic".to_owned())));
    assert_eq!(parsed[2], Err(ChallengeError::NotDigest("Negotiate".to_owned())));
    let digest = parsed[1].clone().expect("the Digest one parses");
    assert_eq!((digest.realm.as_str(), digest.nonce.as_str()), ("d", "n,1"));
    assert!(digest.qop_auth && digest.stale);
    assert_eq!(client().choose(&[value]).expect("answerable"), digest);
}

#[test]
fn challenge_kind_follows_the_status_code() {
    assert_eq!(ChallengeKind::from_status(401).map(ChallengeKind::answer_header), Some("Authorization"));
    let proxy = ChallengeKind::from_status(407).expect("407");
    assert_eq!((proxy.challenge_header(), proxy.answer_header()), ("Proxy-Authenticate", "Proxy-Authorization"));
    assert_eq!(ChallengeKind::from_status(403), None);
}

#[test]
fn control_characters_in_what_the_client_sends_are_refused() {
    let challenge = Challenge::parse("Digest realm=\"r\", nonce=\"n\"").expect("parses");
    let mut client = client();
    let err = client.respond(&challenge, "INVITE", "sip:a\r\nX: y").expect_err("CRLF in uri");
    assert_eq!(err, ChallengeError::ControlCharacter("uri"));
}

/// The files of a fuzz seed directory, by name.
fn seeds(dir: &str) -> Vec<(String, String)> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("seed directory")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).expect("UTF-8 seed"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn challenge_and_authorization_seeds_parse_or_fail_as_named() {
    let challenges = seeds("challenge");
    assert!(challenges.len() >= 8, "challenge seeds are missing");
    for (name, text) in challenges {
        let values: Vec<&str> = text.lines().collect();
        let chosen = client().choose(&values);
        assert_eq!(chosen.is_ok(), name.starts_with("ok-"), "{name}: {chosen:?}");
    }
    let authorizations = seeds("authorization");
    assert!(authorizations.len() >= 4, "authorization seeds are missing");
    for (name, text) in authorizations {
        let parsed = Authorization::parse(text.trim_end());
        assert_eq!(parsed.is_ok(), name.starts_with("ok-"), "{name}: {parsed:?}");
    }
}

proptest! {
    #![proptest_config(crate::harness::fixed_seed())]

    #[test]
    fn challenge_parser_never_panics(text in "\\PC{0,300}") {
        let _ = Challenge::parse_all(&text);
        let _ = Challenge::parse_all(&format!("Digest {text}"));
        let _ = client().answer(&[text.as_str()], "INVITE", URI);
    }

    #[test]
    fn challenge_parser_never_panics_on_near_valid_headers(
        parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "Digest ", "Basic ", "realm=", "nonce=", "qop=", "\"auth\"", "algorithm=SHA-256", "stale=true",
                "\"", "\\", ",", " ", "=", "x", "é", "\r\n", "\u{0}",
            ]),
            0..40,
        )
    ) {
        let text = parts.concat();
        let _ = Challenge::parse_all(&text);
        let _ = client().answer(&[text.as_str()], "INVITE", URI);
    }

    #[test]
    fn formatted_authorization_parses_back_unchanged(
        username in "[^\\p{Cc}]{0,20}",
        realm in "[^\\p{Cc}]{0,20}",
        nonce in "[ -~]{0,20}",
        cnonce in "[ -~]{0,20}",
        opaque in proptest::option::of("[ -~]{0,20}"),
        nc in any::<u32>(),
        sha256 in any::<bool>(),
    ) {
        let auth = Authorization {
            username,
            realm,
            nonce,
            uri: URI.to_owned(),
            response: "0123abcd".to_owned(),
            algorithm: if sha256 { Algorithm::Sha256 } else { Algorithm::Md5 },
            qop: Some(QopAuth { nc, nc_text: format!("{nc:08x}"), cnonce }),
            opaque,
        };
        prop_assert_eq!(Authorization::parse(&format_authorization(&auth)), Ok(auth));
    }
}
