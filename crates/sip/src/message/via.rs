//! The `Via` header (RFC 3261 §20.42, RFC 3581 rport).

use std::fmt;
use std::str::FromStr;

use super::params::{Params, split_outside_quotes};

/// The magic cookie that starts an RFC 3261 branch (§8.1.1.7).
pub const BRANCH_MAGIC_COOKIE: &str = "z9hG4bK";

/// One `Via` entry: transport, sent-by and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    transport: String,
    host: String,
    port: Option<u16>,
    params: Params,
}

impl Via {
    /// A new Via for `transport` (`UDP`, `TCP`, `WS`…) and sent-by
    /// `host[:port]` with the given branch.
    pub fn new(transport: &str, host: &str, port: Option<u16>, branch: &str) -> Via {
        let mut params = Params::default();
        params.set("branch", Some(branch));
        Via { transport: transport.to_ascii_uppercase(), host: host.to_owned(), port, params }
    }

    /// Parses every Via in one header value (they may be comma-separated).
    pub(crate) fn parse_list(value: &str) -> Option<Vec<Via>> {
        split_outside_quotes(value, b',').into_iter().map(Via::parse_one).collect()
    }

    fn parse_one(text: &str) -> Option<Via> {
        let text = text.trim();
        let (protocol, rest) = text.split_once([' ', '\t'])?;
        let mut parts = protocol.split('/').map(str::trim);
        let (name, version, transport) = (parts.next()?, parts.next()?, parts.next()?);
        if !name.eq_ignore_ascii_case("SIP") || version != "2.0" || parts.next().is_some() {
            return None;
        }
        if transport.is_empty() || !transport.bytes().all(super::method::is_token_byte) {
            return None;
        }
        let rest = rest.trim_start();
        let (sent_by, params) = match rest.find(';') {
            Some(i) => (rest[..i].trim(), &rest[i..]),
            None => (rest.trim(), ""),
        };
        // ezk validates the host (name, IPv4 or [IPv6]) and the port.
        let host_port = ezk_sip_types::host::HostPort::from_str(sent_by).ok()?;
        Some(Via {
            transport: transport.to_ascii_uppercase(),
            host: host_port.host.to_string(),
            port: host_port.port,
            params: Params::parse(params)?,
        })
    }

    /// The transport token, upper case (`UDP`, `TCP`, `TLS`, `WS`, `WSS`).
    pub fn transport(&self) -> &str {
        &self.transport
    }

    /// The sent-by host (an IPv6 address keeps its brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The sent-by port, when given.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// `host[:port]` as sent, the sent-by used in transaction matching.
    pub fn sent_by(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host),
            None => self.host.clone(),
        }
    }

    /// The `branch` parameter.
    pub fn branch(&self) -> Option<&str> {
        self.params.get("branch").flatten()
    }

    /// The `received` parameter (RFC 3261 §18.2.1).
    pub fn received(&self) -> Option<&str> {
        self.params.get("received").flatten()
    }

    /// The `rport` parameter (RFC 3581): `None` when absent,
    /// `Some(None)` when asked for, `Some(Some(port))` when filled in.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params.get("rport").map(|v| v.and_then(|p| p.parse().ok()))
    }

    /// Sets `received` and, when the client asked for it, fills `rport`
    /// with the source port (RFC 3581 §4).
    pub fn set_received(&mut self, ip: &str, port: u16) {
        self.params.set("received", Some(ip));
        if self.params.get("rport").is_some() {
            self.params.set("rport", Some(&port.to_string()));
        }
    }

    /// All parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/2.0/{} {}{}", self.transport, self.sent_by(), self.params)
    }
}
