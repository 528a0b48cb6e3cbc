//! INVITE client transaction (RFC 3261 §17.1.1).

use sip::message::Method;
use sip::transaction::{ClientInput, ClientInvite, Config, Event, Timer, Transaction, TransactionError};

use crate::harness::{Clock, Log, as_request, ms, request, response, secs};

fn start(config: Config) -> (Clock, ClientInvite, Log) {
    let clock = Clock::new();
    let txn = ClientInvite::new(request("INVITE", "z9hG4bKci1"), config, clock.now);
    (clock, txn, Log::default())
}

#[test]
fn timer_a_doubles_invite_retransmissions_up_to_timer_b() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    clock.run_until(&mut txn, secs(40), &mut log);
    assert_eq!(log.transmit_times_ms(), vec![0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert!(log.transmits.iter().all(|(_, m)| as_request(m).method() == &Method::Invite));
}

#[test]
fn timer_b_times_out_invite_after_64_t1() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    clock.run_until(&mut txn, secs(40), &mut log);
    let timeout = log.events.iter().find(|(_, e)| matches!(e, Event::Timeout(Timer::B)));
    assert_eq!(timeout.map(|(at, _)| *at), Some(secs(32)));
    assert_eq!(log.terminated_at(), Some(secs(32)));
    assert!(txn.is_terminated());
    assert_eq!(txn.poll_timeout(), None);
}

#[test]
fn provisional_response_stops_invite_retransmissions_and_timer_b() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    clock.run_until(&mut txn, ms(700), &mut log);
    let ringing = response(txn.request(), 180);
    txn.handle(ClientInput::Response(ringing), clock.now).expect("handled");
    clock.run_until(&mut txn, secs(120), &mut log);
    assert_eq!(log.transmit_times_ms(), vec![0, 500]);
    assert!(matches!(&log.events[0].1, Event::Response(r) if r.status().as_u16() == 180));
    assert!(!log.terminated(), "Timer B only applies in Calling");
}

#[test]
fn ack_for_non_2xx_is_sent_by_the_client_transaction() {
    let (clock, mut txn, mut log) = start(Config::default());
    clock.drain(&mut txn, &mut log);
    let busy = response(txn.request(), 486);
    txn.handle(ClientInput::Response(busy), clock.now).expect("handled");
    clock.drain(&mut txn, &mut log);
    assert_eq!(log.transmits.len(), 2);
    let ack = as_request(&log.transmits[1].1);
    assert_eq!(ack.method(), &Method::Ack);
    assert_eq!(ack.uri(), txn.request().uri());
    assert_eq!(ack.headers().top_via(), txn.request().headers().top_via());
    assert_eq!(ack.headers().to().tag(), Some("to1"));
    assert_eq!(ack.headers().cseq().seq, 7);
    assert_eq!(ack.headers().cseq().method, Method::Ack);
    assert_eq!(ack.headers().routes().expect("routes").len(), 1);
    assert!(matches!(&log.events[0].1, Event::Response(r) if r.status().as_u16() == 486));
}

#[test]
fn timer_d_absorbs_response_retransmissions() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    let busy = response(txn.request(), 486);
    txn.handle(ClientInput::Response(busy.clone()), clock.now).expect("handled");
    clock.run_until(&mut txn, secs(10), &mut log);
    let events_before = log.events.len();
    txn.handle(ClientInput::Response(busy), clock.now).expect("retransmission");
    clock.run_until(&mut txn, secs(60), &mut log);
    let acks: Vec<_> = log.transmits.iter().filter(|(_, m)| as_request(m).method() == &Method::Ack).collect();
    assert_eq!(acks.len(), 2, "each 486 retransmission is ACKed again");
    assert_eq!(log.events.len(), events_before + 1, "only Terminated follows");
    assert_eq!(log.terminated_at(), Some(secs(32)), "Timer D is 32 s over UDP");
}

#[test]
fn success_response_terminates_invite_client_transaction_without_ack() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    let ok = response(txn.request(), 200);
    txn.handle(ClientInput::Response(ok.clone()), clock.now).expect("handled");
    clock.run_until(&mut txn, secs(60), &mut log);
    assert_eq!(log.transmits.len(), 1, "the 2xx ACK is end-to-end, not the transaction's");
    assert!(matches!(&log.events[0].1, Event::Response(r) if r.status().as_u16() == 200));
    assert_eq!(log.terminated_at(), Some(secs(0)));
    assert_eq!(txn.handle(ClientInput::Response(ok), clock.now), Err(TransactionError::Terminated));
}

#[test]
fn reliable_transport_skips_retransmissions() {
    let (mut clock, mut txn, mut log) = start(Config::reliable());
    clock.run_until(&mut txn, secs(40), &mut log);
    assert_eq!(log.transmit_times_ms(), vec![0]);
    assert_eq!(log.terminated_at(), Some(secs(32)), "Timer B still runs");
}

#[test]
fn reliable_transport_ends_after_ack_without_timer_d() {
    let (clock, mut txn, mut log) = start(Config::reliable());
    let busy = response(txn.request(), 486);
    txn.handle(ClientInput::Response(busy), clock.now).expect("handled");
    clock.drain(&mut txn, &mut log);
    assert_eq!(log.transmits.len(), 2);
    assert!(log.terminated());
}

#[test]
fn response_of_another_transaction_is_refused() {
    let (clock, mut txn, _) = start(Config::default());
    let other = response(&request("INVITE", "z9hG4bKother"), 180);
    assert_eq!(txn.handle(ClientInput::Response(other), clock.now), Err(TransactionError::Mismatch));
}

#[test]
fn transport_error_ends_the_invite_client_transaction() {
    let (clock, mut txn, mut log) = start(Config::default());
    txn.handle(ClientInput::TransportError, clock.now).expect("handled");
    clock.drain(&mut txn, &mut log);
    assert!(matches!(log.events[0].1, Event::TransportError));
    assert!(log.terminated());
}
