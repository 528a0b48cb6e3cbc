//! The INVITE server transaction (RFC 3261 §17.2.1).

use std::time::{Duration, Instant};

use super::outputs::Outputs;
use super::{Config, Event, ServerInput, Timer, Transaction, TransactionError, TransactionKey};
use crate::message::{Message, Method, Request, Response, StatusCode};

/// Answers an INVITE: sends 100 Trying at once, resends the latest
/// response when the INVITE is retransmitted, retransmits a non-2xx final
/// response over UDP (Timer G) until the ACK arrives or Timer H expires,
/// then absorbs ACK retransmissions (Timer I). Sending a 2xx ends the
/// transaction: its retransmission is the dialog's job.
#[derive(Debug)]
pub struct ServerInvite {
    request: Request,
    key: Option<TransactionKey>,
    config: Config,
    state: State,
    out: Outputs,
}

#[derive(Debug)]
enum State {
    /// Waiting for the user's final response; `last` is the latest
    /// provisional sent.
    Proceeding { last: Response },
    /// A non-2xx final response was sent; `interval` is the current Timer G.
    Completed { response: Response, interval: Duration },
    /// The ACK arrived.
    Confirmed,
    /// Over.
    Terminated,
}

/// What a CANCEL did to this transaction (RFC 3261 §9.2). Either way the
/// CANCEL itself is answered 200 by its own transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// No final response had been sent: 487 Request Terminated was sent.
    Cancelled,
    /// A final response was already sent: the CANCEL has no effect.
    AlreadyFinal,
}

impl ServerInvite {
    /// Starts the transaction for a received INVITE and sends 100 Trying.
    pub fn new(request: Request, config: Config, _now: Instant) -> ServerInvite {
        let mut out = Outputs::default();
        let trying = request.response(StatusCode::TRYING, None);
        out.transmit(Message::Response(trying.clone()));
        let key = TransactionKey::for_server(&request);
        ServerInvite { request, key, config, state: State::Proceeding { last: trying }, out }
    }

    /// The INVITE this transaction answers.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Feeds a retransmitted INVITE or its ACK, a response from the user,
    /// or a transport error.
    pub fn handle(&mut self, input: ServerInput, now: Instant) -> Result<(), TransactionError> {
        if matches!(self.state, State::Terminated) {
            return Err(TransactionError::Terminated);
        }
        match input {
            ServerInput::Request(request) => self.on_request(request, now),
            ServerInput::Respond(response) => self.on_respond(response, now),
            ServerInput::TransportError => {
                self.out.event(Event::TransportError);
                self.terminate();
                Ok(())
            }
        }
    }

    /// Applies a matching CANCEL: sends 487 when no final response was sent
    /// yet. `to_tag` is used when no provisional response carried one.
    pub fn cancel(&mut self, to_tag: &str, now: Instant) -> CancelOutcome {
        let State::Proceeding { last } = &self.state else {
            return CancelOutcome::AlreadyFinal;
        };
        let tag = last.headers().to().tag().unwrap_or(to_tag).to_owned();
        let terminated = self.request.response(StatusCode::REQUEST_TERMINATED, Some(&tag));
        match self.on_respond(terminated, now) {
            Ok(()) => CancelOutcome::Cancelled,
            Err(_) => CancelOutcome::AlreadyFinal,
        }
    }

    fn on_request(&mut self, request: Request, now: Instant) -> Result<(), TransactionError> {
        if self.key.is_some() && TransactionKey::for_server(&request) != self.key {
            return Err(TransactionError::Mismatch);
        }
        let is_ack = *request.method() == Method::Ack;
        match &self.state {
            State::Completed { .. } if is_ack => {
                self.out.timers.stop(Timer::G);
                self.out.timers.stop(Timer::H);
                self.out.event(Event::Acknowledged);
                self.state = State::Confirmed;
                if self.config.reliable {
                    self.terminate();
                } else {
                    self.out.timers.set(Timer::I, now + self.config.t4);
                }
            }
            State::Proceeding { last } if !is_ack => self.out.transmit(Message::Response(last.clone())),
            State::Completed { response, .. } if !is_ack => self.out.transmit(Message::Response(response.clone())),
            _ => {}
        }
        Ok(())
    }

    fn on_respond(&mut self, response: Response, now: Instant) -> Result<(), TransactionError> {
        if !matches!(self.state, State::Proceeding { .. }) {
            return Err(TransactionError::FinalAlreadySent);
        }
        let status = response.status();
        self.out.transmit(Message::Response(response.clone()));
        if status.is_provisional() {
            self.state = State::Proceeding { last: response };
        } else if status.is_success() {
            self.terminate();
        } else {
            if !self.config.reliable {
                self.out.timers.set(Timer::G, now + self.config.t1);
            }
            self.out.timers.set(Timer::H, now + 64 * self.config.t1);
            self.state = State::Completed { response, interval: self.config.t1 };
        }
        Ok(())
    }

    fn terminate(&mut self) {
        self.state = State::Terminated;
        self.out.terminate();
    }
}

impl Transaction for ServerInvite {
    fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.out.timers.pop_expired(now) {
            match (timer, &mut self.state) {
                (Timer::G, State::Completed { response, interval }) => {
                    *interval = (*interval * 2).min(self.config.t2);
                    self.out.timers.set(Timer::G, now + *interval);
                    self.out.transmit(Message::Response(response.clone()));
                }
                (Timer::H, State::Completed { .. }) => {
                    self.out.event(Event::Timeout(Timer::H));
                    self.terminate();
                }
                (Timer::I, State::Confirmed) => self.terminate(),
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
