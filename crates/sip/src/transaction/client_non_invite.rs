//! The non-INVITE client transaction (RFC 3261 §17.1.2).

use std::time::{Duration, Instant};

use super::outputs::Outputs;
use super::{ClientInput, Config, Event, Timer, Transaction, TransactionError, TransactionKey};
use crate::message::{Message, Request};

/// Sends a non-INVITE request (OPTIONS, REGISTER, BYE…): retransmits over
/// UDP with Timer E doubling up to T2, times out with Timer F, and absorbs
/// response retransmissions for Timer K.
#[derive(Debug)]
pub struct ClientNonInvite {
    request: Request,
    key: Option<TransactionKey>,
    config: Config,
    state: State,
    out: Outputs,
}

#[derive(Debug)]
enum State {
    /// Request sent, nothing heard; `interval` is the current Timer E.
    Trying { interval: Duration },
    /// A provisional response arrived; Timer E runs at T2.
    Proceeding,
    /// A final response arrived.
    Completed,
    /// Over.
    Terminated,
}

impl ClientNonInvite {
    /// Starts the transaction: sends `request` and starts Timer E (UDP
    /// only) and Timer F.
    pub fn new(request: Request, config: Config, now: Instant) -> ClientNonInvite {
        let mut out = Outputs::default();
        out.transmit(Message::Request(request.clone()));
        if !config.reliable {
            out.timers.set(Timer::E, now + config.t1);
        }
        out.timers.set(Timer::F, now + 64 * config.t1);
        let key = TransactionKey::for_client(&request);
        ClientNonInvite { request, key, config, state: State::Trying { interval: config.t1 }, out }
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
        match self.state {
            State::Trying { .. } | State::Proceeding if response.status().is_provisional() => {
                self.state = State::Proceeding;
                self.out.event(Event::Response(response));
            }
            State::Trying { .. } | State::Proceeding => {
                self.out.event(Event::Response(response));
                self.out.timers.stop(Timer::E);
                self.out.timers.stop(Timer::F);
                self.state = State::Completed;
                if self.config.reliable {
                    self.terminate();
                } else {
                    self.out.timers.set(Timer::K, now + self.config.t4);
                }
            }
            State::Completed | State::Terminated => {}
        }
        Ok(())
    }

    fn terminate(&mut self) {
        self.state = State::Terminated;
        self.out.terminate();
    }
}

impl Transaction for ClientNonInvite {
    fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.out.timers.pop_expired(now) {
            match (timer, &mut self.state) {
                (Timer::E, State::Trying { interval }) => {
                    *interval = (*interval * 2).min(self.config.t2);
                    self.out.timers.set(Timer::E, now + *interval);
                    self.out.transmit(Message::Request(self.request.clone()));
                }
                (Timer::E, State::Proceeding) => {
                    self.out.timers.set(Timer::E, now + self.config.t2);
                    self.out.transmit(Message::Request(self.request.clone()));
                }
                (Timer::F, State::Trying { .. } | State::Proceeding) => {
                    self.out.event(Event::Timeout(Timer::F));
                    self.terminate();
                }
                (Timer::K, State::Completed) => self.terminate(),
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
