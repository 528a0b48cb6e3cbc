//! Inbound trunk admission through the edge: IP allow-lists, digest
//! trunks answering a 407, the DID lookup, and blocking of sources that
//! keep failing (virtual time).

use std::net::SocketAddr;
use std::time::Instant;

use sip::auth::{ClientSecret, DigestClient};
use sip::edge::{EdgeConfig, EdgeEvent, InboundRoute, TrunkAuthConfig, TrunkDirectory, dialled_number};
use sip::message::{Message, Request};
use sip::trunk::{Inbound, Trunk, TrunkTable};

use crate::edge_harness::*;

fn allowed() -> SocketAddr {
    "127.0.0.1:5070".parse().expect("addr")
}

fn elsewhere() -> SocketAddr {
    "127.0.0.2:5070".parse().expect("addr")
}

fn numbers(_trunk: &str, number: &str) -> Option<InboundRoute> {
    (number == "+4930123").then(|| InboundRoute {
        tenant: Some("acme".to_owned()),
        entry: Some("main".to_owned()),
        trunk: None,
    })
}

fn net() -> Net {
    let config = TrunkAuthConfig::default();
    let trunks = TrunkTable::new(&[
        Trunk {
            id: "carrier-ip".to_owned(),
            inbound: Inbound::allow_list(&["127.0.0.1/32"]).expect("list"),
            outbound: None,
        },
        Trunk {
            id: "carrier-digest".to_owned(),
            inbound: Inbound::digest("acme-in", "in-secret", &config.realm).expect("digest"),
            outbound: None,
        },
    ])
    .expect("table");
    let directory = TrunkDirectory::new(&config, trunks, numbers, b"trunk secret", Instant::now(), 1_700_000_000);
    Net::with(EdgeConfig::default(), Box::new(directory))
}

fn admitted(net: &Net) -> Vec<InboundRoute> {
    net.events()
        .into_iter()
        .filter_map(|e| match e {
            EdgeEvent::Incoming(call) => Some(call.route),
            _ => None,
        })
        .collect()
}

#[test]
fn invite_from_an_allow_listed_source_is_admitted_with_its_trunk_and_route() {
    let mut net = net();
    net.deliver(UDP, allowed(), &invite("t-1", "z9hG4bKt1", ""));
    let routes = admitted(&net);
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].trunk.as_deref(), Some("carrier-ip"));
    assert_eq!(routes[0].tenant.as_deref(), Some("acme"));
}

#[test]
fn invite_for_a_number_that_is_not_ours_gets_404() {
    let mut net = net();
    let text = invite("t-2", "z9hG4bKt2", "").replace("INVITE sip:+4930123@", "INVITE sip:+4930999@");
    net.deliver(UDP, allowed(), &text);
    assert_eq!(net.statuses(), vec![100, 404]);
}

#[test]
fn digest_trunk_is_challenged_with_407_and_admitted_with_the_right_answer() {
    let mut net = net();
    let first = invite("t-3", "z9hG4bKt3", "");
    net.deliver(UDP, elsewhere(), &first);
    let challenge = net.responses().into_iter().find(|r| r.status().as_u16() == 407).expect("407");
    let values = challenge.headers().get_all("Proxy-Authenticate");
    assert!(!values.is_empty());
    let mut client = DigestClient::new("acme-in", ClientSecret::Password("in-secret".to_owned()), b"carrier");
    let answer = client.answer(&values, "INVITE", "sip:+4930123@127.0.0.1:5060").expect("answer");
    let retry =
        invite("t-3", "z9hG4bKt3b", &format!("Proxy-Authorization: {answer}\r\n")).replace("1 INVITE", "2 INVITE");
    net.deliver(UDP, elsewhere(), &retry);
    let routes = admitted(&net);
    assert_eq!(routes.len(), 1, "admitted after the answer");
    assert_eq!(routes[0].trunk.as_deref(), Some("carrier-digest"));
}

#[test]
fn wrong_digest_answers_get_403_and_then_the_source_is_dropped_unanswered() {
    let mut net = net();
    net.deliver(UDP, elsewhere(), &invite("t-4", "z9hG4bKt4", ""));
    let challenge = net.responses().into_iter().find(|r| r.status().as_u16() == 407).expect("407");
    let values = challenge.headers().get_all("Proxy-Authenticate");
    let mut client = DigestClient::new("acme-in", ClientSecret::Password("guess".to_owned()), b"attacker");
    for n in 0..5 {
        let answer = client.answer(&values, "INVITE", "sip:+4930123@127.0.0.1:5060").expect("answer");
        let text =
            invite(&format!("t-4-{n}"), &format!("z9hG4bKt4w{n}"), &format!("Proxy-Authorization: {answer}\r\n"));
        net.deliver(UDP, elsewhere(), &text);
    }
    assert_eq!(net.statuses().iter().filter(|s| **s == 403).count(), 5);
    net.clear();
    net.deliver(UDP, elsewhere(), &invite("t-4-x", "z9hG4bKt4x", ""));
    assert_eq!(net.statuses(), vec![100], "blocked: no answer beyond the transaction's 100 Trying");
    assert_eq!(net.edge.stats().refused, 7, "one challenge, five 403s, one drop");
    assert!(admitted(&net).is_empty());
    net.deliver(UDP, allowed(), &invite("t-4-ok", "z9hG4bKt4ok", ""));
    assert_eq!(admitted(&net).len(), 1, "other sources go on");
}

#[test]
fn dialled_number_is_the_request_uri_user_without_visual_separators() {
    let text = invite("t-5", "z9hG4bKt5", "").replace("INVITE sip:+4930123@127.0.0.1:5060", "INVITE tel:+49-30-(123)");
    let Ok(Message::Request(request)) = Message::parse(text.as_bytes()) else { panic!("parse") };
    let request: Request = request;
    assert_eq!(dialled_number(&request), "+4930123");
}

#[test]
fn trunk_attempts_follow_failover_order_with_each_trunks_credentials() {
    use sip::auth::ClientSecret;
    use sip::registrar::Transport;
    use sip::trunk::{Outbound, OutboundAuth};
    let outbound = |host: &str, priority: u16, auth: bool| Outbound {
        host: host.to_owned(),
        port: 5080,
        transport: Transport::Udp,
        auth: auth
            .then(|| OutboundAuth { username: "acme-out".to_owned(), secret: ClientSecret::Password("pw".to_owned()) }),
        priority,
    };
    let list = || Inbound::allow_list(&["192.0.2.0/24"]).expect("list");
    let trunks = TrunkTable::new(&[
        Trunk { id: "backup".to_owned(), inbound: list(), outbound: Some(outbound("192.0.2.20", 10, false)) },
        Trunk { id: "primary".to_owned(), inbound: list(), outbound: Some(outbound("192.0.2.10", 1, true)) },
        Trunk { id: "by-name".to_owned(), inbound: list(), outbound: Some(outbound("sip.carrier.example", 5, false)) },
    ])
    .expect("table");
    let net = net();
    let attempts = net.edge.trunk_attempts(&trunks, "+4940999");
    let uris: Vec<&str> = attempts.iter().map(|a| a[0].uri.as_str()).collect();
    assert_eq!(
        uris,
        vec!["sip:+4940999@192.0.2.10:5080", "sip:+4940999@192.0.2.20:5080"],
        "by priority; names need DNS"
    );
    assert_eq!(attempts[0][0].credentials.as_ref().map(|c| c.username.as_str()), Some("acme-out"));
    assert!(attempts[1][0].credentials.is_none());
}
