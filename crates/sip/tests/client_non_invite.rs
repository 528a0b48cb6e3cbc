//! Non-INVITE client transaction (RFC 3261 §17.1.2).

use sip::transaction::{ClientInput, ClientNonInvite, Config, Event, Timer};

use crate::harness::{Clock, Log, ms, request, response, secs};

fn start(config: Config) -> (Clock, ClientNonInvite, Log) {
    let clock = Clock::new();
    let txn = ClientNonInvite::new(request("OPTIONS", "z9hG4bKcn1"), config, clock.now);
    (clock, txn, Log::default())
}

#[test]
fn non_invite_retransmits_cap_at_t2() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    clock.run_until(&mut txn, secs(40), &mut log);
    assert_eq!(log.transmit_times_ms(), vec![0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
}

#[test]
fn timer_f_times_out_non_invite_after_64_t1() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    clock.run_until(&mut txn, secs(40), &mut log);
    let timeout = log.events.iter().find(|(_, e)| matches!(e, Event::Timeout(Timer::F)));
    assert_eq!(timeout.map(|(at, _)| *at), Some(secs(32)));
    assert_eq!(log.terminated_at(), Some(secs(32)));
}

#[test]
fn provisional_response_makes_retransmissions_every_t2() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    clock.run_until(&mut txn, ms(200), &mut log);
    let trying = response(txn.request(), 100);
    txn.handle(ClientInput::Response(trying), clock.now).expect("handled");
    clock.run_until(&mut txn, secs(10), &mut log);
    assert_eq!(log.transmit_times_ms(), vec![0, 500, 4500, 8500]);
    assert!(matches!(&log.events[0].1, Event::Response(r) if r.status().as_u16() == 100));
}

#[test]
fn timer_k_absorbs_response_retransmissions() {
    let (mut clock, mut txn, mut log) = start(Config::default());
    let ok = response(txn.request(), 200);
    txn.handle(ClientInput::Response(ok.clone()), clock.now).expect("handled");
    clock.run_until(&mut txn, secs(1), &mut log);
    txn.handle(ClientInput::Response(ok), clock.now).expect("retransmission");
    clock.run_until(&mut txn, secs(10), &mut log);
    let responses = log.events.iter().filter(|(_, e)| matches!(e, Event::Response(_))).count();
    assert_eq!(responses, 1);
    assert_eq!(log.transmit_times_ms(), vec![0], "no retransmission after the final response");
    assert_eq!(log.terminated_at(), Some(secs(5)), "Timer K is T4 over UDP");
}

#[test]
fn reliable_transport_skips_non_invite_retransmissions_and_timer_k() {
    let (mut clock, mut txn, mut log) = start(Config::reliable());
    clock.run_until(&mut txn, secs(3), &mut log);
    assert_eq!(log.transmit_times_ms(), vec![0]);
    let ok = response(txn.request(), 200);
    txn.handle(ClientInput::Response(ok), clock.now).expect("handled");
    clock.drain(&mut txn, &mut log);
    assert_eq!(log.terminated_at(), Some(secs(3)));
}
