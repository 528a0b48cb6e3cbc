//! The non-INVITE server transaction (RFC 3261 §17.2.2).

use std::time::Instant;

use super::outputs::Outputs;
use super::{Config, Event, ServerInput, Timer, Transaction, TransactionError, TransactionKey};
use crate::message::{Message, Request, Response};

/// Answers a non-INVITE request: absorbs retransmissions until the user
/// responds, then resends the latest response for each retransmission until
/// Timer J expires.
#[derive(Debug)]
pub struct ServerNonInvite {
    request: Request,
    key: Option<TransactionKey>,
    config: Config,
    state: State,
    out: Outputs,
}

#[derive(Debug)]
enum State {
    /// Nothing sent yet.
    Trying,
    /// A provisional response was sent.
    Proceeding { last: Response },
    /// A final response was sent.
    Completed { response: Response },
    /// Over.
    Terminated,
}

impl ServerNonInvite {
    /// Starts the transaction for a received non-INVITE request.
    pub fn new(request: Request, config: Config, _now: Instant) -> ServerNonInvite {
        let key = TransactionKey::for_server(&request);
        ServerNonInvite { request, key, config, state: State::Trying, out: Outputs::default() }
    }

    /// The request this transaction answers.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Feeds a retransmitted request, a response from the user, or a
    /// transport error.
    pub fn handle(&mut self, input: ServerInput, now: Instant) -> Result<(), TransactionError> {
        if matches!(self.state, State::Terminated) {
            return Err(TransactionError::Terminated);
        }
        match input {
            ServerInput::Request(request) => {
                if self.key.is_some() && TransactionKey::for_server(&request) != self.key {
                    return Err(TransactionError::Mismatch);
                }
                match &self.state {
                    State::Proceeding { last } => self.out.transmit(Message::Response(last.clone())),
                    State::Completed { response } => self.out.transmit(Message::Response(response.clone())),
                    State::Trying | State::Terminated => {}
                }
            }
            ServerInput::Respond(response) => {
                if matches!(self.state, State::Completed { .. }) {
                    return Err(TransactionError::FinalAlreadySent);
                }
                self.out.transmit(Message::Response(response.clone()));
                if response.status().is_provisional() {
                    self.state = State::Proceeding { last: response };
                } else {
                    self.state = State::Completed { response };
                    if self.config.reliable {
                        self.terminate();
                    } else {
                        self.out.timers.set(Timer::J, now + 64 * self.config.t1);
                    }
                }
            }
            ServerInput::TransportError => {
                self.out.event(Event::TransportError);
                self.terminate();
            }
        }
        Ok(())
    }

    fn terminate(&mut self) {
        self.state = State::Terminated;
        self.out.terminate();
    }
}

impl Transaction for ServerNonInvite {
    fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.out.timers.pop_expired(now) {
            if let (Timer::J, State::Completed { .. }) = (timer, &self.state) {
                self.terminate();
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
