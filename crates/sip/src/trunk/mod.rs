//! Carrier trunks at the SIP edge, sans-IO: which trunk an inbound request
//! comes from, and where outbound calls go.
//!
//! A [`TrunkTable`] is built once from the configured trunks (rebuilt when
//! they change). Inbound, a trunk is recognised either by the request's
//! source address ([`TrunkTable::match_source`]: IP allow-lists of
//! addresses and CIDR blocks, the most specific prefix winning) or by a
//! digest challenge ([`TrunkTable::digest_trunk`] gives the stored HA1s of
//! the username the carrier answered with). Outbound, each trunk has a
//! host, port, transport and optional digest credentials, and
//! [`TrunkTable::failover_order`] lists the outbound trunks by priority.
//!
//! The trunk id `T` is whatever the caller needs to carry (the binary uses
//! its database trunk id); the table only clones it in.

mod cidr;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

pub use cidr::{IpNet, IpNetError};

use crate::auth::{ClientSecret, Credentials, DigestClient};
use crate::registrar::Transport;

/// Why a trunk or a table cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrunkError {
    /// An allow-list entry is not an address or CIDR block.
    #[error("allow-list entry {index} ({entry:?}): {reason}")]
    BadSource {
        /// Its position in the list, from 0.
        index: usize,
        /// The entry as written.
        entry: String,
        /// What is wrong with it.
        #[source]
        reason: IpNetError,
    },
    /// An allow-list with no entry would accept nobody.
    #[error("empty allow-list")]
    EmptyAllowList,
    /// A digest username is empty.
    #[error("empty digest username")]
    EmptyUsername,
    /// Two trunks authenticate inbound with the same digest username.
    #[error("digest username {0:?} is used by two trunks")]
    DuplicateUsername(String),
}

/// How a trunk's inbound requests are recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Inbound {
    /// By source address: any address in these networks.
    AllowList(Vec<IpNet>),
    /// By digest authentication as `username`.
    Digest {
        /// The username the carrier answers challenges with.
        username: String,
        /// Its HA1s for our realm.
        credentials: Credentials,
    },
}

impl Inbound {
    /// An allow-list from entries such as `203.0.113.7`,
    /// `203.0.113.0/24` or `2001:db8::/32`.
    pub fn allow_list<S: AsRef<str>>(sources: &[S]) -> Result<Inbound, TrunkError> {
        if sources.is_empty() {
            return Err(TrunkError::EmptyAllowList);
        }
        let networks = sources
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                entry.as_ref().parse().map_err(|reason| TrunkError::BadSource {
                    index,
                    entry: entry.as_ref().to_owned(),
                    reason,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Inbound::AllowList(networks))
    }

    /// Digest authentication as `username` with `password`, in `realm`
    /// (our digest server's); only the HA1s are kept.
    pub fn digest(username: &str, password: &str, realm: &str) -> Result<Inbound, TrunkError> {
        if username.is_empty() {
            return Err(TrunkError::EmptyUsername);
        }
        let credentials = Credentials::from_password(username, realm, password);
        Ok(Inbound::Digest { username: username.to_owned(), credentials })
    }
}

/// The username and secret a trunk answers the carrier's challenges with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundAuth {
    /// Digest username.
    pub username: String,
    /// Password or stored HA1s.
    pub secret: ClientSecret,
}

/// Where a trunk's outbound calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    /// Carrier host name or address.
    pub host: String,
    /// Carrier port.
    pub port: u16,
    /// Transport.
    pub transport: Transport,
    /// Credentials for the carrier's digest challenges, if it sends any.
    pub auth: Option<OutboundAuth>,
    /// Lower is tried first; failover goes up.
    pub priority: u16,
}

impl Outbound {
    /// A digest client answering this carrier's challenges, with cnonces
    /// from `cnonce_seed`; `None` without credentials.
    pub fn digest_client(&self, cnonce_seed: &[u8]) -> Option<DigestClient> {
        self.auth.as_ref().map(|a| DigestClient::new(&a.username, a.secret.clone(), cnonce_seed))
    }
}

/// One carrier trunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trunk<T> {
    /// The caller's id for it.
    pub id: T,
    /// How inbound requests are recognised.
    pub inbound: Inbound,
    /// Where outbound calls go; `None` for an inbound-only trunk.
    pub outbound: Option<Outbound>,
}

/// Networks of one address family by prefix length, each listing the
/// trunks (indices, in table order) that allow it.
type PrefixTable = BTreeMap<u8, HashMap<u128, Vec<usize>>>;

