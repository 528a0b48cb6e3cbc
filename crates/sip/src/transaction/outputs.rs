//! The queues and timers every transaction shares.

use std::collections::VecDeque;
use std::time::Instant;

use super::Event;
use super::timer::Timers;
use crate::message::Message;

/// Pending transmissions and events, and the timer table.
#[derive(Debug, Default)]
pub(crate) struct Outputs {
    pub(crate) timers: Timers,
    transmits: VecDeque<Message>,
    events: VecDeque<Event>,
    terminated: bool,
}

impl Outputs {
    pub(crate) fn transmit(&mut self, message: Message) {
        self.transmits.push_back(message);
    }

    pub(crate) fn event(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// Stops every timer and reports the end, once.
    pub(crate) fn terminate(&mut self) {
        if !self.terminated {
            self.terminated = true;
            self.timers.stop_all();
            self.events.push_back(Event::Terminated);
        }
    }

    pub(crate) fn is_terminated(&self) -> bool {
        self.terminated
    }

    pub(crate) fn poll_transmit(&mut self) -> Option<Message> {
        self.transmits.pop_front()
    }

    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }
}
