//! INVITE server transaction (RFC 3261 §17.2.1) and CANCEL (§9.2).

use sip::message::{Method, StatusCode};
use sip::transaction::{CancelOutcome, Config, Event, ServerInput, ServerInvite, Timer, Transaction, TransactionError};

use crate::harness::{Clock, Log, as_response, ms, request, response, secs};

fn start(config: Config) -> (Clock, ServerInvite, Log) {
    let clock = Clock::new();
    let txn = ServerInvite::new(request("INVITE", "z9hG4bKsi1"), config, clock.now);
    (clock, txn, Log::default())
}

fn ack() -> sip::message::Request {
    request("ACK", "z9hG4bKsi1")
}

fn statuses(log: &Log) -> Vec<u16> {
    log.transmits.iter().map(|(_, m)| as_response(m).status().as_u16()).collect()
}

#[test]
fn invite_server_sends_100_trying() {
    let (clock, mut txn, mut log) = start(Config::default());
    clock.drain(&mut txn, &mut log);
    assert_eq!(statuses(&log), vec![100]);
    let trying = as_response(&log.transmits[0].1);
    assert_eq!(trying.headers().to().tag(), None);
    assert_eq!(trying.headers().vias(), txn.request().headers().vias());
    assert_eq!(txn.poll_timeout(), None, "no timer until a final response");
}

#[test]
fn invite_retransmission_resends_the_latest_provisional() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    let ringing = response(txn.request(), 180);
    txn.handle(ServerInput::Respond(ringing), clock.now).expect("sent");
    let retransmission = request("INVITE", "z9hG4bKsi1");
    txn.handle(ServerInput::Request(retransmission), clock.now).expect("absorbed");
    clock.run_until(&mut txn, secs(1), &mut log);
    assert_eq!(statuses(&log), vec![100, 180, 180]);
}

#[test]
fn timer_g_retransmits_non_2xx_final_capped_at_t2() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    clock.drain(&mut txn, &mut log);
    let busy = response(txn.request(), 486);
    txn.handle(ServerInput::Respond(busy), clock.now).expect("sent");
    clock.run_until(&mut txn, secs(20), &mut log);
    assert_eq!(log.transmit_times_ms(), vec![0, 0, 500, 1500, 3500, 7500, 11500, 15500, 19500]);
}

#[test]
fn timer_h_times_out_waiting_for_ack() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    let busy = response(txn.request(), 486);
    txn.handle(ServerInput::Respond(busy), clock.now).expect("sent");
    clock.run_until(&mut txn, secs(40), &mut log);
    let timeout = log.events.iter().find(|(_, e)| matches!(e, Event::Timeout(Timer::H)));
    assert_eq!(timeout.map(|(at, _)| *at), Some(secs(32)));
    assert_eq!(log.terminated_at(), Some(secs(32)));
}

#[test]
fn ack_stops_retransmissions_and_timer_i_absorbs_acks() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    let busy = response(txn.request(), 486);
    txn.handle(ServerInput::Respond(busy), clock.now).expect("sent");
    clock.run_until(&mut txn, ms(600), &mut log);
    txn.handle(ServerInput::Request(ack()), clock.now).expect("ack");
    clock.run_until(&mut txn, secs(2), &mut log);
    txn.handle(ServerInput::Request(ack()), clock.now).expect("ack retransmission absorbed");
    clock.run_until(&mut txn, secs(20), &mut log);
    assert_eq!(log.transmit_times_ms(), vec![0, 0, 500]);
    assert_eq!(log.events.iter().filter(|(_, e)| matches!(e, Event::Acknowledged)).count(), 1);
    assert_eq!(log.terminated_at(), Some(ms(5600)), "Timer I is T4 after the ACK");
}

#[test]
fn sending_2xx_terminates_invite_server_transaction() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    let ok = response(txn.request(), 200);
    txn.handle(ServerInput::Respond(ok.clone()), clock.now).expect("sent");
    clock.run_until(&mut txn, secs(60), &mut log);
    assert_eq!(statuses(&log), vec![100, 200], "2xx retransmission is the dialog's job");
    assert_eq!(log.terminated_at(), Some(secs(0)));
    assert_eq!(txn.handle(ServerInput::Respond(ok), clock.now), Err(TransactionError::Terminated));
}

#[test]
fn cancel_before_final_sends_487_with_the_provisional_to_tag() {
    let (clock, mut txn, mut log) = start(Config::default());
    let ringing = response(txn.request(), 180);
    txn.handle(ServerInput::Respond(ringing), clock.now).expect("sent");
    assert_eq!(txn.cancel("fallback-tag", clock.now), CancelOutcome::Cancelled);
    clock.drain(&mut txn, &mut log);
    assert_eq!(statuses(&log), vec![100, 180, 487]);
    let terminated = as_response(&log.transmits[2].1);
    assert_eq!(terminated.headers().to().tag(), Some("to1"));
    assert_eq!(terminated.headers().cseq().method, Method::Invite);
    txn.handle(ServerInput::Request(ack()), clock.now).expect("ack of the 487");
    clock.drain(&mut txn, &mut log);
    assert!(log.events.iter().any(|(_, e)| matches!(e, Event::Acknowledged)));
}

#[test]
fn cancel_after_200_is_ignored() {
    let (clock, mut txn, mut log) = start(Config::default());
    let ok = response(txn.request(), 200);
    txn.handle(ServerInput::Respond(ok), clock.now).expect("sent");
    clock.drain(&mut txn, &mut log);
    assert_eq!(txn.cancel("t", clock.now), CancelOutcome::AlreadyFinal);
    assert!(txn.poll_transmit().is_none(), "no 487 after a 2xx");
}

#[test]
fn cancel_after_non_2xx_final_is_ignored() {
    let (clock, mut txn, mut log) = start(Config::default());
    let busy = response(txn.request(), 486);
    txn.handle(ServerInput::Respond(busy), clock.now).expect("sent");
    clock.drain(&mut txn, &mut log);
    assert_eq!(txn.cancel("t", clock.now), CancelOutcome::AlreadyFinal);
    assert!(txn.poll_transmit().is_none());
}

#[test]
fn second_final_response_is_refused() {
    let (clock, mut txn, _) = start(Config::default());
    let busy = response(txn.request(), 486);
    txn.handle(ServerInput::Respond(busy), clock.now).expect("sent");
    let ok = response(txn.request(), 200);
    assert_eq!(txn.handle(ServerInput::Respond(ok), clock.now), Err(TransactionError::FinalAlreadySent));
}

#[test]
fn reliable_transport_skips_response_retransmissions_and_timer_i() {
    let (mut clock, mut txn, mut log) = start(Config::reliable());
    let busy = response(txn.request(), 486);
    txn.handle(ServerInput::Respond(busy), clock.now).expect("sent");
    clock.run_until(&mut txn, secs(2), &mut log);
    assert_eq!(statuses(&log), vec![100, 486]);
    txn.handle(ServerInput::Request(ack()), clock.now).expect("ack");
    clock.drain(&mut txn, &mut log);
    assert_eq!(log.terminated_at(), Some(secs(2)));
}

#[test]
fn request_of_another_transaction_is_refused() {
    let (clock, mut txn, _) = start(Config::default());
    let other = request("INVITE", "z9hG4bKother");
    assert_eq!(txn.handle(ServerInput::Request(other), clock.now), Err(TransactionError::Mismatch));
    let _ = StatusCode::OK;
}
