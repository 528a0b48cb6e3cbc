//! IP networks for trunk allow-lists: an address or a CIDR block
//! (`203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32`).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// Why an allow-list entry is not an IP network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IpNetError {
    /// The part before `/` is not an IPv4 or IPv6 address (zones such as
    /// `%eth0` and host names are refused).
    #[error("{0:?} is not an IPv4 or IPv6 address")]
    BadAddress(String),
    /// The part after `/` is not a decimal number.
    #[error("prefix length {0:?} is not a number")]
    BadPrefix(String),
    /// The prefix is longer than the address (`/33` on IPv4).
    #[error("prefix /{prefix} is longer than the {bits} bits of an {family} address")]
    PrefixTooLong {
        /// The prefix as written.
        prefix: u16,
        /// Bits in the address: 32 or 128.
        bits: u8,
        /// `IPv4` or `IPv6`.
        family: &'static str,
    },
    /// Bits are set after the prefix (`203.0.113.5/24`): refused rather
    /// than widened, since the entry may have meant the one host.
    #[error("host bits set after the prefix: the network is {network}")]
    HostBitsSet {
        /// The network with the host bits cleared.
        network: IpNet,
    },
}

/// An IP network: a network address and a prefix length (a single
/// address is a /32 or a /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNet {
    network: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// The network of `addr` with `prefix` bits, host bits cleared;
    /// `None` when `prefix` is longer than the address.
    pub fn new(addr: IpAddr, prefix: u8) -> Option<IpNet> {
        (prefix <= bits(addr)).then(|| IpNet { network: from_bits(addr, to_bits(addr) & mask(addr, prefix)), prefix })
    }

    /// The network address.
    pub fn network(&self) -> IpAddr {
        self.network
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in this network (same family only: an IPv4-mapped
    /// IPv6 address is not in an IPv4 network; use `IpAddr::to_canonical`).
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.network.is_ipv4() == ip.is_ipv4() && to_bits(ip) & mask(ip, self.prefix) == to_bits(self.network)
    }

    /// The address bits of the network (an IPv4 one in the low 32 bits).
    pub(crate) fn network_bits(&self) -> u128 {
        to_bits(self.network)
    }
}

impl FromStr for IpNet {
    type Err = IpNetError;

    /// Parses `addr` or `addr/prefix`; surrounding whitespace is ignored.
    fn from_str(text: &str) -> Result<IpNet, IpNetError> {
        let text = text.trim();
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr_text.parse().map_err(|_| IpNetError::BadAddress(addr_text.to_owned()))?;
        let max = bits(addr);
        let prefix = match prefix_text {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                let prefix: u16 = p.parse().map_err(|_| IpNetError::BadPrefix(p.to_owned()))?;
                u8::try_from(prefix).ok().filter(|&n| n <= max).ok_or(IpNetError::PrefixTooLong {
                    prefix,
                    bits: max,
                    family: if addr.is_ipv4() { "IPv4" } else { "IPv6" },
                })?
            }
            Some(p) => return Err(IpNetError::BadPrefix(p.to_owned())),
        };
        let network = IpNet::new(addr, prefix).ok_or(IpNetError::BadPrefix(prefix.to_string()))?;
        if network.network != addr {
            return Err(IpNetError::HostBitsSet { network });
        }
        Ok(network)
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// Bits in an address of `ip`'s family.
fn bits(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}

/// The address as a number (IPv4 in the low 32 bits).
fn to_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_bits()),
        IpAddr::V6(v6) => v6.to_bits(),
    }
}

/// The address of `family`'s kind with these bits.
fn from_bits(family: IpAddr, value: u128) -> IpAddr {
    match family {
        // The value came from a masked IPv4 address: it fits in 32 bits.
        IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::from_bits(value as u32)),
        IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::from_bits(value)),
    }
}

/// The mask of the first `prefix` bits of an address of `family`'s kind.
pub(crate) fn mask(family: IpAddr, prefix: u8) -> u128 {
    let width = u32::from(bits(family));
    let all = if family.is_ipv4() { u128::from(u32::MAX) } else { u128::MAX };
    let host_bits = width.saturating_sub(u32::from(prefix));
    all.checked_shl(host_bits).map_or(0, |m| m & all)
}
