//! A virtual clock for the transaction tests: jump to each deadline, record
//! what was sent and reported, and when.

use std::time::{Duration, Instant};

use sip::message::{Message, Request, Response, StatusCode};
use sip::transaction::{Event, Transaction};

/// Everything a transaction produced, with the virtual time it happened.
#[derive(Debug, Default)]
pub struct Log {
    pub transmits: Vec<(Duration, Message)>,
    pub events: Vec<(Duration, Event)>,
}

impl Log {
    /// Times of the transmissions, in milliseconds.
    pub fn transmit_times_ms(&self) -> Vec<u128> {
        self.transmits.iter().map(|(at, _)| at.as_millis()).collect()
    }

    /// Whether `Terminated` was reported.
    pub fn terminated(&self) -> bool {
        self.events.iter().any(|(_, e)| matches!(e, Event::Terminated))
    }

    /// When `Terminated` was reported.
    pub fn terminated_at(&self) -> Option<Duration> {
        self.events.iter().find(|(_, e)| matches!(e, Event::Terminated)).map(|(at, _)| *at)
    }
}

/// Virtual time starting at an arbitrary instant.
pub struct Clock {
    start: Instant,
    pub now: Instant,
}

impl Clock {
    pub fn new() -> Clock {
        let start = Instant::now();
        Clock { start, now: start }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// Collects what the transaction has queued, stamped with now.
    pub fn drain<T: Transaction>(&self, txn: &mut T, log: &mut Log) {
        while let Some(m) = txn.poll_transmit() {
            log.transmits.push((self.elapsed(), m));
        }
        while let Some(e) = txn.poll_event() {
            log.events.push((self.elapsed(), e));
        }
    }

    /// Fires every timer due up to `until` (since start), in order, then
    /// leaves the clock at `until`.
    pub fn run_until<T: Transaction>(&mut self, txn: &mut T, until: Duration, log: &mut Log) {
        let end = self.start + until;
        self.drain(txn, log);
        while let Some(deadline) = txn.poll_timeout() {
            if deadline > end {
                break;
            }
            self.now = self.now.max(deadline);
            txn.handle_timeout(self.now);
            self.drain(txn, log);
        }
        self.now = self.now.max(end);
    }
}

pub fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

pub fn secs(v: u64) -> Duration {
    Duration::from_secs(v)
}

/// A request of `method` with top Via branch `branch`.
pub fn request(method: &str, branch: &str) -> Request {
    let text = format!(
        "{method} sip:agent@192.0.2.10 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1:5060;branch={branch};rport\r\n\
Max-Forwards: 70\r\n\
From: <sip:caller@example.com>;tag=from1\r\n\
To: <sip:agent@example.com>\r\n\
Call-ID: call-{branch}\r\n\
CSeq: 7 {method}\r\n\
Route: <sip:edge.example.com;lr>\r\n\
Content-Length: 0\r\n\r\n"
    );
    match Message::parse(text.as_bytes()) {
        Ok(Message::Request(r)) => r,
        other => panic!("bad test request: {other:?}"),
    }
}

/// The response `status` to `req`, as it arrives from the network.
pub fn response(req: &Request, status: u16) -> Response {
    let status = StatusCode::new(status).expect("status");
    let bytes = req.response(status, Some("to1")).to_bytes();
    match Message::parse(&bytes) {
        Ok(Message::Response(r)) => r,
        other => panic!("bad test response: {other:?}"),
    }
}

pub fn as_request(m: &Message) -> &Request {
    match m {
        Message::Request(r) => r,
        Message::Response(r) => panic!("expected a request, got {}", r.status()),
    }
}

pub fn as_response(m: &Message) -> &Response {
    match m {
        Message::Response(r) => r,
        Message::Request(r) => panic!("expected a response, got {}", r.method()),
    }
}

/// A fixed seed, so every run checks the same inputs and CI is not at the
/// mercy of a lucky draw; `PROPTEST_RNG_SEED=<n>` (and `PROPTEST_CASES`)
/// explore others. A failure found that way becomes a seed in the corpus.
pub fn fixed_seed() -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::default();
    if matches!(config.rng_seed, proptest::test_runner::RngSeed::Random) {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x5eed_0001);
    }
    config
}
