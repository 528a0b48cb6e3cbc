//! Carrier SIP trunks: how calls come in and go out.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validation::{FieldErrors, Validate, index, join, text};

/// SIP transport for a trunk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SipTransport {
    /// UDP (the default for carriers).
    #[default]
    Udp,
    /// TCP.
    Tcp,
    /// TLS.
    Tls,
}

/// A username and password for SIP digest authentication. The password is
/// accepted on write and never returned by the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestCredentials {
    /// Digest username.
    pub username: String,
    /// Digest password (write-only).
    #[serde(default, skip_serializing)]
    pub password: String,
}

/// How inbound requests from the carrier are accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "type", deny_unknown_fields)]
pub enum InboundAuth {
    /// By source address: IPv4/IPv6 addresses or CIDR blocks.
    IpAllowList {
        /// Allowed sources, e.g. `203.0.113.0/24`.
        sources: Vec<String>,
    },
    /// By digest challenge.
    Digest {
        /// What the carrier must present.
        credentials: DigestCredentials,
    },
}

/// Outbound registration of Switchboard to the carrier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutboundRegistration {
    /// What Switchboard presents.
    pub credentials: DigestCredentials,
    /// Registration interval in seconds.
    pub expires_secs: u32,
}

/// A carrier trunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Trunk {
    /// Name, unique within the tenant.
    pub name: String,
    /// Carrier host name or address.
    pub host: String,
    /// Carrier port.
    #[serde(default = "default_sip_port")]
    pub port: u16,
    /// Transport.
    #[serde(default)]
    pub transport: SipTransport,
    /// How inbound calls are accepted.
    pub inbound: InboundAuth,
    /// Credentials for outbound calls (answering the carrier's challenge).
    pub outbound_credentials: Option<DigestCredentials>,
    /// Register to the carrier, when it requires it.
    pub registration: Option<OutboundRegistration>,
    /// Lower is tried first for outbound calls; failover goes up.
    #[serde(default)]
    pub priority: u16,
}

fn default_sip_port() -> u16 {
    5060
}

impl Trunk {
    /// A copy fit to show: every password blanked.
    pub fn redacted(&self) -> Trunk {
        let mut t = self.clone();
        if let InboundAuth::Digest { credentials } = &mut t.inbound {
            credentials.password.clear();
        }
        if let Some(c) = &mut t.outbound_credentials {
            c.password.clear();
        }
        if let Some(r) = &mut t.registration {
            r.credentials.password.clear();
        }
        t
    }
}

fn validate_credentials(path: &str, c: &DigestCredentials, errors: &mut FieldErrors) {
    text(&join(path, "username"), &c.username, 100, errors);
    text(&join(path, "password"), &c.password, 200, errors);
}

/// Whether `s` is an IP address or a CIDR block.
fn is_ip_or_cidr(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let Ok(ip) = addr.parse::<std::net::IpAddr>() else { return false };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|p| p <= max))
}

impl Validate for Trunk {
    fn validate_into(&self, path: &str, errors: &mut FieldErrors) {
        text(&join(path, "name"), &self.name, 100, errors);
        let host = join(path, "host");
        text(&host, &self.host, 253, errors);
        if self.host.chars().any(|c| c.is_whitespace() || c == '/' || c == '@') {
            errors.push(host, "must be a host name or address");
        }
        if self.port == 0 {
            errors.push(join(path, "port"), "must be between 1 and 65535");
        }
        let inbound = join(path, "inbound");
        match &self.inbound {
            InboundAuth::IpAllowList { sources } => {
                let sources_path = join(&inbound, "sources");
                if sources.is_empty() {
                    errors.push(&sources_path, "must list at least one address");
                }
                for (i, s) in sources.iter().enumerate() {
                    if !is_ip_or_cidr(s) {
                        errors.push(index(&sources_path, i), "must be an IP address or CIDR block");
                    }
                }
            }
            InboundAuth::Digest { credentials } => {
                validate_credentials(&join(&inbound, "credentials"), credentials, errors)
            }
        }
        if let Some(c) = &self.outbound_credentials {
            validate_credentials(&join(path, "outbound_credentials"), c, errors);
        }
        if let Some(r) = &self.registration {
            let reg = join(path, "registration");
            validate_credentials(&join(&reg, "credentials"), &r.credentials, errors);
            if !(60..=86_400).contains(&r.expires_secs) {
                errors.push(join(&reg, "expires_secs"), "must be between 60 and 86400");
            }
        }
    }
}
