//! Trunk matching: CIDR parsing and containment at the prefix edges,
//! the most specific allow-list winning, digest trunks, failover order.

use std::net::IpAddr;

use proptest::prelude::*;
use sip::auth::{Algorithm, Authorization, ClientSecret, DigestServer, Verdict};
use sip::registrar::Transport;
use sip::trunk::{Inbound, IpNet, IpNetError, Outbound, OutboundAuth, Trunk, TrunkError, TrunkTable};

fn ip(text: &str) -> IpAddr {
    text.parse().expect("test address")
}

fn net(text: &str) -> IpNet {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn allow(id: &'static str, sources: &[&str]) -> Trunk<&'static str> {
    Trunk { id, inbound: Inbound::allow_list(sources).expect("valid allow-list"), outbound: None }
}

fn outbound(priority: u16) -> Option<Outbound> {
    Some(Outbound { host: "carrier.example".to_owned(), port: 5060, transport: Transport::Udp, auth: None, priority })
}

fn matched(table: &TrunkTable<&'static str>, source: &str) -> Option<&'static str> {
    table.match_source(ip(source)).map(|t| t.id)
}

#[test]
fn addresses_and_blocks_parse_with_host_addresses_as_full_prefixes() {
    assert_eq!(net("203.0.113.7").to_string(), "203.0.113.7/32");
    assert_eq!(net(" 203.0.113.0/24 ").to_string(), "203.0.113.0/24");
    assert_eq!(net("2001:db8::/32").to_string(), "2001:db8::/32");
    assert_eq!(net("2001:db8::7").prefix(), 128);
    assert_eq!(net("0.0.0.0/0").prefix(), 0);
    assert_eq!(net("::/0").network(), ip("::"));
}

#[test]
fn bad_entries_are_refused_with_the_reason() {
    let too_long = |prefix, bits, family| Err(IpNetError::PrefixTooLong { prefix, bits, family });
    let cases: [(&str, Result<IpNet, IpNetError>); 12] = [
        ("203.0.113.0/33", too_long(33, 32, "IPv4")),
        ("2001:db8::/129", too_long(129, 128, "IPv6")),
        ("10.0.0.0/256", too_long(256, 32, "IPv4")),
        ("203.0.113.5/24", Err(IpNetError::HostBitsSet { network: net("203.0.113.0/24") })),
        ("2001:db8::1/32", Err(IpNetError::HostBitsSet { network: net("2001:db8::/32") })),
        ("carrier.example", Err(IpNetError::BadAddress("carrier.example".to_owned()))),
        ("fe80::1%eth0", Err(IpNetError::BadAddress("fe80::1%eth0".to_owned()))),
        ("", Err(IpNetError::BadAddress(String::new()))),
        ("10.0.0.0/", Err(IpNetError::BadPrefix(String::new()))),
        ("10.0.0.0/+8", Err(IpNetError::BadPrefix("+8".to_owned()))),
        ("10.0.0.0/8/8", Err(IpNetError::BadPrefix("8/8".to_owned()))),
        ("10.0.0.0/0008", Err(IpNetError::BadPrefix("0008".to_owned()))),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<IpNet>(), expected, "{text:?}");
    }
    let err = Inbound::allow_list(&["198.51.100.0/24", "203.0.113.0/33"]).expect_err("bad second entry");
    assert_eq!(
        err.to_string(),
        "allow-list entry 1 (\"203.0.113.0/33\"): prefix /33 is longer than the 32 bits of an IPv4 address"
    );
    assert_eq!(
        IpNetError::HostBitsSet { network: net("203.0.113.0/24") }.to_string(),
        "host bits set after the prefix: the network is 203.0.113.0/24"
    );
}

#[test]
fn slash_zero_holds_every_address_of_its_own_family_only() {
    let (any_v4, any_v6) = (net("0.0.0.0/0"), net("::/0"));
    for v4 in ["0.0.0.0", "255.255.255.255", "203.0.113.7"] {
        assert!(any_v4.contains(ip(v4)) && !any_v6.contains(ip(v4)), "{v4}");
    }
    for v6 in ["::", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:203.0.113.7"] {
        assert!(any_v6.contains(ip(v6)) && !any_v4.contains(ip(v6)), "{v6}");
    }
}

#[test]
fn full_length_prefixes_hold_exactly_one_address() {
    let host = net("203.0.113.7/32");
    assert!(host.contains(ip("203.0.113.7")));
    assert!(!host.contains(ip("203.0.113.6")) && !host.contains(ip("203.0.113.8")));
    let host6 = net("2001:db8::7/128");
    assert!(host6.contains(ip("2001:db8::7")));
    assert!(!host6.contains(ip("2001:db8::6")) && !host6.contains(ip("2001:db8::8")));
}

#[test]
fn prefix_boundaries_off_the_octet_are_exact() {
    let cases = [
        ("203.0.113.0/25", "203.0.113.127", "203.0.113.128"),
        ("203.0.112.0/23", "203.0.113.255", "203.0.114.0"),
        ("203.0.112.0/23", "203.0.112.0", "203.0.111.255"),
        ("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::"),
        ("2001:db8:0:2::/63", "2001:db8:0:3:ffff::1", "2001:db8:0:4::"),
        ("128.0.0.0/1", "255.0.0.1", "127.255.255.255"),
    ];
    for (block, inside, outside) in cases {
        assert!(net(block).contains(ip(inside)), "{inside} in {block}");
        assert!(!net(block).contains(ip(outside)), "{outside} not in {block}");
    }
}

#[test]
fn most_specific_prefix_wins_whatever_the_table_order() {
    let wide = allow("wide", &["203.0.113.0/24", "2001:db8::/32"]);
    let half = allow("half", &["203.0.113.128/25", "2001:db8:1::/48"]);
    let host = allow("host", &["203.0.113.200", "2001:db8:1::200"]);
    for order in [[&wide, &half, &host], [&host, &half, &wide], [&half, &host, &wide]] {
        let table = TrunkTable::new(&order.map(Clone::clone)).expect("table");
        assert_eq!(matched(&table, "203.0.113.200"), Some("host"));
        assert_eq!(matched(&table, "203.0.113.201"), Some("half"));
        assert_eq!(matched(&table, "203.0.113.127"), Some("wide"));
        assert_eq!(matched(&table, "198.51.100.1"), None);
        assert_eq!(matched(&table, "2001:db8:1::200"), Some("host"));
        assert_eq!(matched(&table, "2001:db8:1::201"), Some("half"));
        assert_eq!(matched(&table, "2001:db8:2::1"), Some("wide"));
        assert_eq!(matched(&table, "2001:db9::1"), None);
    }
}

#[test]
fn a_network_on_two_trunks_goes_to_the_first_and_both_are_listed() {
    let table = TrunkTable::new(&[
        allow("tenant-a", &["198.51.100.0/24"]),
        allow("tenant-b", &["198.51.100.0/24", "198.51.100.9"]),
        allow("tenant-c", &["198.51.100.0/24", "198.51.100.0/25"]),
    ])
    .expect("table");
    assert_eq!(matched(&table, "198.51.100.200"), Some("tenant-a"));
    let all: Vec<_> = table.all_matching_source(ip("198.51.100.9")).into_iter().map(|t| t.id).collect();
    assert_eq!(all, ["tenant-b", "tenant-c", "tenant-a"], "most specific first, each trunk once");
}

#[test]
fn ipv4_mapped_ipv6_source_matches_the_ipv4_allow_list() {
    let table = TrunkTable::new(&[allow("v4", &["203.0.113.0/24"]), allow("v6", &["::/0"])]).expect("table");
    assert_eq!(matched(&table, "::ffff:203.0.113.7"), Some("v4"), "a dual-stack socket's view of an IPv4 peer");
    assert_eq!(matched(&table, "::ffff:198.51.100.7"), None, "mapped, so IPv4, and outside the IPv4 list");
    assert_eq!(matched(&table, "2001:db8::1"), Some("v6"));
}

#[test]
fn digest_trunk_gives_the_credentials_that_verify_the_carriers_answer() {
    let carrier = Trunk {
        id: "carrier",
        inbound: Inbound::digest("carrier-a", "trunk pw", "switchboard").expect("digest"),
        outbound: None,
    };
    let table = TrunkTable::new(&[allow("by-ip", &["203.0.113.0/24"]), carrier]).expect("table");
    let mut server = DigestServer::new("switchboard", &[Algorithm::Sha256, Algorithm::Md5], b"k", 30);
    let mut client = sip::auth::DigestClient::new("carrier-a", ClientSecret::Password("trunk pw".to_owned()), b"s");
    let answer = client.answer(&server.challenges(10, false), "INVITE", "sip:+15550100@switchboard").expect("answer");
    let auth = Authorization::parse(&answer).expect("parses");
    let (trunk, credentials) = table.digest_trunk(&auth.username).expect("known username");
    assert_eq!(trunk.id, "carrier");
    assert_eq!(server.verify(&auth, "INVITE", credentials, 11), Verdict::Authenticated);
    assert!(table.digest_trunk("carrier-b").is_none());
    assert!(table.digest_trunk("").is_none());
    assert_eq!(matched(&table, "203.0.113.1"), Some("by-ip"), "digest trunks have no allow-list");
}

#[test]
fn tables_refuse_empty_allow_lists_empty_and_duplicate_usernames() {
    assert_eq!(Inbound::allow_list::<&str>(&[]), Err(TrunkError::EmptyAllowList));
    assert_eq!(Inbound::digest("", "pw", "r"), Err(TrunkError::EmptyUsername));
    let empty = Trunk { id: 1, inbound: Inbound::AllowList(Vec::new()), outbound: None };
    assert_eq!(TrunkTable::new(&[empty]).err(), Some(TrunkError::EmptyAllowList));
    let digest = |id| Trunk { id, inbound: Inbound::digest("same", "pw", "r").expect("digest"), outbound: None };
    assert_eq!(TrunkTable::new(&[digest(1), digest(2)]).err(), Some(TrunkError::DuplicateUsername("same".to_owned())));
}

#[test]
fn failover_order_is_by_priority_then_table_order_without_inbound_only_trunks() {
    let trunk =
        |id, priority: Option<u16>| Trunk { outbound: priority.and_then(outbound), ..allow(id, &["192.0.2.1"]) };
    let table = TrunkTable::new(&[
        trunk("backup", Some(20)),
        trunk("inbound-only", None),
        trunk("primary", Some(10)),
        trunk("backup-2", Some(20)),
        trunk("last", Some(u16::MAX)),
    ])
    .expect("table");
    let order: Vec<_> = table.failover_order().map(|(t, _)| t.id).collect();
    assert_eq!(order, ["primary", "backup", "backup-2", "last"]);
    assert_eq!(table.trunks().len(), 5);
}

#[test]
fn outbound_credentials_answer_the_carriers_challenge() {
    let mut carrier = DigestServer::new("carrier.example", &[Algorithm::Md5], b"carrier", 30);
    let auth = OutboundAuth { username: "acme".to_owned(), secret: ClientSecret::Password("out pw".to_owned()) };
    let out = Outbound { auth: Some(auth), ..outbound(0).expect("outbound") };
    let mut client = out.digest_client(b"seed").expect("has credentials");
    let answer = client.answer(&carrier.challenges(5, false), "INVITE", "sip:+15550100@carrier.example").expect("ok");
    let parsed = Authorization::parse(&answer).expect("parses");
    let credentials = sip::auth::Credentials::from_password("acme", "carrier.example", "out pw");
    assert_eq!(carrier.verify(&parsed, "INVITE", &credentials, 6), Verdict::Authenticated);
    assert!(outbound(0).expect("outbound").digest_client(b"seed").is_none());
    assert!(!format!("{out:?}").contains("out pw"), "Debug hides the password");
}

/// Whether the first `prefix` bits of `a` and `b` are equal, bit by bit.
fn same_leading_bits(a: &[u8], b: &[u8], prefix: u8) -> bool {
    (0..usize::from(prefix)).all(|i| (a[i / 8] >> (7 - i % 8)) & 1 == (b[i / 8] >> (7 - i % 8)) & 1)
}

proptest! {
    #![proptest_config(crate::harness::fixed_seed())]

    #[test]
    fn ipv4_containment_agrees_with_comparing_bits(
        a in any::<[u8; 4]>(),
        b in any::<[u8; 4]>(),
        flip in 0usize..32,
        prefix in 0u8..=32,
    ) {
        let block = IpNet::new(IpAddr::from(a), prefix).expect("prefix fits");
        prop_assert!(block.contains(IpAddr::from(a)));
        prop_assert_eq!(block.contains(IpAddr::from(b)), same_leading_bits(&a, &b, prefix));
        let mut near = a;
        near[flip / 8] ^= 0x80 >> (flip % 8);
        prop_assert_eq!(block.contains(IpAddr::from(near)), flip >= usize::from(prefix), "bit {} flipped", flip);
        prop_assert_eq!(block.to_string().parse::<IpNet>(), Ok(block));
    }

    #[test]
    fn ipv6_containment_agrees_with_comparing_bits(
        a in any::<[u8; 16]>(),
        b in any::<[u8; 16]>(),
        flip in 0usize..128,
        prefix in 0u8..=128,
    ) {
        let block = IpNet::new(IpAddr::from(a), prefix).expect("prefix fits");
        prop_assert!(block.contains(IpAddr::from(a)));
        prop_assert_eq!(block.contains(IpAddr::from(b)), same_leading_bits(&a, &b, prefix));
        let mut near = a;
        near[flip / 8] ^= 0x80 >> (flip % 8);
        prop_assert_eq!(block.contains(IpAddr::from(near)), flip >= usize::from(prefix), "bit {} flipped", flip);
        prop_assert_eq!(block.to_string().parse::<IpNet>(), Ok(block));
    }

    #[test]
    fn allow_list_parser_never_panics(text in "[0-9a-fA-F.:/%+ x-]{0,48}") {
        let _ = text.parse::<IpNet>();
    }
}
