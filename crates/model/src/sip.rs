//! SIP names of tenants and agents: every crate derives them here, so the
//! registrar, the store's account loader and the demo print agree.
//!
//! ```
//! assert_eq!(model::sip_domain("acme", "sip.example.com"), "acme.sip.example.com");
//! assert_eq!(model::agent_aor("1001", "acme.sip.example.com"), "sip:1001@acme.sip.example.com");
//! ```

/// The SIP domain of the tenant with `slug` on a platform whose SIP domain
/// is `platform_domain`: `<slug>.<platform_domain>`, lowercased, without a
/// trailing dot. It is also the digest realm of the tenant's agents.
pub fn sip_domain(slug: &str, platform_domain: &str) -> String {
    let platform = platform_domain.trim().trim_end_matches('.');
    format!("{}.{}", slug.to_ascii_lowercase(), platform.to_ascii_lowercase())
}

/// The address-of-record an agent with `extension` registers in the tenant
/// domain `domain`: `sip:<extension>@<domain>`.
pub fn agent_aor(extension: &str, domain: &str) -> String {
    format!("sip:{extension}@{domain}")
}

/// Whether `domain` can be a platform SIP domain: dot-separated labels of
/// 1–63 letters, digits and inner hyphens, 253 characters at most.
pub fn is_valid_domain(domain: &str) -> bool {
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    !domain.is_empty() && domain.len() <= 253 && domain.split('.').all(label_ok)
}
