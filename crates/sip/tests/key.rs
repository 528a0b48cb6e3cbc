//! Transaction matching (RFC 3261 §17.1.3, §17.2.3, §9.2).

use sip::message::Method;
use sip::transaction::TransactionKey;

use crate::harness::{request, response};

#[test]
fn ack_matches_the_invite_server_transaction() {
    let invite = TransactionKey::for_server(&request("INVITE", "z9hG4bKk1"));
    let ack = TransactionKey::for_server(&request("ACK", "z9hG4bKk1"));
    assert!(invite.is_some());
    assert_eq!(invite, ack);
}

#[test]
fn cancel_matches_the_invite_it_cancels() {
    let invite = request("INVITE", "z9hG4bKk2");
    let cancel = invite.cancel();
    let cancel_key = TransactionKey::for_server(&cancel).expect("key");
    assert_eq!(cancel_key.method(), &Method::Cancel);
    assert_ne!(Some(cancel_key.clone()), TransactionKey::for_server(&invite), "CANCEL is its own transaction");
    assert_eq!(cancel_key.cancelled_invite(), TransactionKey::for_server(&invite));
}

#[test]
fn response_matches_client_transaction_by_branch_and_cseq_method() {
    let invite = request("INVITE", "z9hG4bKk3");
    let client = TransactionKey::for_client(&invite);
    assert_eq!(TransactionKey::for_response(&response(&invite, 180)), client);
    let cancel = invite.cancel();
    assert_ne!(TransactionKey::for_response(&response(&cancel, 200)), client);
}

#[test]
fn branch_without_magic_cookie_gives_no_key() {
    assert_eq!(TransactionKey::for_server(&request("INVITE", "rfc2543branch")), None);
    assert_eq!(TransactionKey::for_server(&request("INVITE", "z9hG4bK")), None);
}

#[test]
fn sent_by_is_part_of_the_server_key() {
    let a = request("OPTIONS", "z9hG4bKk4");
    let mut b = request("OPTIONS", "z9hG4bKk4");
    let text = String::from_utf8(b.to_bytes()).expect("utf8").replace("192.0.2.1:5060", "192.0.2.2:5060");
    if let Ok(sip::message::Message::Request(r)) = sip::message::Message::parse(text.as_bytes()) {
        b = r;
    }
    assert_ne!(TransactionKey::for_server(&a), TransactionKey::for_server(&b));
}
