//! An accepted INVITE (RFC 3261 §13.3.1.4 with RFC 6026's Accepted state):
//! the UAS side after a 2xx, until its end-to-end ACK.

use std::time::{Duration, Instant};

use super::outputs::Outputs;
use super::{Config, Event, Timer, Transaction};
use crate::message::{Message, Method, Request, Response};

/// Keeps a 2xx to an INVITE alive after the INVITE server transaction
/// ended: retransmits it over UDP (T1 doubling to T2) until the ACK
/// arrives, answers INVITE retransmissions with it instead of treating them
/// as new requests, and gives up after Timer L (64*T1) with
/// `Event::Timeout(Timer::L)`: the user should then send BYE.
#[derive(Debug)]
pub struct AcceptedInvite {
    response: Response,
    config: Config,
    interval: Duration,
    out: Outputs,
}

impl AcceptedInvite {
    /// Starts after `response` (a 2xx) was sent for the INVITE.
    pub fn new(response: Response, config: Config, now: Instant) -> AcceptedInvite {
        let mut out = Outputs::default();
        if !config.reliable {
            out.timers.set(Timer::Retransmit2xx, now + config.t1);
        }
        out.timers.set(Timer::L, now + 64 * config.t1);
        AcceptedInvite { response, config, interval: config.t1, out }
    }

    /// The 2xx being kept.
    pub fn response(&self) -> &Response {
        &self.response
    }

    /// Whether `ack` is the end-to-end ACK of this 2xx: same Call-ID, CSeq
    /// number, From tag and To tag.
    pub fn is_acked_by(&self, ack: &Request) -> bool {
        let (a, r) = (ack.headers(), self.response.headers());
        ack.method() == &Method::Ack
            && a.call_id() == r.call_id()
            && a.cseq().seq == r.cseq().seq
            && a.from().tag() == r.from().tag()
            && a.to().tag() == r.to().tag()
    }

    /// Feeds a request of this INVITE: a retransmitted INVITE gets the 2xx
    /// again; the ACK ends the retransmissions.
    pub fn handle_request(&mut self, request: &Request, _now: Instant) {
        if self.out.is_terminated() {
            return;
        }
        if self.is_acked_by(request) {
            self.out.event(Event::Acknowledged);
            self.out.terminate();
        } else if request.method() == &Method::Invite {
            self.out.transmit(Message::Response(self.response.clone()));
        }
    }
}

impl Transaction for AcceptedInvite {
    fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.out.timers.pop_expired(now) {
            match timer {
                Timer::Retransmit2xx => {
                    self.interval = (self.interval * 2).min(self.config.t2);
                    self.out.timers.set(Timer::Retransmit2xx, now + self.interval);
                    self.out.transmit(Message::Response(self.response.clone()));
                }
                Timer::L => {
                    self.out.event(Event::Timeout(Timer::L));
                    self.out.terminate();
                }
                _ => {}
            }
        }
    }

    fn poll_transmit(&mut self) -> Option<Message> {
        self.out.poll_transmit()
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.out.poll_event()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.out.poll_timeout()
    }

    fn is_terminated(&self) -> bool {
        self.out.is_terminated()
    }
}
