//! The INVITE client transaction (RFC 3261 §17.1.1).

use std::time::{Duration, Instant};

use super::outputs::Outputs;
use super::{ClientInput, Config, Event, Timer, Transaction, TransactionError, TransactionKey};
use crate::message::{Message, Request};

/// Sends an INVITE and follows its responses: retransmits over UDP (Timer
/// A), times out (Timer B), ACKs a non-2xx final response itself and
/// absorbs its retransmissions (Timer D). A 2xx ends the transaction: its
/// ACK is end-to-end, the dialog's job.
#[derive(Debug)]
pub struct ClientInvite {
    request: Request,
    key: Option<TransactionKey>,
    config: Config,
    state: State,
    out: Outputs,
}

#[derive(Debug)]
enum State {
    /// Request sent, nothing heard; `interval` is the current Timer A.
    Calling { interval: Duration },
    /// A provisional response arrived.
    Proceeding,
    /// A non-2xx final response arrived and was ACKed with `ack`.
    Completed { ack: Request },
    /// Over.
    Terminated,
}

impl ClientInvite {
    /// Starts the transaction: sends `request` (an INVITE) and starts
    /// Timer A (UDP only) and Timer B.
    pub fn new(request: Request, config: Config, now: Instant) -> ClientInvite {
        let mut out = Outputs::default();
        out.transmit(Message::Request(request.clone()));
        if !config.reliable {
            out.timers.set(Timer::A, now + config.t1);
        }
        out.timers.set(Timer::B, now + 64 * config.t1);
        let key = TransactionKey::for_client(&request);
        ClientInvite { request, key, config, state: State::Calling { interval: config.t1 }, out }
    }

    /// The request this transaction sends.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Feeds a matching response or a transport error.
    pub fn handle(&mut self, input: ClientInput, now: Instant) -> Result<(), TransactionError> {
        if matches!(self.state, State::Terminated) {
            return Err(TransactionError::Terminated);
        }
        let response = match input {
            ClientInput::TransportError => {
                self.out.event(Event::TransportError);
                self.terminate();
                return Ok(());
            }
            ClientInput::Response(response) => response,
        };
        if self.key.is_some() && TransactionKey::for_response(&response) != self.key {
            return Err(TransactionError::Mismatch);
        }
        let status = response.status();
        match &self.state {
            State::Calling { .. } | State::Proceeding if status.is_provisional() => {
                self.out.timers.stop(Timer::A);
                self.out.timers.stop(Timer::B);
                self.state = State::Proceeding;
                self.out.event(Event::Response(response));
            }
            State::Calling { .. } | State::Proceeding if status.is_success() => {
                self.out.event(Event::Response(response));
                self.terminate();
            }
            State::Calling { .. } | State::Proceeding => {
                let ack = self.request.ack_for(&response);
                self.out.transmit(Message::Request(ack.clone()));
                self.out.event(Event::Response(response));
                self.out.timers.stop(Timer::A);
                self.out.timers.stop(Timer::B);
                self.state = State::Completed { ack };
                if self.config.reliable {
                    self.terminate();
                } else {
                    self.out.timers.set(Timer::D, now + Duration::from_secs(32));
                }
            }
            State::Completed { ack } if status.as_u16() >= 300 => {
                self.out.transmit(Message::Request(ack.clone()));
            }
            State::Completed { .. } | State::Terminated => {}
        }
        Ok(())
    }

    fn terminate(&mut self) {
        self.state = State::Terminated;
        self.out.terminate();
    }
}

impl Transaction for ClientInvite {
    fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.out.timers.pop_expired(now) {
            match (timer, &mut self.state) {
                (Timer::A, State::Calling { interval }) => {
                    *interval *= 2;
                    self.out.timers.set(Timer::A, now + *interval);
                    self.out.transmit(Message::Request(self.request.clone()));
                }
                (Timer::B, State::Calling { .. }) => {
                    self.out.event(Event::Timeout(Timer::B));
                    self.terminate();
                }
                (Timer::D, State::Completed { .. }) => self.terminate(),
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
