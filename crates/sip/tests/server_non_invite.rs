//! Non-INVITE server transaction (RFC 3261 §17.2.2).

use sip::transaction::{Config, ServerInput, ServerNonInvite, Transaction, TransactionError};

use crate::harness::{Clock, Log, as_response, request, response, secs};

fn start(config: Config) -> (Clock, ServerNonInvite, Log) {
    let clock = Clock::new();
    let txn = ServerNonInvite::new(request("BYE", "z9hG4bKsn1"), config, clock.now);
    (clock, txn, Log::default())
}

fn retransmission() -> sip::message::Request {
    request("BYE", "z9hG4bKsn1")
}

fn statuses(log: &Log) -> Vec<u16> {
    log.transmits.iter().map(|(_, m)| as_response(m).status().as_u16()).collect()
}

#[test]
fn request_retransmission_before_any_response_is_absorbed() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    txn.handle(ServerInput::Request(retransmission()), clock.now).expect("absorbed");
    clock.run_until(&mut txn, secs(1), &mut log);
    assert!(log.transmits.is_empty());
    assert!(log.events.is_empty());
}

#[test]
fn request_retransmission_resends_the_provisional() {
    let (clock, mut txn, mut log) = start(Config::default());
    let trying = response(txn.request(), 100);
    txn.handle(ServerInput::Respond(trying), clock.now).expect("sent");
    txn.handle(ServerInput::Request(retransmission()), clock.now).expect("absorbed");
    clock.drain(&mut txn, &mut log);
    assert_eq!(statuses(&log), vec![100, 100]);
}

#[test]
fn timer_j_absorbs_request_retransmissions() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    let ok = response(txn.request(), 200);
    txn.handle(ServerInput::Respond(ok), clock.now).expect("sent");
    clock.run_until(&mut txn, secs(10), &mut log);
    txn.handle(ServerInput::Request(retransmission()), clock.now).expect("absorbed");
    clock.run_until(&mut txn, secs(40), &mut log);
    assert_eq!(statuses(&log), vec![200, 200], "the final response is resent, the request not passed up");
    assert_eq!(log.terminated_at(), Some(secs(32)), "Timer J is 64*T1 over UDP");
}

#[test]
fn second_final_response_is_refused() {
    let (clock, mut txn, _) = start(Config::default());
    let ok = response(txn.request(), 200);
    txn.handle(ServerInput::Respond(ok.clone()), clock.now).expect("sent");
    assert_eq!(txn.handle(ServerInput::Respond(ok), clock.now), Err(TransactionError::FinalAlreadySent));
}

#[test]
fn reliable_transport_ends_at_the_final_response_without_timer_j() {
    let (clock, mut txn, mut log) = start(Config::reliable());
    let ok = response(txn.request(), 200);
    txn.handle(ServerInput::Respond(ok), clock.now).expect("sent");
    clock.drain(&mut txn, &mut log);
    assert_eq!(log.terminated_at(), Some(secs(0)));
    assert!(txn.is_terminated());
}