/// The configured trunks, indexed for inbound matching and outbound
/// failover.
#[derive(Debug, Clone)]
pub struct TrunkTable<T> {
    trunks: Vec<Trunk<T>>,
    v4: PrefixTable,
    v6: PrefixTable,
    by_username: HashMap<String, usize>,
    failover: Vec<usize>,
}

impl<T: Clone> TrunkTable<T> {
    /// A table of `trunks`; their order breaks ties (same prefix, same
    /// priority). Refuses an empty allow-list and a digest username used
    /// twice.
    pub fn new(trunks: &[Trunk<T>]) -> Result<TrunkTable<T>, TrunkError> {
        let mut table = TrunkTable {
            trunks: trunks.to_vec(),
            v4: PrefixTable::new(),
            v6: PrefixTable::new(),
            by_username: HashMap::new(),
            failover: Vec::new(),
        };
        for (i, trunk) in trunks.iter().enumerate() {
            match &trunk.inbound {
                Inbound::AllowList(networks) if networks.is_empty() => return Err(TrunkError::EmptyAllowList),
                Inbound::AllowList(networks) => {
                    for net in networks {
                        let family = if net.network().is_ipv4() { &mut table.v4 } else { &mut table.v6 };
                        let trunks = family.entry(net.prefix()).or_default().entry(net.network_bits()).or_default();
                        if !trunks.contains(&i) {
                            trunks.push(i);
                        }
                    }
                }
                Inbound::Digest { username, .. } if username.is_empty() => return Err(TrunkError::EmptyUsername),
                Inbound::Digest { username, .. } => {
                    if table.by_username.insert(username.clone(), i).is_some() {
                        return Err(TrunkError::DuplicateUsername(username.clone()));
                    }
                }
            }
        }
        table.failover = (0..trunks.len()).filter(|&i| trunks[i].outbound.is_some()).collect();
        table.failover.sort_by_key(|&i| trunks[i].outbound.as_ref().map_or(u16::MAX, |o| o.priority));
        Ok(table)
    }
}

impl<T> TrunkTable<T> {
    /// The trunk whose allow-list holds `ip` with the longest prefix (the
    /// first in table order when several trunks list the same network).
    /// An IPv4-mapped IPv6 source (`::ffff:203.0.113.7`) is matched as
    /// IPv4.
    pub fn match_source(&self, ip: IpAddr) -> Option<&Trunk<T>> {
        self.matches_indices(ip).next().and_then(|i| self.trunks.get(i))
    }

    /// Every trunk whose allow-list holds `ip`, most specific first, each
    /// once: when one carrier serves several trunks from the same
    /// addresses, the caller tells them apart by the called number.
    pub fn all_matching_source(&self, ip: IpAddr) -> Vec<&Trunk<T>> {
        let mut seen = Vec::new();
        for i in self.matches_indices(ip) {
            if !seen.contains(&i) {
                seen.push(i);
            }
        }
        seen.into_iter().filter_map(|i| self.trunks.get(i)).collect()
    }

    /// The trunk authenticating inbound as `username`, and its HA1s to
    /// verify the answer with.
    pub fn digest_trunk(&self, username: &str) -> Option<(&Trunk<T>, &Credentials)> {
        let trunk = self.trunks.get(*self.by_username.get(username)?)?;
        match &trunk.inbound {
            Inbound::Digest { credentials, .. } => Some((trunk, credentials)),
            Inbound::AllowList(_) => None,
        }
    }

    /// The trunks with an outbound side, lowest priority first (table
    /// order on a tie): the order to try them in.
    pub fn failover_order(&self) -> impl Iterator<Item = (&Trunk<T>, &Outbound)> {
        self.failover.iter().filter_map(|&i| {
            let trunk = self.trunks.get(i)?;
            trunk.outbound.as_ref().map(|o| (trunk, o))
        })
    }

    /// Every trunk, in table order.
    pub fn trunks(&self) -> &[Trunk<T>] {
        &self.trunks
    }

    /// Indices of the trunks allowing `ip`, longest prefix first: one hash
    /// lookup per prefix length in use.
    fn matches_indices(&self, ip: IpAddr) -> impl Iterator<Item = usize> + '_ {
        let ip = ip.to_canonical();
        let family = if ip.is_ipv4() { &self.v4 } else { &self.v6 };
        family.iter().rev().flat_map(move |(&prefix, networks)| {
            let network = IpNet::new(ip, prefix).map(|n| n.network_bits());
            network.and_then(|n| networks.get(&n)).into_iter().flatten().copied()
        })
    }
}
