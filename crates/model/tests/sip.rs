//! Tenant SIP domains, agent AORs and SIP passwords.

use model::{Agent, Validate, agent_aor, is_valid_domain, sip_domain};

fn agent(password: Option<&str>) -> Agent {
    let mut a: Agent =
        serde_json::from_value(serde_json::json!({"user_id": null, "name": "Ann", "extension": "1001"})).unwrap();
    a.sip_password = password.map(str::to_owned);
    a
}

#[test]
fn tenant_domain_is_slug_dot_platform_domain_lowercased_without_trailing_dot() {
    assert_eq!(sip_domain("acme", "switchboard.localhost"), "acme.switchboard.localhost");
    assert_eq!(sip_domain("acme-uk", "SIP.Example.COM."), "acme-uk.sip.example.com");
    assert_eq!(agent_aor("1001", &sip_domain("acme", "sip.example.com")), "sip:1001@acme.sip.example.com");
}

#[test]
fn platform_domains_must_be_host_names() {
    assert!(is_valid_domain("switchboard.localhost"));
    assert!(is_valid_domain("localhost"));
    for bad in ["", "a..b", "-a.b", "a-.b", "a b.c", "a_b.c", "x.", &"a".repeat(64)] {
        assert!(!is_valid_domain(bad), "{bad:?}");
    }
}

#[test]
fn sip_password_is_accepted_on_write_but_never_serialised() {
    let a: Agent = serde_json::from_value(serde_json::json!({
        "user_id": null, "name": "Ann", "extension": "1001", "sip_password": "s3cret-sip"
    }))
    .unwrap();
    assert_eq!(a.sip_password.as_deref(), Some("s3cret-sip"));
    let shown = serde_json::to_value(&a).unwrap();
    assert!(shown.get("sip_password").is_none(), "{shown}");
    assert!(!shown.to_string().contains("s3cret"), "{shown}");
}

#[test]
fn sip_password_must_be_8_to_128_printable_ascii() {
    for (password, ok) in [
        (Some("12345678"), true),
        (Some("pass word ~!"), true),
        (None, true),
        (Some("1234567"), false),
        (Some("tab\there12"), false),
        (Some("pässwörter"), false),
    ] {
        let errors = agent(password).validate().err().map(|e| e.errors).unwrap_or_default();
        assert_eq!(errors.is_empty(), ok, "{password:?}: {errors:?}");
        if !ok {
            assert_eq!(errors[0].field, "sip_password");
        }
    }
    assert!(agent(Some(&"x".repeat(128))).validate().is_ok());
    assert!(agent(Some(&"x".repeat(129))).validate().is_err());
}
