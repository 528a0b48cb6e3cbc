//! Addresses-of-record: the To URI of a REGISTER reduced to scheme, user
//! and host. The host is the domain, which names the tenant and is the
//! digest realm.

/// An address-of-record and its parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Aor {
    /// `scheme:user@host`, scheme and host lowercased, no port or
    /// parameters: the key bindings are kept under.
    pub uri: String,
    /// The user part, as sent (user parts are case-sensitive).
    pub user: String,
    /// The host, lowercased (IPv6 in brackets): the domain.
    pub domain: String,
}

impl Aor {
    /// The AOR of a To URI such as `sip:1001@Acme.Example.com:5060;transport=tcp`;
    /// `None` without a user or a host.
    pub fn parse(uri: &str) -> Option<Aor> {
        let (scheme, rest) = uri.split_once(':')?;
        let (user, host) = rest.split_once('@')?;
        let user = user.split(';').next()?;
        let domain = host_part(host)?;
        if user.is_empty() {
            return None;
        }
        let uri = format!("{}:{user}@{domain}", scheme.to_ascii_lowercase());
        Some(Aor { uri, user: user.to_owned(), domain })
    }
}

/// The lowercased host of `host[:port][;params][?headers]`, IPv6 kept in
/// brackets; `None` when empty.
fn host_part(text: &str) -> Option<String> {
    let host = match text.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next()?),
        None => text.split([';', '?', ':']).next()?.to_owned(),
    };
    (!host.is_empty() && host != "[]").then(|| host.to_ascii_lowercase())
}
