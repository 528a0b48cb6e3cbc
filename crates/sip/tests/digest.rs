//! Digest authentication: RFC 7616 §3.9.1 vectors, nonces, and a parser
//! that never panics.

use proptest::prelude::*;
use sip::auth::{Algorithm, Authorization, Credentials, DigestServer, NonceCheck, Nonces, Verdict, expected_response};

const RFC_7616_USER: &str = "Mufasa";
const RFC_7616_REALM: &str = "http-auth@example.org";
const RFC_7616_PASSWORD: &str = "Circle of Life";

fn rfc_7616_authorization(algorithm: &str, response: &str) -> Authorization {
    let header = format!(
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", \
         algorithm={algorithm}, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, \
         cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, response=\"{response}\", \
         opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
    );
    Authorization::parse(&header).expect("RFC 7616 example parses")
}

#[test]
fn rfc_7616_sha256_example_response_matches() {
    let expected = "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1";
    let auth = rfc_7616_authorization("SHA-256", expected);
    assert_eq!(auth.algorithm, Algorithm::Sha256);
    let ha1 = Algorithm::Sha256.ha1(RFC_7616_USER, RFC_7616_REALM, RFC_7616_PASSWORD);
    assert_eq!(expected_response(&auth, "GET", &ha1), expected);
}

#[test]
fn rfc_7616_md5_example_response_matches() {
    let expected = "8ca523f5e9506fed4657c9700eebdbec";
    let auth = rfc_7616_authorization("MD5", expected);
    let ha1 = Algorithm::Md5.ha1(RFC_7616_USER, RFC_7616_REALM, RFC_7616_PASSWORD);
    assert_eq!(expected_response(&auth, "GET", &ha1), expected);
}

#[test]
fn missing_algorithm_means_md5_and_missing_qop_is_rfc_2069_style() {
    let auth = Authorization::parse("Digest username=\"a\",realm=\"r\",nonce=\"n\",uri=\"sip:x\",response=\"AB\"")
        .expect("parses");
    assert_eq!(auth.algorithm, Algorithm::Md5);
    assert_eq!(auth.qop, None);
    assert_eq!(auth.response, "ab", "hex compares case-insensitively");
}

#[test]
fn authorization_parser_refuses_garbage_with_errors() {
    for bad in [
        "",
        "Basic dXNlcjpwYXNz",
        "Digest",
        "Digest username=\"unterminated",
        "Digest username=a realm=b",
        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth-int, nc=00000001, cnonce=c",
        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, nc=1, cnonce=c",
        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", algorithm=SHA-512-256",
        "Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\"",
    ] {
        assert!(Authorization::parse(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn nonce_is_fresh_then_stale_and_a_forged_one_is_invalid() {
    let nonces = Nonces::new(b"secret", 30);
    let nonce = nonces.issue(1_000, 7);
    assert_eq!(nonces.check(&nonce, 1_029), NonceCheck::Fresh);
    assert_eq!(nonces.check(&nonce, 1_030), NonceCheck::Stale);
    assert_eq!(Nonces::new(b"other secret", 30).check(&nonce, 1_000), NonceCheck::Invalid);
    let mut forged = nonce.clone();
    forged.replace_range(..16, &format!("{:016x}", 5_000u64));
    assert_ne!(nonces.issue(1_000, 8), nonce, "the serial tells apart nonces of the same second");
    assert_eq!(nonces.check(&forged, 5_000), NonceCheck::Invalid, "the MAC covers the timestamp");
}

#[test]
fn replayed_nonce_count_is_wrong() {
    let mut server = DigestServer::new("r", &[Algorithm::Md5], b"k", 60);
    let credentials = Credentials::from_password("alice", "r", "pw");
    let nonce = server.challenges(100, false)[0].split('"').nth(3).expect("nonce").to_owned();
    let mut auth = Authorization::parse(&format!(
        "Digest username=\"alice\", realm=\"r\", nonce=\"{nonce}\", uri=\"sip:r\", response=\"\", \
         qop=auth, nc=00000001, cnonce=\"c\""
    ))
    .expect("parses");
    auth.response = expected_response(&auth, "REGISTER", credentials.ha1_md5.as_deref().expect("md5"));
    assert_eq!(server.verify(&auth, "REGISTER", &credentials, 101), Verdict::Authenticated);
    assert_eq!(server.verify(&auth, "REGISTER", &credentials, 102), Verdict::Wrong);
}

proptest! {
    #![proptest_config(crate::harness::fixed_seed())]

    #[test]
    fn authorization_parser_never_panics(text in "\\PC{0,300}") {
        let _ = Authorization::parse(&text);
        let _ = Authorization::parse(&format!("Digest {text}"));
    }

    #[test]
    fn authorization_parser_never_panics_on_near_valid_headers(
        parts in proptest::collection::vec(
            proptest::sample::select(vec!["username=", "realm=", "\"", "\\", ",", " ", "nc=", "qop=auth", "x", "=", "é", "00000001"]),
            0..40,
        )
    ) {
        let _ = Authorization::parse(&format!("Digest {}", parts.concat()));
    }
}
